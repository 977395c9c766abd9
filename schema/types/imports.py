"""``importCustomers``: the CSV import service for small files sent inline."""

from __future__ import annotations

import io
from typing import Any

import strawberry
from strawberry import relay

from rapport.core import imports as service
from rapport.core.errors import ErrorCode, ValidationFailed
from rapport.schema.context import Info
from rapport.schema.errors import UserError
from rapport.schema.mutations import mutate

__all__ = ["ImportMutations"]

# Larger files belong to `rapport import customers`, which streams batches with a progress bar.
MAX_CSV_CHARACTERS = 1_000_000
MAX_ROWS = 5_000

ImportMode = strawberry.enum(service.ImportMode, description="What bad rows do to an import.")
DedupeMode = strawberry.enum(
    service.DedupeMode,
    description="What a row does whose email or phone an existing customer has.",
)


@strawberry.input(description="Feed `column` into `field`; an empty `field` ignores it.")
class ColumnMapping:
    column: str
    field: str


@strawberry.type(description="Why one row (or the header, row 1) could not be imported.")
class ImportProblem:
    row: int
    column: str | None
    problem: str
    code: ErrorCode


@strawberry.type(description="A row matched to an existing customer by email or phone.")
class ImportDuplicate:
    row: int
    customer_id: relay.GlobalID
    matched_on: str


@strawberry.type
class ImportReport:
    rows: int
    created: int
    updated: int
    skipped: int = strawberry.field(description="Rows skipped as duplicates of customers.")
    failed: int = strawberry.field(description="Rows with problems.")
    written: bool = strawberry.field(description="False when nothing was imported.")
    problems: list[ImportProblem]
    duplicates: list[ImportDuplicate]


@strawberry.type
class ImportCustomersPayload:
    report: ImportReport | None
    errors: list[UserError]


def _report(report: service.ImportReport) -> ImportReport:
    return ImportReport(
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        skipped=report.skipped,
        failed=report.failed,
        written=report.written,
        problems=[
            ImportProblem(row=p.row, column=p.column, problem=p.problem, code=p.code)
            for p in report.problems
        ],
        duplicates=[
            ImportDuplicate(
                row=d.row,
                customer_id=relay.GlobalID("Customer", str(d.customer_id)),
                matched_on=d.matched_on,
            )
            for d in report.duplicates
        ],
    )


@strawberry.type
class ImportMutations:
    @strawberry.mutation(
        description=f"Import customers from CSV text with a header row (at most {MAX_ROWS} "
        "rows); the report lists every problem by row and column."
    )
    async def import_customers(
        self,
        info: Info,
        csv: str,
        mapping: list[ColumnMapping] | None = None,
        mode: ImportMode = service.ImportMode.ALL_OR_NOTHING,  # type: ignore[valid-type]
        dedupe: DedupeMode = service.DedupeMode.SKIP,  # type: ignore[valid-type]
    ) -> ImportCustomersPayload:
        async def work(op: Any) -> service.ImportReport:
            if len(csv) > MAX_CSV_CHARACTERS:
                raise ValidationFailed.one(
                    "csv",
                    f"at most {MAX_CSV_CHARACTERS} characters; use `rapport import customers`",
                    ErrorCode.LIMIT_EXCEEDED,
                )
            options = service.ImportOptions(
                mapping={m.column: m.field for m in mapping or []},
                mode=mode,
                dedupe=dedupe,
                max_rows=MAX_ROWS,
                source="graphql",
            )
            return await service.import_customers(op, io.StringIO(csv, newline=""), options)

        report, errors = await mutate(info, "customers:import", work)
        if report is None:
            return ImportCustomersPayload(report=None, errors=errors)
        if not report.written:
            errors = [
                UserError(
                    field="csv",
                    code=ErrorCode.INVALID,
                    message=f"{report.failed} of {report.rows} rows have problems; "
                    "nothing was imported",
                )
            ]
        return ImportCustomersPayload(report=_report(report), errors=errors)
