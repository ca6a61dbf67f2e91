"""Unified social credit codes (统一社会信用代码), GB 32100-2015."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from skillcert.core.identifiers._common import character_error, normalise

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S or V
_VALUES = {character: value for value, character in enumerate(CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i-1) mod 31

LABEL = _("统一社会信用代码")
MSG_EMPTY = _("请输入统一社会信用代码。")
MSG_LENGTH = _("统一社会信用代码应为 18 位，实际为 %(length)d 位。")
ALLOWED = _("只能是数字和除 I、O、Z、S、V 以外的大写字母")
MSG_CHECKSUM = _("统一社会信用代码校验码错误：第 18 位应为“%(expected)s”，实际为“%(actual)s”。")


@dataclass(frozen=True, slots=True)
class CreditCode:
    code: str
    registration_authority: str  # position 1: 登记管理部门代码 (9 = 市场监管, 5 = 民政, ...)
    organisation_category: str  # position 2: 机构类别代码
    region_code: str  # positions 3–8: GB/T 2260 code of the registration authority
    organisation_code: str  # positions 9–17: 主体标识码 (the former 组织机构代码)


def credit_code_check_character(first17: str) -> str:
    """The MOD 31 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(character not in _VALUES for character in first17):
        raise ValueError("first17 must be 17 characters of the credit-code charset")
    remainder = sum(_VALUES[character] * w for character, w in zip(first17, _WEIGHTS, strict=True)) % 31
    return CHARSET[(31 - remainder) % 31]


def parse_credit_code(text: str, *, verify_checksum: bool = True) -> CreditCode:
    """Validate and normalise (upper-case) a unified social credit code.

    Some codes in circulation are reported to fail the check; a caller that lets staff override the
    check catches code ``credit_code_checksum`` and parses again with ``verify_checksum=False``.
    """
    typed = str(text).strip()
    value = normalise(text)
    if not value:
        raise ValidationError(MSG_EMPTY, code="credit_code_empty")
    for index, character in enumerate(value):
        if character not in _VALUES:
            raise character_error(
                label=LABEL, typed=typed, index=index, allowed=ALLOWED, code="credit_code_character"
            )
    if len(value) != 18:
        raise ValidationError(MSG_LENGTH, code="credit_code_length", params={"length": len(value)})
    expected = credit_code_check_character(value[:17])
    if verify_checksum and value[17] != expected:
        raise ValidationError(
            MSG_CHECKSUM, code="credit_code_checksum", params={"expected": expected, "actual": value[17]}
        )
    return CreditCode(
        code=value,
        registration_authority=value[0],
        organisation_category=value[1],
        region_code=value[2:8],
        organisation_code=value[8:17],
    )
