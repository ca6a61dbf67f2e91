"""Tests of the identifier parsers: worked examples, one case per error code, and hypothesis properties."""

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from skillcert.core.identifiers import (
    ANY_ADDRESS_CODE,
    EARLIEST_BIRTH_DATE,
    PROVINCE_CODES,
    CertificateNumber,
    CreditCode,
    LegacyCertificateNumber,
    OccupationCode,
    ResidentId,
    clear_address_code_cache,
    credit_code_check_character,
    format_certificate_number,
    known_address_codes,
    parse_certificate_number,
    parse_credit_code,
    parse_occupation_code,
    parse_resident_id,
    resident_id_check_character,
)
from skillcert.core.identifiers.credit_code import CHARSET
from skillcert.reference.models import Region

TODAY = date(2025, 6, 15)
PROPERTY = settings(max_examples=200, deadline=None)


def rejection(parse, text: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(text, **kwargs)
    return caught.value


def resident_id(address: str, born: date, sequence: str) -> str:
    first17 = f"{address}{born:%Y%m%d}{sequence}"
    return first17 + resident_id_check_character(first17)


def parse_id(text: str, **kwargs) -> ResidentId:
    kwargs.setdefault("address_codes", ANY_ADDRESS_CODE)
    return parse_resident_id(text, today=kwargs.pop("today", TODAY), **kwargs)


# --- resident ID: examples ---------------------------------------------------------------------------


BEIJING_EXAMPLE = ResidentId("11010519491231002X", date(1949, 12, 31), "F", "110105")


def built(address: str, born: date, sequence: str) -> tuple[str, ResidentId]:
    number = resident_id(address, born, sequence)
    return number, ResidentId(number, born, "M" if int(sequence[2]) % 2 else "F", address)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11010519491231002X", BEIJING_EXAMPLE),
        ("440524188001010014", ResidentId("440524188001010014", date(1880, 1, 1), "M", "440524")),
        ("11010519491231002x", BEIJING_EXAMPLE),
        (" \t11010519491231002X\u3000\n", BEIJING_EXAMPLE),
        ("１１０１０５１９４９１２３１００２ｘ", BEIJING_EXAMPLE),
        ("１１０１０５１９４９１２３１００２Ｘ", BEIJING_EXAMPLE),
        # 15 digits (GB 11643-1989): "19" goes before the year and the check character is computed.
        ("110105491231002", BEIJING_EXAMPLE),
        ("310103800229123", built("310103", date(1980, 2, 29), "123")[1]),
        built("310115", date(2000, 2, 29), "002"),
        built("310115", TODAY, "001"),
        built("820000", EARLIEST_BIRTH_DATE, "001"),
    ],
)
def test_resident_id_accepted(text, expected):
    # When a valid number is parsed, then it comes back normalised and decoded.
    assert parse_id(text) == expected


BORN_TOMORROW = resident_id("110105", TODAY + timedelta(days=1), "002")
BORN_TOO_EARLY = resident_id("110105", EARLIEST_BIRTH_DATE - timedelta(days=1), "002")


def test_resident_id_check_character_matches_the_standards_examples():
    assert resident_id_check_character("11010519491231002") == "X"
    assert resident_id_check_character("44052418800101001") == "4"


@PROPERTY
@given(first17=st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_resident_id_check_character_follows_iso_7064_mod_11_2(first17):
    # An independent oracle: weights 2^(17-i) mod 11 and check value (12 - S mod 11) mod 11, 10 written X.
    value = (12 - sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17)) % 11) % 11
    assert resident_id_check_character(first17) == ("X" if value == 10 else str(value))


