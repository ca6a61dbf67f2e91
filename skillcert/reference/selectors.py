"""Reads on reference data for pages, forms and other apps."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import CalendarDay
from skillcert.reference.models import JobType, LevelRange, Occupation, SkillLevel

MSG_LEVEL_OUT_OF_RANGE = _("%(subject)s只可评价%(range)s，不含%(level)s。")


def skill_level_list() -> QuerySet[SkillLevel]:
    """All rungs of the skill ladder, 学徒工 first."""
    return SkillLevel.objects.order_by("rank")


def occupation_list(*, search: str = "") -> QuerySet[Occupation]:
    """Occupations by code, filtered by a code prefix or a part of the name, with their job types."""
    occupations = Occupation.objects.prefetch_related("job_types").order_by("code")
    search = search.strip()
    if search:
        occupations = occupations.filter(Q(code__startswith=search) | Q(name__contains=search))
    return occupations


def calendar_day_list(*, year: int) -> QuerySet[CalendarDay]:
    """The calendar entries (holidays and make-up working days) of one year, in date order."""
    return CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).order_by(
        "date"
    )


def calendar_day_get(*, day: date) -> CalendarDay | None:
    """The calendar entry of one date, if any."""
    return CalendarDay.objects.filter(date=day).first()


# --- level ranges (可备案等级范围) ----------------------------------------------------------------------


def level_range_subject(*, occupation: Occupation, job_type: JobType | None) -> str:
    """How messages name an occupation or one of its job types: "焊工（气焊工）"."""
    return f"{occupation.name}（{job_type.name}）" if job_type is not None else occupation.name


def level_span_label(*, lowest: SkillLevel, highest: SkillLevel) -> str:
    """ "四级/中级工至一级/高级技师", or one label when both ends are the same level."""
    if lowest.pk == highest.pk:
        return lowest.label
    return _("%(lowest)s至%(highest)s") % {"lowest": lowest.label, "highest": highest.label}


@dataclass(frozen=True, slots=True)
class AllowedLevels:
    """The certificate levels an occupation or job type may be evaluated at."""

    lowest: SkillLevel
    highest: SkillLevel
    recorded: LevelRange | None  # the range that applies; None: none recorded, so all five levels

    def allows(self, level: SkillLevel) -> bool:
        digit = level.certificate_digit
        low, high = self.lowest.certificate_digit, self.highest.certificate_digit
        return digit is not None and low is not None and high is not None and high <= digit <= low

    @property
    def label(self) -> str:
        return level_span_label(lowest=self.lowest, highest=self.highest)


def certificate_levels() -> QuerySet[SkillLevel]:
    """The five certificate levels, 五级/初级工 first."""
    return SkillLevel.objects.filter(certificate_digit__isnull=False).order_by("rank")


def level_range_resolve(*, occupation: Occupation, job_type: JobType | None = None) -> AllowedLevels:
    """The range that applies: the job type's own, else the occupation's, else all five levels."""
    candidates = LevelRange.objects.select_related("lowest", "highest").filter(occupation=occupation)
    if job_type is None:
        candidates = candidates.filter(job_type__isnull=True)
    else:
        candidates = candidates.filter(Q(job_type__isnull=True) | Q(job_type=job_type))
    recorded = max(candidates, key=lambda row: row.job_type_id is not None, default=None)
    if recorded is not None:
        return AllowedLevels(lowest=recorded.lowest, highest=recorded.highest, recorded=recorded)
    levels = list(certificate_levels())
    return AllowedLevels(lowest=levels[0], highest=levels[-1], recorded=None)


def level_range_check(*, occupation: Occupation, job_type: JobType | None, level: SkillLevel) -> None:
    """Refuse a level outside the published range, with a ``level`` field message naming the range."""
    allowed = level_range_resolve(occupation=occupation, job_type=job_type)
    if not allowed.allows(level):
        message = MSG_LEVEL_OUT_OF_RANGE % {
            "subject": level_range_subject(occupation=occupation, job_type=job_type),
            "range": allowed.label,
            "level": level.label,
        }
        raise ValidationError({"level": ValidationError(message, code="level_out_of_range")})


def level_range_get(*, pk: int) -> LevelRange | None:
    return (
        LevelRange.objects.select_related("occupation", "job_type", "lowest", "highest").filter(pk=pk).first()
    )


def level_range_list() -> QuerySet[LevelRange]:
    """Every recorded range, by occupation code with the occupation's own range before its job types'."""
    return LevelRange.objects.select_related("occupation", "job_type", "lowest", "highest").order_by(
        "occupation__code", F("job_type__name").asc(nulls_first=True)
    )


def level_range_occupations(*, search: str = "", recorded_only: bool = False) -> QuerySet[Occupation]:
    """Occupations for the ranges page, with their job types and recorded ranges prefetched."""
    occupations = occupation_list(search=search).prefetch_related(
        Prefetch("level_ranges", queryset=LevelRange.objects.select_related("lowest", "highest"))
    )
    if recorded_only:
        occupations = occupations.filter(pk__in=LevelRange.objects.values("occupation_id"))
    return occupations


@dataclass(frozen=True, slots=True)
class LevelRangeRow:
    """One line of the ranges page: an occupation or one of its job types, and what applies to it."""

    occupation: Occupation
    job_type: JobType | None
    recorded: LevelRange | None  # this line's own range
    inherited: LevelRange | None  # a job type without its own range: the occupation's, if recorded


def level_range_rows(*, occupations: Iterable[Occupation]) -> list[LevelRangeRow]:
    """The lines for occupations from ``level_range_occupations`` (no further queries)."""
    rows = []
    for occupation in occupations:
        ranges = {row.job_type_id: row for row in occupation.level_ranges.all()}
        own = ranges.get(None)
        rows.append(LevelRangeRow(occupation=occupation, job_type=None, recorded=own, inherited=None))
        for job_type in occupation.job_types.all():
            rows.append(
                LevelRangeRow(
                    occupation=occupation, job_type=job_type, recorded=ranges.get(job_type.pk), inherited=own
                )
            )
    return rows
