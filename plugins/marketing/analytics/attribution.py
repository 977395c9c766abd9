"""Attribution: each opportunity's credit shared among the campaign responses that led to it.

The touches of an opportunity are the responses (to a responded status) of its customer, or of
the lead it was converted from, in the ``window_days`` before the opportunity was created, in
time order. Each model gives every touch a weight, and the weights of one opportunity add up
to 1 (0 without touches), so a payment is never credited more than once:

- FIRST_TOUCH: 1 to the first touch; LAST_TOUCH: 1 to the last;
- LINEAR: 1/n to each of the n touches;
- POSITION_BASED: 0.4 to the first and the last, 0.2 shared by those between; with two
  touches 0.5 each, with one 1;
- SOURCE_CAMPAIGN: 1 to the campaign the opportunity names as its source, touches aside.

A campaign's attributed payments are the payments received on its opportunities' orders times
its weights there.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlalchemy import Numeric, Subquery, and_, case, cast, func, literal, or_, select

from rapport.plugins.marketing.analytics.sql import not_before_days
from rapport.plugins.marketing.models import MemberResponse, OpportunitySource
from rapport.plugins.sales.models import Opportunity

__all__ = ["DEFAULT_WINDOW_DAYS", "Model", "credits"]

DEFAULT_WINDOW_DAYS = 90
Share = Numeric(20, 10)


class Model(Enum):
    FIRST_TOUCH = "first_touch"
    LAST_TOUCH = "last_touch"
    LINEAR = "linear"
    POSITION_BASED = "position_based"
    SOURCE_CAMPAIGN = "source_campaign"


def _share(value: str) -> Any:
    return cast(literal(value), Share)


def _weight(model: Model, position: Any, count: Any) -> Any:
    one, zero = _share("1"), _share("0")
    if model is Model.FIRST_TOUCH:
        return case((position == 1, one), else_=zero)
    if model is Model.LAST_TOUCH:
        return case((position == count, one), else_=zero)
    if model is Model.LINEAR:
        return one / count
    return case(
        (count == 1, one),
        (count == 2, _share("0.5")),
        (or_(position == 1, position == count), _share("0.4")),
        else_=_share("0.2") / (count - 2),
    )


def credits(model: Model, window_days: int = DEFAULT_WINDOW_DAYS) -> Subquery:
    """Rows ``(opportunity_id, campaign_id, touch_id, weight)``: every credited touch."""
    if model is Model.SOURCE_CAMPAIGN:
        return select(
            OpportunitySource.opportunity_id,
            OpportunitySource.campaign_id,
            OpportunitySource.id.label("touch_id"),
            _share("1").label("weight"),
        ).subquery("credits")
    touch = and_(
        MemberResponse.responded.is_(True),
        or_(
            MemberResponse.customer_id == Opportunity.customer_id,
            and_(Opportunity.lead_id.is_not(None), MemberResponse.lead_id == Opportunity.lead_id),
        ),
        MemberResponse.occurred_at <= Opportunity.created_at,
        not_before_days(MemberResponse.occurred_at, Opportunity.created_at, window_days),
    )
    ordered = (
        select(
            Opportunity.id.label("opportunity_id"),
            MemberResponse.campaign_id,
            MemberResponse.id.label("touch_id"),
            func.row_number()
            .over(
                partition_by=Opportunity.id,
                order_by=(MemberResponse.occurred_at, MemberResponse.id),
            )
            .label("position"),
            func.count().over(partition_by=Opportunity.id).label("touches"),
        )
        .join(MemberResponse, touch)
        .subquery("touches")
    )
    return select(
        ordered.c.opportunity_id,
        ordered.c.campaign_id,
        ordered.c.touch_id,
        _weight(model, ordered.c.position, ordered.c.touches).label("weight"),
    ).subquery("credits")
