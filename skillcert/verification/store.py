"""Plain-SQL access for the verification app: the read model, and rate-limit counters kept in the database.

Two backends with one interface:
- SQLite: the main database opened read-only (``file:…?mode=ro``, ``PRAGMA query_only``). sqlite3 calls run
  on the event loop itself: a lookup by a unique index takes tens of microseconds, less than a hop to a
  thread would. Its counters are the machine's shared memory (counters.py).
- PostgreSQL: psycopg's async pool, connected as the read-only role ``skillcert_verifier`` when configured.
  Counters are either the machine's shared memory or, when several machines serve the public query, the
  UNLOGGED table ``verification_counter`` (migration 0002) through ``count``.

No Django import here (ARCHITECTURE.md §4): the column names of ``verification_record`` are the contract.
"""

import asyncio
import logging
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from skillcert.verification.batching import Batcher
from skillcert.verification.counters import CounterKey, SharedCounters, WorkerCounters

if TYPE_CHECKING:  # psycopg is imported only by PostgreSQL installations
    from psycopg_pool import AsyncConnectionPool

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
    "number_id_name": _SELECT + f"number = ? AND {_ID_IN} AND holder_name = ?",
    "name_id": _SELECT + f"{_ID_IN} AND holder_name = ? ORDER BY issue_date DESC, number LIMIT {MAX_ROWS}",
    "token": _SELECT + "qr_token = ?",
}

# The lookups by certificate number, by query: (whether the name must match, whether an ID index must).
BY_NUMBER = {"number_name": (True, False), "number_id": (False, True), "number_id_name": (True, True)}
BATCH_SIZE = 64  # calls in one statement at most
_RECORD_COLUMNS = ", ".join(f"r.{column.strip()}" for column in COLUMNS.split(","))
# Many lookups by number in one statement: each array holds one value per query (NULL: not asked), the
# ID indexes of one query joined by spaces (they are hex). The same matching as QUERIES, row by row.
_BY_NUMBERS = (
    f"SELECT q.position, {_RECORD_COLUMNS}"  # noqa: S608 - constants only
    " FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS q(number, name, ids, position)"
    " JOIN verification_record r ON r.number = q.number"
    " AND (q.name IS NULL OR r.holder_name = q.name)"
    " AND (q.ids IS NULL OR r.id_number_index = ANY(string_to_array(q.ids, ' ')))"
)

# A counter's key (KEY_BYTES) starts with its window's end (4 bytes, big-endian seconds), so expired counters
# are one key range: purging needs no second index.
# One statement for any number of counters: add to the keys of ``added`` (rows locked in key order) and
# read those of ``read``. Keys travel as one bytea of 12-byte keys and amounts as one comma-separated text:
# psycopg dumps arrays in Python, which cost three times as much client CPU (bench, 54 keys: 800 µs
# against 290). The text never changes, so psycopg converts it once and the server plans it once.
KEY_BYTES = 12
_COUNT = (
    "WITH added AS (INSERT INTO verification_counter (key, count)"  # noqa: S608 - constants only
    f" SELECT substring(%(added)s FROM n * {KEY_BYTES} + 1 FOR {KEY_BYTES}), given.amounts[n + 1]"
    " FROM (SELECT string_to_array(%(amounts)s, ',')::integer[] AS amounts) AS given,"
    f" generate_series(0, length(%(added)s) / {KEY_BYTES} - 1) AS n ORDER BY 1"
    " ON CONFLICT (key) DO UPDATE SET count = verification_counter.count + excluded.count"
    " RETURNING key, count)"
    " SELECT key, count FROM added"
    " UNION ALL SELECT key, count FROM verification_counter WHERE key IN"
    f" (SELECT substring(%(read)s FROM n * {KEY_BYTES} + 1 FOR {KEY_BYTES})"
    f" FROM generate_series(0, length(%(read)s) / {KEY_BYTES} - 1) AS n)"
)
logger = logging.getLogger(__name__)
PURGE_EVERY = 60.0  # seconds between deletions of expired counters, per worker


class Store(Protocol):
    async def fetch(self, query: str, params: Sequence[object]) -> list[tuple]: ...

    async def close(self) -> None: ...