@pytest.mark.parametrize(
    ("text", "code", "named"),
    [
        ("", "resident_id_empty", "请输入身份证号码"),
        ("   ", "resident_id_empty", "请输入身份证号码"),
        ("110105-19491231002X", "resident_id_character", "第 7 位的字符“-”"),
        ("1101051949123 002X", "resident_id_character", "第 14 位的字符“空格”"),
        ("11010519491231002A", "resident_id_character", "第 18 位的字符“A”"),
        ("X1010519491231002X", "resident_id_character", "第 1 位的字符“X”"),
        ("11010549123100X", "resident_id_character", "第 15 位的字符“X”"),
        ("11010519491231002X２", "resident_id_length", "实际为 19 位"),
        ("11010519491231002Ｙ", "resident_id_character", "第 18 位的字符“Ｙ”"),
        ("11010519491231002", "resident_id_length", "实际为 17 位"),
        ("1101051949123100201", "resident_id_length", "实际为 19 位"),
        ("1101054912310", "resident_id_length", "实际为 13 位"),
        ("99010519491231002X", "resident_id_province", "前两位“99”"),
        ("00010519491231002X", "resident_id_province", "前两位“00”"),
        ("110105194902290021", "resident_id_birth_date", "“1949-02-29”不是有效日期"),
        ("110105000229002", "resident_id_birth_date", "“1900-02-29”不是有效日期"),
        ("110105194913010021", "resident_id_birth_date", "“1949-13-01”不是有效日期"),
        ("110105194904310021", "resident_id_birth_date", "“1949-04-31”不是有效日期"),
        (BORN_TOMORROW, "resident_id_birth_date_future", "2025-06-16 晚于今天"),
        (BORN_TOO_EARLY, "resident_id_birth_date_too_early", "1859-12-31 早于 1860-01-01"),
        ("110105194912310021", "resident_id_checksum", "第 18 位应为“X”，实际为“1”"),
        ("440524188001010015", "resident_id_checksum", "第 18 位应为“4”，实际为“5”"),
    ],
)  # fmt: skip
def test_resident_id_rejected(text, code, named):
    # When an invalid number is parsed, then the error has a stable code and a message naming the problem.
    error = rejection(parse_id, text)
    assert error.code == code
    assert named in error.messages[0]


def test_resident_id_birth_date_after_today_in_shanghai_is_rejected_by_default():
    # Given a birth date after today (Shanghai time), when parsed without an explicit date, then it fails.
    later = timezone.localdate() + timedelta(days=2)  # a day of margin around midnight
    error = rejection(parse_resident_id, resident_id("310115", later, "003"), address_codes=ANY_ADDRESS_CODE)
    assert error.code == "resident_id_birth_date_future"


def test_resident_id_address_codes_container_is_checked():
    # Given an explicit table of codes that holds the retired 310103 卢湾区 but not 310199:
    codes = {"310101", "310103"}
    # then the retired code is accepted and the unknown one is rejected by name.
    assert (
        parse_id(resident_id("310103", date(1990, 5, 1), "011"), address_codes=codes).address_code == "310103"
    )
    error = rejection(parse_id, resident_id("310199", date(1990, 5, 1), "011"), address_codes=codes)
    assert error.code == "resident_id_address_code"
    assert "“310199”" in error.messages[0]


# --- resident ID: the region-table hook (database) --------------------------------------------------


@pytest.fixture
def fresh_address_cache():
    clear_address_code_cache()
    yield
    clear_address_code_cache()


def make_region(code: str, name: str, *, in_use: bool = True, retired_year: int | None = None) -> Region:
    level = Region.Level.PROVINCE if code.endswith("0000") else Region.Level.COUNTY
    defaults = {"name": name, "level": level, "in_use": in_use, "retired_year": retired_year}
    return Region.objects.update_or_create(code=code, defaults=defaults)[0]


def test_address_codes_are_not_checked_without_the_full_history(db, fresh_address_cache):
    # Given only current regions (the built-in starter set seeded by migration; no retired codes):
    make_region("310115", "浦东新区")
    assert not Region.objects.filter(in_use=False).exists()
    # then the hook answers None and a number from a county outside the table is accepted.
    assert known_address_codes() is None
    parsed = parse_resident_id(resident_id("440524", date(1975, 3, 8), "021"), today=TODAY)
    assert parsed.address_code == "440524"


