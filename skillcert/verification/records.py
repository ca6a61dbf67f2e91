"""Keeping the ``verification_record`` read model in step with certificates (the write side).

Called by the certificate services in their own transaction: issuance, revocation and reissue each pass
the certificates they changed, so the public query never disagrees with the register after a commit.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from skillcert.certificates.models import Certificate
from skillcert.verification.models import VerificationRecord
from skillcert.verification.normalise import holder_name_key

_CHUNK = 2000  # rows per query: well below SQLite's parameter limit with 15 columns an upsert row

_UPDATED_FIELDS = [
    "holder_name",
    "id_number_index",
    "occupation_name",
    "occupation_code",
    "job_type_name",
    "level_label",
    "body_name",
    "issue_date",
    "status",
    "revoked_on",
    "replaced_by_number",
    "qr_token",
    "province_code",
]

_COLUMNS = (
    "pk",
    "number",
    "holder_name",
    "candidate__id_number_index",
    "occupation_name",
    "occupation__code",
    "job_type_name",
    "level__label",
    "body_name",
    "issue_date",
    "status",
    "revoked_at",
    "replaced_by__number",
    "qr_token",
    "province_code",
)


def verification_records_upsert(*, certificates: Iterable[Certificate]) -> None:
    """Write or update the verification records of ``certificates``, in the caller's transaction."""
    ids = sorted({certificate.pk for certificate in certificates})
    with transaction.atomic():  # a savepoint inside the caller's transaction, or its own outside one
        for start in range(0, len(ids), _CHUNK):
            _upsert_chunk(ids[start : start + _CHUNK])


def verification_records_rebuild(*, chunk: int = _CHUNK) -> int:
    """Rewrite the record of every certificate and delete records of none; returns the certificates seen."""
    seen = 0
    last = 0
    while True:
        ids = list(
            Certificate.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            break
        with transaction.atomic():
            _upsert_chunk(ids)
        seen += len(ids)
        last = ids[-1]
    with transaction.atomic():
        # Records are keyed by number, not by a foreign key, so a stray one is found by its number.
        VerificationRecord.objects.exclude(number__in=Certificate.objects.values("number")).delete()
    return seen


def _upsert_chunk(ids: list[int]) -> None:
    # Read back from the database rather than the instances: it is what this transaction will commit,
    # and bulk_create's instances carry ids, not the related candidate, occupation or level.
    rows = Certificate.objects.filter(pk__in=ids).values_list(*_COLUMNS)
    records = [_record(row) for row in rows]
    VerificationRecord.objects.bulk_create(
        records, update_conflicts=True, unique_fields=["number"], update_fields=_UPDATED_FIELDS
    )


def _record(row: tuple) -> VerificationRecord:
    (
        _pk,
        number,
        holder_name,
        id_number_index,
        occupation_name,
        occupation_code,
        job_type_name,
        level_label,
        body_name,
        issue_date,
        status,
        revoked_at,
        replaced_by_number,
        qr_token,
        province_code,
    ) = row
    return VerificationRecord(
        number=number,
        holder_name=holder_name_key(holder_name),
        id_number_index=id_number_index,
        occupation_name=occupation_name,
        occupation_code=occupation_code,
        job_type_name=job_type_name,
        level_label=level_label,
        body_name=body_name,
        issue_date=issue_date,
        status=status,
        revoked_on=_local_date(revoked_at),
        replaced_by_number=replaced_by_number or "",
        qr_token=qr_token,
        province_code=province_code,
    )


def _local_date(moment: datetime | None) -> date | None:
    return None if moment is None else timezone.localtime(moment).date()
