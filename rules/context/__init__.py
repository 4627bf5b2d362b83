"""Rules: context."""
