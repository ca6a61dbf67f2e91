"""Downloading certificate PDFs: one, or a whole plan's as a ZIP. Every download is audited.

The PDF carries the holder's full ID number, so it goes only to the holder and to the issuing body's
admin and exam staff (who print and hand out certificates); the selectors find the certificate or plan in
that scope and the service checks again.
"""

import tempfile
from collections.abc import Callable, Iterator
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
# Certificates are read this many at a time, each batch in full before its PDFs are rendered: no cursor
# stays open while a job commits its progress on the same connection (on SQLite that would keep the
# progress uncommitted until the cursor closed).
ZIP_BATCH = 500
PHASE_RENDER = _("生成证书 PDF")  # the job's phase while the ZIP is written (shown as 正在生成证书 PDF)

# progress(phase, done, total), as the jobs mechanism's JobProgress takes it.
Progress = Callable[[str, int, int], None]

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


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def _plan_certificates(*, pks: list[int], progress: Progress) -> Iterator[Certificate]:
    total, phase = len(pks), str(PHASE_RENDER)
    progress(phase, 0, total)
    done = 0
    for start in range(0, total, ZIP_BATCH):
        batch = list(
            Certificate.objects.filter(pk__in=pks[start : start + ZIP_BATCH])
            .select_related("candidate", "level", "replaced_by")
            .order_by("number")
        )
        for certificate in batch:
            yield certificate  # the ZIP asks for the next one once this one's PDF is written
            done += 1
            progress(phase, done, total)


def plan_certificates_zip_write(
    *, plan: EvaluationPlan, out: IO[bytes], progress: Progress = _no_progress
) -> int:
    """Write the ZIP of every certificate PDF of ``plan`` on ``out``, in certificate number order.

    Reports ``progress`` after each PDF. Returns the number of certificates. Runs outside any transaction
    (on SQLite one would hold the write lock for the whole archive).
    """
    pks = list(
        Certificate.objects.filter(application__plan=plan).order_by("number").values_list("pk", flat=True)
    )
    return certificates_zip_write(certificates=_plan_certificates(pks=pks, progress=progress), out=out)


def plan_certificates_zip_download(
    *, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST
) -> tuple[IO[bytes], int]:
    """A ZIP of every certificate PDF of a plan (revoked ones carry their mark) in a temporary file.

    Returns the file, positioned at its start, and the number of certificates. The caller closes it.
    Made within the call: for callers that can wait (a script, a small plan). The portal makes it as a
    background job (``plan_zip_job.py``), which writes the same bytes.
    """
    if not user_is_printer(user=actor, body_id=plan.tenant_id):
        raise PermissionDenied(str(MSG_MAY_NOT_PRINT))
    out = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    try:
        count = plan_certificates_zip_write(plan=plan, out=out)
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
