"""Rapport's built-in plugins; each is enabled by name in ``RAPPORT_PLUGINS``."""