def test_retired_address_code_is_accepted_and_unknown_rejected_with_the_full_history(db, fresh_address_cache):
    # Given a region table that holds a retired code, as after importing the GB/T 2260 history:
    make_region("310101", "黄浦区")
    make_region("310103", "卢湾区", in_use=False, retired_year=2011)
    Region.objects.filter(code="310199").delete()
    # when ID numbers are parsed without an explicit table,
    parsed = parse_resident_id(resident_id("310103", date(1985, 7, 1), "015"), today=TODAY)
    error = rejection(parse_resident_id, resident_id("310199", date(1985, 7, 1), "015"), today=TODAY)
    # then the hook answers every code in the table, the retired 卢湾区 passes and the unknown code fails.
    assert known_address_codes() == frozenset(Region.objects.values_list("code", flat=True))
    assert {"310101", "310103"} <= known_address_codes()
    assert parsed.address_code == "310103"
    assert error.code == "resident_id_address_code"
    assert "“310199”" in error.messages[0]


def test_address_code_cache_holds_until_cleared(db, fresh_address_cache):
    # Given a cached table with a retired code,
    make_region("310103", "卢湾区", in_use=False, retired_year=2011)
    Region.objects.filter(code="310199").delete()
    cached = known_address_codes()
    assert "310103" in cached
    # when a region is added, then the cache answers the old set until an importer clears it.
    make_region("310199", "测试区")
    assert known_address_codes() == cached
    clear_address_code_cache()
    assert known_address_codes() == cached | {"310199"}


def test_module_imports_and_parses_without_django_settings_or_orm():
    # Given a fresh interpreter with no Django settings (as the public verification app may run),
    script = (
        "import sys; from datetime import date; import skillcert.core.identifiers as ids;"
        "r = ids.parse_resident_id('11010519491231002X', today=date(2025, 1, 1));"
        "assert r.sex == 'F', r;"
        "loaded = sorted(m for m in sys.modules if m.startswith(('django.db', 'django.conf')));"
        "assert not loaded, loaded; print('ok')"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    # when the module is imported and used, then it works and loads neither the ORM nor settings.
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=Path(__file__).parents[3], capture_output=True, text=True
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


# --- resident ID: properties ------------------------------------------------------------------------

provinces = st.sampled_from(sorted(PROVINCE_CODES))
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def digit_strings(length: int):
    return st.text(alphabet="0123456789", min_size=length, max_size=length)


@PROPERTY
@given(
    province=provinces,
    county=digit_strings(4),
    born=st.dates(EARLIEST_BIRTH_DATE, TODAY),
    sequence=digit_strings(3),
)
def test_every_built_resident_id_parses_back(province, county, born, sequence):
    number = resident_id(province + county, born, sequence)
    expected_sex = "M" if int(sequence[2]) % 2 else "F"
    assert parse_id(number, address_codes={province + county}) == ResidentId(
        number, born, expected_sex, province + county
    )


@PROPERTY
@given(
    province=provinces,
    county=digit_strings(4),
    born=st.dates(date(1900, 1, 1), date(1999, 12, 31)),
    sequence=digit_strings(3),
)
def test_every_15_digit_resident_id_converts_to_its_18_digit_form(province, county, born, sequence):
    legacy = f"{province}{county}{born:%y%m%d}{sequence}"
    assert parse_id(legacy).number == resident_id(province + county, born, sequence)


@PROPERTY
@given(
    province=provinces, county=digit_strings(4), born=st.dates(EARLIEST_BIRTH_DATE, TODAY),
    sequence=digit_strings(3), position=st.integers(0, 17), replacement=st.sampled_from("0123456789X"),
)  # fmt: skip
def test_every_single_character_change_of_a_resident_id_is_rejected(
    province, county, born, sequence, position, replacement
):
    number = resident_id(province + county, born, sequence)
    changed = number[:position] + replacement + number[position + 1 :]
    if changed != number:
        with pytest.raises(ValidationError):
            parse_id(changed)


# --- credit code ------------------------------------------------------------------------------------


def test_credit_code_worked_example():
    expected = CreditCode("91350100M000100Y43", "9", "1", "350100", "M000100Y4")
    assert parse_credit_code("91350100M000100Y43") == expected
    assert parse_credit_code(" 91350100m000100y43 ") == expected
    assert parse_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == expected
    assert credit_code_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("text", "code", "named"),
    [
        ("", "credit_code_empty", "请输入统一社会信用代码"),
        ("91350100M000100Y4Z", "credit_code_character", "第 18 位的字符“Z”"),
        ("91350100M000100I43", "credit_code_character", "第 16 位的字符“I”"),
        ("9135 0100M000100Y43", "credit_code_character", "第 5 位的字符“空格”"),
        ("91350100M000100Y4", "credit_code_length", "实际为 17 位"),
        ("91350100M000100Y433", "credit_code_length", "实际为 19 位"),
        ("91350100M000100Y44", "credit_code_checksum", "第 18 位应为“3”，实际为“4”"),
    ],
)
def test_credit_code_rejected(text, code, named):
    error = rejection(parse_credit_code, text)
    assert error.code == code
    assert named in error.messages[0]


