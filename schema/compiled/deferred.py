"""Computed fields under compiled nodes: read by the resolvers, for every row at once.

When a node type's field is computed in Python (a customer's ``age``), the statement still
builds everything else and writes, in that field's place, a stand-in naming the deferral and
the row's global id. Afterwards one GraphQL operation asks ``nodes(ids: [...])`` for those
rows with exactly the field's selection (its alias, arguments, sub-selection, the fragments
and variables it uses), through the resolvers and the caller's own access, and the answers
replace the stand-ins. Any error in that operation sends the whole request to the resolvers,
so errors are always theirs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    Node,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    print_ast,
)

from rapport.schema.compiled.planner import Deferred

__all__ = ["follow_up", "splice", "stand_ins"]


def _descendants(node: Any) -> Iterator[Any]:
    """Every AST node under ``node``, itself included."""
    yield node
    for name in getattr(node, "keys", ()):
        value = getattr(node, name, None)
        children = value if isinstance(value, tuple | list) else (value,)
        for child in children:
            if isinstance(child, Node):
                yield from _descendants(child)


def _used(
    nodes: Sequence[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[list[FragmentDefinitionNode], set[str]]:
    """The fragments the field nodes spread (transitively) and the variables they all read."""
    wanted: dict[str, FragmentDefinitionNode] = {}
    variables: set[str] = set()
    pending: list[Any] = list(nodes)
    while pending:
        for node in _descendants(pending.pop()):
            if isinstance(node, VariableNode):
                variables.add(node.name.value)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                if name not in wanted and name in fragments:
                    wanted[name] = fragments[name]
                    pending.append(fragments[name])
    return list(wanted.values()), variables


def _ids_name(index: int, taken: set[str]) -> str:
    name = f"deferredIds{index}"
    while name in taken:
        name = f"_{name}"
    return name


def follow_up(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    deferred: Sequence[Deferred],
) -> tuple[str, list[str], set[str]]:
    """The operation reading every deferral: its text, its id variables, the variables it uses.

    Deferral ``i`` is answered under the response key ``d<i>`` as a list of nodes in the order
    of the ids given in the variable named ``i``-th.
    """
    all_nodes = [node for item in deferred for node in item.nodes]
    used_fragments, used_variables = _used(all_nodes, fragments)
    declared = {d.variable.name.value: d for d in operation.variable_definitions or ()}
    id_names: list[str] = []
    selections = []
    for index, item in enumerate(deferred):
        ids = _ids_name(index, set(declared))
        id_names.append(ids)
        inline = InlineFragmentNode(
            type_condition=NamedTypeNode(name=NameNode(value=item.type_name)),
            directives=(),
            selection_set=SelectionSetNode(selections=tuple(item.nodes)),
        )
        selections.append(
            FieldNode(
                alias=NameNode(value=f"d{index}"),
                name=NameNode(value="nodes"),
                arguments=(
                    ArgumentNode(
                        name=NameNode(value="ids"),
                        value=VariableNode(name=NameNode(value=ids)),
                    ),
                ),
                directives=(),
                selection_set=SelectionSetNode(selections=(inline,)),
            )
        )
    id_type = NonNullTypeNode(
        type=ListTypeNode(type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="ID"))))
    )
    definitions = [
        *(declared[name] for name in sorted(used_variables) if name in declared),
        *(
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=name)), type=id_type, directives=()
            )
            for name in id_names
        ),
    ]
    document = DocumentNode(
        definitions=(
            OperationDefinitionNode(
                operation=OperationType.QUERY,
                name=NameNode(value="Deferred"),
                variable_definitions=tuple(definitions),
                directives=(),
                selection_set=SelectionSetNode(selections=tuple(selections)),
            ),
            *used_fragments,
        )
    )
    return print_ast(document), id_names, used_variables


def stand_ins(data: Any, marker: str) -> Iterator[tuple[Any, Any, int, str]]:
    """Every stand-in in ``data``: (its container, its key or index, deferral, global id)."""
    pending = [data]
    while pending:
        value = pending.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            if isinstance(child, dict) and marker in child:
                yield value, key, child[marker], child["id"]
            elif isinstance(child, dict | list):
                pending.append(child)


def splice(
    found: list[tuple[Any, Any, int, str]],
    deferred: Sequence[Deferred],
    answers: Mapping[int, Mapping[str, Any]],
) -> bool:
    """Put each deferred value in place of its stand-in; False when a row had no answer."""
    for container, key, index, global_id in found:
        node = answers[index].get(global_id)
        if node is None:
            return False
        container[key] = node[deferred[index].key]
    return True
