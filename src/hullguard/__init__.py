"""hullguard: one program that secures a container's whole life."""

__version__ = "0.1.0"
