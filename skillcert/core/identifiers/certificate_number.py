"""Certificate numbers: the 22-character 职业技能等级证书 number (人社鉴发〔2019〕2号) and the older
16-digit 职业资格证书 numbers, including Shanghai's 13-digit ones (left-padded with "000")."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from skillcert.core.identifiers._common import PROVINCE_CODES, character_error, current_date, normalise

FIRST_YEAR = 2019  # the 22-character rule took effect in 2019
BODY_TYPES = ("Y", "S")  # Y 用人单位 (employer), S 社会培训评价组织 (social organisation)
LEGACY_BODY_TYPES = ("0", "1", "2", "3", "4")
SHANGHAI_SHORT_PREFIX = "000"

LABEL = _("证书编号")
MSG_EMPTY = _("请输入证书编号。")
ALLOWED = _("第 1 位为 Y 或 S，其余只能是数字")
MSG_LENGTH = _("证书编号应为 22 位（旧版职业资格证书为 16 位，上海旧版为 13 位），实际为 %(length)d 位。")
MSG_LENGTH_2019 = _("以字母开头的证书编号应为 22 位，实际为 %(length)d 位。")
MSG_BODY_TYPE = _(
    "证书编号第 1 位“%(value)s”不是评价机构类别代码：应为 Y（用人单位）或 S（社会培训评价组织）。"
)
MSG_BODY_CODE = _("证书编号中的评价机构代码“%(value)s”应为 4 位数字。")
MSG_PROVINCE = _("证书编号中的省级代码“%(value)s”不是有效的省级行政区划代码。")
MSG_SITE_CODE = _("证书编号中的评价机构（站点）序列码“%(value)s”应为 6 位数字。")
MSG_YEAR = _("证书编号中的核发年份 %(year)s 早于 %(first)d 年（现行编码规则自 %(first)d 年起施行）。")
MSG_YEAR_FUTURE = _("证书编号中的核发年份 %(year)s 晚于今年。")
MSG_LEVEL = _("证书编号中的职业技能等级代码“%(value)s”无效：应为 1（一级）至 5（五级）。")
MSG_SERIAL = _("证书编号中的证书序列码“%(value)s”无效：应在 %(first)s 至 %(last)s 之间。")
MSG_LEGACY_BODY_TYPE = _("旧版证书编号第 7 位鉴定机构类别“%(value)s”无效：应为 0 至 4。")


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    """A 职业技能等级证书 number: 1 letter + 21 digits in seven segments."""

    kind: str = field(default="skill_level_2019", init=False)
    number: str
    body_type: str  # "Y" or "S"
    body_code: str  # 4 digits: "0000" when first filed with a province, else the MOHRSS number
    province_code: str  # 2 digits, GB/T 2260 province of the body or site
    site_code: str  # 6 digits, assigned by the provincial authority
    year: int  # full issue year, 2019 or later
    level: int  # 1 一级/高级技师 … 5 五级/初级工
    serial: int  # 1–999999


@dataclass(frozen=True, slots=True)
class LegacyCertificateNumber:
    """A 职业资格证书 number of the pre-2020 16-digit scheme (Shanghai's 13-digit ones padded to it)."""

    kind: str = field(default="qualification_legacy", init=False)
    number: str  # 16 digits
    original: str  # as entered (normalised): 16 digits, or 13 for Shanghai's short numbers
    year: int  # positions 1–2 read as the latest matching year not in the future
    province_code: str  # positions 3–4: province, or a ministry / group company code
    city_code: str  # positions 5–6
    body_type: str  # position 7: "0"–"4"
    body_serial: str  # positions 8–10
    level: int  # position 11: 1–5
    serial: int  # positions 12–16: 1–99999

    @property
    def padded(self) -> bool:
        """True for a Shanghai 13-digit number, whose padded year and province carry no meaning."""
        return len(self.original) == 13


def parse_certificate_number(
    text: str, *, today: date | None = None
) -> CertificateNumber | LegacyCertificateNumber:
    """Validate and decode a certificate number of the 2019 rule or of the older 16/13-digit scheme."""
    typed = str(text).strip()
    value = normalise(text)
    if not value:
        raise ValidationError(MSG_EMPTY, code="certificate_number_empty")
    for index, character in enumerate(value):
        if not (character.isascii() and (character.isdigit() or (index == 0 and character.isalpha()))):
            raise character_error(
                label=LABEL, typed=typed, index=index, allowed=ALLOWED, code="certificate_number_character"
            )
    if value[0].isalpha():
        if len(value) != 22:
            raise ValidationError(
                MSG_LENGTH_2019, code="certificate_number_length", params={"length": len(value)}
            )
        return _parse_2019(value, today=today)
    if len(value) == 22:
        raise ValidationError(MSG_BODY_TYPE, code="certificate_number_body_type", params={"value": value[0]})
    if len(value) == 16:
        return _parse_legacy(value, original=value, today=today)
    if len(value) == 13:
        return _parse_legacy(SHANGHAI_SHORT_PREFIX + value, original=value, today=today)
    raise ValidationError(MSG_LENGTH, code="certificate_number_length", params={"length": len(value)})


def format_certificate_number(
    *,
    body_type: str,
    body_code: str,
    province_code: str,
    site_code: str,
    year: int,
    level: int,
    serial: int,
    today: date | None = None,
) -> str:
    """Build a 22-character certificate number from its seven segments, validating each."""
    if body_type not in BODY_TYPES:
        raise ValidationError(MSG_BODY_TYPE, code="certificate_number_body_type", params={"value": body_type})
    if not _digits(body_code, 4):
        raise ValidationError(MSG_BODY_CODE, code="certificate_number_body_code", params={"value": body_code})
    if not _digits(site_code, 6):
        raise ValidationError(MSG_SITE_CODE, code="certificate_number_site_code", params={"value": site_code})
    _check_2019_segments(province_code=province_code, year=year, level=level, serial=serial, today=today)
    return f"{body_type}{body_code}{province_code}{site_code}{year % 100:02d}{level}{serial:06d}"


def _parse_2019(value: str, *, today: date | None) -> CertificateNumber:
    if value[0] not in BODY_TYPES:
        raise ValidationError(MSG_BODY_TYPE, code="certificate_number_body_type", params={"value": value[0]})
    year = 2000 + int(value[13:15])
    _check_2019_segments(
        province_code=value[5:7], year=year, level=int(value[15]), serial=int(value[16:22]), today=today
    )
    return CertificateNumber(
        number=value,
        body_type=value[0],
        body_code=value[1:5],
        province_code=value[5:7],
        site_code=value[7:13],
        year=year,
        level=int(value[15]),
        serial=int(value[16:22]),
    )


def _check_2019_segments(
    *, province_code: str, year: int, level: int, serial: int, today: date | None
) -> None:
    if province_code not in PROVINCE_CODES:
        raise ValidationError(
            MSG_PROVINCE, code="certificate_number_province", params={"value": province_code}
        )
    if year < FIRST_YEAR:
        raise ValidationError(
            MSG_YEAR, code="certificate_number_year", params={"year": year, "first": FIRST_YEAR}
        )
    if year > (today or current_date()).year:
        raise ValidationError(MSG_YEAR_FUTURE, code="certificate_number_year_future", params={"year": year})
    _check_level(level)
    _check_serial(serial, last=999_999, width=6)


def _parse_legacy(number: str, *, original: str, today: date | None) -> LegacyCertificateNumber:
    if number[6] not in LEGACY_BODY_TYPES:
        raise ValidationError(
            MSG_LEGACY_BODY_TYPE, code="certificate_number_legacy_body_type", params={"value": number[6]}
        )
    _check_level(int(number[10]))
    _check_serial(int(number[11:16]), last=99_999, width=5)
    # The scheme has two-digit years (in use since the 1990s): take the latest year ending in them that
    # is not in the future.
    this_year = (today or current_date()).year
    year = this_year - (this_year - int(number[:2])) % 100
    return LegacyCertificateNumber(
        number=number,
        original=original,
        year=year,
        province_code=number[2:4],
        city_code=number[4:6],
        body_type=number[6],
        body_serial=number[7:10],
        level=int(number[10]),
        serial=int(number[11:16]),
    )


def _check_level(level: int) -> None:
    if not 1 <= level <= 5:
        raise ValidationError(MSG_LEVEL, code="certificate_number_level", params={"value": level})


def _check_serial(serial: int, *, last: int, width: int) -> None:
    if not 1 <= serial <= last:
        raise ValidationError(
            MSG_SERIAL,
            code="certificate_number_serial",
            params={"value": f"{serial:0{width}d}", "first": f"{1:0{width}d}", "last": f"{last:0{width}d}"},
        )


def _digits(value: str, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()
