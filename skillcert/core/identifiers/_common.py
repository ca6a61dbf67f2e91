"""Shared pieces of the identifier parsers: input normalisation, province codes, today's date."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 34 province-level divisions of GB/T 2260 (31 mainland provinces, Taiwan, Hong Kong, Macao).
# fmt: off
PROVINCE_CODES: frozenset[str] = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})
# fmt: on

# Full-width ASCII forms (U+FF01–U+FF5E, e.g. "３" or "Ｘ") as Chinese input methods type them, mapped to
# ASCII. Everything a rule does not allow is still rejected afterwards, by the character typed.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH_UPPER = {code: chr(ascii_code).upper() for code, ascii_code in _FULL_WIDTH.items()} | {
    code: code - 32 for code in range(ord("a"), ord("z") + 1)
}

MSG_CHARACTER = _("%(label)s第 %(position)d 位的字符“%(character)s”不合法：%(allowed)s。")


def normalise(text: str, *, upper: bool = True) -> str:
    """Strip surrounding whitespace, turn full-width forms into ASCII and (by default) upper-case ASCII.

    Character for character, so positions in the result are positions in what was typed.
    """
    return str(text).strip().translate(_FULL_WIDTH_UPPER if upper else _FULL_WIDTH)


def describe_character(character: str) -> str:
    if character == " ":
        return str(_("空格"))
    if character == "\u3000":
        return str(_("全角空格"))
    if not character.isprintable():
        return f"U+{ord(character):04X}"
    return character


def character_error(*, label, typed: str, index: int, allowed, code: str) -> ValidationError:
    """A ValidationError naming the illegal character and its 1-based position."""
    return ValidationError(
        MSG_CHARACTER,
        code=code,
        params={
            "label": label,
            "position": index + 1,
            "character": describe_character(typed[index]),
            "allowed": allowed,
        },
    )


def current_date() -> date:
    """Today in the project's time zone (Asia/Shanghai)."""
    # Imported here so that importing the identifier parsers never needs configured settings.
    from django.utils import timezone

    return timezone.localdate()
