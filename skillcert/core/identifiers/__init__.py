"""Parsers for the identifiers the platform reads: resident ID numbers, unified social credit codes,
certificate numbers and occupation codes.

Forms, the API and importers all call these. Each returns a frozen dataclass or raises Django's
``ValidationError`` with a Chinese message and a stable ``code``. Only ``django.core.exceptions`` and
``django.utils.translation`` are imported at module level, so the public verification app can use
them without the ORM.
"""

from skillcert.core.identifiers._common import PROVINCE_CODES
from skillcert.core.identifiers.certificate_number import (
    CertificateNumber,
    LegacyCertificateNumber,
    format_certificate_number,
    parse_certificate_number,
)
from skillcert.core.identifiers.credit_code import CreditCode, credit_code_check_character, parse_credit_code
from skillcert.core.identifiers.occupation_code import OccupationCode, parse_occupation_code
from skillcert.core.identifiers.resident_id import (
    ANY_ADDRESS_CODE,
    EARLIEST_BIRTH_DATE,
    ResidentId,
    clear_address_code_cache,
    known_address_codes,
    parse_resident_id,
    resident_id_check_character,
)

__all__ = [
    "ANY_ADDRESS_CODE",
    "EARLIEST_BIRTH_DATE",
    "PROVINCE_CODES",
    "CertificateNumber",
    "CreditCode",
    "LegacyCertificateNumber",
    "OccupationCode",
    "ResidentId",
    "clear_address_code_cache",
    "credit_code_check_character",
    "format_certificate_number",
    "known_address_codes",
    "parse_certificate_number",
    "parse_credit_code",
    "parse_occupation_code",
    "parse_resident_id",
    "resident_id_check_character",
]
