"""The service: API, storage (SQLAlchemy), task-queue adapter, scheduler, alerts, dashboard."""