def test_credit_code_checksum_can_be_overridden():
    # Given a code that fails only its check character, when staff override the check, then it parses.
    assert parse_credit_code("91350100M000100Y44", verify_checksum=False).code == "91350100M000100Y44"


credit_bodies = st.text(alphabet=CHARSET, min_size=17, max_size=17)


def credit_check_from_the_formula(body: str) -> str:
    # An independent oracle: weights from their definition 3^(i-1) mod 31, not from the module's table.
    total = sum(CHARSET.index(character) * pow(3, i, 31) for i, character in enumerate(body))
    return CHARSET[(31 - total % 31) % 31]


@PROPERTY
@given(body=credit_bodies)
def test_credit_code_check_character_follows_the_formula(body):
    assert credit_code_check_character(body) == credit_check_from_the_formula(body)


@pytest.mark.parametrize("expected", ["0", "Y"])
def test_credit_code_check_character_covers_both_ends_of_the_charset(expected):
    # Given a body whose check is 0 (sum ≡ 0) or Y (sum ≡ 1): change the first character until it fits.
    body = next(
        c + "1350100M000100Y4"
        for c in CHARSET
        if credit_check_from_the_formula(c + "1350100M000100Y4") == expected
    )
    assert parse_credit_code(body + expected).code == body + expected


@PROPERTY
@given(body=credit_bodies)
def test_every_built_credit_code_parses_back(body):
    code = body + credit_code_check_character(body)
    assert parse_credit_code(code) == CreditCode(code, body[0], body[1], body[2:8], body[8:17])


@PROPERTY
@given(body=credit_bodies, position=st.integers(0, 17), replacement=st.sampled_from(CHARSET + "IOZSV"))
def test_every_single_character_change_of_a_credit_code_is_rejected(body, position, replacement):
    code = body + credit_code_check_character(body)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code:
        with pytest.raises(ValidationError):
            parse_credit_code(changed)


# --- certificate numbers ----------------------------------------------------------------------------

SHANGHAI_EXAMPLE = CertificateNumber("S000031000123243000045", "S", "0000", "31", "000123", 2024, 3, 45)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S000031000123243000045", SHANGHAI_EXAMPLE),
        (" s000031000123243000045 ", SHANGHAI_EXAMPLE),
        ("Ｓ００００３１０００１２３２４３００００４５", SHANGHAI_EXAMPLE),
        (
            "Y000123000001195000001",
            CertificateNumber("Y000123000001195000001", "Y", "0001", "23", "000001", 2019, 5, 1),
        ),
        (
            "Y999982999999251999999",
            CertificateNumber("Y999982999999251999999", "Y", "9999", "82", "999999", 2025, 1, 999999),
        ),
        (
            "1831002005300012",
            LegacyCertificateNumber(
                "1831002005300012", "1831002005300012", 2018, "31", "00", "2", "005", 3, 12
            ),
        ),
        (
            "9831002005300012",
            LegacyCertificateNumber(
                "9831002005300012", "9831002005300012", 1998, "31", "00", "2", "005", 3, 12
            ),
        ),
        (
            "1002005300012",
            LegacyCertificateNumber("0001002005300012", "1002005300012", 2000, "01", "00", "2", "005", 3, 12),
        ),
    ],
)
def test_certificate_number_accepted(text, expected):
    parsed = parse_certificate_number(text, today=TODAY)
    assert parsed == expected
    assert parsed.kind == ("skill_level_2019" if len(expected.number) == 22 else "qualification_legacy")


def test_legacy_certificate_number_knows_when_it_was_padded():
    assert parse_certificate_number("1002005300012", today=TODAY).padded is True
    assert parse_certificate_number("1831002005300012", today=TODAY).padded is False


