"""Public issuer documents and status lists; the holder's download; the credential behind a QR token."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from skillcert.accounts.permissions import login_required_view, public_view
from skillcert.credentials import selectors
from skillcert.credentials.services import credential_for_certificate

CREDENTIAL_CONTENT_TYPE = "application/vc+ld+json"  # OB 3.0 §"Web resource"
CONTROLLER_CONTENT_TYPE = "application/ld+json"
PUBLIC_MAX_AGE = 300  # seconds; a re-signed status list reaches verifiers within this


def _json(document: dict, *, content_type: str) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return HttpResponse(body.encode(), content_type=f"{content_type}; charset=utf-8")


def _public(response: HttpResponse) -> HttpResponse:
    # Public, non-personal documents: any verifier (also a web page elsewhere) may read and cache them.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


def _personal(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public_view
@require_GET
def issuer_document_view(request: HttpRequest, credit_code: str) -> HttpResponse:
    # Read only: keys are made at filing approval (or by `skillcert credentials_backfill`), never by a GET.
    # A filed body without a key yet answers with no verification methods, as the local trust store does.
    body = selectors.issuer_body_get(credit_code=credit_code)
    if body is None:
        raise Http404
    document = selectors.controller_document_get(body=body)
    return _public(_json(document, content_type=CONTROLLER_CONTENT_TYPE))


@public_view
@require_GET
def status_list_view(request: HttpRequest, credit_code: str, sequence: int) -> HttpResponse:
    status_list = selectors.status_list_get(credit_code=credit_code, sequence=sequence)
    if status_list is None:
        raise Http404
    return _public(_json(status_list.credential, content_type=CREDENTIAL_CONTENT_TYPE))


@login_required_view
@require_GET
def credential_download_view(request: HttpRequest, number: str) -> HttpResponse:
    certificate = selectors.certificate_for_holder(user=request.user, number=number)  # type: ignore[arg-type]
    if certificate is None:
        raise Http404
    response = _json(
        credential_for_certificate(certificate=certificate), content_type=CREDENTIAL_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.credential.json"'
    return _personal(response)


@public_view
@require_GET
def credential_by_token_view(request: HttpRequest, token: str) -> HttpResponse:
    certificate = selectors.certificate_by_token(token=token)
    if certificate is None:
        raise Http404
    return _personal(
        _json(credential_for_certificate(certificate=certificate), content_type=CREDENTIAL_CONTENT_TYPE)
    )


urlpatterns = [
    # The issuer id of a body's credentials: no trailing slash, the address must dereference as written.
    path("issuers/<str:credit_code>", issuer_document_view, name="issuer"),
    path("issuers/<str:credit_code>/status/<int:sequence>", status_list_view, name="status_list"),
    path("credentials/mine/<str:number>.json", credential_download_view, name="download"),
    path("credentials/v/<str:token>/credential.json", credential_by_token_view, name="by_token"),
]
