"""kubernetes rules."""
