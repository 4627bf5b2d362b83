"""Rules: reproducibility."""
