"""Satisfaction surveys: CSAT (1-5) and NPS (0-10), one answer per invitation.

An invitation carries an unguessable token; only its SHA-256 is stored, so the table cannot
be used to answer for a customer. The token travels once, in the ``survey.sent`` event (to
the tool that mails it) and in the payload of ``offerSurvey``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from sqlalchemy import select

from rapport.core import Conflict, NotFound, Operation, utcnow
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.events import SurveyAnswered, SurveySent
from rapport.plugins.service.models import Case, SurveyInvitation
from rapport.plugins.service.services.common import Problems, get_row, moment

__all__ = ["SCALES", "answer_survey", "offer_on_resolution", "offer_survey", "token_hash"]

SCALES = {"CSAT": (1, 5), "NPS": (0, 10)}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def offer_survey(
    op: Operation, case_id: uuid.UUID, kind: str, at: datetime | None = None
) -> tuple[SurveyInvitation, str]:
    """Invite the customer to rate a solved case; a new token replaces an unanswered one."""
    case = await get_row(op, Case, case_id, "caseId", "case")
    problems = Problems("")
    problems.one_of("kind", kind, tuple(SCALES))
    if case.status_category not in ("RESOLVED", "CLOSED"):
        problems.add("caseId", "only a solved case is rated", ServiceErrorCode.CASE_NOT_SOLVED)
    problems.raise_if_any()
    found = await op.session.execute(
        select(SurveyInvitation).where(
            SurveyInvitation.case_id == case.id, SurveyInvitation.kind == kind
        )
    )
    invitation = found.scalar_one_or_none()
    if invitation is not None and invitation.responded_at is not None:
        raise Conflict("caseId", "the customer has already answered this survey")
    token = secrets.token_urlsafe(32)
    if invitation is None:
        invitation = SurveyInvitation(
            workspace_id=op.workspace_id, case_id=case.id, customer_id=case.customer_id, kind=kind
        )
        op.session.add(invitation)
    # Who and what is rated, as at the offer: a later reassignment does not move the score.
    invitation.agent_id, invitation.team, invitation.category = (
        case.assignee_id,
        case.team,
        case.category,
    )
    invitation.sent_at = moment(at)
    invitation.token_hash = token_hash(token)
    await op.session.flush()
    op.audit(
        "SurveyInvitation",
        invitation.id,
        "offer",
        {"kind": [None, kind]},
        customer_id=case.customer_id,
    )
    await op.emit(
        SurveySent(
            id=invitation.id, case_id=case.id, customer_id=case.customer_id, kind=kind, token=token
        )
    )
    return invitation, token


async def offer_on_resolution(op: Operation, case: Case) -> None:
    """Resolving a case offers a CSAT survey, once per case."""
    found = await op.session.execute(
        select(SurveyInvitation.id).where(
            SurveyInvitation.case_id == case.id, SurveyInvitation.kind == "CSAT"
        )
    )
    if found.first() is None:
        await offer_survey(op, case.id, "CSAT")


async def answer_survey(
    op: Operation, token: str, score: int, comment: str | None
) -> SurveyInvitation:
    found = await op.session.execute(
        select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash(token))
    )
    invitation = found.scalar_one_or_none()
    if invitation is None:
        raise NotFound("token", "survey invitation")
    if invitation.responded_at is not None:
        raise Conflict("token", "this survey has already been answered")
    low, high = SCALES[invitation.kind]
    problems = Problems("")
    if not low <= score <= high:
        problems.add(
            "score",
            f"{invitation.kind} scores run from {low} to {high}",
            ServiceErrorCode.SCORE_OUT_OF_RANGE,
        )
    problems.length("comment", comment, 4000)
    problems.raise_if_any()
    invitation.score, invitation.comment, invitation.responded_at = score, comment, utcnow()
    await op.session.flush()
    op.audit(
        "SurveyInvitation",
        invitation.id,
        "answer",
        {"score": [None, score]},
        customer_id=invitation.customer_id,
    )
    await op.emit(
        SurveyAnswered(
            id=invitation.id, case_id=invitation.case_id, kind=invitation.kind, score=score
        )
    )
    return invitation
