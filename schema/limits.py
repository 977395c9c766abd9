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
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)

from rapport.core.config import Settings

__all__ = ["limit_rules"]

PAGE_ARGUMENTS = ("first", "last")


def _limit_error(message: str, node: Any) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": "QUERY_TOO_COMPLEX"})


class _Walker:
    """Depth and cost of a selection set, following fragments once per path."""

    def __init__(self, context: ValidationContext, max_page: int) -> None:
        self.max_page = max_page
        self.fragments: dict[str, FragmentDefinitionNode] = {
            node.name.value: node
            for node in context.document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }

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

    def measure(self, selection: SelectionSetNode | None, seen: frozenset[str]) -> tuple[int, int]:
        """(depth, cost) of a selection set."""
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
                child_depth, child_cost = self.measure(node.selection_set, seen)
                page = self.page_size(node)
                multiplier = page if page is not None else 1
                depth = max(depth, child_depth + 1)
                cost += 1 + multiplier * child_cost
            elif isinstance(node, InlineFragmentNode):
                child_depth, child_cost = self.measure(node.selection_set, seen)
                depth, cost = max(depth, child_depth), cost + child_cost
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                child_depth, child_cost = self.measure(fragment.selection_set, seen | {name})
                depth, cost = max(depth, child_depth), cost + child_cost
        return depth, cost


def limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """Depth, alias and cost rules for ``settings``; call once per schema."""
    max_depth, max_aliases, max_cost = settings.max_depth, settings.max_aliases, settings.max_cost
    max_page = settings.max_page_size

    class OperationLimits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            walker = _Walker(self.context, max_page)
            depth, cost = walker.measure(node.selection_set, frozenset())
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
