"""The two database engines the report store runs on, and every way they differ, in one place.

The store's and the rules' SQL is one text for both: DuckDB (an embedded file, the default) and
PostgreSQL (`--db postgresql://…`, for a district that runs one). What differs is only how to
connect, the parameter marker (DuckDB `?`, psycopg `%s`), the error classes, a result's shape, on
PostgreSQL a lock around schema changes (two commands creating the same tables or views at once
would otherwise fail on each other; DuckDB allows one writer per file anyway), and how many rows
are inserted at once: PostgreSQL binds thousands of parameters in milliseconds, DuckDB about a
thousand rows' worth per second, so DuckDB takes them as one list parameter per column
(duck_columns.py), or, for values a list cannot carry exactly, from a JSON-lines file (ten times
faster or more; the same INSERT … SELECT … ON CONFLICT text follows either way).

Passwords in a PostgreSQL URL never reach a message or the displayed location. libpq also reads
PGPASSWORD, ~/.pgpass and PGSERVICE, so the password need not be in the URL at all.

Memory: an LRS sync stores its pages, and rebuilds the evidence, inside bounded_memory(). On DuckDB
that sets memory_limit (REBUILD_MEMORY_LIMIT, or $COURSEPACK_REBUILD_MEMORY_LIMIT) meanwhile: DuckDB's
buffer pool otherwise keeps every block it wrote or read, up to 80 % of RAM (730-870 MB over a 10 M
store). It can evict them because the statements' table has no index on DuckDB (`indexes_in_memory`;
lrs_store.py finds a page's statements stored before without one): an index must be in memory while rows
go in, and an insert fails rather than wait when it is not (DuckDB 2.0.1, bench/README.md, "Round 5";
with the key the statements' grew 85 MB a million). `report show` keeps DuckDB's default: its hash
tables (1.9 GB at 100,000 learners) would spill to disk. PostgreSQL's memory is the server's own.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import duckdb

from coursepack.report.duck_columns import column_lists, unnest_select
from coursepack.report.store_times import bound, iso_text

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 15
# Any fixed number: the key of the advisory lock that serialises schema changes on PostgreSQL.
SCHEMA_LOCK_KEY = 7_130_313
STREAM_ROWS = 10_000  # rows fetched at a time by stream()
PARAMETERS_PER_INSERT = 30_000  # PostgreSQL allows 65,535 in one statement
REBUILD_MEMORY_LIMIT = "256MB"  # DuckDB's memory_limit while syncing; chosen in bench/README.md, "Round 5"
REBUILD_MEMORY_ENV = "COURSEPACK_REBUILD_MEMORY_LIMIT"  # overrides it: "1GB", "512MiB", "80%" (DuckDB's default)
_MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(%|[KMGT]i?B|[KMGT]|bytes)?$", re.IGNORECASE)


class EngineError(Exception):
    """Cannot connect, or a statement failed; the message is one line and holds no password."""


class Rows(list):
    """A statement's rows; fetchall()/fetchone() as a DB-API cursor has them, for callers written
    against DuckDB's connection.execute(...).fetchall()."""

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self[0] if self else None


def is_postgres_url(location: str) -> bool:
    return location.startswith(POSTGRES_SCHEMES)


