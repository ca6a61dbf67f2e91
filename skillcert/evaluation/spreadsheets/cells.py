"""Reading one cell of an uploaded sheet: text, numbers, dates, choices, and Excel's number damage.

Each parser takes the plain value the reader returned (str, float, int, bool, date, datetime or None)
and returns the value or raises ``CellError`` with a Chinese message that says how to fix the cell.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# What Excel shows for a long number in a "General" cell, or what a number pasted as text looks like.
SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
FLOAT_TEXT = re.compile(r"^\d+\.\d+$")
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
LIST_SEPARATORS = re.compile(r"[;；,，、\s]+")
MAX_WORK_YEARS = Decimal(60)


class CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """The cell as text, full-width characters normalised once (NFKC), surrounding spaces removed."""
    if is_empty(value):
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def number_damage_message(header: str) -> str:
    return _(
        "%(header)s被 Excel 存成了数字（如显示为 1.10105E+17），超过 15 位的数字已经丢失、无法还原。"
        "请把“%(header)s”列的单元格格式设为“文本”后重新输入号码，"
        "或在号码前加英文单引号 '（如 '310115199001011234）。"
    ) % {"header": header}


def identifier_text(value: Any, *, header: str) -> str:
    """An identifier typed as text; a number cell or number-looking text is refused (digits are lost)."""
    if isinstance(value, bool):
        raise CellError(_("%(header)s应为文本。") % {"header": header})
    if isinstance(value, int | float):
        raise CellError(number_damage_message(header))
    text = cell_text(value)
    if SCIENTIFIC.match(text) or FLOAT_TEXT.match(text):
        raise CellError(number_damage_message(header))
    return text


def mobile_text(value: Any) -> str:
    """A mobile number may arrive as a number cell: 11 digits fit Excel's precision, so accept it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return cell_text(value)


def _real_date(year: int, month: int, day: int, typed: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("日期“%(value)s”不存在，请检查年、月、日。") % {"value": typed}) from None


def parse_date(value: Any, *, today: date) -> date | None:
    """A date cell, or text such as 2020-06-30, 2020/6/30, 2020.6.30, 2020年6月30日, 20200630."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(_("应填写日期（如 2020-06-30），不是数字；请把单元格设为日期或文本格式后重新输入。"))
    else:
        text = cell_text(value)
        match = DATE_TEXT.match(text) or COMPACT_DATE.match(text)
        if match is None:
            raise CellError(_("日期“%(value)s”无法识别，请按 2020-06-30 的格式填写。") % {"value": text})
        parsed = _real_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), text)
    if parsed > today:
        raise CellError(_("日期 %(value)s 晚于今天。") % {"value": parsed.isoformat()})
    if parsed.year < 1950:
        raise CellError(_("日期 %(value)s 过早，请检查年份。") % {"value": parsed.isoformat()})
    return parsed


def parse_work_years(value: Any) -> Decimal:
    """Years of work: 0 to 60, at most one decimal place; empty means 0."""
    if is_empty(value):
        return Decimal(0)
    if isinstance(value, bool):
        raise CellError(_("工作年限应为数字，如 5 或 2.5。"))
    text = repr(value) if isinstance(value, float) else cell_text(value)
    text = text.removesuffix("年")
    try:
        years = Decimal(text)
    except InvalidOperation:
        raise CellError(_("工作年限“%(value)s”不是数字，请填写如 5 或 2.5。") % {"value": text}) from None
    if not years.is_finite() or years < 0 or years > MAX_WORK_YEARS:
        raise CellError(_("工作年限应在 0 到 %(max)s 年之间。") % {"max": MAX_WORK_YEARS})
    if years != years.quantize(Decimal("0.1")):
        raise CellError(_("工作年限最多保留一位小数，如 2.5。"))
    return years.quantize(Decimal("0.1"))


def parse_choice(
    value: Any, *, choices: dict[str, Any], synonyms: dict[str, Any] | None = None, default: Any, header: str
) -> Any:
    """A drop-down value: its label (or stored value, or a common synonym); empty gives ``default``."""
    text = cell_text(value)
    if not text:
        return default
    compact = re.sub(r"\s+", "", text)
    for table in (choices, synonyms or {}):
        for label, stored in table.items():
            if compact in (re.sub(r"\s+", "", label), str(stored)):
                return stored
    raise CellError(
        _("%(header)s“%(value)s”无效，应为：%(allowed)s。")
        % {"header": header, "value": text, "allowed": "、".join(choices)}
    )


def split_list(value: Any) -> list[str]:
    """Several values in one cell, separated by semicolons, commas, 、 or spaces."""
    text = cell_text(value)
    return [part for part in LIST_SEPARATORS.split(text) if part] if text else []


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(character).startswith("C") for character in text)
