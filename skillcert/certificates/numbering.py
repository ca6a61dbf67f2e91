"""Certificate numbering strategies (证书编号). Some provinces let bodies count serials, others assign
numbers centrally, so the strategy is pluggable: ``settings.SKILLCERT_CERTIFICATE_NUMBERING`` names the
class, and every strategy answers ``reserve(...)`` with the numbers, in order, for ``count`` certificates.

A strategy runs inside the issuing transaction: whatever it reserves is rolled back with the issuance.
"""

from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from skillcert.certificates.locks import CounterKey, serial_counters_lock
from skillcert.core.errors import ApplicationError
from skillcert.core.identifiers import format_certificate_number

LAST_SERIAL = 999_999  # 证书序列码 is six digits

# %(site)s, %(year)d, %(level)d, %(used)d, %(count)d, %(left)d
MSG_SERIALS_EXHAUSTED = _(
    "站点 %(site)s %(year)d 年 %(level)d 级的证书序列码已用至 %(used)06d，"
    "本次需要 %(count)d 个，只剩 %(left)d 个（最大 999999）：无法发放，请联系省级人社部门。"
)


class CertificateNumbering(Protocol):
    """Hands out certificate numbers inside the issuing transaction; must be safe under concurrency."""

    def reserve(
        self,
        *,
        body_type: str,
        body_code: str,
        province_code: str,
        site_code: str,
        year: int,
        level_digit: int,
        count: int,
    ) -> list[str]:
        """``count`` unused 22-character numbers for this site, year and level, in issuing order."""
        ...


class LocalSerialNumbering:
    """The body counts its own serials: one SerialCounter row per site, year and level, locked FOR UPDATE.

    A block of ``count`` serials is taken with one counter update, so bulk issuance costs one lock and one
    write however many certificates it numbers. The counter changes in the issuing transaction: a rollback
    gives the block back (no gaps), and a second issuer waits on the row lock (no repeats).
    """

    def reserve(
        self,
        *,
        body_type: str,
        body_code: str,
        province_code: str,
        site_code: str,
        year: int,
        level_digit: int,
        count: int,
    ) -> list[str]:
        if count <= 0:
            return []
        key = CounterKey(site_code=site_code, year=year, level_digit=level_digit)
        counter = serial_counters_lock(keys=[key])[key]
        first = counter.last_serial + 1
        last = counter.last_serial + count
        if last > LAST_SERIAL:
            raise ApplicationError(
                str(MSG_SERIALS_EXHAUSTED)
                % {
                    "site": site_code,
                    "year": year,
                    "level": level_digit,
                    "used": counter.last_serial,
                    "count": count,
                    "left": LAST_SERIAL - counter.last_serial,
                },
                extra={"status": 409},
            )
        counter.last_serial = last
        counter.save(update_fields=["last_serial"])
        # Validate the fixed segments once; the serial segment is then only zero-padded for each number.
        prefix = format_certificate_number(
            body_type=body_type,
            body_code=body_code,
            province_code=province_code,
            site_code=site_code,
            year=year,
            level=level_digit,
            serial=first,
        )[:16]
        return [f"{prefix}{serial:06d}" for serial in range(first, last + 1)]


def certificate_numbering() -> CertificateNumbering:
    """The numbering strategy named by ``settings.SKILLCERT_CERTIFICATE_NUMBERING``."""
    return _numbering_class(settings.SKILLCERT_CERTIFICATE_NUMBERING)()


@cache
def _numbering_class(dotted_path: str) -> type:
    return import_string(dotted_path)
