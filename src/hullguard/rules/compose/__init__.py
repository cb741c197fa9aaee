"""compose rules."""
