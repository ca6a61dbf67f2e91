"""Writes on reference data: the starter sets and the working-day calendar.

The importers of the official catalogues live in ``skillcert.reference.importers``.
"""

from dataclasses import asdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.models import CalendarDay
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.reference.models import JobType, Occupation, Region, SkillLevel
from skillcert.reference.seeding import SeedCounts, seed_starter_sets


@transaction.atomic
def reference_seed(*, actor: User | None = None, actor_label: str = "reference-seed") -> SeedCounts:
    """Create the missing starter skill levels, regions, occupations and job types (idempotent)."""
    counts = seed_starter_sets(
        skill_level_model=SkillLevel, region_model=Region, occupation_model=Occupation, job_type_model=JobType
    )
    # A run that creates nothing changes nothing, so it leaves no audit event.
    if counts.total:
        audit_record(actor=actor, action="reference.seeded", data=asdict(counts), actor_label=actor_label)
    return counts


def _calendar_day_data(calendar_day: CalendarDay) -> dict:
    return {"date": calendar_day.date.isoformat(), "kind": calendar_day.kind, "name": calendar_day.name}


def _check_date_free(*, day: date, exclude_pk: int | None = None) -> None:
    taken = CalendarDay.objects.filter(date=day)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {"date": _("日期：%(date)s 已有日历记录，请修改原记录。") % {"date": day.isoformat()}}
        )


@transaction.atomic
def calendar_day_create(
    *, actor: User, day: date, kind: str, name: str, context: RequestContext = NO_REQUEST
) -> CalendarDay:
    """Add a statutory holiday or a make-up working day to the working-day calendar."""
    _check_date_free(day=day)
    calendar_day = CalendarDay(date=day, kind=kind, name=name.strip())
    calendar_day.full_clean()
    calendar_day.save(force_insert=True)
    audit_record(
        actor=actor,
        action="calendar_day.created",
        target=calendar_day,
        data=_calendar_day_data(calendar_day),
        context=context,
    )
    return calendar_day


@transaction.atomic
def calendar_day_update(
    *,
    actor: User,
    calendar_day: CalendarDay,
    day: date,
    kind: str,
    name: str,
    context: RequestContext = NO_REQUEST,
) -> CalendarDay:
    """Correct the date, kind or name of one calendar entry."""
    before = _calendar_day_data(calendar_day)
    _check_date_free(day=day, exclude_pk=calendar_day.pk)
    calendar_day.date = day
    calendar_day.kind = kind
    calendar_day.name = name.strip()
    calendar_day.full_clean(validate_unique=False)  # uniqueness checked above with a field-named message
    calendar_day.save(update_fields=["date", "kind", "name"])
    audit_record(
        actor=actor,
        action="calendar_day.updated",
        target=calendar_day,
        data={"before": before, "after": _calendar_day_data(calendar_day)},
        context=context,
    )
    return calendar_day


@transaction.atomic
def calendar_day_delete(
    *, actor: User, calendar_day: CalendarDay, context: RequestContext = NO_REQUEST
) -> None:
    """Remove one calendar entry; the day falls back to the Monday–Friday rule."""
    data = _calendar_day_data(calendar_day)
    target = ("core.calendarday", str(calendar_day.pk))
    calendar_day.delete()
    audit_record(actor=actor, action="calendar_day.deleted", target=target, data=data, context=context)
