"""The Django side of the public verification URLs.

``/query`` and ``/v/<token>`` are answered by the Starlette app (app.py): skillcert/asgi.py routes those
paths there before Django sees them. They are still named here so that templates can ``{% url %}`` them and
the permission test knows them; these views run only when the portal is served without that router
(e.g. by a WSGI server), and then say so. The signed credential the QR page links to is the credentials
app's ``credentials:by_token``.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from skillcert.accounts.permissions import public_view


@public_view
def query(request: HttpRequest) -> HttpResponse:
    return render(request, "verification/unrouted.html")


@public_view
def certificate(request: HttpRequest, token: str) -> HttpResponse:
    return render(request, "verification/unrouted.html")
