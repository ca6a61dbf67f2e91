"""The public verification app: the anonymous certificate query and the QR-code pages (Starlette, no Django).

Routes (skillcert/asgi.py sends these paths here and everything else to Django):
- ``GET /query`` shows the form; ``POST /query`` answers it (no personal data in URLs);
- ``GET|POST /api/v1/public/certificates`` with any two of ``name``, ``id_number``, ``number``;
- ``GET /v/{token}`` (page) and ``GET /api/v1/public/verify/{token}`` (JSON).

Answers hold certificate facts only, never ID digits. A wrong combination answers an empty list with the
same status, headers and work as a hit (security.md P1). Every request is counted against shared limits
(limits.py); a client that keeps missing must solve a proof-of-work challenge (challenge.py).
"""

import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable

import orjson
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from skillcert.verification import pages
from skillcert.verification.challenge import challenge_issue, challenge_solved
from skillcert.verification.clients import KeyedHash
from skillcert.verification.config import VerificationConfig
from skillcert.verification.events import QueryEventLog
from skillcert.verification.limits import Limiter
from skillcert.verification.query_input import InputError, lookup_plan, query_fields
from skillcert.verification.store import (
    Counters,
    FailSafeCounters,
    MemoryCounters,
    PostgresStore,
    SqliteStore,
    Store,
)

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
PROBLEM = "application/problem+json"
QUERY_API = "/api/v1/public/certificates"

MSG_NOT_FOUND = "未找到：地址或核验码有误。"  # one answer whatever the reason (security.md P1)
MSG_METHOD_NOT_ALLOWED = "此地址不接受 {method} 请求，可用：{allowed}。"
MSG_RATE_LIMITED = "查询过于频繁，请在 {seconds} 秒后再试。"
MSG_CHALLENGE_REQUIRED = (
    "连续多次查询未果：请先完成工作量证明（challenge），再随查询提交 challenge 与 solution。"
)
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "content-security-policy": pages.CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-robots-tag": "noindex, nofollow",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def client_address(scope: Scope) -> str:
    """The peer as the server saw it; a trusted proxy's X-Forwarded-For is applied by the server
    (uvicorn's ``forwarded_allow_ips``), never read here from a header anyone can send."""
    client = scope.get("client")
    return client[0] if client else "unknown"


def record_json(row: tuple) -> dict:
    """A read-model row as the public sees it: certificate facts, no ID number, no internal key."""
    (
        number,
        name,
        occupation,
        occupation_code,
        job_type,
        level,
        body,
        issue_date,
        status,
        revoked_on,
        replaced,
    ) = row
    return {
        "name": name,
        "occupation": occupation,
        "occupation_code": occupation_code,
        "job_type": job_type,
        "level": level,
        "number": number,
        "body": body,
        "issue_date": issue_date,
        "status": status,
        "revoked_on": revoked_on,
        "replaced_by": replaced or None,
    }


def json_bytes(data: object) -> bytes:
    """Compact UTF-8 JSON, Chinese as it is (not \\u-escaped). orjson: an answer of one certificate costs
    it 0.4 µs here against 6.2 µs for the standard library, and nearly every public request is answered
    with one. For what this app encodes (strings, small integers, None, lists and dicts of them) the bytes
    are the standard library's compact ones; orjson differs elsewhere (it refuses integers beyond 64 bits,
    for one), which these answers never hold."""
    return orjson.dumps(data)


def json_response(
    data: object, *, status: int = 200, media_type: str = "application/json", headers=None
) -> Response:
    return Response(json_bytes(data), status_code=status, media_type=media_type, headers=headers)


def problem_data(status: int, title: str, *, detail: str = "", **extra: object) -> dict[str, object]:
    """An application/problem+json body (RFC 9457)."""
    data: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        data["detail"] = detail
    data.update(extra)
    return data


