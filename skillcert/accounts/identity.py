"""A candidate's identity document: one normalisation, one blind index, one mask.

Normalisation (the blind index is only as good as this being the same everywhere):
- resident ID (居民身份证): ``parse_resident_id`` — full-width digits and spaces normalised, lower-case x
  upper-cased, 15-digit numbers converted to 18; check character, birth date and province verified;
- every other type (passports, permits, residence cards): Unicode NFKC (full-width to half-width),
  surrounding white space dropped, letters upper-cased; then 6–20 ASCII letters or digits, nothing else.

The blind index is ``blind_index(f"{id_type}:{number}", purpose="candidate_id")``, so the same digits under
two ID types are two different people.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from skillcert.accounts.models import Candidate
from skillcert.core.identifiers import parse_resident_id
from skillcert.core.personal_data import blind_index

_OTHER_ID_PATTERN = re.compile(r"[A-Z0-9]{6,20}")


@dataclass(frozen=True, slots=True)
class IdNumber:
    number: str
    birth_date: date | None = None
    sex: str = ""


def normalise_id_number(*, id_type: str, id_number: str) -> IdNumber:
    """Validate and normalise an ID number of ``id_type``; raises ValidationError with a Chinese message."""
    if id_type not in Candidate.IdType.values:
        raise ValidationError(_("证件类型无效。"), code="id_type_invalid")
    if id_type == Candidate.IdType.RESIDENT_ID:
        parsed = parse_resident_id(id_number)
        return IdNumber(number=parsed.number, birth_date=parsed.birth_date, sex=parsed.sex)
    number = unicodedata.normalize("NFKC", id_number).strip().upper()
    if not number:
        raise ValidationError(_("请填写证件号码。"), code="id_number_empty")
    if not _OTHER_ID_PATTERN.fullmatch(number):
        raise ValidationError(
            _("证件号码应为 6–20 位英文字母或数字，不含空格和其他符号（当前为 %(length)d 位）。"),
            code="id_number_format",
            params={"length": len(number)},
        )
    return IdNumber(number=number)


def id_number_blind_index(*, id_type: str, number: str) -> str:
    """The lookup key of a normalised ID number of ``id_type``."""
    return blind_index(f"{id_type}:{number}", purpose="candidate_id")
