"""Rapport's GraphQL layer. Plugins build their types with these names."""

from rapport.schema.context import Info, RequestContext, context_of
from rapport.schema.declared import connection, read_many, read_one, read_page, related, scope_of
from rapport.schema.entities import (
    Entity,
    Expression,
    Listing,
    Reference,
    Scope,
    ToMany,
    ToOne,
    columns,
    reads,
)
from rapport.schema.errors import BadRequest, Forbidden, UserError, user_errors
from rapport.schema.filters import (
    BooleanFilter,
    Custom,
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    Filterable,
    FloatFilter,
    IDFilter,
    IntFilter,
    StringFilter,
    compile_filter,
    filter_input,
)
from rapport.schema.inputs import explicit_nulls, to_service_fields
from rapport.schema.loaders import by_id_loader, grouped_loader, run_select
from rapport.schema.mutations import mutate
from rapport.schema.node_rows import node_from_row
from rapport.schema.ordering import (
    Ordering,
    filtered_listing,
    list_order,
    order_input,
    order_keys,
)
from rapport.schema.relay import (
    Connection,
    Edge,
    ModelNode,
    OrderDirection,
    PageInfo,
    SortKey,
    argument_row_id,
    decode_node_id,
    optional_row_id_of,
    paginate,
    row_id_of,
)
from rapport.schema.scalars import JSON
from rapport.schema.types.customer import CUSTOMER_FILTERS, Customer, CustomerFilter, CustomerOrder
from rapport.schema.types.identity import User
from rapport.schema.types.interaction import InteractionDirection
from rapport.schema.types.task import TaskPriority, TaskStatus

__all__ = [
    "CUSTOMER_FILTERS",
    "JSON",
    "BadRequest",
    "BooleanFilter",
    "Connection",
    "Custom",
    "Customer",
    "CustomerFilter",
    "CustomerOrder",
    "DateFilter",
    "DateTimeFilter",
    "DecimalFilter",
    "Edge",
    "Entity",
    "Expression",
    "Filterable",
    "FloatFilter",
    "Forbidden",
    "IDFilter",
    "Info",
    "IntFilter",
    "InteractionDirection",
    "Listing",
    "ModelNode",
    "OrderDirection",
    "Ordering",
    "PageInfo",
    "Reference",
    "RequestContext",
    "Scope",
    "SortKey",
    "StringFilter",
    "TaskPriority",
    "TaskStatus",
    "ToMany",
    "ToOne",
    "User",
    "UserError",
    "argument_row_id",
    "by_id_loader",
    "columns",
    "compile_filter",
    "connection",
    "context_of",
    "decode_node_id",
    "explicit_nulls",
    "filter_input",
    "filtered_listing",
    "grouped_loader",
    "list_order",
    "mutate",
    "node_from_row",
    "optional_row_id_of",
    "order_input",
    "order_keys",
    "paginate",
    "read_many",
    "read_one",
    "read_page",
    "reads",
    "related",
    "row_id_of",
    "run_select",
    "scope_of",
    "to_service_fields",
    "user_errors",
]
