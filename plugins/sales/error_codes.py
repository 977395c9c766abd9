"""Sales' precise error codes: what exactly was wrong, for programs to branch on."""

from __future__ import annotations

from rapport.core import DomainCode, ErrorCode

__all__ = ["SalesErrorCode"]


class SalesErrorCode(DomainCode):
    OVERPAYMENT = "overpayment", ErrorCode.INVALID
    CURRENCY_MISMATCH = "currency_mismatch", ErrorCode.INVALID
    IN_THE_FUTURE = "in_the_future", ErrorCode.INVALID
    ONE_TARGET_REQUIRED = "one_target_required", ErrorCode.INVALID
    STAGE_OF_OTHER_PIPELINE = "stage_of_other_pipeline", ErrorCode.INVALID
    STAGE_NOT_OPEN = "stage_not_open", ErrorCode.INVALID
    NO_OPEN_STAGE = "no_open_stage", ErrorCode.INVALID
    CUSTOMER_MISMATCH = "customer_mismatch", ErrorCode.INVALID
    TERRITORY_CYCLE = "territory_cycle", ErrorCode.INVALID
    RATE_OUT_OF_RANGE = "rate_out_of_range", ErrorCode.INVALID
