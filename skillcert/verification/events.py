"""The public query's event log (security.md P5): one line per answered query, appended to a daily file.

Django-free, standard library only: the Starlette app (app.py) writes it, the ``verification_watch``
command reads it back and hands the events to the detectors (watch.py).

Privacy (PIPL Art. 6, minimisation). A line holds no name, no ID number, no clear address and no clear
certificate number: the client address, its network and the number are stored as keyed BLAKE2b hashes
(clients.py; key: the deployment's secret, never in the files), each of its own kind so that equal text in
two fields does not hash alike. The client's are the very hashes the rate limits count it by, made once
per request. Only the serial, the trailing digits of a number, stays readable, so that runs of
consecutive serials can be found; without its stem a serial names no certificate.

Files: ``queries-YYYYMMDD.log`` in ``directory`` (0700), one per Asia/Shanghai day, mode 0600, holding the
events of that day. Each flush is a single ``os.write`` of whole lines to a file opened with ``O_APPEND``,
so several worker processes can append to the same file without interleaving inside a line.

Line format (seven tab-separated ASCII fields, ``\\n``-terminated)::

    time    client        network       kind hit number        serial
    1795833600  5d1f0c9a2b7e  0a4c9e1f33d2  N  1  8b0e7c2d4a19  000123

- time: Unix seconds (integer) when the query was answered;
- client: hash of the client (12 hex digits: the first 48 bits of its keyed hash): the peer address as the
  server saw it, an IPv6 one as its /64 (``clients.client_of``);
- network: hash of its /24 (IPv4) or /64 (IPv6) network, as ``clients.network_of`` writes it;
- kind: ``N`` number + name, ``I`` number + ID number, ``P`` name + ID number, ``T`` QR-code token;
- hit: ``1`` when a certificate was found, ``0`` when none;
- number: empty when no number was queried or found; else the hash of the number's stem (all but its
  trailing serial digits: 16 of a 22-character number, 11 of a 16-digit legacy one, whose 13-digit
  Shanghai form is first padded with "000"), or, for a number of no known shape (a 22-character one
  must start with a letter, and every serial must be digits), of the whole number;
- serial: the serial's digits as typed (6, or 5 for legacy numbers, leading zeros kept), empty when the
  number has no known shape (or is empty).

A line is about 60 bytes. A reader skips any line that does not match this shape: a torn last line, a
short write after a full disk, a future format with more fields.
"""

import logging
import os
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from skillcert.verification.clients import Client, KeyedHash

SHANGHAI = ZoneInfo("Asia/Shanghai")
FLUSH_BYTES = 64 * 1024
FILE_PREFIX, FILE_SUFFIX = "queries-", ".log"
KINDS = {"number_name": "N", "number_id": "I", "name_id": "P", "token": "T"}
QUERIES = {code.encode(): query for query, code in KINDS.items()}
_CACHE_LIMIT = 16_384  # stems remembered (a few MB) before the memo is emptied: stems repeat

_LINE = re.compile(
    rb"(\d{1,12})\t([0-9a-f]{12})\t([0-9a-f]{12})\t([NIPT])\t([01])\t(?:([0-9a-f]{12})\t(\d{0,6})|\t)\n"
)
_FILE_NAME = re.compile(re.escape(FILE_PREFIX) + r"(\d{8})" + re.escape(FILE_SUFFIX))

logger = logging.getLogger(__name__)


class QueryEvent(NamedTuple):
    """One answered public query as read back from the log (a tuple: a window holds millions)."""

    at: int  # Unix seconds
    client: str  # hash of the address
    network: str  # hash of its /24 or /64
    query: str  # "number_name" | "number_id" | "name_id" | "token"
    hit: bool
    number: str  # hash of the number's stem (or of the whole number when serial is None); "" for none
    serial: int | None

    @property
    def number_key(self) -> str:
        """One certificate number, still hashed: its stem's hash and serial ("" when no number)."""
        return f"{self.number}:{self.serial}" if self.serial is not None else self.number


def _digits(value_hash: int) -> str:
    """The first 48 bits of a 64-bit hash, as a line holds them: 12 hex digits. Collisions stay negligible
    among a window's clients and numbers."""
    return f"{value_hash >> 16:012x}"


def day_file(directory: Path, day: date) -> Path:
    """The file holding the events of ``day`` (Asia/Shanghai)."""
    return directory / f"{FILE_PREFIX}{day:%Y%m%d}{FILE_SUFFIX}"


def _number_parts(number: str) -> tuple[str, str] | None:
    """(stem, serial digits) of a number of a known shape (certificate_number.py), else None.

    Only the serial is checked to be digits (and the 22-character number's first character a letter): any
    stem will do, it is only hashed, and this runs on every query.
    """
    length = len(number)
    if length == 22:
        if not "A" <= number[0] <= "Z":
            return None
        stem, serial = number[:16], number[16:]
    elif length == 16:
        stem, serial = number[:11], number[11:]
    elif length == 13:  # Shanghai's short form of a 16-digit number: padded as the 16-digit one
        stem, serial = "000" + number[:8], number[8:]
    else:
        return None
    return (stem, serial) if serial.isascii() and serial.isdigit() else None


