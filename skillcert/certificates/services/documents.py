"""Downloading certificate PDFs: one, or a whole plan's as a ZIP. Every download is audited.

The PDF carries the holder's full ID number, so it goes only to the holder and to the issuing body's
admin and exam staff (who print and hand out certificates); the selectors find the certificate or plan in
that scope and the service checks again.
"""

import tempfile
from typing import IO

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.certificates.models import Certificate
from skillcert.certificates.pdf import certificate_pdf, certificates_zip_write
from skillcert.certificates.permissions import user_is_printer
from skillcert.core.audit import audit_record
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import EvaluationPlan

# A plan's ZIP is built in a temporary file that moves to disk past this size: thousands of certificates
# must not sit in memory.
ZIP_SPOOL_BYTES = 8 * 1024 * 1024

MSG_MAY_NOT_PRINT = _("证书 PDF 只提供给持证人本人和发证评价机构的管理员、考务人员。")


def _downloader(*, certificate: Certificate, actor: User) -> str:
    if certificate.candidate.user_id is not None and certificate.candidate.user_id == actor.pk:
        return "holder"
    if user_is_printer(user=actor, body_id=certificate.tenant_id):
        return "body"
    raise PermissionDenied(str(MSG_MAY_NOT_PRINT))


def certificate_pdf_download(
    *, certificate: Certificate, actor: User, context: RequestContext = NO_REQUEST
) -> bytes:
    """The certificate's PDF for the holder or the issuing body's staff; the download is audited."""
    downloader = _downloader(certificate=certificate, actor=actor)
    pdf = certificate_pdf(certificate=certificate)
    audit_record(
        actor=actor,
        action="certificate.pdf_downloaded",
        target=certificate,
        data={"number": certificate.number, "status": certificate.status, "downloaded_by": downloader},
        context=context,
    )
    return pdf


def plan_certificates_zip_download(
    *, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST
) -> tuple[IO[bytes], int]:
    """A ZIP of every certificate PDF of a plan (revoked ones carry their mark) in a temporary file.

    Returns the file, positioned at its start, and the number of certificates. The caller closes it.
    Rendering runs outside any transaction (on SQLite one would hold the write lock for the whole
    archive); only the audit event is written in one.
    """
    if not user_is_printer(user=actor, body_id=plan.tenant_id):
        raise PermissionDenied(str(MSG_MAY_NOT_PRINT))
    certificates = (
        Certificate.objects.filter(application__plan=plan)
        .select_related("candidate", "level", "replaced_by")
        .order_by("number")
    )
    out = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    try:
        count = certificates_zip_write(certificates=certificates.iterator(chunk_size=500), out=out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    audit_record(
        actor=actor,
        action="plan.certificates_pdf_downloaded",
        target=plan,
        data={"plan": plan.number, "count": count},
        context=context,
    )
    return out, count
