"""Rules: style."""
