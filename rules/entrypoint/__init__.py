"""Rules: entrypoint."""
