"""dockerfile rules."""
