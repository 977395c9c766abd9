"""Rapport's core: the customer domain, persistence, the plugin system and the app.

Plugins import what they need from here (and the GraphQL layer from ``rapport.schema``);
these names are the stable contract, and a test keeps plugins to them.
"""

from rapport.core.access import CUSTOMER_SCOPE
from rapport.core.ages import AGE_BANDS, age_band_of, age_band_sql, age_of, ages_today
from rapport.core.auth import Actor
from rapport.core.config import Settings, load_settings
from rapport.core.contributions import (
    AccessPolicy,
    ChurnSignal,
    CustomerLink,
    DataLoaderFactory,
    DemoData,
    ErrorCodes,
    EventHandler,
    EventType,
    GraphQLPart,
    InteractionKind,
    Job,
    MergeResolver,
    MigrationBranch,
    Permission,
    PotentialValueSource,
    Register,
    RelationshipType,
    Role,
    ValueKind,
    ValueSource,
)
from rapport.core.db import (
    AnySelect,
    Base,
    JSONType,
    TenantMixin,
    TimestampMixin,
    new_id,
    tenant_fk,
    utcnow,
)
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import (
    Conflict,
    DomainCode,
    DomainError,
    ErrorCode,
    FieldError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from rapport.core.event_types import (
    CustomerCreated,
    CustomerDeleted,
    CustomerImported,
    CustomerMerged,
    CustomerRestored,
    CustomerUpdated,
    InteractionLogged,
    RelationshipCreated,
    RelationshipDeleted,
    RelationshipUpdated,
    TaskCancelled,
    TaskCompleted,
    TaskCreated,
)
from rapport.core.events import DomainEvent, Event, event_data
from rapport.core.hookspecs import hookimpl
from rapport.core.imports.writer import insert_rows
from rapport.core.models import (
    AuditEntry,
    ContactPoint,
    Customer,
    Interaction,
    InteractionParticipant,
    Relationship,
    Task,
    User,
    Workspace,
)
from rapport.core.money import (
    UnreadableNumber,
    check_money,
    currency_decimals,
    money_error,
    number_error,
)
from rapport.core.money_column import Money, cents_of, from_cents
from rapport.core.plugins import PluginError, PluginInfo, Registered
from rapport.core.search.terms import QueryTerms, parse_query
from rapport.core.services.changes import apply_changes
from rapport.core.services.contact_points import (
    ContactPointFields,
    add_contact_point,
    normalize_contact,
    phone_region,
)
from rapport.core.services.customers import CustomerFields, create_customer, get_customer
from rapport.core.services.field_values import FieldValues
from rapport.core.services.interactions import InteractionFields, log_interaction
from rapport.core.services.operation import Operation
from rapport.core.services.recurrence import parse_recurrence
from rapport.core.services.tasks import OPEN_STATUSES as OPEN_TASK_STATUSES
from rapport.core.services.tasks import TaskFields, create_task, update_task
from rapport.core.stored_values import DateRange, text_error, value_errors
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.core.worker import JobContext
from rapport.core.workspaces import SYSTEM_EMAIL, operator_operation

__all__ = [
    "AGE_BANDS",
    "CUSTOMER_SCOPE",
    "OPEN_TASK_STATUSES",
    "SYSTEM_EMAIL",
    "AccessPolicy",
    "Actor",
    "AnySelect",
    "AuditEntry",
    "Base",
    "ChurnSignal",
    "Conflict",
    "ContactPoint",
    "ContactPointFields",
    "CoreErrorCode",
    "Customer",
    "CustomerCreated",
    "CustomerDeleted",
    "CustomerFields",
    "CustomerImported",
    "CustomerLink",
    "CustomerMerged",
    "CustomerRestored",
    "CustomerUpdated",
    "DataLoaderFactory",
    "DateRange",
    "DemoData",
    "DomainCode",
    "DomainError",
    "DomainEvent",
    "ErrorCode",
    "ErrorCodes",
    "Event",
    "EventHandler",
    "EventType",
    "FieldError",
    "FieldValues",
    "GraphQLPart",
    "Interaction",
    "InteractionFields",
    "InteractionKind",
    "InteractionLogged",
    "InteractionParticipant",
    "InvalidTransition",
    "JSONType",
    "Job",
    "JobContext",
    "MergeResolver",
    "MigrationBranch",
    "Money",
    "NotFound",
    "Operation",
    "Permission",
    "PluginError",
    "PluginInfo",
    "PotentialValueSource",
    "QueryTerms",
    "Register",
    "Registered",
    "Relationship",
    "RelationshipCreated",
    "RelationshipDeleted",
    "RelationshipType",
    "RelationshipUpdated",
    "Role",
    "Settings",
    "Task",
    "TaskCancelled",
    "TaskCompleted",
    "TaskCreated",
    "TaskFields",
    "TenantMixin",
    "TimestampMixin",
    "UnreadableNumber",
    "User",
    "ValidationFailed",
    "ValueKind",
    "ValueSource",
    "Workspace",
    "add_contact_point",
    "age_band_of",
    "age_band_sql",
    "age_of",
    "ages_today",
    "apply_changes",
    "cents_of",
    "check_money",
    "create_customer",
    "create_task",
    "currency_decimals",
    "event_data",
    "from_cents",
    "get_customer",
    "hookimpl",
    "insert_rows",
    "load_settings",
    "log_interaction",
    "money_error",
    "new_id",
    "normalize_contact",
    "number_error",
    "operator_operation",
    "parse_query",
    "parse_recurrence",
    "phone_region",
    "tenant_fk",
    "tenant_session",
    "text_error",
    "unscoped_session",
    "update_task",
    "utcnow",
    "value_errors",
]
