"""Resident identity card numbers (公民身份号码), GB 11643-1999, and the 15-digit GB 11643-1989 form."""

from collections.abc import Container
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from skillcert.core.identifiers._common import PROVINCE_CODES, character_error, current_date, normalise

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
_CHECK_CHARACTERS = "10X98765432"  # ISO 7064 MOD 11-2, indexed by the weighted sum mod 11

# GB 11643-1999's own second example (440524188001010014) was born in 1880, so 1900 is too late a floor.
# Numbers were first issued in 1984; nobody alive then was born before 1860.
EARLIEST_BIRTH_DATE = date(1860, 1, 1)

LABEL = _("身份证号码")
MSG_EMPTY = _("请输入身份证号码。")
MSG_LENGTH = _("身份证号码应为 18 位（旧版为 15 位），实际为 %(length)d 位。")
ALLOWED_18 = _("只能是数字，最后一位可以是 X")
ALLOWED_15 = _("15 位旧版号码只能是数字")
MSG_PROVINCE = _("身份证号码前两位“%(code)s”不是有效的省级行政区划代码。")
MSG_BIRTH_DATE = _("身份证号码中的出生日期“%(value)s”不是有效日期。")
MSG_BIRTH_DATE_FUTURE = _("身份证号码中的出生日期 %(value)s 晚于今天。")
MSG_BIRTH_DATE_TOO_EARLY = _("身份证号码中的出生日期 %(value)s 早于 %(earliest)s。")
MSG_CHECKSUM = _("身份证号码校验码错误：第 18 位应为“%(expected)s”，实际为“%(actual)s”。")
MSG_ADDRESS_CODE = _("身份证号码前六位“%(code)s”不是任何时期的行政区划代码。")


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str  # always 18 characters, upper-case X
    birth_date: date
    sex: str  # "M" or "F"
    address_code: str

    @property
    def province_code(self) -> str:
        return self.address_code[:2]


class _AnyAddressCode:
    """A container holding every code: pass it as ``address_codes`` to skip the region-table check."""

    def __contains__(self, code: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY_ADDRESS_CODE"


ANY_ADDRESS_CODE: Container[str] = _AnyAddressCode()


def resident_id_check_character(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits of an 18-digit number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be 17 ASCII digits")
    return _CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_resident_id(
    text: str,
    *,
    address_codes: Container[str] | None = None,
    today: date | None = None,
) -> ResidentId:
    """Validate and normalise a resident ID number; 15-digit numbers come back as 18 digits.

    ``address_codes`` holds the 6-digit codes to accept; None asks ``known_address_codes()``, which
    checks only when the full GB/T 2260 history is imported. ``today`` defaults to today in Shanghai.
    """
    typed = str(text).strip()
    value = normalise(text)
    if not value:
        raise ValidationError(MSG_EMPTY, code="resident_id_empty")
    for index, character in enumerate(value):
        if not (character.isascii() and (character.isdigit() or character == "X")):
            raise character_error(
                label=LABEL, typed=typed, index=index, allowed=ALLOWED_18, code="resident_id_character"
            )
    if len(value) not in (15, 18):
        raise ValidationError(MSG_LENGTH, code="resident_id_length", params={"length": len(value)})
    allowed = ALLOWED_18 if len(value) == 18 else ALLOWED_15
    last_allowed = 17 if len(value) == 18 else -1
    for index, character in enumerate(value):
        if character == "X" and index != last_allowed:
            raise character_error(
                label=LABEL, typed=typed, index=index, allowed=allowed, code="resident_id_character"
            )

    # GB 11643-1989 numbers: 6 address + YYMMDD (all 19YY) + 3 sequence, no check character.
    first17 = value[:6] + "19" + value[6:] if len(value) == 15 else value[:17]

    if first17[:2] not in PROVINCE_CODES:
        raise ValidationError(MSG_PROVINCE, code="resident_id_province", params={"code": first17[:2]})
    birth_date = _birth_date(first17[6:14], today=today)
    expected = resident_id_check_character(first17)
    if len(value) == 18 and value[17] != expected:
        raise ValidationError(
            MSG_CHECKSUM, code="resident_id_checksum", params={"expected": expected, "actual": value[17]}
        )
    address_code = first17[:6]
    if address_codes is None:
        address_codes = known_address_codes()
    if address_codes is not None and address_code not in address_codes:
        raise ValidationError(
            MSG_ADDRESS_CODE, code="resident_id_address_code", params={"code": address_code}
        )
    return ResidentId(
        number=first17 + expected,
        birth_date=birth_date,
        sex="M" if int(first17[16]) % 2 else "F",
        address_code=address_code,
    )


def _birth_date(digits: str, *, today: date | None) -> date:
    shown = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    try:
        birth_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValidationError(
            MSG_BIRTH_DATE, code="resident_id_birth_date", params={"value": shown}
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            MSG_BIRTH_DATE_TOO_EARLY,
            code="resident_id_birth_date_too_early",
            params={"value": shown, "earliest": EARLIEST_BIRTH_DATE.isoformat()},
        )
    if birth_date > (today or current_date()):
        raise ValidationError(
            MSG_BIRTH_DATE_FUTURE, code="resident_id_birth_date_future", params={"value": shown}
        )
    return birth_date


# --- the region-table hook ----------------------------------------------------------------------------

_NOT_LOADED = object()
_address_code_cache: object = _NOT_LOADED


def known_address_codes() -> frozenset[str] | None:
    """Every GB/T 2260 code ever used, when the full history is imported; otherwise None (no check).

    The answer is cached per process; importers of the region table call ``clear_address_code_cache()``.
    """
    global _address_code_cache
    # Imported here: the public verification app imports this module without the ORM.
    from django.apps import apps

    if not apps.ready:
        return None
    if _address_code_cache is _NOT_LOADED:
        from skillcert.reference.models import Region

        # Only the imported GB/T 2260 history has retired codes; the built-in starter set has none,
        # and checking against it would reject every ID number issued outside it.
        if Region.objects.filter(in_use=False).exists():
            _address_code_cache = frozenset(Region.objects.values_list("code", flat=True))
        else:
            _address_code_cache = None
    return _address_code_cache  # type: ignore[return-value]


def clear_address_code_cache() -> None:
    """Forget the cached address codes (after the region table changes)."""
    global _address_code_cache
    _address_code_cache = _NOT_LOADED
