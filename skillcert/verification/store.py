"""Plain-SQL access for the verification app: the read model and the rate-limit counters.

Two backends with one interface:
- SQLite: the main database opened read-only (``file:…?mode=ro``, ``PRAGMA query_only``) and a side file for
  the counters, shared by every worker of the machine. sqlite3 calls run on the event loop itself: a lookup
  by a unique index takes tens of microseconds, less than a hop to a thread would.
- PostgreSQL: psycopg's async pool, connected as the read-only role ``skillcert_verifier`` when configured;
  the counters live in the UNLOGGED table ``verification_counter`` (migration 0002).

No Django import here (ARCHITECTURE.md §4): the column names of ``verification_record`` are the contract.
"""

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

COLUMNS = (
    "number, holder_name, occupation_name, occupation_code, job_type_name, level_label, body_name,"
    " issue_date, status, revoked_on, replaced_by_number"
)
ID_SLOTS = 5  # an ID number may be stored under up to this many ID types; unused slots repeat the first
MAX_ROWS = 20  # one person's certificates; a query answers no more (no listing, no paging)

_ID_IN = "id_number_index IN (" + ", ".join("?" * ID_SLOTS) + ")"
_SELECT = f"SELECT {COLUMNS} FROM verification_record WHERE "  # noqa: S608 - constants only
# Every value is a bound parameter; the statements are fixed, so each is prepared once per connection.
QUERIES = {
    "number_name": _SELECT + "number = ? AND holder_name = ?",
    "number_id": _SELECT + f"number = ? AND {_ID_IN}",
    "name_id": _SELECT + f"{_ID_IN} AND holder_name = ? ORDER BY issue_date DESC, number LIMIT {MAX_ROWS}",
    "token": _SELECT + "qr_token = ?",
}

# A counter's key starts with its window's end (4 bytes, big-endian seconds), so expired counters are one
# key range: purging needs no second index, and the table stays a single B-tree.
SQLITE_COUNTERS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS verification_counter ("
    " key BLOB PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID",
)
_UPSERT_HEAD = "INSERT INTO verification_counter (key, count) VALUES "
_UPSERT_TAIL = (
    " ON CONFLICT (key) DO UPDATE SET count = verification_counter.count + excluded.count"
    " RETURNING key, count"
)
PURGE_EVERY = 60.0  # seconds between deletions of expired counters, per worker
LOCK_WAIT = 2.0  # seconds a counter write waits for another worker's before failing


class Store(Protocol):
    async def fetch(self, query: str, params: Sequence[object]) -> list[tuple]: ...

    async def count(self, increments: Sequence[tuple[bytes, int]], *, now: float) -> dict[bytes, int]:
        """Add ``amount`` to each ``(key, amount)`` counter; the new counts by key. Counters whose
        window ended before ``now`` are deleted now and then."""
        ...

    async def close(self) -> None: ...


def _upsert_sql(rows: int, placeholder: str) -> str:
    values = ", ".join([f"({placeholder}, {placeholder})"] * rows)
    return _UPSERT_HEAD + values + _UPSERT_TAIL


def expired_before(now: float) -> bytes:
    """Keys below this belong to windows that have ended."""
    return int(now).to_bytes(4, "big")