def without_password(url: str) -> str:
    """The URL as it may be shown: user kept, password replaced by '***'."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class Database:
    """One open connection to either engine. execute() takes '?' markers on both."""

    def __init__(self, location: str) -> None:
        self.location = location  # for messages: a path, or a URL without its password

    # the engine-specific part --------------------------------------------------------------------

    def _cursor(self, sql: str, params: Sequence[Any]) -> Any:
        """The executed statement, as something with description and fetchmany()/fetchall()."""
        raise NotImplementedError

    def _run_script(self, sql: str) -> None:
        raise NotImplementedError

    def _lock_schema(self) -> None:
        """Inside a transaction: wait until no other connection changes the schema."""

    def close(self) -> None:
        raise NotImplementedError

    @contextmanager
    def bounded_memory(self) -> Iterator[None]:
        """The engine's caches kept within a fixed size meanwhile (a sync: its pages, the evidence rebuild)."""
        yield

    def _message(self, error: BaseException) -> str:
        return first_line(error)

    errors: tuple[type[BaseException], ...] = ()
    # DuckDB holds a table's indexes in memory (ART), and pins the blocks an insert touches until the
    # next checkpoint; PostgreSQL's live on disk, read through its shared buffers
    indexes_in_memory = False

    # the same for both ---------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        try:
            cursor = self._cursor(sql, bound(params))
            return Rows(cursor.fetchall()) if cursor.description else Rows()
        except self.errors as error:
            raise EngineError(self._message(error)) from None

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = STREAM_ROWS) -> Iterator[tuple[Any, ...]]:
        """A query's rows a few thousand at a time, so a million statements never sit in memory as
        Python objects at once. Run nothing else on the connection until the rows are all read."""
        try:
            cursor = self._cursor(sql, bound(params))
            while chunk := cursor.fetchmany(size):
                yield from chunk
        except self.errors as error:
            raise EngineError(self._message(error)) from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            try:
                self.execute("ROLLBACK")
            except EngineError:
                pass  # the connection is gone: nothing was committed
            raise
        self.execute("COMMIT")

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str = "",
                    returning: str = "") -> Rows:
        """INSERT INTO table (columns) VALUES <rows> <conflict> [RETURNING <returning>], for many rows
        at once; the rows RETURNING gives (with ON CONFLICT DO NOTHING: only the rows inserted). The
        rows' keys must be distinct (an ON CONFLICT DO UPDATE cannot touch one row twice in a statement)."""
        per_statement = max(1, PARAMETERS_PER_INSERT // len(columns))
        returned = Rows()
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            marks = ", ".join(["(" + ", ".join("?" for _ in columns) + ")"] * len(chunk))
            returned.extend(self.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {marks} {conflict}"
                                         f"{_returning(returning)}", [value for row in chunk for value in row]))
        return returned

    def script(self, sql: str) -> None:
        """Several statements without parameters (tables, views), as one transaction that waits for
        any other connection changing the schema."""
        with self.transaction():
            try:
                self._lock_schema()
                self._run_script(sql)
            except self.errors as error:
                raise EngineError(self._message(error)) from None


class DuckDatabase(Database):
    errors = (duckdb.Error,)
    indexes_in_memory = True

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self._types: dict[str, dict[str, str]] = {}
        try:
            self._connection = duckdb.connect(str(path))
        except duckdb.Error as error:
            raise EngineError(first_line(error)) from None

    def _cursor(self, sql: str, params: Sequence[Any]) -> Any:
        return self._connection.execute(sql, list(params))

    @contextmanager
    def bounded_memory(self) -> Iterator[None]:
        limit = rebuild_memory_limit()
        # a checkpoint first, so the blocks written before (and any index loaded) can be evicted
        self.execute("CHECKPOINT")
        bounded = self._set_memory_limit(limit)
        try:
            yield
        finally:
            if bounded:
                self.execute("RESET memory_limit")  # `report show`'s joins, and other tables' keys, need more

    def _set_memory_limit(self, limit: str) -> bool:
        """False when DuckDB holds more than `limit` that it cannot evict: then work without the bound
        rather than fail (a sync's rebuild is correct either way)."""
        try:
            self.execute(f"SET memory_limit = '{limit}'")  # SET takes no parameter; the text is checked
        except EngineError as error:
            if "could not free up enough memory" not in str(error):
                raise
            return False
        return True

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str = "",
                    returning: str = "") -> Rows:
        if not rows:
            return Rows()
        types = self._column_types(table)
        sql_types = [types[column] for column in columns]
        lists = column_lists(sql_types, rows)
        if lists is not None:
            return self.execute(f"INSERT INTO {table} ({', '.join(columns)}) {unnest_select(sql_types)} "
                                f"{conflict}{_returning(returning)}", lists)
        spec = ", ".join(f"'{column}': '{types[column]}'" for column in columns)
        # a file only this user may read (it holds learners' data for a moment), removed at once
        handle, path = tempfile.mkstemp(prefix="coursepack-rows-", suffix=".jsonl")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(dict(zip(columns, row)), default=_json_value) + "\n")
            return self.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} "
                f"FROM read_json(?, format = 'newline_delimited', columns = {{{spec}}}) {conflict}{_returning(returning)}",
                [path],
            )
        finally:
            os.unlink(path)

    def _column_types(self, table: str) -> dict[str, str]:
        if table not in self._types:
            self._types[table] = dict(self.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table]))
        return self._types[table]

    def _run_script(self, sql: str) -> None:
        self._connection.execute(sql)

    def close(self) -> None:
        self._connection.close()


