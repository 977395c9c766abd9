"""Lead capture forms: definitions per campaign, and what a public submission does.

A submission creates a sales lead (through the sales service, so it is validated and audited
as any lead), makes it a member of the form's campaign, and records each ticked consent box
as an email opt-in with the submission as its evidence. The same email (or phone) submitted
again within the form's window is recorded as a duplicate of the first and creates nothing.
A filled honeypot field is answered as a success and stored nowhere. Submissions per client
address and per form are counted over the last minute, so the limit holds across processes.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from rapport.core import ErrorCode, FieldValues, Operation, apply_changes, utcnow
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.plugins.marketing.events import FormSubmitted
from rapport.plugins.marketing.models import Campaign, FormSubmission, LeadForm
from rapport.plugins.marketing.services.common import Problems, get_row, refuse
from rapport.plugins.marketing.services.consent import ConsentFields, record_consent
from rapport.plugins.marketing.services.members import add_member
from rapport.plugins.sales.services.leads import LeadFields, create_lead

__all__ = [
    "LEAD_TARGETS",
    "UTM_KEYS",
    "FormFields",
    "SubmissionResult",
    "create_form",
    "submit_form",
    "update_form",
]

LEAD_TARGETS = ("first_name", "last_name", "company", "email", "phone")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@dataclass
class FormFields(FieldValues):
    name: str | None = None
    fields: dict[str, str] | None = None
    consents: dict[str, str] | None = None
    allowed_origins: list[str] | None = None
    honeypot: str | None = None
    dedupe_minutes: int | None = None
    per_ip_per_minute: int | None = None
    per_form_per_minute: int | None = None
    active: bool | None = None


def _check(data: FormFields, problems: Problems) -> None:
    for name in ("fields", "consents"):
        value = getattr(data, name)
        if value is not None and not (
            isinstance(value, dict) and all(isinstance(k, str) for k in value)
        ):
            problems.add(name, "an object of form field names")
            setattr(data, name, None)
    if data.allowed_origins is not None and not all(
        isinstance(o, str) for o in data.allowed_origins
    ):
        problems.add("allowedOrigins", "a list of origins")
        data.allowed_origins = None
    if data.name is not None:
        problems.required("name", data.name)
    for name, target in (data.fields or {}).items():
        if target not in LEAD_TARGETS:
            problems.add(f"fields.{name}", f"maps to one of {', '.join(LEAD_TARGETS)}")
    if data.fields is not None and "email" not in data.fields.values():  # after the type check
        problems.add(
            "fields",
            "a form needs a field mapped to email, to tell duplicates apart",
            MarketingErrorCode.EMAIL_FIELD_REQUIRED,
        )
    for name, topic in (data.consents or {}).items():
        if not isinstance(topic, str):
            problems.add(f"consents.{name}", "a subscription topic (text, may be empty)")
    for index, origin in enumerate(data.allowed_origins or []):
        if not origin.startswith(("http://", "https://")) or origin.endswith("/"):
            problems.add(f"allowedOrigins.{index}", "an origin such as https://www.example.com")
    for name in ("dedupe_minutes", "per_ip_per_minute", "per_form_per_minute"):
        value = getattr(data, name)
        if value is not None and value < 0:
            problems.add(name, "must not be negative")


async def create_form(op: Operation, campaign_id: uuid.UUID, data: FormFields) -> LeadForm:
    campaign = await get_row(op, Campaign, campaign_id, "input.campaignId", "campaign")
    problems = Problems()
    problems.required("name", data.name)
    if data.fields is None:
        problems.add("fields", "map at least the email field", ErrorCode.REQUIRED)
    _check(data, problems)
    problems.raise_if_any()
    values = data.given()
    form = LeadForm(
        workspace_id=op.workspace_id,
        campaign_id=campaign.id,
        key=secrets.token_urlsafe(18),
        **values,
    )
    op.session.add(form)
    await op.session.flush()
    op.audit("LeadForm", form.id, "create", {"name": [None, form.name]})
    return form


async def update_form(op: Operation, form_id: uuid.UUID, data: FormFields) -> LeadForm:
    form = await get_row(op, LeadForm, form_id, "id", "form")
    values = data.patch(LeadForm)
    problems = Problems()
    _check(data, problems)
    problems.raise_if_any()
    changes = apply_changes(form, values)
    await op.session.flush()
    if changes:
        op.audit("LeadForm", form.id, "update", changes)
    return form


@dataclass
class SubmissionResult:
    """``outcome``: created | duplicate | ignored (honeypot) | limited (too many)."""

    outcome: str
    lead_id: uuid.UUID | None = None
    errors: list[Any] = field(default_factory=list)


async def _recent(op: Operation, form: LeadForm, *conditions: Any) -> int:
    since = utcnow() - timedelta(minutes=1)
    found = await op.session.execute(
        select(func.count())
        .select_from(FormSubmission)
        .where(FormSubmission.form_id == form.id, FormSubmission.submitted_at >= since, *conditions)
    )
    return int(found.scalar_one())


def _text(values: dict[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    return str(value).strip() or None


def _ticked(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "on", "yes")


async def submit_form(
    op: Operation, form: LeadForm, values: dict[str, Any], client_ip: str | None
) -> SubmissionResult:
    if _text(values, form.honeypot):
        return SubmissionResult("ignored")
    if (
        form.per_ip_per_minute
        and client_ip is not None
        and await _recent(op, form, FormSubmission.client_ip == client_ip) >= form.per_ip_per_minute
    ):
        return SubmissionResult("limited")
    if form.per_form_per_minute and await _recent(op, form) >= form.per_form_per_minute:
        return SubmissionResult("limited")
    lead_values = {target: _text(values, name) for name, target in form.fields.items()}
    utm = {key: str(values[key])[:200] for key in UTM_KEYS if _text(values, key)}
    email = lead_values.get("email")
    if not email:
        email_field = next(name for name, target in form.fields.items() if target == "email")
        raise refuse(email_field, "required", ErrorCode.REQUIRED)
    dedupe_key = email.lower()
    since = utcnow() - timedelta(minutes=form.dedupe_minutes)
    first = await op.session.execute(
        select(FormSubmission.lead_id)
        .where(
            FormSubmission.form_id == form.id,
            FormSubmission.dedupe_key == dedupe_key,
            FormSubmission.duplicate.is_(False),
            FormSubmission.submitted_at >= since,
        )
        .limit(1)
    )
    earlier = first.first()
    submission = FormSubmission(
        workspace_id=op.workspace_id,
        form_id=form.id,
        client_ip=client_ip,
        dedupe_key=dedupe_key,
        utm=utm,
    )
    if earlier is not None:
        submission.duplicate, submission.lead_id = True, earlier[0]
        op.session.add(submission)
        await op.session.flush()
        return SubmissionResult("duplicate", earlier[0])
    lead = await create_lead(
        op,
        LeadFields(
            first_name=lead_values.get("first_name"),
            last_name=lead_values.get("last_name"),
            company=lead_values.get("company"),
            email=email,
            phone=lead_values.get("phone"),
            source="web_form",
        ),
    )
    await add_member(op, form.campaign_id, lead_id=lead.id, source=f"form {form.name}")
    evidence = json.dumps(
        {"form": form.name, "clientIp": client_ip, "at": utcnow().isoformat(), "utm": utm}
    )
    for name, topic in form.consents.items():
        if _ticked(values.get(name)):
            await record_consent(
                op,
                ConsentFields(
                    channel="email",
                    status="opted_in",
                    lead_id=lead.id,
                    topic=topic,
                    legal_basis="consent",
                    source=f"form {form.name}",
                    evidence=evidence,
                ),
                prefix="",
            )
    submission.lead_id = lead.id
    op.session.add(submission)
    await op.session.flush()
    await op.emit(FormSubmitted(id=form.id, lead_id=lead.id, campaign_id=form.campaign_id))
    return SubmissionResult("created", lead.id)
