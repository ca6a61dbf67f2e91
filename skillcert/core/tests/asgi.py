"""Requests through Django's own ASGI handler, as ``skillcert serve`` runs it, for tests of what goes out."""

import asyncio

from django.core.handlers.asgi import ASGIHandler


def asgi_scope(
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    scheme: str = "http",
    client: str = "127.0.0.1",
) -> dict:
    """The HTTP scope an ASGI server gives an application for ``method path``."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()],
        "client": (client, 40000),
        "server": ("testserver", 443 if scheme == "https" else 80),
    }


def asgi_request(path: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> list[dict]:
    """``method path`` through ``ASGIHandler``; the ASGI messages it sent, in order."""
    scope = asgi_scope(path, method=method, headers=headers)
    sent: list[dict] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the answer is sent
        raise AssertionError("unreachable")

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(ASGIHandler()(scope, receive, send))
    return sent


def response_headers(sent: list[dict]) -> dict[str, str]:
    return {name.decode().lower(): value.decode() for name, value in sent[0]["headers"]}


def response_body(sent: list[dict]) -> bytes:
    return b"".join(message.get("body", b"") for message in sent[1:])
