"""The core tables. Plugins define theirs on the same :class:`~rapport.core.db.Base`."""

from rapport.core.models.audit import AuditEntry
from rapport.core.models.customer import ContactPoint, Customer, CustomFieldDefinition
from rapport.core.models.idempotency import IdempotencyRecord
from rapport.core.models.identity import ApiKey, User, Workspace
from rapport.core.models.insight import CustomerInsight, InsightSettingsRow
from rapport.core.models.interaction import Interaction, InteractionParticipant
from rapport.core.models.outbox import EventRecord, OutboxEvent, Webhook
from rapport.core.models.relationship import Relationship, RelationshipTypeRow
from rapport.core.models.task import Task

__all__ = [
    "ApiKey",
    "AuditEntry",
    "ContactPoint",
    "CustomFieldDefinition",
    "Customer",
    "CustomerInsight",
    "EventRecord",
    "IdempotencyRecord",
    "InsightSettingsRow",
    "Interaction",
    "InteractionParticipant",
    "OutboxEvent",
    "Relationship",
    "RelationshipTypeRow",
    "Task",
    "User",
    "Webhook",
    "Workspace",
]
