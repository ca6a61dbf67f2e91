# The types of _counting.c, the shared rate-limit counters' hot loop (counters.py).
from collections.abc import Sequence
from mmap import mmap

PROBES: int

def count(
    mapping: mmap | bytearray,
    first: int,
    segment_words: int,
    own: int,
    others: Sequence[int],
    increments: Sequence[tuple[tuple[int, int], int]],
    now: int,
    /,
) -> dict[tuple[int, int], int]: ...
