"""Timing helpers shared by the benchmarks: best-of-N rates and the JSON line every benchmark prints."""

import time
from collections.abc import Callable


def rate(operation: Callable[[], object], *, count: int, repeats: int = 5) -> float:
    """Operations per second: the best of ``repeats`` runs of ``count`` calls (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(count):
            operation()
        best = min(best, time.perf_counter() - start)
    return count / best


def result(name: str, value: float, unit: str, baseline: float, baseline_name: str) -> dict:
    return {
        "name": name,
        "value": round(value, 1),
        "unit": unit,
        "baseline": round(baseline, 1),
        "baseline_name": baseline_name,
        "ratio": round(value / baseline, 3),
    }
