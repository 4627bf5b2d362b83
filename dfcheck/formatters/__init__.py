"""Output formats: one module each, loaded by name."""