class Counters(Protocol):
    async def count(
        self, increments: Sequence[tuple[CounterKey, int]], *, now: float, exact: bool = False
    ) -> dict[CounterKey, int]:
        """Add ``amount`` to each ``(key, amount)`` counter; the new counts by key. ``exact``: a first-use
        test rather than a limit, which a fallback must not count conservatively (FailSafeCounters)."""
        ...

    async def close(self) -> None: ...


def expired_before(now: float) -> bytes:
    """Keys below this belong to windows that have ended."""
    return int(now).to_bytes(4, "big")


class SqliteStore:
    """The read-only main database, one connection per process."""

    def __init__(self, *, database: Path) -> None:
        self._database_path = database
        self._records: sqlite3.Connection | None = None

    def _records_connection(self) -> sqlite3.Connection:
        if self._records is None:
            uri = self._database_path.resolve().as_uri() + "?mode=ro"
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False, cached_statements=64)
            connection.execute("PRAGMA query_only = 1")
            # Lookups over a large file read pages through the mapping instead of a read() each.
            connection.execute("PRAGMA mmap_size = 1073741824")
            self._records = connection
        return self._records

    async def fetch(self, query: str, params: Sequence[object]) -> list[tuple]:
        # SQLite keeps dates as ISO text already: the rows go out as they are.
        return self._records_connection().execute(QUERIES[query], params).fetchall()

    async def close(self) -> None:
        if self._records is not None:
            self._records.close()
            self._records = None


class MemoryCounters:
    """The machine's shared-memory counters (counters.py) behind the Counters interface."""

    def __init__(self, *, path: Path, segments: int, slots: int) -> None:
        self._counters = SharedCounters(path=path, segments=segments, slots=slots)

    async def count(
        self, increments: Sequence[tuple[CounterKey, int]], *, now: float, exact: bool = False
    ) -> dict[CounterKey, int]:
        return self._counters.count(increments, now=now)

    async def close(self) -> None:
        self._counters.close()


class FailSafeCounters:
    """The shared counters, and when they fail, this worker's own, conservatively (security.md P2).

    A worker that cannot count in the shared counters (no free segment, a file it cannot map, the database
    unreachable) counts alone, each request ``weight`` times (the number of workers), so that a client
    cannot get more through the failure than through all the workers together. It tries the shared
    counters again after ``RETRY_SECONDS``.
    """

    RETRY_SECONDS = 5.0

    def __init__(self, shared: Counters, *, weight: int) -> None:
        self._shared = shared
        self._weight = weight
        self._own = WorkerCounters()
        self._retry_at = 0.0

    async def count(
        self, increments: Sequence[tuple[CounterKey, int]], *, now: float, exact: bool = False
    ) -> dict[CounterKey, int]:
        if time.monotonic() >= self._retry_at:
            try:
                return await self._shared.count(increments, now=now)
            except Exception:  # whatever broke, the limits must hold: count here instead
                logger.exception(
                    "shared rate-limit counters failed; counting in this worker (×%d)", self._weight
                )
                self._retry_at = time.monotonic() + self.RETRY_SECONDS
        weight = 1 if exact else self._weight
        return self._own.count([(key, amount * weight) for key, amount in increments], now=now)

    async def close(self) -> None:
        await self._shared.close()