@pytest.mark.parametrize(
    ("text", "code", "named"),
    [
        ("", "certificate_number_empty", "请输入证书编号"),
        ("S0000310001232430000-5", "certificate_number_character", "第 21 位的字符“-”"),
        ("SS00031000123243000045", "certificate_number_character", "第 2 位的字符“S”"),
        ("S000031 00123243000045", "certificate_number_character", "第 8 位的字符“空格”"),
        ("S00003100012324300004", "certificate_number_length", "应为 22 位，实际为 21 位"),
        ("183100200530001", "certificate_number_length", "实际为 15 位"),
        ("X000031000123243000045", "certificate_number_body_type", "第 1 位“X”"),
        ("1000031000123243000045", "certificate_number_body_type", "第 1 位“1”"),
        ("S000099000123243000045", "certificate_number_province", "省级代码“99”"),
        ("S000031000123183000045", "certificate_number_year", "核发年份 2018 早于 2019 年"),
        ("S000031000123263000045", "certificate_number_year_future", "核发年份 2026 晚于今年"),
        ("S000031000123240000045", "certificate_number_level", "等级代码“0”"),
        ("S000031000123246000045", "certificate_number_level", "等级代码“6”"),
        ("S000031000123243000000", "certificate_number_serial", "序列码“000000”"),
        ("1831005005300012", "certificate_number_legacy_body_type", "第 7 位鉴定机构类别“5”"),
        ("1831002005000012", "certificate_number_level", "等级代码“0”"),
        ("1831002005300000", "certificate_number_serial", "序列码“00000”"),
        ("1002005300000", "certificate_number_serial", "序列码“00000”"),
    ],
)
def test_certificate_number_rejected(text, code, named):
    error = rejection(parse_certificate_number, text, today=TODAY)
    assert error.code == code
    assert named in error.messages[0]


SEGMENTS = {
    "body_type": "S", "body_code": "0000", "province_code": "31", "site_code": "000123",
    "year": 2024, "level": 3, "serial": 45,
}  # fmt: skip


def test_format_certificate_number_builds_the_22_characters():
    assert format_certificate_number(**SEGMENTS, today=TODAY) == "S000031000123243000045"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"body_type": "X"}, "certificate_number_body_type"),
        ({"body_code": "12"}, "certificate_number_body_code"),
        ({"body_code": "１２３４"}, "certificate_number_body_code"),
        ({"province_code": "99"}, "certificate_number_province"),
        ({"site_code": "12345A"}, "certificate_number_site_code"),
        ({"year": 2018}, "certificate_number_year"),
        ({"year": 2026}, "certificate_number_year_future"),
        ({"level": 6}, "certificate_number_level"),
        ({"serial": 0}, "certificate_number_serial"),
        ({"serial": 1_000_000}, "certificate_number_serial"),
    ],
)
def test_format_certificate_number_validates_each_segment(change, code):
    with pytest.raises(ValidationError) as caught:
        format_certificate_number(**(SEGMENTS | change), today=TODAY)
    assert caught.value.code == code


segments_2019 = st.fixed_dictionaries(
    {
        "body_type": st.sampled_from("YS"), "body_code": digit_strings(4), "province_code": provinces,
        "site_code": digit_strings(6), "year": st.integers(2019, TODAY.year), "level": st.integers(1, 5),
        "serial": st.integers(1, 999_999),
    }
)  # fmt: skip


@PROPERTY
@given(segments=segments_2019)
def test_every_built_certificate_number_parses_back(segments):
    number = format_certificate_number(**segments, today=TODAY)
    assert parse_certificate_number(number, today=TODAY) == CertificateNumber(number, **segments)


@PROPERTY
@given(segments=segments_2019, position=st.integers(0, 21), replacement=st.sampled_from("0123456789YSAX-"))
def test_every_single_character_change_of_a_certificate_number_changes_or_fails(
    segments, position, replacement
):
    number = format_certificate_number(**segments, today=TODAY)
    changed = number[:position] + replacement + number[position + 1 :]
    if changed != number:
        try:
            parsed = parse_certificate_number(changed, today=TODAY)
        except ValidationError:
            return
        assert parsed != CertificateNumber(number, **segments)
        assert parsed.number == changed