class PostgresDatabase(Database):
    def __init__(self, url: str) -> None:
        super().__init__(without_password(url))
        # Imported here, not at the top: only a PostgreSQL store needs it, and importing psycopg
        # costs every coursepack command (build, validate, the pre-commit hook) about 0.2 s.
        import psycopg

        self.errors = (psycopg.Error,)
        self._password = urlsplit(url).password or ""
        try:
            self._connection = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
            # the rules' joins are estimated at hundreds of millions of rows, over the JIT's thresholds:
            # compiling them cost more than running them (report show at 1 M statements: 21-25 CPU-s
            # of the server with JIT, 6.7 without; bench/README.md, "PostgreSQL at scale")
            self._connection.execute("SET jit = off")
        except psycopg.Error as error:
            raise EngineError(self._message(error)) from None

    def _message(self, error: BaseException) -> str:
        text = first_line(error)
        return text.replace(self._password, "***") if self._password else text

    def _cursor(self, sql: str, params: Sequence[Any]) -> Any:
        if params:
            # psycopg's marker is %s, and a literal % must be doubled (the store's SQL has neither
            # '?' nor '%' inside its string literals)
            sql = sql.replace("%", "%%").replace("?", "%s")
        # a client-side cursor: libpq holds the whole result, compactly; fetchmany() makes the
        # Python rows a chunk at a time
        return self._connection.execute(sql, list(params) if params else None)

    def _run_script(self, sql: str) -> None:
        self._connection.execute(sql)  # without parameters psycopg sends several statements at once

    def _lock_schema(self) -> None:
        self._connection.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")

    def close(self) -> None:
        self._connection.close()


def _returning(columns: str) -> str:
    return f" RETURNING {columns}" if columns else ""


def _json_value(value: Any) -> Any:
    """What json cannot write itself: times as ISO text in UTC (read back by the column's TIMESTAMP type)."""
    if isinstance(value, date):  # datetime is a date
        return iso_text(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot store {type(value).__name__} values")


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def rebuild_memory_limit() -> str:
    """The memory_limit a DuckDB store rebuilds under: $COURSEPACK_REBUILD_MEMORY_LIMIT, else REBUILD_MEMORY_LIMIT."""
    limit = os.environ.get(REBUILD_MEMORY_ENV, "").strip() or REBUILD_MEMORY_LIMIT
    if not _MEMORY_SIZE.match(limit):
        raise EngineError(f"{REBUILD_MEMORY_ENV} must be a size such as 512MB, 2GB or 80% (got '{limit}')")
    return limit


def connect(location: str) -> Database:
    """A PostgreSQL URL, or a DuckDB file path (its folder is made when missing by the caller)."""
    if is_postgres_url(location):
        return PostgresDatabase(location)
    if _SCHEME.match(location):
        raise EngineError(f"--db must be a file path or a postgresql:// URL (got '{without_password(location)}')")
    return DuckDatabase(Path(location))