class PostgresStore:
    """psycopg's async pool: records, and counters when they are kept in the database, through the same
    (read-only role's) connections.

    Under load most of a lookup's cost is the statement, not the row, so the lookups by certificate number
    and the counter updates that arrive in one turn of the event loop go as one statement each
    (batching.py): the number lookups as one join over arrays of the queries, matched in SQL exactly as
    one at a time; the counters as one upsert of every key's total, each caller answered with the count
    its own increment reached.
    """

    def __init__(self, *, conninfo: str, pool_size: int) -> None:
        self._conninfo = conninfo
        self._pool_size = pool_size
        self._pool: AsyncConnectionPool | None = None
        self._lock = asyncio.Lock()
        self._next_purge = 0.0
        self._lookups = Batcher(self._lookup_batch, max_size=BATCH_SIZE)
        self._countings = Batcher(self._count_batch, max_size=BATCH_SIZE)

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
        if query in BY_NUMBER:
            return await self._lookups.submit((query, params))
        pool = await self._get_pool()
        async with pool.connection() as connection:
            cursor = await connection.execute(QUERIES[query].replace("?", "%s"), params)
            return [_iso_row(row) for row in await cursor.fetchall()]

    async def _lookup_batch(self, lookups: list[tuple[str, Sequence[object]]]) -> list[list[tuple]]:
        numbers: list[object] = []
        names: list[object] = []
        indexes: list[str | None] = []
        for query, params in lookups:
            numbers.append(params[0])
            names.append(params[-1] if BY_NUMBER[query][0] else None)
            indexes.append(" ".join(map(str, params[1 : 1 + ID_SLOTS])) if BY_NUMBER[query][1] else None)
        pool = await self._get_pool()
        async with pool.connection() as connection:
            cursor = await connection.execute(_BY_NUMBERS, [numbers, names, indexes], prepare=True)
            found = await cursor.fetchall()
        answers: list[list[tuple]] = [[] for _ in lookups]
        for position, *row in found:
            answers[position - 1].append(_iso_row(tuple(row)))
        return answers

    async def count(
        self, increments: Sequence[tuple[CounterKey, int]], *, now: float, exact: bool = False
    ) -> dict[CounterKey, int]:
        return await self._countings.submit((increments, now))

    async def _count_batch(
        self, calls: list[tuple[Sequence[tuple[CounterKey, int]], float]]
    ) -> list[dict[CounterKey, int]]:
        totals: dict[CounterKey, int] = {}
        callers: dict[CounterKey, int] = {}
        for increments, _ in calls:
            for key, amount in increments:
                totals[key] = totals.get(key, 0) + amount
                callers[key] = callers.get(key, 0) + 1
        # A key that nobody adds to (the miss counter of a hit) is only read: no row for a count of 0.
        # Keys that several callers share (the global circuit breaker's, under load) are every worker's:
        # they go in a short statement of their own, so that their rows stay locked only for as long as
        # it takes, not while a long upsert of everyone's own keys runs.
        # Every statement takes its rows in key order (_COUNT), so two workers' statements never deadlock.
        read = [key for key, total in totals.items() if not total]
        own = [key for key, total in totals.items() if total and callers[key] == 1]
        shared = [key for key, total in totals.items() if total and callers[key] > 1]
        reached = dict.fromkeys(totals, 0)
        pool = await self._get_pool()
        async with pool.connection() as connection:
            await self._purge(connection, max(now for _, now in calls))
            for keys, reads in ((own, read), (shared, [])):
                if keys or reads:
                    params = {
                        "added": b"".join(map(_counter_key, keys)),
                        "amounts": ",".join(str(totals[key]) for key in keys),
                        "read": b"".join(map(_counter_key, reads)),
                    }
                    cursor = await connection.execute(_COUNT, params, prepare=True)
                    reached.update((_counter_key_back(key), count) for key, count in await cursor.fetchall())
        # Each caller's count is the total less what the callers after it in the batch added.
        answers: list[dict[CounterKey, int]] = []
        for increments, _ in reversed(calls):
            answers.append({key: reached[key] for key, _ in increments})
            for key, amount in increments:
                reached[key] -= amount
        answers.reverse()
        return answers

    async def _purge(self, connection, now: float) -> None:
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + PURGE_EVERY
            await connection.execute(
                "DELETE FROM verification_counter WHERE key < %s", (expired_before(now),)
            )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def _counter_key(key: CounterKey) -> bytes:
    """KEY_BYTES bytes: the window's end (4, big-endian, so that expired keys are one range), the tag (8)."""
    end, tag = key
    return end.to_bytes(4, "big") + tag.to_bytes(8, "big")


def _counter_key_back(stored: bytes) -> CounterKey:
    return int.from_bytes(stored[:4], "big"), int.from_bytes(stored[4:], "big")


def _iso_row(row: tuple) -> tuple:
    # SQLite returns dates as ISO text already; PostgreSQL as datetime.date.
    return tuple(value.isoformat() if hasattr(value, "isoformat") else value for value in row)
