"""Marketing's precise error codes: what exactly was wrong, for programs to branch on."""

from __future__ import annotations

from rapport.core import DomainCode, ErrorCode

__all__ = ["MarketingErrorCode"]


class MarketingErrorCode(DomainCode):
    # Campaigns, their statuses and members
    ILLEGAL_TRANSITION = "illegal_transition", ErrorCode.INVALID_TRANSITION
    CAMPAIGN_CLOSED = "campaign_closed", ErrorCode.INVALID_TRANSITION
    CAMPAIGN_NOT_STARTED = "campaign_not_started", ErrorCode.INVALID_TRANSITION
    STATUS_IN_USE = "status_in_use", ErrorCode.INVALID_TRANSITION
    ONE_DEFAULT_STATUS = "one_default_status", ErrorCode.INVALID
    RESPONDED_STATUS_REQUIRED = "responded_status_required", ErrorCode.INVALID
    CAMPAIGN_CYCLE = "campaign_cycle", ErrorCode.INVALID
    UNKNOWN_CHANNEL = "unknown_channel", ErrorCode.INVALID
    CURRENCY_MISMATCH = "currency_mismatch", ErrorCode.INVALID
    DATES_REVERSED = "dates_reversed", ErrorCode.INVALID
    CUSTOMER_OR_LEAD = "customer_or_lead", ErrorCode.INVALID  # exactly one of the two
    ALREADY_MEMBER = "already_member", ErrorCode.CONFLICT
    DO_NOT_CONTACT = "do_not_contact", ErrorCode.INVALID
    OPTED_OUT = "opted_out", ErrorCode.INVALID
    NO_EMAIL = "no_email", ErrorCode.INVALID
    NOT_SENT = "not_sent", ErrorCode.INVALID_TRANSITION  # only a sent email can bounce
    IN_THE_FUTURE = "in_the_future", ErrorCode.INVALID
    # Costs
    COST_APPROVED = "cost_approved", ErrorCode.INVALID_TRANSITION
    # Segments
    FILTER_INVALID = "filter_invalid", ErrorCode.INVALID
    SEGMENT_CYCLE = "segment_cycle", ErrorCode.INVALID
    INCLUDED_AND_EXCLUDED = "included_and_excluded", ErrorCode.INVALID
    SEGMENT_IN_USE = "segment_in_use", ErrorCode.INVALID_TRANSITION
    NOT_A_SNAPSHOT = "not_a_snapshot", ErrorCode.INVALID_TRANSITION
    # Lead capture and scoring
    EMAIL_FIELD_REQUIRED = "email_field_required", ErrorCode.INVALID
    RULE_TARGET = "rule_target", ErrorCode.INVALID  # what a rule of its kind matches on
