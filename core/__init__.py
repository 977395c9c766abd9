"""Rapport's core: the customer domain, persistence, the plugin system and the app.

Plugins import what they need from here; these names are the stable contract.
"""

from rapport.core.access import CUSTOMER_SCOPE
from rapport.core.auth import Actor
from rapport.core.config import Settings, load_settings
from rapport.core.db import Base, JSONType, TenantMixin, TimestampMixin, new_id, tenant_fk, utcnow
from rapport.core.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    FieldError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from rapport.core.events import DomainEvent
from rapport.core.hookspecs import hookimpl
from rapport.core.plugins import PluginError, PluginInfo
from rapport.core.services.operation import Operation
from rapport.core.worker import JobContext

__all__ = [
    "CUSTOMER_SCOPE",
    "Actor",
    "Base",
    "Conflict",
    "DomainError",
    "DomainEvent",
    "ErrorCode",
    "FieldError",
    "InvalidTransition",
    "JSONType",
    "JobContext",
    "NotFound",
    "Operation",
    "PluginError",
    "PluginInfo",
    "Settings",
    "TenantMixin",
    "TimestampMixin",
    "ValidationFailed",
    "hookimpl",
    "load_settings",
    "new_id",
    "tenant_fk",
    "utcnow",
]
