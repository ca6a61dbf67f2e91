"""Eligibility (申报条件) as data: check a candidate's evidence against the routes of a spec's level.

The routes are ``EligibilityRoute`` rows (seeded by migration ``0003_eligibility_routes``): the routes of
the spec's template (``standard_2018`` / ``standard_2023``, domain-cn-skills.md §4.4) followed by the
``title_bridge`` routes (职称 → 技能等级, §7), which apply whatever the template. Each route lists
conditions that must all hold; the first route whose conditions hold is the decision. Before any route,
the age rule applies: from ``SKILLCERT_MIN_AGE`` up to (not including) the statutory retirement age of
the candidate's sex, on the date of the plan's first component.

"满N年" means on or after the N-th anniversary; an anniversary of 29 February falls on 1 March in a
year without one.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from skillcert.core.identifiers import CertificateNumber, parse_certificate_number
from skillcert.evaluation.models import Education, EligibilityRoute, EvaluationSpec, TitleRank

if TYPE_CHECKING:
    from skillcert.evaluation.models import Application

TITLE_BRIDGE = "title_bridge"  # the template of the 职称 → 技能等级 routes

LEVEL_NAMES = {5: _("五级"), 4: _("四级"), 3: _("三级"), 2: _("二级"), 1: _("一级")}
TITLE_ORDER: list[str] = [
    TitleRank.NONE,
    TitleRank.JUNIOR,
    TitleRank.INTERMEDIATE,
    TitleRank.ASSOCIATE_SENIOR,
    TitleRank.SENIOR,
]
TITLE_NAMES = {
    TitleRank.JUNIOR: _("初级（助理级）"),
    TitleRank.INTERMEDIATE: _("中级"),
    TitleRank.ASSOCIATE_SENIOR: _("副高级"),
    TitleRank.SENIOR: _("正高级"),
}

# Messages (tests assert on them). Placeholders are filled with %-formatting.
MSG_ELIGIBLE = _("符合申报条件：%(label)s")
MSG_NONE = _("不符合任何申报条件：%(reasons)s。")
MSG_NO_ROUTES = _("该等级尚未配置申报条件，无法审核。")
MSG_NO_BIRTH_DATE = _("缺少出生日期，无法核验年龄条件（须年满 %(min_age)d 周岁且未达法定退休年龄）。")
MSG_NO_SEX = _("缺少性别，无法核验是否已达法定退休年龄。")
MSG_TOO_YOUNG = _("年龄不符合：%(on)s 时未满 %(min_age)d 周岁（%(birthday)s 年满 %(min_age)d 周岁）。")
MSG_RETIRED = _("年龄不符合：%(on)s 时已达法定退休年龄（%(sex)s %(age)d 周岁，%(birthday)s 达到）。")
MSG_WORK_YEARS = _("累计工作年限 %(have)s 年，少于 %(need)s 年")
MSG_NOT_WORKING = _("未从事本职业或相关职业工作")
MSG_APPRENTICESHIP = _("未满本职业或相关职业学徒期")
MSG_NO_CERTIFICATE = _("未持有%(level)s及以上证书")
MSG_CERTIFICATE_NO_DATE = _("%(level)s证书未填写取得日期")
MSG_CERTIFICATE_YEARS = _("取得%(level)s证书未满 %(years)d 年（%(anniversary)s 满 %(years)d 年）")
MSG_EDUCATION = _("学历不符合（须为%(allowed)s）")
MSG_EDUCATION_RELATED = _("所学专业不是本专业或相关专业")
MSG_NO_TITLE = _("未取得%(rank)s及以上职称")
MSG_TITLE_NO_DATE = _("未填写取得职称的日期")
MSG_TITLE_YEARS = _("取得职称未满 %(years)d 年（%(anniversary)s 满 %(years)d 年）")
MSG_CERTIFICATE_INVALID = _("证书编号 %(number)s 无效：%(error)s")
MSG_CERTIFICATE_NO_LEVEL = _("证书编号 %(number)s 未填写等级")


@dataclass(frozen=True, slots=True)
class PriorCertificate:
    """A certificate the candidate already holds: its number (legacy numbers accepted) and issue date."""

    number: str
    level_digit: int | None = None  # used when the number does not carry it (legacy numbers)
    issued_on: date | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a candidate declares for eligibility."""

    work_years: Decimal = Decimal(0)
    education: str = Education.NONE
    education_related: bool = False
    graduation_on: date | None = None
    title_rank: str = TitleRank.NONE
    title_obtained_on: date | None = None
    prior_certificates: Sequence[PriorCertificate] = field(default_factory=tuple)
    # Template A 五级 route (2) "学徒期满"; the Application model has no field for it yet.
    apprenticeship_completed: bool = False

    @classmethod
    def from_application(cls, application: "Application") -> "Evidence":
        """The evidence stored on an application (its ``prior_certificates`` JSON list included)."""
        certificates = [
            PriorCertificate(
                number=str(item.get("number", "")),
                level_digit=_int_or_none(item.get("level_digit")),
                issued_on=_date_or_none(item.get("issued_on")),
            )
            for item in (application.prior_certificates or [])
            if isinstance(item, dict)
        ]
        return cls(
            work_years=Decimal(str(application.work_years)),
            education=application.education,
            education_related=application.education_related,
            graduation_on=application.graduation_on,
            title_rank=application.title_rank,
            title_obtained_on=application.title_obtained_on,
            prior_certificates=tuple(certificates),
        )


