"""image rules."""