class SqliteStore:
    """The read-only main database and the counters side file, one connection each per process."""

    def __init__(self, *, database: Path, counters: Path) -> None:
        self._database_path = database
        self._counters_path = counters
        self._records: sqlite3.Connection | None = None
        self._counters: sqlite3.Connection | None = None
        self._next_purge = 0.0

    def _records_connection(self) -> sqlite3.Connection:
        if self._records is None:
            uri = self._database_path.resolve().as_uri() + "?mode=ro"
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False, cached_statements=64)
            connection.execute("PRAGMA query_only = 1")
            # Lookups over a large file read pages through the mapping instead of a read() each.
            connection.execute("PRAGMA mmap_size = 1073741824")
            self._records = connection
        return self._records

    def _counters_connection(self) -> sqlite3.Connection:
        if self._counters is None:
            connection = sqlite3.connect(
                self._counters_path, isolation_level=None, check_same_thread=False, timeout=0
            )
            # Counters are short-lived: losing the last ones in a power cut costs nothing, so no fsync.
            # Set-up may meet another worker's write: wait for it here, at start-up, not per request.
            connection.execute("PRAGMA busy_timeout = 5000")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = OFF")
            for statement in SQLITE_COUNTERS_SCHEMA:
                connection.execute(statement)
            connection.execute("PRAGMA busy_timeout = 0")
            self._counters = connection
        return self._counters

    async def fetch(self, query: str, params: Sequence[object]) -> list[tuple]:
        # SQLite keeps dates as ISO text already: the rows go out as they are.
        return self._records_connection().execute(QUERIES[query], params).fetchall()

    async def count(self, increments: Sequence[tuple[bytes, int]], *, now: float) -> dict[bytes, int]:
        connection = self._counters_connection()
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + PURGE_EVERY
            await _locked(connection, "DELETE FROM verification_counter WHERE key < ?", [expired_before(now)])
        params = [value for row in increments for value in row]
        return dict(await _locked(connection, _upsert_sql(len(increments), "?"), params))

    async def close(self) -> None:
        for connection in (self._records, self._counters):
            if connection is not None:
                connection.close()
        self._records = self._counters = None


class CountersBusy(Exception):
    """The counters could not be written in time: the request is refused (fail closed)."""


async def _locked(connection: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[tuple]:
    """Run a write, yielding to the event loop while another worker holds the write lock.

    SQLite's own busy handler would sleep for milliseconds with the whole event loop blocked; another
    worker's write holds the lock for tens of microseconds, so yielding and retrying serves everyone.
    Past LOCK_WAIT seconds it gives up with CountersBusy, which the app answers with 503: fail closed.
    """
    deadline = time.monotonic() + LOCK_WAIT
    pause = 0.0
    while True:
        try:
            return connection.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            if time.monotonic() > deadline:
                raise CountersBusy from error
        await asyncio.sleep(pause)
        pause = min(0.002, pause * 2 or 0.0001)


class PostgresStore:
    """psycopg's async pool: records and counters through the same (read-only role's) connections."""

    def __init__(self, *, conninfo: str, pool_size: int) -> None:
        self._conninfo = conninfo
        self._pool_size = pool_size
        self._pool = None
        self._lock = asyncio.Lock()
        self._next_purge = 0.0

    async def _get_pool(self):
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    from psycopg_pool import AsyncConnectionPool

                    pool = AsyncConnectionPool(
                        self._conninfo,
                        min_size=1,
                        max_size=self._pool_size,
                        kwargs={"autocommit": True},
                        open=False,
                    )
                    await pool.open()
                    self._pool = pool
        return self._pool

    async def fetch(self, query: str, params: Sequence[object]) -> list[tuple]:
        pool = await self._get_pool()
        async with pool.connection() as connection:
            cursor = await connection.execute(QUERIES[query].replace("?", "%s"), params)
            return [_iso_row(row) for row in await cursor.fetchall()]

    async def count(self, increments: Sequence[tuple[bytes, int]], *, now: float) -> dict[bytes, int]:
        pool = await self._get_pool()
        params = [value for row in increments for value in row]
        async with pool.connection() as connection:
            if time.monotonic() >= self._next_purge:
                self._next_purge = time.monotonic() + PURGE_EVERY
                await connection.execute(
                    "DELETE FROM verification_counter WHERE key < %s", (expired_before(now),)
                )
            cursor = await connection.execute(_upsert_sql(len(increments), "%s"), params)
            return {bytes(key): count for key, count in await cursor.fetchall()}

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def _iso_row(row: tuple) -> tuple:
    # SQLite returns dates as ISO text already; PostgreSQL as datetime.date.
    return tuple(value.isoformat() if hasattr(value, "isoformat") else value for value in row)