class QueryEventLog:
    """Buffers answered queries in memory and appends them to the day's file.

    ``record`` costs a few microseconds: the client comes hashed, stems' hashes are memoised, and the
    buffer is written when it is ``flush_seconds`` old or 64 KiB big (checked when a query is recorded), at
    a change of day, and on ``flush``/``close``. With no queries at all nothing is written until
    ``flush``/``close``: the app calls ``close`` at shutdown. Meant for one event loop (no locking). A
    failed write is logged and its lines are dropped (``dropped`` counts them): the log never fails a query.
    """

    def __init__(self, *, directory: Path, keyed_hash: KeyedHash, flush_seconds: float = 1.0) -> None:
        self.directory = Path(directory)
        self.flush_seconds = flush_seconds
        self.dropped = 0
        self._hash = keyed_hash
        self._stems: dict[str, str] = {}  # stem -> hash
        self._lines: list[str] = []
        self._size = 0
        self._first = 0.0  # when the oldest buffered line was recorded
        self._day_end = float("-inf")  # the current day's file takes events before this instant
        self._path = ""
        self._failing = False

    def record(self, *, now: float, client: Client, query: str, number: str, hit: bool) -> None:
        """One answered public query. client: the peer, hashed with this log's keyed hash; query: one of
        "number_name", "number_id", "name_id", "token"; number: the normalised certificate number queried
        or found ("" when none); hit: whether a certificate was found."""
        if now >= self._day_end:
            self.flush()
            self._start_day(now)
        address, network = client
        line = (
            f"{int(now)}\t{_digits(address)}\t{_digits(network)}\t{KINDS[query]}"
            f"\t{'1' if hit else '0'}\t{self._number_fields(number)}\n"
        )
        lines = self._lines
        if not lines:
            self._first = now
        lines.append(line)
        self._size += len(line)
        if self._size >= FLUSH_BYTES or now - self._first >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Append the buffered lines to the day's file in one write."""
        if not self._lines:
            return
        data = "".join(self._lines).encode("ascii")
        count = len(self._lines)
        self._lines = []
        self._size = 0
        try:
            self._append(data)
        except OSError as error:
            self.dropped += count
            if not self._failing:  # once per run of failures, not once a second
                logger.warning("查询事件日志写入失败，已丢弃 %d 条：%s", count, error)
            self._failing = True
        else:
            self._failing = False

    def close(self) -> None:
        """Write what is buffered. Recording afterwards still works (and needs another close)."""
        self.flush()

    # --- internals ----------------------------------------------------------------------------------

    def _append(self, data: bytes) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
        try:
            fd = os.open(self._path, flags, 0o600)
        except FileNotFoundError:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self._path, flags, 0o600)
        try:
            written = os.write(fd, data)
            if written < len(data):  # a full disk: end the torn line so that it cannot swallow the next
                self.dropped += data.count(b"\n", written)
                os.write(fd, b"\n")
        finally:
            os.close(fd)

    def _start_day(self, now: float) -> None:
        today = datetime.fromtimestamp(now, SHANGHAI).date()
        self._path = str(day_file(self.directory, today))
        self._day_end = datetime.combine(today + timedelta(days=1), time(), SHANGHAI).timestamp()

    def _number_fields(self, number: str) -> str:
        if not number:
            return "\t"
        parts = _number_parts(number)
        if parts is None:
            return f"{_digits(self._hash('number', number))}\t"
        stem, serial = parts
        stem_hash = self._stems.get(stem)
        if stem_hash is None:
            if len(self._stems) >= _CACHE_LIMIT:
                self._stems.clear()
            stem_hash = self._stems[stem] = _digits(self._hash("stem", stem))
        return f"{stem_hash}\t{serial}"


def _days(start: float, end: float) -> Iterator[date]:
    day = datetime.fromtimestamp(start, SHANGHAI).date()
    last = datetime.fromtimestamp(end, SHANGHAI).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _decode(line: bytes) -> QueryEvent | None:
    match = _LINE.fullmatch(line)
    if match is None:
        return None
    at, client, network, kind, hit, number, serial = match.groups()
    return QueryEvent(
        int(at),
        client.decode(),
        network.decode(),
        QUERIES[kind],
        hit == b"1",
        number.decode() if number else "",
        int(serial) if serial else None,
    )


def query_events_read(*, directory: Path, start: float, end: float) -> Iterator[QueryEvent]:
    """The events answered within [start, end] (Unix seconds), from the day files covering it.

    Lines that do not parse are skipped, among them a last line still being written (no newline yet).
    """
    for day in _days(start, end):
        try:
            with open(day_file(Path(directory), day), "rb") as handle:
                for line in handle:
                    event = _decode(line)
                    if event is not None and start <= event.at <= end:
                        yield event
        except FileNotFoundError:  # no query that day
            continue


def query_event_files_prune(*, directory: Path, keep_days: int, now: float) -> list[Path]:
    """Delete day files older than ``keep_days`` days before ``now``'s day; the deleted paths.

    Today's file and the ``keep_days`` before it stay, so every event is kept at least ``keep_days`` days.
    """
    today = datetime.fromtimestamp(now, SHANGHAI).date()
    oldest_kept = today - timedelta(days=keep_days)
    deleted = []
    try:
        entries = sorted(Path(directory).iterdir())
    except FileNotFoundError:
        return []
    for path in entries:
        match = _FILE_NAME.fullmatch(path.name)
        if match is None:
            continue
        digits = match.group(1)
        try:
            day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            continue
        if day < oldest_kept:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted
