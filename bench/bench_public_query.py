"""The public query over 1,000,000 certificates against a bare Starlette endpoint, with wrk on loopback.

Both are served by ``skillcert serve`` in its production configuration (SKILLCERT_ENV=production with
keys set, one worker per CPU, uvloop/httptools; HTTPS redirect off because wrk speaks plain HTTP on
loopback), 64 connections, 10 seconds each after a 2-second warm-up.

Two runs of the query, both reported: with the production rate limits on, where every request comes
from another client address (wrk sets X-Forwarded-For, which the server trusts from 127.0.0.1 only, as
behind a reverse proxy) and asks for a random certificate, so no limit is reached but every counter is
written; and with the bench profile, every limit set to 0 (off) through SKILLCERT_VERIFICATION_*, which
measures the query path alone. Any non-2xx answer (a 429 or 428 would show here) is reported.

The limits-on run is made twice on SQLite: with a fresh counters file, and with one as after a day in
service, every slot of the workers' segments taken by a window that has ended (where looking for a new key
costs most).

With limits on, the global circuit breaker counts every request as in production, but its threshold is
raised above what wrk sends: at its production value (3,000 a minute) it would rightly call this load
abnormal and ask every request for a proof of work, which is the breaker working, not the query path.

Rows go straight into verification_record in bulk (numbers starting with Z, which no body type uses, and
removed afterwards), not through issuance: this measures reading, not issuing.
"""

import base64
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1_000_000
CONNECTIONS = 64
SECONDS = 10
WARM_UP = 2
PREFIX = "Z000031000101253"  # + 6 digits: 22 characters, like a real number; Z marks bench rows


async def _bare(request: Request) -> JSONResponse:
    return JSONResponse({"certificates": []})


# The baseline: the least a Starlette endpoint can do, served the same way.
bare_application = Starlette(routes=[Route("/bare", _bare, methods=["GET", "POST"])])

WRK_SCRIPT = r"""
local rows = %(rows)d
local path = "%(path)s"
local function encode(text)
  return (string.gsub(text, "[^%%w]", function(c) return string.format("%%%%%%02X", string.byte(c)) end))
end
local counter = 0
setup = function(thread) thread:set("seed", counter); counter = counter + 1 end
init = function() math.randomseed(os.time() * 100 + seed) end
request = function()
  local i = math.random(0, rows - 1)
  local body = "number=" .. string.format("%(prefix)s%%06d", i) .. "&name=" .. encode("考生" .. i)
  local address = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = address,
  }, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d seconds=%%f p50=%%f p99=%%f non2xx=%%d errors=%%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


def _insert_rows(count: int = ROWS) -> None:
    """``count`` verification records in bulk, with real-looking blind indexes and QR tokens."""
    import hashlib

    from django.db import connection, transaction

    _delete_rows()
    columns = (
        "number, holder_name, id_number_index, occupation_name, occupation_code, job_type_name, level_label,"
        " body_name, issue_date, status, revoked_on, replaced_by_number, qr_token, province_code"
    )
    key = secrets.token_bytes(32)

    def rows() -> Iterator[tuple]:
        for i in range(count):
            yield (
                f"{PREFIX}{i:06d}",
                f"考生{i}",
                hashlib.sha256(key + i.to_bytes(4, "big")).hexdigest(),
                "中式烹调师",
                "4-03-02-01",
                "--",
                "三级/高级工",
                "基准测试评价机构",
                "2025-06-30",
                "valid" if i % 50 else "revoked",
                None if i % 50 else "2025-07-01",
                "",
                secrets.token_urlsafe(32),
                "31",
            )

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY verification_record ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * 14)
            cursor.executemany(f"INSERT INTO verification_record ({columns}) VALUES ({placeholders})", rows())
    with connection.cursor() as cursor:
        # VACUUM too on PostgreSQL: the table as it stands in service (hint bits set, visibility map
        # built), and no autovacuum of a million fresh rows running in the middle of a measurement.
        cursor.execute(f"{'VACUUM ' if connection.vendor == 'postgresql' else ''}ANALYZE verification_record")


def _delete_rows() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM verification_record WHERE number LIKE %s", [PREFIX[:1] + "%"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _production_environment() -> dict[str, str]:
    def key() -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    environment = dict(os.environ)
    environment.update(
        {
            "SKILLCERT_ENV": "production",
            "SKILLCERT_SECRET_KEY": secrets.token_urlsafe(50),
            "SKILLCERT_FIELD_ENCRYPTION_KEY": key(),
            "SKILLCERT_BLIND_INDEX_KEY": key(),
            "SKILLCERT_SSL_REDIRECT": "0",  # plain HTTP on loopback
            "SKILLCERT_ALLOWED_HOSTS": "127.0.0.1",
            "SKILLCERT_TRUSTED_PROXIES": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
    )
    return environment


def _collectstatic(environment: dict[str, str]) -> None:
    # Production serves hashed static names from the manifest; the verification pages link to them.
    subprocess.run(
        [sys.executable, "-m", "skillcert.cli", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )


class Server:
    """``skillcert serve`` in a child process group, stopped on exit."""

    def __init__(self, *, app: str | None, environment: dict[str, str], server: str = "uvicorn") -> None:
        self.port = _free_port()
        if server == "granian":  # measured once for docs/decisions/0003; not how skillcert serves
            target = app or "skillcert.asgi:application"
            command = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1"]
            command += ["--port", str(self.port), "--workers", str(os.cpu_count() or 1), "--loop", "uvloop"]
            command += ["--no-ws", "--log-level", "warning", target]
        else:
            command = [sys.executable, "-m", "skillcert.cli", "serve", "--port", str(self.port)]
            command += ["--app", app] if app else []
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, start_new_session=True
        )

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited at start-up")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    time.sleep(1.0)  # every worker up, not just the first
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start within 60 s")

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _wrk(*, port: int, path: str, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as script:
        script.write(WRK_SCRIPT % {"rows": ROWS, "path": path, "prefix": PREFIX})
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    finally:
        os.unlink(script.name)
    match = re.search(
        r"RESULT requests=(\d+) seconds=([\d.]+) p50=([\d.]+) p99=([\d.]+) non2xx=(\d+) errors=(\d+)", output
    )
    if match is None:
        raise RuntimeError(f"unexpected wrk output: {output}")
    requests, seconds_run, p50, p99, non2xx, errors = match.groups()
    return {
        "rate": int(requests) / float(seconds_run),
        "p50_ms": float(p50),
        "p99_ms": float(p99),
        "non_2xx": int(non2xx),
        "errors": int(errors),
    }


def _forget_counts() -> None:
    """Every run starts from empty rate-limit counters, as the SQLite runs do (a fresh var directory)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE verification_counter")
        connection.close()  # the server's connections must not wait on this one


def _counters_in_service() -> None:
    """The shared counters as after a day in service: every slot of the workers' segments taken by a
    window that has ended. A fresh file's never-used slots end a search for an absent key at once; in
    service there are none, and each new key is looked for through its whole probe run."""
    from array import array

    from django.conf import settings

    from skillcert.verification.counters import HEADER, SharedCounters

    path = settings.SKILLCERT_VERIFICATION_COUNTERS_PATH
    slots = settings.SKILLCERT_VERIFICATION_COUNTER_SLOTS
    segments = settings.SKILLCERT_VERIFICATION_COUNTER_SEGMENTS
    counters = SharedCounters(path=path, segments=segments, slots=slots)
    counters.count([], now=time.time())  # makes the file, of the servers' geometry
    counters.close()
    ended = (int(time.time()) - 60) << 32 | 1  # (window end << 32) | count, as counters.py keeps a slot
    size = path.stat().st_size
    with open(path, "r+b") as file:
        for segment in range(min(os.cpu_count() or 1, segments)):  # one a worker
            words = memoryview(bytearray(16 * slots)).cast("Q")
            words[0::2] = memoryview(secrets.token_bytes(8 * slots)).cast("Q")  # tags
            words[1::2] = memoryview(array("Q", [ended]) * slots)
            file.seek(HEADER + segment * slots * 16)
            file.write(words)
    if path.stat().st_size != size:  # the servers would start afresh in a new file, measuring nothing
        raise RuntimeError("the counters file no longer has the servers' geometry")


def _measure(
    *, app: str | None, path: str, environment: dict[str, str], server: str, in_service: bool = False
) -> dict:
    _forget_counts()
    if in_service:
        _counters_in_service()
    with Server(app=app, environment=environment, server=server) as running:
        _wrk(port=running.port, path=path, seconds=WARM_UP)
        return _wrk(port=running.port, path=path, seconds=SECONDS)


