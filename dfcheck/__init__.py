"""dfcheck: a Dockerfile linter and layer-cache efficiency analyzer."""

__version__ = "0.1.0"
