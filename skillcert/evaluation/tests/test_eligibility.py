"""Eligibility: every seeded route at its boundary, the age rule, the title bridge, legacy certificates."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from skillcert.evaluation.eligibility import (
    Evidence,
    PriorCertificate,
    anniversary,
    eligibility_check,
    route_unmet,
)
from skillcert.evaluation.models import EligibilityRoute, EvaluationSpec
from skillcert.evaluation.tests.factories import make_application, make_candidate, make_plan, make_resident_id
from skillcert.reference.models import SkillLevel

pytestmark = pytest.mark.django_db

ON = date(2025, 6, 30)  # the date of the first component in every case below
ADULT = {"birth_date": date(1990, 1, 1), "sex": "M"}


def years_ago(years: int, *, short: bool = False) -> date:
    """The day exactly ``years`` before ON, or one day later (one day short of ``years``)."""
    return date(ON.year - years, 7, 1) if short else date(ON.year - years, ON.month, ON.day)


def cert(level_digit: int, years: int = 0, *, short: bool = False) -> PriorCertificate:
    """A 22-character certificate of ``level_digit`` issued ``years`` before ON (or one day short)."""
    issued = years_ago(years, short=short) if years else date(2024, 1, 10)
    number = f"S000031000101{issued.year % 100:02d}{level_digit}000045"
    return PriorCertificate(number=number, level_digit=None, issued_on=issued)


def ev(**fields) -> Evidence:
    if "work_years" in fields:
        fields["work_years"] = Decimal(str(fields["work_years"]))
    if "certs" in fields:
        fields["prior_certificates"] = tuple(fields.pop("certs"))
    return Evidence(**fields)


def spec_for(level_code: str, template: str) -> EvaluationSpec:
    # The check reads only the level and the template: an unsaved spec is enough.
    return EvaluationSpec(level=SkillLevel.objects.get(code=level_code), eligibility_template=template)


REL = {"education_related": True}

# (route code, evidence that meets it exactly at the boundary, evidence one step short, expected failure)
CASES = [
    ("standard_2018:L5:1", ev(work_years=1), ev(work_years="0.9"), "累计工作年限 0.9 年，少于 1 年"),
    ("standard_2018:L5:2", ev(apprenticeship_completed=True), ev(), "未满本职业或相关职业学徒期"),
    (
        "standard_2018:L4:1",
        ev(certs=[cert(5, 4)]),
        ev(certs=[cert(5, 4, short=True)]),
        "取得五级证书未满 4 年（2025-07-01 满 4 年）",
    ),
    ("standard_2018:L4:2", ev(work_years=6), ev(work_years="5.9"), "累计工作年限 5.9 年，少于 6 年"),
    (
        "standard_2018:L4:3",
        ev(education="technical_school", **REL),
        ev(education="technical_school"),
        "所学专业不是本专业或相关专业",
    ),
    (
        "standard_2018:L3:1",
        ev(certs=[cert(4, 5)]),
        ev(certs=[cert(4, 5, short=True)]),
        "取得四级证书未满 5 年（2025-07-01 满 5 年）",
    ),
    (
        "standard_2018:L3:2",
        ev(certs=[cert(4)], education="senior_technical_school", **REL),
        ev(education="senior_technical_school", **REL),
        "未持有四级及以上证书",
    ),
    (
        "standard_2018:L3:3",
        ev(certs=[cert(4, 2)], education="higher_vocational", **REL),
        ev(certs=[cert(4, 2, short=True)], education="higher_vocational", **REL),
        "取得四级证书未满 2 年（2025-07-01 满 2 年）",
    ),
    (
        "standard_2018:L3:4",
        ev(certs=[cert(4, 1)], education="bachelor", **REL),
        ev(certs=[cert(4, 1, short=True)], education="bachelor", **REL),
        "取得四级证书未满 1 年（2025-07-01 满 1 年）",
    ),
    (
        "standard_2018:L3:5",
        ev(education="master", **REL),
        ev(education="bachelor", **REL),
        "学历不符合（须为硕士、博士）",
    ),
    (
        "standard_2018:L2:1",
        ev(certs=[cert(3, 4)]),
        ev(certs=[cert(3, 4, short=True)]),
        "取得三级证书未满 4 年（2025-07-01 满 4 年）",
    ),
    (
        "standard_2018:L2:2",
        ev(certs=[cert(3)], education="senior_technical_school", work_years=3, **REL),
        ev(certs=[cert(3)], education="senior_technical_school", work_years="2.9", **REL),
        "累计工作年限 2.9 年，少于 3 年",
    ),
    (
        "standard_2018:L2:2b",
        ev(education="technician_college_prep", work_years=2, **REL),
        ev(education="technician_college_prep", work_years="1.9", **REL),
        "累计工作年限 1.9 年，少于 2 年",
    ),
    (
        "standard_2018:L2:3",
        ev(certs=[cert(3, 2)], education="bachelor", **REL),
        ev(certs=[cert(3, 2, short=True)], education="bachelor", **REL),
        "取得三级证书未满 2 年（2025-07-01 满 2 年）",
    ),
    (
        "standard_2018:L2:4",
        ev(certs=[cert(3, 1)], education="master", **REL),
        ev(certs=[cert(3, 1, short=True)], education="master", **REL),
        "取得三级证书未满 1 年（2025-07-01 满 1 年）",
    ),
    (
        "standard_2018:L2:5",
        ev(education="doctorate", work_years=2, **REL),
        ev(education="doctorate", work_years="1.9", **REL),
        "累计工作年限 1.9 年，少于 2 年",
    ),
    (
        "standard_2018:L1:1",
        ev(certs=[cert(2, 4)]),
        ev(certs=[cert(2, 4, short=True)]),
        "取得二级证书未满 4 年（2025-07-01 满 4 年）",
    ),
    ("standard_2023:L5:1", ev(), None, None),
    ("standard_2023:L5:2", ev(work_years="0.5"), ev(), "未从事本职业或相关职业工作"),
    ("standard_2023:L4:1", ev(work_years=5), ev(work_years="4.9"), "累计工作年限 4.9 年，少于 5 年"),
    (
        "standard_2023:L4:2",
        ev(certs=[cert(5, 3)]),
        ev(certs=[cert(5, 3, short=True)]),
        "取得五级证书未满 3 年（2025-07-01 满 3 年）",
    ),
    (
        "standard_2023:L4:3",
        ev(education="bachelor", **REL),
        ev(education="high_school", **REL),
        "学历不符合（须为中等职业学校(中专/职高)、技工学校(中级工班)、高级技工学校/技师学院(高级工班)、"
        "技师学院(预备技师/技师班)、高职/大专、本科、硕士、博士）",
    ),
    ("standard_2023:L3:1", ev(work_years=10), ev(work_years="9.9"), "累计工作年限 9.9 年，少于 10 年"),
    (
        "standard_2023:L3:2",
        ev(certs=[cert(4, 4)]),
        ev(certs=[cert(4, 4, short=True)]),
        "取得四级证书未满 4 年（2025-07-01 满 4 年）",
    ),
    (
        "standard_2023:L3:3",
        ev(title_rank="junior", title_obtained_on=years_ago(1)),
        ev(title_rank="junior", title_obtained_on=years_ago(1, short=True)),
        "取得职称未满 1 年（2025-07-01 满 1 年）",
    ),
    (
        "standard_2023:L3:4",
        ev(education="senior_technical_school", **REL),
        ev(education="technical_school", **REL),
        "学历不符合（须为高级技工学校/技师学院(高级工班)、技师学院(预备技师/技师班)）",
    ),
    (
        "standard_2023:L3:5",
        ev(certs=[cert(4)], education="higher_vocational", **REL),
        ev(education="higher_vocational", **REL),
        "未持有四级及以上证书",
    ),
    (
        "standard_2023:L3:6",
        ev(education="higher_vocational", **REL),
        ev(education="higher_vocational"),
        "所学专业不是本专业或相关专业",
    ),
    (
        "standard_2023:L2:1",
        ev(certs=[cert(3, 5)]),
        ev(certs=[cert(3, 5, short=True)]),
        "取得三级证书未满 5 年（2025-07-01 满 5 年）",
    ),
    (
        "standard_2023:L2:2",
        ev(title_rank="junior", title_obtained_on=years_ago(5), certs=[cert(3, 1)]),
        ev(title_rank="junior", title_obtained_on=years_ago(5, short=True), certs=[cert(3, 1)]),
        "取得职称未满 5 年（2025-07-01 满 5 年）",
    ),
    (
        "standard_2023:L2:3",
        ev(title_rank="intermediate", title_obtained_on=years_ago(1)),
        ev(title_rank="junior", title_obtained_on=years_ago(1)),
        "未取得中级及以上职称",
    ),
    (
        "standard_2023:L2:4",
        ev(certs=[cert(3)], education="technician_college_prep", work_years=2, **REL),
        ev(certs=[cert(3)], education="technician_college_prep", work_years="1.9", **REL),
        "累计工作年限 1.9 年，少于 2 年",
    ),
    (
        "standard_2023:L2:5",
        ev(certs=[cert(3, 2)], education="technician_college_prep", **REL),
        ev(certs=[cert(3, 2, short=True)], education="technician_college_prep", **REL),
        "取得三级证书未满 2 年（2025-07-01 满 2 年）",
    ),
    (
        "standard_2023:L1:1",
        ev(certs=[cert(2, 5)]),
        ev(certs=[cert(2, 5, short=True)]),
        "取得二级证书未满 5 年（2025-07-01 满 5 年）",
    ),
    (
        "standard_2023:L1:2",
        ev(title_rank="intermediate", title_obtained_on=years_ago(5), certs=[cert(2, 1)]),
        ev(title_rank="intermediate", title_obtained_on=years_ago(5), certs=[cert(2, 1, short=True)]),
        "取得二级证书未满 1 年（2025-07-01 满 1 年）",
    ),
    (
        "standard_2023:L1:3",
        ev(title_rank="associate_senior", title_obtained_on=years_ago(1)),
        ev(title_rank="associate_senior", title_obtained_on=years_ago(1, short=True)),
        "取得职称未满 1 年（2025-07-01 满 1 年）",
    ),
    (
        "title_bridge:L3:1",
        ev(title_rank="junior", title_obtained_on=years_ago(1)),
        ev(),
        "未取得初级（助理级）及以上职称",
    ),
    (
        "title_bridge:L2:1",
        ev(title_rank="intermediate", title_obtained_on=years_ago(1)),
        ev(title_rank="intermediate", title_obtained_on=years_ago(1, short=True)),
        "取得职称未满 1 年（2025-07-01 满 1 年）",
    ),
    (
        "title_bridge:L1:1",
        ev(title_rank="senior", title_obtained_on=years_ago(1)),
        ev(title_rank="intermediate", title_obtained_on=years_ago(3)),
        "未取得副高级及以上职称",
    ),
]


def test_every_seeded_route_has_a_boundary_case():
    # given the routes the migration seeded
    seeded = set(EligibilityRoute.objects.values_list("code", flat=True))
    # then each one is exercised below, and nothing below is missing from the data
    assert seeded == {code for code, *_ in CASES}
    assert EligibilityRoute.objects.filter(template="standard_2018").count() == 17
    assert EligibilityRoute.objects.filter(template="standard_2023").count() == 19
    assert EligibilityRoute.objects.filter(template="title_bridge").count() == 3


@pytest.mark.parametrize(("code", "meets", "short", "failure"), CASES, ids=[case[0] for case in CASES])
def test_route_boundary(code, meets, short, failure):
    # given one seeded route
    route = EligibilityRoute.objects.get(code=code)
    # when the evidence meets it exactly at the boundary, then nothing is unmet
    assert route_unmet(route=route, evidence=meets, on=ON) is None
    # when the evidence is one step (a day, a tenth of a year, a rank) short, then the first failure is named
    if short is not None:
        assert route_unmet(route=route, evidence=short, on=ON) == failure


@pytest.mark.parametrize(("code", "meets", "short", "failure"), CASES, ids=[case[0] for case in CASES])
def test_the_check_names_the_route_that_matched(code, meets, short, failure):
    # given a spec of the route's level and template (a title-bridge route applies to either template)
    template, level, _number = code.split(":")
    spec = spec_for(level, "standard_2023" if template == "title_bridge" else template)
    # when the check runs on evidence that meets the route
    decision = eligibility_check(spec=spec, evidence=meets, on=ON, **ADULT)
    # then it is eligible; the route is this one unless an earlier route of the level also matched
    assert decision.eligible is True
    route = EligibilityRoute.objects.get(code=decision.route_code)
    assert decision.explanation == f"符合申报条件：{route.label}"
    if template != "title_bridge":
        assert route.position <= EligibilityRoute.objects.get(code=code).position


def test_exactly_four_years_after_the_certificate_is_eligible_and_a_day_short_is_not():
    # given a Template A 四级 spec and a 五级 certificate issued exactly four years before the first component
    spec = spec_for("L4", "standard_2018")
    # when checked on the anniversary
    decision = eligibility_check(spec=spec, evidence=ev(certs=[cert(5, 4)]), on=ON, **ADULT)
    # then route (1) matches
    assert (decision.eligible, decision.route_code) == (True, "standard_2018:L4:1")
    assert decision.route_label.startswith("取得本职业或相关职业五级/初级工")
    # when the certificate is one day younger, then no route matches
    decision = eligibility_check(spec=spec, evidence=ev(certs=[cert(5, 4, short=True)]), on=ON, **ADULT)
    assert decision.eligible is False
    assert decision.route_code == ""


def test_why_none_lists_the_first_failure_of_each_route():
    # given a Template A 四级 spec and someone with 3 years of work, no certificate, no vocational school
    spec = spec_for("L4", "standard_2018")
    # when checked
    decision = eligibility_check(spec=spec, evidence=ev(work_years=3), on=ON, **ADULT)
    # then every route's first failing condition is listed, once each
    assert decision == type(decision)(
        eligible=False,
        route_code="",
        route_label="",
        explanation=(
            "不符合任何申报条件：未持有五级及以上证书；累计工作年限 3 年，少于 6 年；"
            "学历不符合（须为中等职业学校(中专/职高)、技工学校(中级工班)、高级技工学校/技师学院(高级工班)、"
            "技师学院(预备技师/技师班)、高职/大专）。"
        ),
    )


@pytest.mark.parametrize(
    ("birth_date", "sex", "eligible", "explanation"),
    [
        (date(2009, 6, 30), "M", True, "符合申报条件：年满16周岁，拟从事本职业或相关职业工作"),
        (date(2009, 7, 1), "F", False, "年龄不符合：2025-06-30 时未满 16 周岁（2025-07-01 年满 16 周岁）。"),
        (date(1965, 7, 1), "M", True, "符合申报条件：年满16周岁，拟从事本职业或相关职业工作"),
        (
            date(1965, 6, 30),
            "M",
            False,
            "年龄不符合：2025-06-30 时已达法定退休年龄（男 60 周岁，2025-06-30 达到）。",
        ),
        (date(1970, 7, 1), "F", True, "符合申报条件：年满16周岁，拟从事本职业或相关职业工作"),
        (
            date(1970, 6, 30),
            "F",
            False,
            "年龄不符合：2025-06-30 时已达法定退休年龄（女 55 周岁，2025-06-30 达到）。",
        ),
        (None, "M", False, "缺少出生日期，无法核验年龄条件（须年满 16 周岁且未达法定退休年龄）。"),
        (date(1990, 1, 1), "", False, "缺少性别，无法核验是否已达法定退休年龄。"),
    ],
)
def test_age_boundaries(birth_date, sex, eligible, explanation):
    # given a Template B 五级 spec, whose route (1) needs nothing but the age
    spec = spec_for("L5", "standard_2023")
    # when checked on ON
    decision = eligibility_check(spec=spec, evidence=ev(), birth_date=birth_date, sex=sex, on=ON)
    # then the 16th birthday counts, and the retirement birthday (by sex) no longer does
    assert (decision.eligible, decision.explanation) == (eligible, explanation)


def test_retirement_age_comes_from_settings(settings):
    # given a statutory retirement age for women raised to 58
    settings.SKILLCERT_RETIREMENT_AGE_FEMALE = 58
    spec = spec_for("L5", "standard_2023")
    # when a woman turned 55 on ON, then she is still eligible
    decision = eligibility_check(spec=spec, evidence=ev(), birth_date=date(1970, 6, 30), sex="F", on=ON)
    assert decision.eligible is True


def test_age_applies_to_every_route():
    # given evidence that meets a Template A 三级 route, from a 15-year-old
    spec = spec_for("L3", "standard_2018")
    decision = eligibility_check(
        spec=spec, evidence=ev(certs=[cert(4, 5)]), birth_date=date(2010, 1, 1), sex="M", on=ON
    )
    # then the age decides
    assert decision.eligible is False
    assert decision.explanation == "年龄不符合：2025-06-30 时未满 16 周岁（2026-01-01 年满 16 周岁）。"


@pytest.mark.parametrize(
    ("level", "rank", "route"),
    [
        ("L3", "junior", "title_bridge:L3:1"),
        ("L2", "intermediate", "title_bridge:L2:1"),
        ("L1", "associate_senior", "title_bridge:L1:1"),
    ],
)
def test_title_bridge_applies_to_a_2018_template_spec(level, rank, route):
    # given a Template A spec (which has no title route of its own) and a title held exactly one year
    spec = spec_for(level, "standard_2018")
    evidence = ev(title_rank=rank, title_obtained_on=years_ago(1))
    # when checked, then the title bridge matches
    decision = eligibility_check(spec=spec, evidence=evidence, on=ON, **ADULT)
    assert (decision.eligible, decision.route_code) == (True, route)
    # and one day short of the year it does not
    short = replace(evidence, title_obtained_on=years_ago(1, short=True))
    assert eligibility_check(spec=spec, evidence=short, on=ON, **ADULT).eligible is False


def test_title_bridge_intermediate_title_does_not_reach_level_one():
    # given a 中级 title (the bridge to 一级 needs 副高级)
    spec = spec_for("L1", "standard_2018")
    evidence = ev(title_rank="intermediate", title_obtained_on=years_ago(10))
    decision = eligibility_check(spec=spec, evidence=evidence, on=ON, **ADULT)
    assert decision.eligible is False
    assert decision.explanation == "不符合任何申报条件：未持有二级及以上证书；未取得副高级及以上职称。"


def test_legacy_certificate_number_counts_with_the_declared_level():
    # given a 16-digit 职业资格证书 (2015, 四级) declared as 四级, issued exactly five years before
    legacy = PriorCertificate(number="1531001001400001", level_digit=4, issued_on=date(2020, 6, 30))
    spec = spec_for("L3", "standard_2018")
    # when checked for Template A 三级
    decision = eligibility_check(spec=spec, evidence=ev(certs=[legacy]), on=ON, **ADULT)
    # then route (1) "四级证书后累计5年" matches
    assert (decision.eligible, decision.route_code) == (True, "standard_2018:L3:1")


def test_legacy_certificate_without_a_declared_level_does_not_count():
    legacy = PriorCertificate(number="1531001001400001", level_digit=None, issued_on=date(2015, 6, 30))
    decision = eligibility_check(
        spec=spec_for("L1", "standard_2018"), evidence=ev(certs=[legacy]), on=ON, **ADULT
    )
    assert decision.eligible is False
    assert (
        decision.explanation == "不符合任何申报条件：证书编号 1531001001400001 未填写等级；"
        "未持有二级及以上证书；未取得副高级及以上职称。"
    )


def test_the_level_of_a_22_character_number_wins_over_the_declared_one():
    # given a 四级 certificate number declared (wrongly) as 五级
    certificate = replace(cert(4, 5), level_digit=5)
    decision = eligibility_check(
        spec=spec_for("L3", "standard_2018"), evidence=ev(certs=[certificate]), on=ON, **ADULT
    )
    assert decision.route_code == "standard_2018:L3:1"


def test_an_invalid_certificate_number_is_named():
    bad = PriorCertificate(number="S0000310001012450000", level_digit=5, issued_on=date(2020, 1, 1))
    decision = eligibility_check(
        spec=spec_for("L4", "standard_2023"), evidence=ev(certs=[bad]), on=ON, **ADULT
    )
    assert decision.eligible is False
    assert decision.explanation.startswith(
        "不符合任何申报条件：证书编号 S0000310001012450000 无效："
        "以字母开头的证书编号应为 22 位，实际为 20 位；"
    )


def test_anniversary_of_29_february():
    assert anniversary(date(2008, 2, 29), 1) == date(2009, 3, 1)
    assert anniversary(date(2008, 2, 29), 4) == date(2012, 2, 29)


def test_evidence_from_application(world):
    # given an application with evidence, a legacy certificate among it
    plan = make_plan(world)
    candidate = make_candidate("王小明", make_resident_id(date(1990, 5, 4)))
    application = make_application(
        plan,
        candidate,
        work_years="7.5",
        education="bachelor",
        education_related=True,
        graduation_on=date(2012, 7, 1),
        title_rank="junior",
        title_obtained_on=date(2016, 9, 1),
        prior_certificates=[{"number": "1531001001400001", "level_digit": 4, "issued_on": "2015-06-30"}],
    )
    application.refresh_from_db()
    # when read as evidence
    evidence = Evidence.from_application(application)
    # then every field is carried over
    assert evidence == Evidence(
        work_years=Decimal("7.5"),
        education="bachelor",
        education_related=True,
        graduation_on=date(2012, 7, 1),
        title_rank="junior",
        title_obtained_on=date(2016, 9, 1),
        prior_certificates=(PriorCertificate("1531001001400001", 4, date(2015, 6, 30)),),
    )