LIMITS_OFF = {  # the bench profile: every rule 0 (off), so no counter is written at all
    f"SKILLCERT_VERIFICATION_{name}": "0"
    for name in (
        "IP_PER_MINUTE",
        "IP_PER_DAY",
        "NETWORK_PER_MINUTE",
        "NUMBER_PER_DAY",
        "ID_NUMBER_PER_DAY",
        "NAME_PER_HOUR",
        "VIEW_PER_MINUTE",
        "CHALLENGE_AFTER_MISSES",
        "GLOBAL_PER_MINUTE",
    )
}
BREAKER_ABOVE_LOAD = {"SKILLCERT_VERIFICATION_GLOBAL_PER_MINUTE": "1000000000"}
QUERY_PATH = "/api/v1/public/certificates"
BARE_APP = "bench.bench_public_query:bare_application"


def _line(name: str, query: dict, bare: dict, **extra: object) -> dict:
    return {
        "name": name,
        "value": round(query["rate"], 1),
        "unit": "requests/s",
        "baseline": round(bare["rate"], 1),
        "baseline_name": "bare Starlette endpoint, same server",
        "ratio": round(query["rate"] / bare["rate"], 3),
        "p50_ms": query["p50_ms"],
        "p99_ms": query["p99_ms"],
        "baseline_p50_ms": bare["p50_ms"],
        "baseline_p99_ms": bare["p99_ms"],
        "non_2xx": query["non_2xx"],
        "errors": query["errors"] + bare["errors"],
        "rows": ROWS,
        "connections": CONNECTIONS,
        "seconds": SECONDS,
        "workers": os.cpu_count(),
        **extra,
    }


def run() -> Iterator[dict]:
    from django.db import connection

    database = connection.vendor
    if shutil.which("wrk") is None:
        yield {"name": f"public_query_{database}", "skipped": "wrk 未安装：apt-get install wrk"}
        return
    started = time.perf_counter()
    _insert_rows()
    inserted = round(time.perf_counter() - started, 1)
    environment = _production_environment()
    _collectstatic(environment)
    limits_off = {**environment, **LIMITS_OFF}
    load = os.getloadavg()[0]
    servers = [s for s in os.environ.get("SKILLCERT_BENCH_SERVERS", "uvicorn").split(",") if s]
    try:
        for server in servers:
            suffix = "" if server == "uvicorn" else f"_{server}"
            bare = _measure(app=BARE_APP, path="/bare", environment=environment, server=server)
            # Only uvicorn applies X-Forwarded-For from the trusted proxy (serve.py); under granian every
            # request would come from 127.0.0.1 and hit the per-address limit, so it runs the profile only.
            if server == "uvicorn":
                limits_on = {**environment, **BREAKER_ABOVE_LOAD}
                query = _measure(app=None, path=QUERY_PATH, environment=limits_on, server=server)
                counters = "memory" if database == "sqlite" else "database"
                yield _line(
                    f"public_query_{database}",
                    query,
                    bare,
                    limits=f"on, distinct client per request, counters in {counters}",
                    insert_seconds=inserted,
                    load_average_before=round(load, 2),
                )
                if database == "sqlite":
                    query = _measure(
                        app=None, path=QUERY_PATH, environment=limits_on, server=server, in_service=True
                    )
                    yield _line(
                        f"public_query_{database}_counters_in_service",
                        query,
                        bare,
                        limits="on, distinct client per request, counters in memory after a day in service",
                    )
                if database == "postgresql":  # a one-machine PostgreSQL installation may count in memory
                    in_memory = {**limits_on, "SKILLCERT_VERIFICATION_COUNTERS": "memory"}
                    query = _measure(app=None, path=QUERY_PATH, environment=in_memory, server=server)
                    yield _line(
                        f"public_query_{database}_memory_counters",
                        query,
                        bare,
                        limits="on, distinct client per request, counters in memory",
                    )
            query = _measure(app=None, path=QUERY_PATH, environment=limits_off, server=server)
            yield _line(
                f"public_query_{database}_limits_off{suffix}", query, bare, limits="off (bench profile)"
            )
    finally:
        _delete_rows()