def problem(status: int, title: str, *, detail: str = "", headers=None, **extra: object) -> Response:
    data = problem_data(status, title, detail=detail, **extra)
    return json_response(data, status=status, media_type=PROBLEM, headers=headers)


def security_headers(config: VerificationConfig) -> list[tuple[bytes, bytes]]:
    """The headers of every answer of the verification app, as ASGI sends them."""
    headers = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
    if config.hsts_seconds:
        value = f"max-age={config.hsts_seconds}; includeSubDomains"
        headers.append((b"strict-transport-security", value.encode()))
    return headers


class Verification:
    """The request handlers, holding the configuration, the store and the limiter."""

    def __init__(self, config: VerificationConfig, store: Store, clock: Callable[[], float]) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.counters = counters_for(config, store)
        self.keyed_hash = KeyedHash(config.secret)  # one hashing of the client for the limits and the log
        self.events: QueryEventLog | None = None
        if config.events_dir:
            self.events = QueryEventLog(directory=config.events_dir, keyed_hash=self.keyed_hash)
        self.limiter = Limiter(counters=self.counters, limits=config.limits, keyed_hash=self.keyed_hash)
        headers = security_headers(config)
        self.json_headers = [(b"content-type", b"application/json"), *headers]
        self.problem_headers = [(b"content-type", PROBLEM.encode()), *headers]

    # --- the query ------------------------------------------------------------------------------------

    async def _answer(self, address: str, fields: dict[str, str]):
        """Shared by the API and the page: ("ok", records) | ("input", errors) | ("limited", seconds) |
        ("challenge", challenge)."""
        now = self.clock()
        try:
            query, params, identifiers = lookup_plan(fields, index_key=self.config.index_key, now=now)
        except InputError as error:
            return "input", error.errors
        # The lookup is made whatever the counts will say: a refused query costs what an answered one does.
        rows = await self.store.fetch(query, params)
        client = self.keyed_hash.client(address)
        verdict = await self.limiter.check_query(
            client=client, identifiers=identifiers, missed=not rows, now=now
        )
        if self.events is not None:  # for the enumeration watch, whatever the answer will be
            number = identifiers.get("number", "")
            kind = "number_id" if query == "number_id_name" else query
            self.events.record(now=now, client=client, query=kind, number=number, hit=bool(rows))
        if verdict.retry_after is not None:
            return "limited", verdict.retry_after
        limits = self.config.limits
        if verdict.abnormal or (
            limits.challenge_after_misses and verdict.misses >= limits.challenge_after_misses
        ):
            expires = challenge_solved(
                secret=self.config.secret,
                client=address,
                bits=limits.challenge_bits,
                token=fields.get("challenge", ""),
                solution=fields.get("solution", ""),
                now=now,
            )
            if expires is None or not await self.limiter.spend(
                token=fields["challenge"], expires=expires, now=now
            ):
                return "challenge", challenge_issue(
                    secret=self.config.secret, client=address, bits=limits.challenge_bits, now=now
                )
        return "ok", [record_json(row) for row in rows]

    async def api_query(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The query API straight on ASGI, with every security header: most of the public traffic, so it
        builds no Request or Response object and passes through no middleware (bench/)."""
        extra: list[tuple[bytes, bytes]] = []
        try:
            fields = await query_fields(scope, receive)
        except ClientDisconnect:  # gone before its query arrived: nobody to answer, nothing to log
            return
        except InputError as error:
            status = error.status
            title = "Payload Too Large" if status == 413 else "Unprocessable Content"
            data = problem_data(status, title, detail=error.errors["form"], errors=error.errors)
        else:
            outcome, value = await self._answer(client_address(scope), fields)
            if outcome == "ok":
                status, data = 200, {"certificates": value}
            elif outcome == "input":
                detail = next(iter(value.values()))
                status, data = 422, problem_data(422, "Unprocessable Content", detail=detail, errors=value)
            elif outcome == "limited":
                status, data = 429, _limited_data(value)
                extra.append((b"retry-after", str(value).encode()))
            else:
                challenge = value.as_json()
                status = 428
                data = problem_data(428, "Precondition Required", detail=MSG_CHALLENGE_REQUIRED, **challenge)
        body = json_bytes(data)
        headers = self.json_headers if status == 200 else self.problem_headers
        extra.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers + extra})
        await send({"type": "http.response.body", "body": body})

    async def query_page(self, request: Request) -> Response:
        action = request.url.path
        if request.method == "GET":
            return HTMLResponse(pages.query_page(self.config, action=action))
        try:
            fields = await query_fields(request.scope, request.receive)
        except ClientDisconnect:  # gone before its query arrived: the answer goes nowhere
            return Response(status_code=400)
        except InputError as error:
            return HTMLResponse(
                pages.query_page(self.config, action=action, errors=error.errors), error.status
            )
        # The ID number is never sent back, not even into the form it was typed in (security.md P1).
        shown = {key: fields.get(key, "") for key in ("name", "number")}
        outcome, value = await self._answer(client_address(request.scope), fields)
        if outcome == "ok":
            return HTMLResponse(pages.query_page(self.config, action=action, values=shown, results=value))
        if outcome == "input":
            html = pages.query_page(self.config, action=action, values=shown, errors=value)
            return HTMLResponse(html, 422)
        if outcome == "limited":
            html = pages.query_page(
                self.config, action=action, values=shown, notice=MSG_RATE_LIMITED.format(seconds=value)
            )
            return HTMLResponse(html, 429, headers={"retry-after": str(value)})
        html = pages.query_page(self.config, action=action, values=shown, challenge=value)
        return HTMLResponse(html, 428)

    # --- the QR-code pages ----------------------------------------------------------------------------

    async def _by_token(self, request: Request) -> tuple[str, object]:
        client = self.keyed_hash.client(client_address(request.scope))
        verdict = await self.limiter.check_view(client=client, now=self.clock())
        if verdict.retry_after is not None:
            return "limited", verdict.retry_after
        token = request.path_params["token"]
        rows = await self.store.fetch("token", [token]) if TOKEN_PATTERN.fullmatch(token) else []
        if self.events is not None:
            number = rows[0][0] if rows else ""
            self.events.record(now=self.clock(), client=client, query="token", number=number, hit=bool(rows))
        return ("ok", record_json(rows[0])) if rows else ("missing", None)

    async def verify_json(self, request: Request) -> Response:
        outcome, value = await self._by_token(request)
        if outcome == "limited":
            return _limited(value)
        if outcome == "missing":
            return problem(404, "Not Found", detail=MSG_NOT_FOUND)
        token = request.path_params["token"]
        return json_response(
            {"certificate": value, "credential": self.config.credential_url.format(token=token)}
        )

    async def verify_page(self, request: Request) -> Response:
        outcome, value = await self._by_token(request)
        if outcome == "limited":
            html = pages.layout(self.config, title="证书核验", content="")
            return HTMLResponse(html, 429, headers={"retry-after": str(value)})
        if outcome == "missing":
            return HTMLResponse(pages.not_found_page(self.config), 404)
        html = pages.certificate_page(self.config, record=value, token=request.path_params["token"])
        return HTMLResponse(html)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return problem(404, "Not Found", detail=MSG_NOT_FOUND)
        return HTMLResponse(pages.not_found_page(self.config), 404)

    async def method_not_allowed(self, request: Request, exc: Exception) -> Response:
        allowed = getattr(exc, "headers", None) or {}  # Starlette's 405 carries the Allow header
        detail = MSG_METHOD_NOT_ALLOWED.format(method=request.method, allowed=allowed.get("Allow", ""))
        return problem(405, "Method Not Allowed", detail=detail, headers=allowed)


def _limited_data(seconds: int) -> dict[str, object]:
    detail = MSG_RATE_LIMITED.format(seconds=seconds)
    return problem_data(429, "Too Many Requests", detail=detail, retry_after=seconds)


def _limited(seconds: int) -> Response:
    return json_response(
        _limited_data(seconds), status=429, media_type=PROBLEM, headers={"retry-after": str(seconds)}
    )


class SecurityHeaders:
    """Adds the security headers to every response, and sends plain HTTP to HTTPS when configured."""

    def __init__(self, app: ASGIApp, *, config: VerificationConfig) -> None:
        self.app = app
        self.headers = security_headers(config)
        self.https_redirect = config.https_redirect
        self.names = frozenset(name for name, _ in self.headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.https_redirect and scope.get("scheme") == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            response = Response(status_code=301, headers={"location": f"https://{host}{scope['path']}"})
            await self._with_headers(response)(scope, receive, send)
            return
        names = self.names

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + self.headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _with_headers(self, response: Response) -> Response:
        for name, value in self.headers:
            response.headers[name.decode()] = value.decode()
        return response


def store_for(config: VerificationConfig) -> Store:
    """The store the configuration names: SQLite (read-only) or PostgreSQL."""
    if config.sqlite_path is not None:
        return SqliteStore(database=config.sqlite_path)
    assert config.postgres_url is not None
    return PostgresStore(conninfo=config.postgres_url, pool_size=config.pool_size)


def counters_for(config: VerificationConfig, store: Store) -> Counters:
    """The machine's shared-memory counters, or the PostgreSQL store's table when configured so; either
    with this worker's own as a conservative fallback."""
    return FailSafeCounters(_shared_counters(config, store), weight=config.counter_fallback_weight)


def _shared_counters(config: VerificationConfig, store: Store) -> Counters:
    if config.counters == "database":
        assert isinstance(store, PostgresStore)
        return store
    assert config.counters_path is not None
    return MemoryCounters(
        path=config.counters_path, segments=config.counter_segments, slots=config.counter_slots
    )


def create_app(
    config: VerificationConfig, *, store: Store | None = None, clock: Callable[[], float] = time.time
) -> ASGIApp:
    """The public verification ASGI application (``clock`` is for tests that must not cross a window)."""
    handlers = Verification(config, store or store_for(config), clock)
    routes: list[tuple[str, Callable, list[str]]] = [
        (QUERY_API, AsgiEndpoint(handlers.api_query), ["GET", "POST"]),
        ("/query", handlers.query_page, ["GET", "POST"]),
        ("/api/v1/public/verify/{token}", handlers.verify_json, ["GET"]),
        ("/v/{token}", handlers.verify_page, ["GET"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Connections open lazily on the first request (the server may run without lifespan events).
        yield
        await handlers.store.close()
        if handlers.events is not None:
            handlers.events.close()
        await handlers.counters.close()

    app = Starlette(
        routes=[Route(path, endpoint, methods=methods) for path, endpoint, methods in routes],
        exception_handlers={
            404: handlers.not_found,
            405: handlers.method_not_allowed,
        },
        lifespan=lifespan,
    )
    app.state.verification = handlers
    routed = SecurityHeaders(app, config=config)
    return _direct(QUERY_API, handlers.api_query, routed, https_only=config.https_redirect)


class AsgiEndpoint:
    """An ASGI callable as a route's endpoint: Starlette takes functions and methods for request
    handlers, anything else for an ASGI application."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def _direct(path: str, endpoint: ASGIApp, app: ASGIApp, *, https_only: bool) -> ASGIApp:
    """Send ``POST path``, most of the traffic, straight to its endpoint (which adds the security headers
    itself), past the router and the middleware; everything else goes to ``app``, and so does plain HTTP
    when it must be redirected to HTTPS."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == path
            and scope["method"] == "POST"
            and not (https_only and scope.get("scheme") == "http")
        ):
            await endpoint(scope, receive, send)
        else:
            await app(scope, receive, send)

    return application
