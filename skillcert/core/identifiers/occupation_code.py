"""Occupation codes of the national occupation catalogue (国家职业分类大典 2022): ``D-DD-DD-DD``."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from skillcert.core.identifiers._common import normalise

_PATTERN = re.compile(r"\d-\d\d-\d\d-\d\d", flags=re.ASCII)

MSG_EMPTY = _("请输入职业编码。")
MSG_FORMAT = _("职业编码“%(value)s”格式错误：应为“大类-中类-小类-细类”，如 6-31-01-03。")
MSG_MAJOR = _("职业编码的大类“%(value)s”无效：应为 1 至 8。")


@dataclass(frozen=True, slots=True)
class OccupationCode:
    code: str  # "6-31-01-03"; a detail of "00" marks a small group with no further split
    major_code: str  # "6"
    middle_code: str  # "6-31"
    small_code: str  # "6-31-01"


def parse_occupation_code(text: str) -> OccupationCode:
    """Validate an occupation code ``D-DD-DD-DD`` (full-width digits and hyphens are normalised)."""
    value = normalise(text)
    if not value:
        raise ValidationError(MSG_EMPTY, code="occupation_code_empty")
    if not _PATTERN.fullmatch(value):
        raise ValidationError(MSG_FORMAT, code="occupation_code_format", params={"value": str(text).strip()})
    if not "1" <= value[0] <= "8":
        raise ValidationError(MSG_MAJOR, code="occupation_code_major", params={"value": value[0]})
    return OccupationCode(code=value, major_code=value[0], middle_code=value[:4], small_code=value[:7])
