"""Core's precise error codes: what exactly was wrong, for programs to branch on."""

from __future__ import annotations

from rapport.core.errors import DomainCode, ErrorCode

__all__ = ["CoreErrorCode"]


class CoreErrorCode(DomainCode):
    NOT_ONE_OF = "not_one_of", ErrorCode.INVALID  # a value outside a fixed list
    OUT_OF_RANGE = "out_of_range", ErrorCode.INVALID
    NEGATIVE = "negative", ErrorCode.INVALID
    NOT_POSITIVE = "not_positive", ErrorCode.INVALID
    NOT_A_NUMBER = "not_a_number", ErrorCode.INVALID  # NaN or Infinity
    NON_ASCII_DIGITS = "non_ascii_digits", ErrorCode.INVALID
    TOO_MANY_DECIMALS = "too_many_decimals", ErrorCode.INVALID
    TOO_LONG = "too_long", ErrorCode.INVALID
    CONTROL_CHARACTER = "control_character", ErrorCode.INVALID  # NUL or a lone surrogate
    DUPLICATE_RELATIONSHIP = "duplicate_relationship", ErrorCode.DUPLICATE
    WRONG_CUSTOMER_KIND = "wrong_customer_kind", ErrorCode.INVALID
    IN_THE_FUTURE = "in_the_future", ErrorCode.INVALID
    DATES_REVERSED = "dates_reversed", ErrorCode.INVALID
    REMINDER_AFTER_DUE = "reminder_after_due", ErrorCode.INVALID
    KEY_INVALID = "key_invalid", ErrorCode.INVALID
    EMAIL_INVALID = "email_invalid", ErrorCode.INVALID
    CONTACT_VALUE_INVALID = "contact_value_invalid", ErrorCode.INVALID
    UNKNOWN_ROLE = "unknown_role", ErrorCode.INVALID
    UNKNOWN_RELATIONSHIP_TYPE = "unknown_relationship_type", ErrorCode.INVALID
    UNKNOWN_INTERACTION_KIND = "unknown_interaction_kind", ErrorCode.INVALID
    UNKNOWN_EVENT_TYPE = "unknown_event_type", ErrorCode.INVALID
    BUILT_IN_TYPE = "built_in_type", ErrorCode.INVALID
    SELF_RELATIONSHIP = "self_relationship", ErrorCode.INVALID
    RELATIONSHIP_ENDS_FIXED = "relationship_ends_fixed", ErrorCode.INVALID
    SELF_MERGE = "self_merge", ErrorCode.INVALID
    INCOMPLETE_LINK = "incomplete_link", ErrorCode.INVALID
    RECURRENCE_INVALID = "recurrence_invalid", ErrorCode.INVALID
    CUSTOM_FIELD_INVALID = "custom_field_invalid", ErrorCode.INVALID
    NOT_A_CHOICE_FIELD = "not_a_choice_field", ErrorCode.INVALID
    CHOICE_REMOVED = "choice_removed", ErrorCode.INVALID
    TARGET_URL_INVALID = "target_url_invalid", ErrorCode.INVALID
    TARGET_REFUSED = "target_refused", ErrorCode.INVALID
    CANNOT_CLEAR = "cannot_clear", ErrorCode.REQUIRED  # null given for a required field
    CONDITION_INVALID = "condition_invalid", ErrorCode.INVALID
