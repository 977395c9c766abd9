"""Rapport's GraphQL layer. Plugins build their types with these names."""

from rapport.schema.context import RequestContext, context_of
from rapport.schema.declared import connection, read_many, read_one, read_page, related
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
from rapport.schema.errors import BadRequest, Forbidden, UserError
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
from rapport.schema.types.customer import Customer
from rapport.schema.types.identity import User

__all__ = [
    "JSON",
    "BadRequest",
    "BooleanFilter",
    "Connection",
    "Custom",
    "Customer",
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
    "IntFilter",
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
]
