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
"""

import fcntl
import mmap
import os
import struct
import sys
from collections.abc import Sequence
from pathlib import Path

CounterKey = tuple[int, int]  # (second the window ends, tag): limits.py makes them

MAGIC = b"SKCNT001"
HEADER = 64  # bytes: magic, segments, slots, segments in use (high-water mark)
PROBES = 16
_HEADER_FORMAT = "<8sIII"  # magic, version, segments, slots
IN_USE = 5  # the header's 32-bit word holding how many segments have ever been claimed
_COUNT_MASK = 0xFFFFFFFF
_BYTE_ORDER = sys.byteorder  # the words are the machine's own (memoryview "Q")


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
        self._words: memoryview | None = None  # the file as 64-bit words
        self._header: memoryview | None = None  # the header as 32-bit words
        self._own = -1  # this process's segment
        self._probes: _Probes | None = None

    def _open(self) -> memoryview:
        if self._words is not None:
            return self._words
        size = HEADER + self._segments * self._slots * 16
        fd = self._open_file(size)
        try:
            self._own = self._claim(fd)
            self._map = mmap.mmap(fd, size)
            self._header = memoryview(self._map)[:HEADER].cast("I")
            self._words = memoryview(self._map).cast("Q")
            self._probes = _Probes(self._map, self._words, segment_words=self._slots * 2)
            self._header[IN_USE] = max(self._header[IN_USE], self._own + 1)
            _lock(fd, start=0, wait=True, unlock=True)
        except BaseException:
            self._fd = fd
            self.close()
            raise
        self._fd = fd
        return self._words

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
        """Add ``amount`` to each ``(key, amount)`` counter; the new counts by key."""
        words = self._open()
        assert self._header is not None and self._map is not None
        probes = self._probes
        assert probes is not None
        in_use = self._header[IN_USE]
        mask = self._slots - 1
        segment_words = self._slots * 2
        first = HEADER // 8
        own_base = first + self._own * segment_words
        seconds = int(now)
        totals: dict[CounterKey, int] = {}
        others = [first + segment * segment_words for segment in range(in_use) if segment != self._own]
        for key, amount in increments:
            end, tag = key
            home = 2 * (tag & mask)
            slot = own_base + home
            value = words[slot + 1]
            slot_tag = words[slot]
            if slot_tag == tag and value >> 32 == end:  # most keys sit in their home slot: no call
                value += amount
                words[slot + 1] = value
                total = value & _COUNT_MASK
            elif slot_tag == 0:  # a never-used home slot: a new key, and no other slot can hold it
                if amount:  # a count of 0 (the miss counter of a hit) takes no slot
                    words[slot + 1] = end << 32 | amount
                    words[slot] = tag
                total = amount
            else:
                needle = tag.to_bytes(8, _BYTE_ORDER)
                if amount:
                    total = probes.add(own_base, home, needle, tag, end, amount, seconds)
                else:
                    total = probes.read(own_base, home, needle, end)
            for base in others:
                slot = base + home
                slot_tag = words[slot]
                if slot_tag == tag and words[slot + 1] >> 32 == end:
                    total += words[slot + 1] & _COUNT_MASK
                elif slot_tag != 0:  # a never-used home slot: the key is not in that segment
                    total += probes.read(base, home, tag.to_bytes(8, _BYTE_ORDER), end)
            totals[key] = total
        return totals

    def close(self) -> None:
        for view in (self._words, self._header):
            if view is not None:
                view.release()
        if self._map is not None:
            self._map.close()
        if self._fd is not None:
            os.close(self._fd)  # releases this segment's lock
        self._fd = self._map = self._words = self._header = self._probes = None
        self._own = -1


class _Probes:
    """A key's probe run, the ``PROBES`` slots from its home slot, searched by the mapping's own ``find``
    for the tag's bytes: one call in C for the whole run instead of a Python loop over its slots. The run
    of a full table holds no never-used slot to stop at, and every key absent from another worker's
    segment (most of them: each request brings new ones) is looked for through all of it.

    Indexes are in 64-bit words from the start of the file; ``home`` is the home slot's word offset
    within its segment."""

    def __init__(self, mapping: mmap.mmap, words: memoryview, *, segment_words: int) -> None:
        self._find = mapping.find
        self._words = words
        self._segment_words = segment_words

    def read(self, base: int, home: int, needle: bytes, end: int) -> int:
        """The key's count in the segment at ``base`` (0 when absent); ``needle``: its tag's bytes."""
        index = self._slot_of(base, home, needle, end)
        return self._words[index + 1] & _COUNT_MASK if index >= 0 else 0

    def add(self, base: int, home: int, needle: bytes, tag: int, end: int, amount: int, now: int) -> int:
        """Add to the key's slot in this worker's own segment, taking a slot for a new key: the first
        whose window has ended (or never used), else the one with the smallest count."""
        words = self._words
        index = self._slot_of(base, home, needle, end)
        if index >= 0:
            value = words[index + 1] + amount
            words[index + 1] = value
            return value & _COUNT_MASK
        weakest, weakest_count = -1, _COUNT_MASK + 1
        last = self._segment_words - 1
        for probe in range(0, 2 * PROBES, 2):
            index = base + ((home + probe) & last)
            value = words[index + 1]
            if words[index] == 0 or value >> 32 <= now:  # never used, or its window has ended
                weakest = index
                break
            if value & _COUNT_MASK < weakest_count:
                weakest, weakest_count = index, value & _COUNT_MASK
        words[weakest + 1] = end << 32 | amount
        words[weakest] = tag
        return amount

    def _slot_of(self, base: int, home: int, needle: bytes, end: int) -> int:
        """The word index of the key's slot in the run, or -1."""
        start = base + home
        stop = start + 2 * PROBES
        segment_end = base + self._segment_words
        if stop <= segment_end:
            return self._search(needle, start, stop, end)
        found = self._search(needle, start, segment_end, end)  # the run wraps to the segment's start
        return found if found >= 0 else self._search(needle, base, base + stop - segment_end, end)

    def _search(self, needle: bytes, start: int, stop: int, end: int) -> int:
        position = self._find(needle, start * 8, stop * 8)
        while position >= 0:
            # A slot's tag (16-byte aligned from the run's start), not bytes straddling two words; and
            # this window's, not an earlier window's of the same tag.
            if (position - start * 8) % 16 == 0 and self._words[(position >> 3) + 1] >> 32 == end:
                return position >> 3
            position = self._find(needle, position + 1, stop * 8)
        return -1


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
