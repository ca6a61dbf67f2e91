"""Walk the URL configuration: every portal view and its declared access."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_NAMESPACE = "api-v1"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str
    callback: object

    @property
    def access(self):
        return getattr(self.callback, "access", None)


def _walk(patterns, prefix: str, namespaces: tuple[str, ...]) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name or "<unnamed>"))
            yield Route(name=name, route=prefix + str(pattern.pattern), callback=pattern.callback)


def portal_routes() -> list[Route]:
    """Every route except the ninja API (its operations are checked through the OpenAPI document)."""
    return [
        r for r in _walk(get_resolver().url_patterns, "", ()) if not r.name.startswith(API_NAMESPACE + ":")
    ]
