"""Compiled reads: a query's data answered by one SQL statement that builds its JSON.

:mod:`~rapport.schema.compiled.planner` turns an operation into the statement through the entity
declarations, :mod:`~rapport.schema.compiled.json_sql` spells the JSON for each engine and
:mod:`~rapport.schema.compiled.reads` caches plans and runs them for the HTTP endpoint.
"""

from rapport.schema.compiled.planner import NotCompilable, ReadCompiler
from rapport.schema.compiled.reads import CompiledReads

__all__ = ["CompiledReads", "NotCompilable", "ReadCompiler"]
