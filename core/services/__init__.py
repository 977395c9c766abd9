"""Service functions: every write goes through one of these."""

from rapport.core.services.operation import Operation

__all__ = ["Operation"]
