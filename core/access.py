"""The customer scope: one access policy that reaches every table whose rows are a customer's.

A policy registered on :data:`CUSTOMER_SCOPE` names the customers an actor may see; the
runtime turns it into a condition on ``customers`` and on every table declared through
``register_customer_links`` (contact points, interactions, opportunities, accounts...), so a
plugin that limits customers limits every other plugin's customer data with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import and_, or_

from rapport.core.contributions import CustomerLink
from rapport.core.db import AnySelect
from rapport.core.models import Customer

__all__ = ["CUSTOMER_SCOPE", "CustomerScope", "scope_conditions"]


class CustomerScope:
    """Marker for policies that limit customers and everything linked to them."""

    def __repr__(self) -> str:
        return "CUSTOMER_SCOPE"


CUSTOMER_SCOPE = CustomerScope()


def scope_conditions(
    visible: Callable[[], AnySelect], links: Iterable[CustomerLink]
) -> Sequence[tuple[type, Any]]:
    """Row conditions for the customers in ``visible()`` and the rows linked to them.

    A row naming several customers (a relationship joins two) is visible only when every
    customer it names is: one visible end must not reveal the other, its notes or its history.

    Plain expressions rather than lambdas: the select carries the actor's values as bound
    parameters, and the conditions are built once per operation.
    """
    ids = visible()
    conditions: list[tuple[type, Any]] = [(Customer, Customer.id.in_(ids))]
    for link in links:
        columns = [getattr(link.model, name) for name in link.columns]
        every_end_visible = and_(*(or_(column.is_(None), column.in_(ids)) for column in columns))
        conditions.append((link.model, every_end_visible))
    return conditions