@dataclass(frozen=True, slots=True)
class EligibilityDecision:
    eligible: bool
    route_code: str  # "" when no route matched
    route_label: str
    explanation: str


@dataclass(frozen=True, slots=True)
class _HeldCertificate:
    level_digit: int
    issued_on: date | None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date_or_none(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def anniversary(start: date, years: int) -> date:
    """The ``years``-th anniversary of ``start`` (29 February → 1 March in a common year)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def _years(value: Decimal) -> str:
    """3 → "3", 2.50 → "2.5" (no trailing zeros in messages)."""
    text = format(value.normalize(), "f")
    return text


def _held_certificates(evidence: Evidence) -> tuple[list[_HeldCertificate], list[str]]:
    """The certificates that count, and a note for each one that does not."""
    held: list[_HeldCertificate] = []
    notes: list[str] = []
    for certificate in evidence.prior_certificates:
        try:
            parsed = parse_certificate_number(certificate.number)
        except ValidationError as error:
            notes.append(
                MSG_CERTIFICATE_INVALID
                % {"number": certificate.number, "error": error.messages[0].rstrip("。")}
            )
            continue
        # A 22-character number carries its level; a legacy number's level is taken as declared.
        level = parsed.level if isinstance(parsed, CertificateNumber) else certificate.level_digit
        if level is None or level not in LEVEL_NAMES:
            notes.append(MSG_CERTIFICATE_NO_LEVEL % {"number": certificate.number})
            continue
        held.append(_HeldCertificate(level_digit=level, issued_on=certificate.issued_on))
    return held, notes


def _check_work_years(condition: dict, evidence: Evidence, on: date, held: list) -> str | None:
    if "more_than" in condition:
        return None if evidence.work_years > Decimal(str(condition["more_than"])) else str(MSG_NOT_WORKING)
    need = Decimal(str(condition["min"]))
    if evidence.work_years >= need:
        return None
    return MSG_WORK_YEARS % {"have": _years(evidence.work_years), "need": _years(need)}


def _check_apprenticeship(condition: dict, evidence: Evidence, on: date, held: list) -> str | None:
    return None if evidence.apprenticeship_completed else str(MSG_APPRENTICESHIP)


def _check_certificate(condition: dict, evidence: Evidence, on: date, held: list) -> str | None:
    digit = int(condition["level_digit"])
    level = LEVEL_NAMES[digit]
    # A certificate of the level or a higher one (a smaller digit) counts.
    matching = [certificate for certificate in held if certificate.level_digit <= digit]
    if not matching:
        return MSG_NO_CERTIFICATE % {"level": level}
    years = condition.get("years_since")
    if not years:
        return None
    dated = [certificate.issued_on for certificate in matching if certificate.issued_on is not None]
    if not dated:
        return MSG_CERTIFICATE_NO_DATE % {"level": level}
    due = anniversary(min(dated), int(years))
    if on >= due:
        return None
    return MSG_CERTIFICATE_YEARS % {"level": level, "years": int(years), "anniversary": due.isoformat()}


def _check_education(condition: dict, evidence: Evidence, on: date, held: list) -> str | None:
    allowed = condition["in"]
    if evidence.education not in allowed:
        names = "、".join(str(Education(value).label) for value in allowed)
        return MSG_EDUCATION % {"allowed": names}
    if condition.get("related") and not evidence.education_related:
        return str(MSG_EDUCATION_RELATED)
    return None


def _check_title(condition: dict, evidence: Evidence, on: date, held: list) -> str | None:
    need = condition["rank_at_least"]
    have = evidence.title_rank if evidence.title_rank in TITLE_ORDER else TitleRank.NONE
    if TITLE_ORDER.index(have) < TITLE_ORDER.index(need):
        return MSG_NO_TITLE % {"rank": TITLE_NAMES[need]}
    years = condition.get("years_since")
    if not years:
        return None
    if evidence.title_obtained_on is None:
        return str(MSG_TITLE_NO_DATE)
    due = anniversary(evidence.title_obtained_on, int(years))
    if on >= due:
        return None
    return MSG_TITLE_YEARS % {"years": int(years), "anniversary": due.isoformat()}


_CHECKS = {
    "work_years": _check_work_years,
    "apprenticeship": _check_apprenticeship,
    "certificate": _check_certificate,
    "education": _check_education,
    "title": _check_title,
}


def route_unmet(*, route: EligibilityRoute, evidence: Evidence, on: date) -> str | None:
    """The first condition of ``route`` that the evidence does not meet on ``on``, or None if all hold."""
    held, _notes = _held_certificates(evidence)
    return _route_unmet(route.conditions, evidence, on, held)


def _route_unmet(conditions: list[dict], evidence: Evidence, on: date, held: list) -> str | None:
    for condition in conditions:
        failure = _CHECKS[condition["kind"]](condition, evidence, on, held)
        if failure is not None:
            return failure
    return None


def age_unmet(*, birth_date: date | None, sex: str, on: date) -> str | None:
    """Why the age rule fails on ``on`` (under the minimum age, or at the retirement age), or None."""
    min_age = settings.SKILLCERT_MIN_AGE
    if birth_date is None:
        return MSG_NO_BIRTH_DATE % {"min_age": min_age}
    adult_on = anniversary(birth_date, min_age)
    if on < adult_on:
        return MSG_TOO_YOUNG % {"on": on.isoformat(), "min_age": min_age, "birthday": adult_on.isoformat()}
    retirement_ages = {
        "M": (settings.SKILLCERT_RETIREMENT_AGE_MALE, _("男")),
        "F": (settings.SKILLCERT_RETIREMENT_AGE_FEMALE, _("女")),
    }
    if sex not in retirement_ages:
        return str(MSG_NO_SEX)
    age, sex_label = retirement_ages[sex]
    retired_on = anniversary(birth_date, age)
    if on >= retired_on:
        return MSG_RETIRED % {
            "on": on.isoformat(),
            "sex": sex_label,
            "age": age,
            "birthday": retired_on.isoformat(),
        }
    return None


def eligibility_routes(*, spec: EvaluationSpec) -> list[EligibilityRoute]:
    """The routes that apply to ``spec``: its template's routes for its level, then the title bridge."""
    routes = list(
        EligibilityRoute.objects.filter(
            level=spec.level, template__in=[spec.eligibility_template, TITLE_BRIDGE]
        ).order_by("position", "code")
    )
    # The template's own routes first, in their published order; the title bridge after them.
    return sorted(routes, key=lambda route: (route.template == TITLE_BRIDGE, route.position, route.code))


def eligibility_check(
    *, spec: EvaluationSpec, evidence: Evidence, birth_date: date | None, sex: str, on: date
) -> EligibilityDecision:
    """Decide whether the evidence qualifies for ``spec``'s level on ``on``: the route, or why none."""
    age_failure = age_unmet(birth_date=birth_date, sex=sex, on=on)
    if age_failure is not None:
        return EligibilityDecision(eligible=False, route_code="", route_label="", explanation=age_failure)
    routes = eligibility_routes(spec=spec)
    if not routes:
        return EligibilityDecision(
            eligible=False, route_code="", route_label="", explanation=str(MSG_NO_ROUTES)
        )
    held, notes = _held_certificates(evidence)
    reasons: list[str] = []
    for route in routes:
        failure = _route_unmet(route.conditions, evidence, on, held)
        if failure is None:
            return EligibilityDecision(
                eligible=True,
                route_code=route.code,
                route_label=route.label,
                explanation=MSG_ELIGIBLE % {"label": route.label},
            )
        if failure not in reasons:  # several routes often fail on the same point: say it once
            reasons.append(failure)
    return EligibilityDecision(
        eligible=False,
        route_code="",
        route_label="",
        explanation=MSG_NONE % {"reasons": "；".join([*notes, *reasons])},
    )
