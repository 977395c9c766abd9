"""Limits on what one operation may ask for: depth, aliases and cost.

The rules are classes made once per schema (from the settings), never per request: strawberry's
validation cache keys on the rule classes, so a class made per request would miss every time.
Tokens are limited at parse time by ``MaxTokensLimiter``; page sizes by the connections.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)

from rapport.core.config import Settings

__all__ = ["limit_rules"]

PAGE_ARGUMENTS = ("first", "last")


def _limit_error(message: str, node: Any) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": "QUERY_TOO_COMPLEX"})


class _Walker:
    """Depth and cost of a selection set, each fragment measured once.

    A fragment's depth and cost do not depend on where it is spread, so they are kept the first
    time: fragments that spread the next one twice, level after level, cost a walk of the
    document and not of every path through it. A list field costs its children once per item
    it can return: the page asked for (or the largest, when a variable gives it), the default
    page of a connection asked for no size, and ``list_bound`` items for a plain list.
    """

    def __init__(self, context: ValidationContext, max_page: int, settings: Settings) -> None:
        self.schema = context.schema
        self.max_page = max_page
        self.default_page = settings.default_page_size
        self.list_bound = settings.list_cost
        self.fragments: dict[str, FragmentDefinitionNode] = {
            node.name.value: node
            for node in context.document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        self.measured: dict[str, tuple[int, int]] = {}
        self.in_progress: set[str] = set()

    def page_size(self, field: FieldNode) -> int | None:
        for argument in field.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            if isinstance(argument.value, IntValueNode):
                return int(argument.value.value)
            if isinstance(argument.value, VariableNode):
                # Unknown until execution: assume the worst the connection allows.
                return self.max_page
        return None

    def items(
        self, field: FieldNode, definition: GraphQLField | None, parent: GraphQLNamedType | None
    ) -> int:
        """How many times a field's children can be answered."""
        page = self.page_size(field)
        if page is not None:
            return page
        if definition is None or "pageInfo" in (getattr(parent, "fields", None) or {}):
            return 1  # a connection's edges and nodes: its page was counted on the connection
        if any(name in definition.args for name in PAGE_ARGUMENTS):
            return self.default_page
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        return self.list_bound if isinstance(field_type, GraphQLList) else 1

    def measure(
        self, selection: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> tuple[int, int]:
        """(depth, cost) of a selection set on ``parent`` (None where the type is unknown)."""
        if selection is None:
            return 0, 0
        depth, cost = 0, 0
        for node in selection.selections:
            if isinstance(node, FieldNode):
                # Introspection is bounded by the schema itself, and GraphiQL's own query nests
                # deeper than any sensible limit on data.
                if node.selection_set is None or node.name.value.startswith("__"):
                    cost += 1
                    continue
                fields = getattr(parent, "fields", None) or {}
                definition = fields.get(node.name.value)
                child_type = get_named_type(definition.type) if definition else None
                child_depth, child_cost = self.measure(node.selection_set, child_type)
                depth = max(depth, child_depth + 1)
                cost += 1 + self.items(node, definition, parent) * child_cost
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                child_depth, child_cost = self.measure(node.selection_set, inner)
                depth, cost = max(depth, child_depth), cost + child_cost
            elif isinstance(node, FragmentSpreadNode):
                child_depth, child_cost = self.fragment(node.name.value)
                depth, cost = max(depth, child_depth), cost + child_cost
        return depth, cost

    def fragment(self, name: str) -> tuple[int, int]:
        found = self.measured.get(name)
        if found is not None:
            return found
        fragment = self.fragments.get(name)
        if fragment is None or name in self.in_progress:
            return 0, 0  # unknown or cyclic: other rules refuse the document
        self.in_progress.add(name)
        on = self.schema.get_type(fragment.type_condition.name.value)
        found = self.measured[name] = self.measure(fragment.selection_set, on)
        self.in_progress.discard(name)
        return found


def limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """Depth, alias and cost rules for ``settings``; call once per schema."""
    max_depth, max_aliases, max_cost = settings.max_depth, settings.max_aliases, settings.max_cost
    max_page = settings.max_page_size

    class OperationLimits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            walker = _Walker(self.context, max_page, settings)
            root = self.context.schema.get_root_type(node.operation)
            depth, cost = walker.measure(node.selection_set, root)
            if depth > max_depth:
                self.report_error(
                    _limit_error(
                        f"operation nests {depth} levels deep; the limit is {max_depth}", node
                    )
                )
            if cost > max_cost:
                self.report_error(
                    _limit_error(f"operation costs {cost}; the limit is {max_cost}", node)
                )

    class AliasLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            if node.alias is not None:
                self.count += 1
                if self.count == max_aliases + 1:
                    self.report_error(
                        _limit_error(f"operation uses more than {max_aliases} aliases", node)
                    )

    return [OperationLimits, AliasLimit]
