"""The public query's own cost, in process: the query API and a bare Starlette endpoint called as ASGI
applications in a loop, without HTTP or a load generator.

bench_public_query.py measures what a client sees, but wrk shares the two cores with the server and the
figures move by ±10% from run to run. Here nothing else runs, so the ratio shows what the application
itself adds to a request, steadily enough to compare two versions of the code (docs/decisions/0007). Limits
on, every request from a new address and for a random certificate (the counters' worst case); limits off,
the query path alone. Best of three rounds each. SQLite only: on PostgreSQL a loop of one request at a time
would measure the round trip, not the application.
"""

import asyncio
import dataclasses
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.bench_public_query import PREFIX, _delete_rows, _insert_rows
from bench.timing import result

ROWS = 100_000
REQUESTS = 20_000
ROUNDS = 3
QUERY_API = "/api/v1/public/certificates"
BASELINE = "bare Starlette endpoint, in process"


async def _bare(request: Request) -> JSONResponse:
    return JSONResponse({"certificates": []})


def _scope(path: str, client: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded")],
        "client": (client, 40000),
        "server": ("testserver", 443),
    }


async def _seconds_per_request(app, path: str, requests: list[tuple[str, bytes]]) -> float:
    statuses: list[int] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for client, body in requests:

        async def receive(body: bytes = body) -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        await app(_scope(path, client), receive, send)
    elapsed = time.perf_counter() - started
    if set(statuses) != {200}:
        raise RuntimeError(f"unexpected answers: {sorted(set(statuses))}")
    return elapsed / len(requests)


def _requests(generator: random.Random) -> list[tuple[str, bytes]]:
    def one() -> tuple[str, bytes]:
        i = generator.randrange(ROWS)
        client = ".".join(str(generator.randrange(1, 255)) for _ in range(4))
        return client, f"number={PREFIX}{i:06d}&name={quote(f'考生{i}')}".encode()

    return [one() for _ in range(REQUESTS)]


def _best(app, path: str, generator: random.Random) -> float:
    return min(asyncio.run(_seconds_per_request(app, path, _requests(generator))) for _ in range(ROUNDS))


def _micro(seconds: float) -> float:
    return round(seconds * 1e6, 1)


def query_apps(directory: Path) -> dict[str, object]:
    """The query API as production configures it, with limits on and off, and the bare endpoint, by the
    names the benchmarks report (counters and events in ``directory``)."""
    from skillcert.verification.app import create_app
    from skillcert.verification.config import Limits
    from skillcert.verification.configure import config_from_settings

    base = dataclasses.replace(
        config_from_settings(), counters_path=directory / "counters.bin", events_dir=directory / "events"
    )
    limits_on = dataclasses.replace(base, limits=Limits(global_per_minute=10**9))  # as bench_public_query
    rules = ("ip_per_minute", "ip_per_day", "network_per_minute", "number_per_day", "id_number_per_day")
    rules += ("name_per_hour", "view_per_minute", "challenge_after_misses", "global_per_minute")
    limits_off = dataclasses.replace(base, limits=Limits(**dict.fromkeys(rules, 0)))  # every rule off
    return {
        "bare": Starlette(routes=[Route("/bare", _bare, methods=["POST"])]),
        "query_handler": create_app(limits_on),
        "query_handler_limits_off": create_app(limits_off),
    }


def run() -> Iterator[dict]:
    from django.db import connection

    if connection.vendor != "sqlite":
        yield {"name": "query_handler", "skipped": "SQLite only (see the module docstring)"}
        return
    _insert_rows(ROWS)
    apps = query_apps(Path(tempfile.mkdtemp(prefix="skillcert-handler-")))
    generator = random.Random(4)
    try:
        bare_seconds = _best(apps["bare"], "/bare", generator)
        for name in ("query_handler", "query_handler_limits_off"):
            seconds = _best(apps[name], QUERY_API, generator)
            line = result(name, 1 / seconds, "requests/s", 1 / bare_seconds, BASELINE)
            yield {**line, "microseconds": _micro(seconds), "baseline_microseconds": _micro(bare_seconds)}
    finally:
        _delete_rows()
