"""Reads of the credentials app: public issuer documents and status lists, the local trust store."""

import re

from django.conf import settings

from skillcert.accounts.models import User
from skillcert.certificates.models import Certificate
from skillcert.certificates.selectors import certificate_list_for_candidate, certificate_list_visible
from skillcert.credentials import documents
from skillcert.credentials.models import IssuerKey, StatusList
from skillcert.registry.models import Body


def issuer_body_get(*, credit_code: str) -> Body | None:
    """A body that is (or was) an issuer: filed once, or holding keys. Unfiled applicants are not issuers."""
    body = Body.objects.filter(credit_code=credit_code).first()
    if body is None:
        return None
    if body.filed_at is None and not IssuerKey.objects.filter(tenant=body).exists():
        return None
    return body


def issuer_keys(*, body: Body) -> list[IssuerKey]:
    """Every key the body ever had, oldest first (retired ones included: old credentials use them)."""
    return list(IssuerKey.objects.filter(tenant=body).order_by("created_at", "pk"))


def controller_document_get(*, body: Body) -> dict:
    """The body's controller document as published at its issuer id."""
    return documents.controller_document(body=body, keys=issuer_keys(body=body))


def status_list_get(*, credit_code: str, sequence: int) -> StatusList | None:
    """A published (signed) revocation list of a body."""
    return (
        StatusList.objects.filter(
            tenant__credit_code=credit_code, sequence=sequence, purpose=StatusList.Purpose.REVOCATION
        )
        .exclude(signed_at__isnull=True)
        .select_related("tenant")
        .first()
    )


# A certificate has a credential once it has its status entry (given at issuance, or by the backfill for
# certificates issued before credentials existed); downloads find only those, so a GET never allocates.
def certificate_for_holder(*, user: User, number: str) -> Certificate | None:
    """One of the signed-in holder's own certificates with a credential, by number."""
    return (
        certificate_list_for_candidate(user=user)
        .filter(number=number, credential_entry__isnull=False)
        .first()
    )


def certificate_by_token(*, token: str) -> Certificate | None:
    """The certificate with a credential behind a QR token (unguessable; the number is not accepted here)."""
    if not token:
        return None
    return Certificate.objects.filter(qr_token=token, credential_entry__isnull=False).first()


def certificate_visible_with_credential(*, user: User, number: str) -> Certificate | None:
    """A certificate with a credential that the user may see (holder, body or district staff), by number."""
    return certificate_list_visible(user=user).filter(number=number, credential_entry__isnull=False).first()


_ISSUER_PATH = re.compile(r"/issuers/(?P<credit_code>[0-9A-Z]{18})")
_STATUS_LIST_PATH = re.compile(r"/issuers/(?P<credit_code>[0-9A-Z]{18})/status/(?P<sequence>[1-9][0-9]{0,8})")


def _local_path(url: str) -> str | None:
    """The path of one of our own addresses, or None for anything else (which is never fetched)."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return url[len(base) :] if url.startswith(base + "/") else None


class DatabaseTrust:
    """The local database as a trust store: our own bodies' keys and status lists, looked up by address."""

    def controller(self, issuer: str) -> dict | None:
        match = _ISSUER_PATH.fullmatch(_local_path(issuer) or "")
        body = issuer_body_get(credit_code=match["credit_code"]) if match else None
        if body is None or documents.issuer_id(body=body) != issuer:
            return None
        return controller_document_get(body=body)

    def status_list(self, url: str) -> dict | None:
        match = _STATUS_LIST_PATH.fullmatch(_local_path(url) or "")
        if match is None:
            return None
        status_list = status_list_get(credit_code=match["credit_code"], sequence=int(match["sequence"]))
        if status_list is None or status_list.credential.get("id") != url:
            return None
        return status_list.credential


def trust_bundle_contents() -> tuple[list[dict], list[dict]]:
    """Every issuer's controller document and every signed status list, for a trust bundle."""
    bodies = Body.objects.filter(pk__in=IssuerKey.objects.values("tenant_id")).order_by("credit_code")
    controllers = [controller_document_get(body=body) for body in bodies]
    lists = [
        status_list.credential
        for status_list in StatusList.objects.exclude(signed_at__isnull=True).order_by(
            "tenant_id", "sequence"
        )
    ]
    return controllers, lists
