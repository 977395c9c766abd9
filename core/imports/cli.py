"""``rapport import customers FILE.csv``: the import service with a progress bar."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from pathlib import Path
from typing import Any

import click

from rapport.core.config import Settings
from rapport.core.imports.columns import parse_mapping
from rapport.core.imports.service import (
    DedupeMode,
    ImportMode,
    ImportOptions,
    ImportReport,
    import_customers,
)
from rapport.core.runtime import Runtime

__all__ = ["import_group"]


@click.group("import")
def import_group() -> None:
    """Import data in bulk."""


def _describe(report: ImportReport) -> None:
    for problem in report.problems:
        where = f"row {problem.row}" + (f", column {problem.column}" if problem.column else "")
        click.echo(f"{where}: {problem.problem}", err=True)
    if report.written:
        click.echo(
            f"imported {report.rows} rows: {report.created} created, {report.updated} updated, "
            f"{report.skipped} skipped as duplicates, {report.failed} with problems"
        )
    else:
        click.echo(
            f"nothing imported: {report.failed} of {report.rows} rows have problems", err=True
        )


async def _run(
    settings: Settings, text: str, workspace: str, email: str | None, options: Any
) -> ImportReport:
    from rapport.core.workspaces import operator_operation

    # newline="" as the csv module wants: line breaks inside quoted values stay values.
    total = max(sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1, 0)
    lines = io.StringIO(text, newline="")
    runtime = Runtime.create(settings)
    try:
        await runtime.migrate()
        with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
            async with operator_operation(runtime, workspace, email) as op:
                return await import_customers(op, lines, options, bar.update)
    finally:
        await runtime.dispose()


@import_group.command("customers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--workspace", "workspace_name", required=True, help="Workspace name.")
@click.option(
    "--mapping",
    multiple=True,
    help="COLUMN=FIELD[,COLUMN=FIELD...]: which field a column feeds; COLUMN= ignores it.",
)
@click.option(
    "--mode",
    type=click.Choice([mode.value for mode in ImportMode]),
    default=ImportMode.ALL_OR_NOTHING.value,
    show_default=True,
    help="all-or-nothing: any bad row imports nothing; skip-bad-rows: import the good ones.",
)
@click.option(
    "--dedupe",
    type=click.Choice([mode.value for mode in DedupeMode]),
    default=DedupeMode.SKIP.value,
    show_default=True,
    help="Rows whose email or phone an existing customer has: skip, update it, or create anew.",
)
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--user", "email", default=None, help="User recorded as the importer.")
@click.pass_obj
def import_customers_command(
    settings: Settings,
    file: Path,
    workspace_name: str,
    mapping: tuple[str, ...],
    mode: str,
    dedupe: str,
    batch_size: int,
    email: str | None,
) -> None:
    """Import customers from a CSV FILE with a header row.

    Columns are customer fields (kind, first_name, last_name, organization_name,
    lifecycle_status, tags, industry, occupation, birth_date, region, source_channel,
    notes, email, phone) or custom fields as attributes.<key>.
    """
    from rapport.core.workspaces import WorkspaceError

    try:
        options = ImportOptions(
            mapping=parse_mapping(list(mapping)),
            mode=ImportMode(mode),
            dedupe=DedupeMode(dedupe),
            batch_size=batch_size,
            source=file.name,
        )
        text = file.read_text(encoding="utf-8-sig")
        report = asyncio.run(_run(settings, text, workspace_name, email, options))
    except (ValueError, WorkspaceError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    _describe(report)
    if not report.written:
        raise SystemExit(1)
