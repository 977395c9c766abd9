"""Service's precise error codes: what exactly was wrong, for programs to branch on."""

from __future__ import annotations

from rapport.core import DomainCode, ErrorCode

__all__ = ["ServiceErrorCode"]


class ServiceErrorCode(DomainCode):
    # Each value carries the domain: members of string enums are equal when their values are,
    # so a bare "in_the_future" would be taken for another domain's code of that value.

    # A move a case, a visit or an article may not make from where it is.
    ILLEGAL_TRANSITION = "service.illegal_transition", ErrorCode.INVALID_TRANSITION
    REOPEN_WINDOW_PASSED = "service.reopen_window_passed", ErrorCode.INVALID_TRANSITION
    # A closed, rejected or duplicate case is not assigned, and the last two take no entries.
    CASE_NOT_WORKED = "service.case_not_worked", ErrorCode.INVALID
    # A time before the step it follows (the last move, the opening, the visit's start).
    OUT_OF_ORDER = "service.out_of_order", ErrorCode.INVALID
    IN_THE_FUTURE = "service.in_the_future", ErrorCode.INVALID
    STATUS_OF_OTHER_CATEGORY = "service.status_of_other_category", ErrorCode.INVALID
    ROOT_CAUSE_REQUIRED = "service.root_cause_required", ErrorCode.REQUIRED
    RESOLUTION_SUMMARY_REQUIRED = "service.resolution_summary_required", ErrorCode.REQUIRED
    SELF_DUPLICATE = "service.self_duplicate", ErrorCode.INVALID
    DUPLICATE_CYCLE = "service.duplicate_cycle", ErrorCode.INVALID
    NOT_A_DUPLICATE = "service.not_a_duplicate", ErrorCode.INVALID
    ARTICLE_NOT_PUBLISHED = "service.article_not_published", ErrorCode.INVALID
    # The case, asset, visit or schedule and the customer named do not belong together.
    CUSTOMER_MISMATCH = "service.customer_mismatch", ErrorCode.INVALID
    CUSTOMER_FIXED = "service.customer_fixed", ErrorCode.INVALID
    CONTACT_NOT_A_PERSON = "service.contact_not_a_person", ErrorCode.INVALID
    SERIAL_NUMBER_TAKEN = "service.serial_number_taken", ErrorCode.INVALID
    NAME_TAKEN = "service.name_taken", ErrorCode.INVALID
    CASE_NOT_SOLVED = "service.case_not_solved", ErrorCode.INVALID
    SCORE_OUT_OF_RANGE = "service.score_out_of_range", ErrorCode.INVALID
    VISIT_FINAL = "service.visit_final", ErrorCode.INVALID
    UNKNOWN_TIME_ZONE = "service.unknown_time_zone", ErrorCode.INVALID
    UNKNOWN_HOLIDAY_COUNTRY = "service.unknown_holiday_country", ErrorCode.INVALID
