"""Rules: cache."""
