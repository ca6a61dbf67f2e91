"""One ASGI application out of two: the public verification paths to Starlette, the rest to Django."""

from starlette.types import ASGIApp, Receive, Scope, Send


def is_verification_path(path: str) -> bool:
    """Whether the Starlette verification app answers ``path`` (the signed credential it links to,
    /credentials/v/<token>/credential.json, is the credentials app's, in Django)."""
    return path == "/query" or path.startswith(("/v/", "/api/v1/public/"))


def combine(*, django: ASGIApp, verification: ASGIApp) -> ASGIApp:
    """Route by path; lifespan events go to the verification app (Django has none to handle)."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" or (scope["type"] == "http" and is_verification_path(scope["path"])):
            await verification(scope, receive, send)
        else:
            await django(scope, receive, send)

    return application
