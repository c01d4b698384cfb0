"""Prebuilt read statements run straight on a SQLite connection, on the event loop's thread.

The hot reads (app.hot_reads) run a handful of prebuilt Core statements per request. Through
SQLAlchemy's engine each one cost about 35 µs before SQLite saw it (a cache key walked out of
the whole statement on every call, an execution context, events, a result object), more than
the query itself. Here each statement is compiled once for SQLite, and a call binds its
values, runs the SQL and converts the rows with the same type processors SQLAlchemy would use.

Read-only work in WAL mode never waits for a writer, so running it inline is safe and saves
the hop to a thread. Each statement reads its own snapshot: the hot reads need no more.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Dialect, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import SelectBase

Processor = Callable[[Any], Any] | None


class ReadResult(Protocol):
    """What read-only service functions use of a result; SQLAlchemy's results have it too."""

    def first(self) -> Any: ...

    def all(self) -> Sequence[Any]: ...

    def scalar(self) -> Any: ...


class ReadConnection(Protocol):
    """What read-only service functions run their statements on: an AsyncConnection, or
    `InlineReads` on SQLite."""

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None, /
    ) -> ReadResult: ...


class Prepared:
    """One statement compiled for SQLite: its SQL, its bound values in order with their
    processors, and how to convert its rows."""

    __slots__ = ("binds", "columns", "compiled", "row", "sql")

    def __init__(
        self,
        compiled: SQLCompiler,
        binds: tuple[tuple[str, Processor], ...],
        columns: tuple[tuple[int, Callable[[Any], Any]], ...],
    ) -> None:
        self.sql = compiled.string
        self.compiled = compiled
        self.binds = binds
        # The columns that need converting, with their processors.
        self.columns = columns
        # Rows are named as SQLAlchemy names them, which is how the SQL labels its columns:
        # known from the first call's cursor.
        self.row: Callable[[Iterable[Any]], tuple[Any, ...]] | None = None

    @classmethod
    def of(cls, statement: Executable, dialect: Dialect) -> Prepared:
        if not isinstance(statement, SelectBase):
            raise TypeError("only SELECT statements run inline")
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler) or compiled.positiontup is None:
            raise TypeError("expected SQLite's positional parameters")
        if any(bind.expanding for bind in compiled.binds.values()):
            raise TypeError("expanding parameters would need the SQL rendered per call")
        binds = tuple(
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
        )
        processors = [
            c.type.dialect_impl(dialect).result_processor(dialect, None)
            for c in statement.selected_columns
        ]
        return cls(compiled, binds, tuple((i, p) for i, p in enumerate(processors) if p))

    def run(self, conn: sqlite3.Connection, parameters: Mapping[str, Any] | None) -> Rows:
        given = self.compiled.construct_params(parameters or {})
        bound = [
            given[name] if process is None else process(given[name]) for name, process in self.binds
        ]
        cursor = conn.execute(self.sql, bound)
        raw = cursor.fetchall()
        row = self.row
        if row is None:
            names = [column[0] for column in cursor.description]
            row = self.row = namedtuple("Row", names, rename=True)._make  # type: ignore[attr-defined]
        if not self.columns:
            return Rows([row(r) for r in raw])
        rows = []
        for r in raw:
            values = list(r)
            for i, process in self.columns:
                values[i] = process(values[i])
            rows.append(row(values))
        return Rows(rows)


class Rows:
    """A statement's rows, all fetched; rows are named tuples (attributes and `_asdict()`)."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return self._rows

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None


class PreparedStatements:
    """Statements compiled for one SQLite dialect, by statement (compared by identity).

    Only for prebuilt statements, which live as long as the process; one built per call
    would be compiled every time and kept, so past `MAX` the collection refuses.
    """

    MAX = 256

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._prepared: dict[Executable, Prepared] = {}

    def get(self, statement: Executable) -> Prepared:
        prepared = self._prepared.get(statement)
        if prepared is None:
            if len(self._prepared) >= self.MAX:
                raise RuntimeError("inline reads take prebuilt statements only")
            prepared = self._prepared[statement] = Prepared.of(statement, self.dialect)
        return prepared


class InlineReads:
    """A SQLite connection for prebuilt read statements, used on the event loop's thread."""

    __slots__ = ("_conn", "_statements")

    def __init__(self, conn: sqlite3.Connection, statements: PreparedStatements) -> None:
        self._conn = conn
        self._statements = statements

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None, /
    ) -> Rows:
        return self._statements.get(statement).run(self._conn, parameters)
