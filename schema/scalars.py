"""Custom scalars shared by the schema."""

from strawberry.scalars import JSON

__all__ = ["JSON"]
