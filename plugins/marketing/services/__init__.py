"""Marketing services: every write of the plugin, each taking an ``Operation``."""
