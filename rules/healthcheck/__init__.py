"""Rules: healthcheck."""
