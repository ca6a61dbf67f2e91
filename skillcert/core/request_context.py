"""Who is acting, from where: passed explicitly from the edge into services that audit."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    ip_address: str = ""
    request_id: str = ""


NO_REQUEST = RequestContext()
