"""Rate-limit counters shared by every worker of one machine, in a memory-mapped file (security.md P2).

Counting must be shared (with N workers an in-process count would allow N times the limit, and the kernel
spreads one client's connections over them) and it happens on every public request, so it must cost
microseconds. A database write per request costs 80–200 µs here (bench/); this costs a few.

The file: a header, then ``segments`` segments of ``slots`` slots. Each worker process claims one segment
for its lifetime with an open-file-description lock on one byte of the file (released by the kernel when
the process ends, however it ends), and is the only writer of that segment: a request takes no lock. A
counter's value is the sum of its slots across the segments in use, read without locking; a reader may
miss an increment that another worker is making at that very microsecond, which a limit can bear.

A slot is two 64-bit words: the key's tag (64 bits of its keyed hash, never 0) and ``end << 32 | count``,
where ``end`` is the second its window ends. A slot whose window has ended is free again, so expired
counters need no purge. Keys probe linearly from their hash for at most ``PROBES`` slots. When every slot a
new key may take is live, the one with the smallest count gives way: a flood of new addresses can only push
out counters that are far from any limit, never the ones about to be refused.

Keys are the limiter's (window end, 64-bit tag) pairs (limits.py); the tag's low bits choose the home slot.

The loop over a request's counters is C (``_counting.c``, decision 0011): in Python it was a third of the
public query's instructions. This module keeps the file: its header, its segments, and who owns which.
"""

import fcntl
import mmap
import os
import struct
from collections.abc import Sequence
from pathlib import Path

from skillcert.verification import _counting

CounterKey = tuple[int, int]  # (second the window ends, tag): limits.py makes them

MAGIC = b"SKCNT001"
HEADER = 64  # bytes: magic, segments, slots, segments in use (high-water mark)
PROBES = _counting.PROBES
_HEADER_FORMAT = "<8sIII"  # magic, version, segments, slots
IN_USE = 5  # the header's 32-bit word holding how many segments have ever been claimed


class CountersBusy(Exception):
    """The counters cannot be used (no free segment, file unusable): the request is refused (fail closed)."""


class SharedCounters:
    """Fixed-window counters in a file every worker of the machine maps; see the module docstring."""

    def __init__(self, *, path: Path, segments: int, slots: int) -> None:
        if slots & (slots - 1) or slots < PROBES:
            raise ValueError("slots must be a power of two of at least PROBES")
        self._path = path
        self._segments = segments
        self._slots = slots
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        self._header: memoryview | None = None  # the header as 32-bit words
        self._own = -1  # this process's segment
        self._in_use = 0  # segments ever claimed, as last read from the header
        self._others: tuple[int, ...] = ()  # the other segments in use

    def _open(self) -> tuple[mmap.mmap, memoryview]:
        """The mapping and its header, opened and this worker's segment claimed on first use."""
        if self._map is not None and self._header is not None:
            return self._map, self._header
        size = HEADER + self._segments * self._slots * 16
        fd = self._open_file(size)
        try:
            self._own = self._claim(fd)
            self._map = mmap.mmap(fd, size)
            self._header = memoryview(self._map)[:HEADER].cast("I")
            self._header[IN_USE] = max(self._header[IN_USE], self._own + 1)
            _lock(fd, start=0, wait=True, unlock=True)
        except BaseException:
            self._fd = fd
            self.close()
            raise
        self._fd = fd
        return self._map, self._header

    def _open_file(self, size: int) -> int:
        """The counters file of this geometry, opened and holding the set-up lock (byte 0)."""
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            while True:
                fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    _lock(fd, start=0, wait=True)  # one worker sets up or joins the file at a time
                    if os.fstat(fd).st_ino == os.stat(self._path).st_ino:
                        if self._geometry_matches(fd, size):
                            return fd
                        # Made for another geometry, its counts cannot be read: a new file takes its place
                        # (a worker still mapping the old one keeps it until it stops, never cut short).
                        os.unlink(self._path)
                    # else another worker replaced the file meanwhile: open the new one
                except BaseException:
                    os.close(fd)
                    raise
                os.close(fd)
        except OSError as error:
            raise CountersBusy(f"counters file {self._path}: {error}") from error

    def _geometry_matches(self, fd: int, size: int) -> bool:
        """True when the file is this geometry's; an empty file is given the header first."""
        expected = struct.pack(_HEADER_FORMAT, MAGIC, 1, self._segments, self._slots)
        length = os.fstat(fd).st_size
        if length == 0:
            os.ftruncate(fd, size)
            os.pwrite(fd, expected, 0)
            return True
        return length == size and os.pread(fd, len(expected), 0) == expected

    def _claim(self, fd: int) -> int:
        for segment in range(self._segments):
            if _lock(fd, start=1 + segment, wait=False):
                return segment
        raise CountersBusy(f"all {self._segments} counter segments are in use: raise the number of segments")

    def count(self, increments: Sequence[tuple[CounterKey, int]], *, now: float) -> dict[CounterKey, int]:
        """Add ``amount`` to each ``(key, amount)`` counter; the new counts by key, over all segments."""
        mapping, header = self._open()
        in_use = header[IN_USE]
        if in_use != self._in_use:  # another worker has joined since
            self._in_use = in_use
            self._others = tuple(segment for segment in range(in_use) if segment != self._own)
        return _counting.count(
            mapping, HEADER // 8, self._slots * 2, self._own, self._others, increments, int(now)
        )

    def close(self) -> None:
        if self._header is not None:
            self._header.release()
        if self._map is not None:
            self._map.close()
        if self._fd is not None:
            os.close(self._fd)  # releases this segment's lock
        self._fd = self._map = self._header = None
        self._own, self._in_use, self._others = -1, 0, ()


def _lock(fd: int, *, start: int, wait: bool, unlock: bool = False) -> bool:
    """An open-file-description lock on one byte: held per open file, not per process, so that two
    counters objects in one process (tests) claim two segments, and closing one does not free the other."""
    kind = fcntl.F_UNLCK if unlock else fcntl.F_WRLCK
    command = getattr(fcntl, "F_OFD_SETLKW" if wait else "F_OFD_SETLK", None)
    if command is None:  # not Linux: process locks, which serve one counters object per process
        flags = fcntl.LOCK_UN if unlock else fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.lockf(fd, flags, 1, start)
        except OSError:
            return False
        return True
    # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks), native layout.
    request = struct.pack("hhqqi4x", kind, os.SEEK_SET, start, 1, 0)
    try:
        fcntl.fcntl(fd, command, request)
    except OSError:
        return False
    return True


class WorkerCounters:
    """One worker's own counters, in a dict: the fallback when the shared ones cannot be used."""

    def __init__(self, *, capacity: int = 100_000) -> None:
        self._counts: dict[CounterKey, int] = {}
        self._capacity = capacity

    def count(self, increments: Sequence[tuple[CounterKey, int]], *, now: float) -> dict[CounterKey, int]:
        counts = self._counts
        if len(counts) >= self._capacity:  # drop ended windows; if all are live, start again (rare)
            live = {key: value for key, value in counts.items() if key[0] > now}
            self._counts = counts = live if len(live) < self._capacity else {}
        totals = {}
        for key, amount in increments:
            totals[key] = counts[key] = counts.get(key, 0) + amount
        return totals
