"""Every sales write, as service functions taking an :class:`~rapport.core.Operation`."""
