"""Bulk import of customers from CSV (the ``rapport import customers`` command and the
``importCustomers`` mutation both use :func:`import_customers`)."""

from rapport.core.imports.columns import parse_mapping
from rapport.core.imports.rows import RowProblem
from rapport.core.imports.service import (
    DedupeMode,
    DuplicateRow,
    ImportMode,
    ImportOptions,
    ImportReport,
    import_customers,
)

__all__ = [
    "DedupeMode",
    "DuplicateRow",
    "ImportMode",
    "ImportOptions",
    "ImportReport",
    "RowProblem",
    "import_customers",
    "parse_mapping",
]
