"""Banking's precise error codes: what exactly was wrong, for programs to branch on."""

from __future__ import annotations

from rapport.core import DomainCode, ErrorCode

__all__ = ["BankingErrorCode"]


class BankingErrorCode(DomainCode):
    MANAGER_INACTIVE = "manager_inactive", ErrorCode.INVALID
    SAME_MANAGER = "same_manager", ErrorCode.INVALID
    SELF_LEAD = "self_lead", ErrorCode.INVALID
    IN_THE_FUTURE = "in_the_future", ErrorCode.INVALID
    BEFORE_OPENING = "before_opening", ErrorCode.INVALID
    AFTER_CLOSING = "after_closing", ErrorCode.INVALID
    ONE_PRIMARY_HOLDER = "one_primary_holder", ErrorCode.INVALID
    PERIOD_INVALID = "period_invalid", ErrorCode.INVALID
