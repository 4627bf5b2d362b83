"""Rules: shell."""
