"""The public query's own cost as machine instructions, counted by valgrind: the same in every run.

bench_public_query.py and bench_query_handler.py measure time, and on these shared machines time moves by
10-50% from one minute to the next, more than most changes to the code gain or lose (docs/decisions/0007).
An instruction count does not move: it tells two versions of the code apart by a fraction of a percent.
It is not time (a cache miss costs no instruction), so it is the measure to compare code with, beside
wrk's figures, never instead of them.

The requests are bench_query_handler's, in process, after a warm-up. Each application runs twice under
``valgrind --tool=cachegrind``, once with the warm-up alone and once with ``REQUESTS`` more; the
difference divided by ``REQUESTS`` is one request's instructions, start-up and warm-up cancelled out. The
baseline is the bare Starlette endpoint counted the same way. SQLite only, as bench_query_handler.
"""

import asyncio
import gc
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.bench_public_query import _delete_rows, _insert_rows
from bench.bench_query_handler import QUERY_API, ROWS, _requests, _seconds_per_request, query_apps
from bench.timing import result

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 300
REQUESTS = 300
BASELINE = "bare Starlette endpoint, in process"


def _instructions(target: str, requests: int, directory: Path) -> int:
    """Instructions of one child process answering WARM_UP + ``requests`` requests to ``target``."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, "-m", "bench.bench_query_instructions", target, str(requests), str(directory)]
    environment = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    finished = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=True)
    match = re.search(r"I\s+refs:\s+([\d,]+)", finished.stderr)
    if match is None:
        raise RuntimeError(f"no instruction count from valgrind: {finished.stderr[-500:]}")
    return int(match.group(1).replace(",", ""))


def _per_request(target: str) -> float:
    directory = Path(tempfile.mkdtemp(prefix="skillcert-instructions-"))
    try:
        alone = _instructions(target, 0, directory)
        served = _instructions(target, REQUESTS, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return (served - alone) / REQUESTS


def run() -> Iterator[dict]:
    from django.db import connection

    if connection.vendor != "sqlite":
        yield {"name": "query_instructions", "skipped": "SQLite only (see the module docstring)"}
        return
    if shutil.which("valgrind") is None:
        yield {"name": "query_instructions", "skipped": "valgrind 未安装：apt-get install valgrind"}
        return
    _insert_rows(ROWS)
    try:
        bare = _per_request("bare")
        for name in ("query_handler", "query_handler_limits_off"):
            instructions = _per_request(name)
            # Fewer instructions is better: the ratio is the bare endpoint's share, as the others report.
            line = result(f"{name}_instructions", instructions, "instructions/request", bare, BASELINE)
            yield {**line, "ratio": round(bare / instructions, 3)}
    finally:
        _delete_rows()


def _answer_requests(target: str, count: int, directory: Path) -> None:
    """In the child: the warm-up and ``count`` requests, every one answered 200."""
    import django

    django.setup()
    app = query_apps(directory)[target]
    # As skillcert/asgi.py does in service: without it, whether a full collection of the start-up's objects
    # falls among the counted requests changes the count by several percent.
    gc.freeze()
    path = "/bare" if target == "bare" else QUERY_API
    requests = _requests(random.Random(4))[: WARM_UP + count]
    asyncio.run(_seconds_per_request(app, path, requests))


if __name__ == "__main__":
    _answer_requests(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
