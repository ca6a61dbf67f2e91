"""Reads on reference data for pages, forms and other apps."""

from datetime import date

from django.db.models import Q, QuerySet

from skillcert.core.models import CalendarDay
from skillcert.reference.models import Occupation, SkillLevel


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