legacy_segments = st.fixed_dictionaries(
    {
        "province_code": digit_strings(2), "city_code": digit_strings(2),
        "body_type": st.sampled_from("01234"), "body_serial": digit_strings(3),
        "level": st.integers(1, 5), "serial": st.integers(1, 99_999),
    }
)  # fmt: skip


def legacy_number(year: int, s: dict) -> str:
    return (
        f"{year % 100:02d}{s['province_code']}{s['city_code']}{s['body_type']}{s['body_serial']}"
        f"{s['level']}{s['serial']:05d}"
    )


@PROPERTY
@given(year=st.integers(TODAY.year - 99, TODAY.year), segments=legacy_segments)
def test_every_built_legacy_certificate_number_parses_back(year, segments):
    number = legacy_number(year, segments)
    expected = LegacyCertificateNumber(number, number, year, **segments)
    assert parse_certificate_number(number, today=TODAY) == expected


@PROPERTY
@given(segments=legacy_segments.filter(lambda s: s["province_code"][0] == "0"))
def test_every_shanghai_13_digit_number_parses_as_its_padded_16_digit_form(segments):
    padded = legacy_number(2000, segments)
    assert padded.startswith("000")
    expected = LegacyCertificateNumber(padded, padded[3:], 2000, **segments)
    assert parse_certificate_number(padded[3:], today=TODAY) == expected


@PROPERTY
@given(
    year=st.integers(TODAY.year - 99, TODAY.year),
    segments=legacy_segments,
    position=st.integers(0, 15),
    replacement=digits,
)
def test_every_single_character_change_of_a_legacy_number_changes_or_fails(
    year, segments, position, replacement
):
    number = legacy_number(year, segments)
    changed = number[:position] + replacement + number[position + 1 :]
    if changed != number:
        try:
            parsed = parse_certificate_number(changed, today=TODAY)
        except ValidationError:
            return
        assert parsed != LegacyCertificateNumber(number, number, year, **segments)
        assert parsed.number == changed


# --- occupation codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6-31-01-03", OccupationCode("6-31-01-03", "6", "6-31", "6-31-01")),
        (" 4-08-06-00 ", OccupationCode("4-08-06-00", "4", "4-08", "4-08-06")),
        ("８-００-００-００", OccupationCode("8-00-00-00", "8", "8-00", "8-00-00")),
        ("６－３１－０１－０３", OccupationCode("6-31-01-03", "6", "6-31", "6-31-01")),
    ],
)
def test_occupation_code_accepted(text, expected):
    assert parse_occupation_code(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "named"),
    [
        ("", "occupation_code_empty", "请输入职业编码"),
        ("6310103", "occupation_code_format", "“6310103”格式错误"),
        ("6-31-01-3", "occupation_code_format", "“6-31-01-3”格式错误"),
        ("6-31-01-03-01", "occupation_code_format", "格式错误"),
        ("6—31—01—03", "occupation_code_format", "格式错误"),
        ("9-31-01-03", "occupation_code_major", "大类“9”"),
        ("0-31-01-03", "occupation_code_major", "大类“0”"),
    ],
)
def test_occupation_code_rejected(text, code, named):
    error = rejection(parse_occupation_code, text)
    assert error.code == code
    assert named in error.messages[0]


@PROPERTY
@given(major=st.integers(1, 8), middle=digit_strings(2), small=digit_strings(2), detail=digit_strings(2))
def test_every_built_occupation_code_parses_back(major, middle, small, detail):
    code = f"{major}-{middle}-{small}-{detail}"
    assert parse_occupation_code(code) == OccupationCode(code, str(major), f"{major}-{middle}", code[:7])


@PROPERTY
@given(
    major=st.integers(1, 8), rest=digit_strings(6), position=st.integers(0, 9),
    replacement=st.sampled_from("0123456789-A "),
)  # fmt: skip
def test_every_single_character_change_of_an_occupation_code_changes_or_fails(
    major, rest, position, replacement
):
    code = f"{major}-{rest[:2]}-{rest[2:4]}-{rest[4:]}"
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code:
        try:
            parsed = parse_occupation_code(changed)
        except ValidationError:
            return
        assert parsed.code == changed != code
