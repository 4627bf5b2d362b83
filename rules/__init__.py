"""The rulebook: one module and one page per rule, grouped by category."""
