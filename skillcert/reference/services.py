"""Writes on reference data: the starter sets, the working-day calendar and the level ranges.

The importers of the official catalogues live in ``skillcert.reference.importers``; the Excel import and
export of the level ranges in ``skillcert.reference.level_range_sheets``.
"""

from dataclasses import asdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.models import CalendarDay
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.reference.models import JobType, LevelRange, Occupation, Region, SkillLevel
from skillcert.reference.seeding import SeedCounts, seed_starter_sets
from skillcert.reference.selectors import level_range_subject, level_span_label

MSG_NOT_A_CERTIFICATE_LEVEL = _("只能选择五级至一级的证书等级。")
MSG_LOWEST_ABOVE_HIGHEST = _("最低等级（%(lowest)s）不能高于最高等级（%(highest)s）。")
MSG_JOB_TYPE_NOT_OF_OCCUPATION = _("工种“%(job_type)s”不属于职业“%(occupation)s”。")
MSG_RANGE_EXISTS = _("%(subject)s已设定等级范围（%(range)s），请修改原记录。")


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


# --- level ranges (可备案等级范围) ----------------------------------------------------------------------


def level_range_data(level_range: LevelRange) -> dict:
    """What the audit keeps of a range: whose it is and its two ends as level codes."""
    return {
        "occupation": level_range.occupation.code,
        "job_type": level_range.job_type.name if level_range.job_type else "",
        "lowest": level_range.lowest.code,
        "highest": level_range.highest.code,
    }


def level_range_clean_levels(*, lowest: SkillLevel, highest: SkillLevel) -> None:
    """Both ends are certificate levels and the lowest is not above the highest; field errors if not."""
    errors: dict[str, list] = {}
    for field, level in (("lowest", lowest), ("highest", highest)):
        if level.certificate_digit is None:
            errors[field] = [str(MSG_NOT_A_CERTIFICATE_LEVEL)]
    if not errors and lowest.rank > highest.rank:
        errors["lowest"] = [MSG_LOWEST_ABOVE_HIGHEST % {"lowest": lowest.label, "highest": highest.label}]
    if errors:
        raise ValidationError(errors)


def _raise_range_exists(existing: LevelRange) -> None:
    message = MSG_RANGE_EXISTS % {
        "subject": level_range_subject(occupation=existing.occupation, job_type=existing.job_type),
        "range": level_span_label(lowest=existing.lowest, highest=existing.highest),
    }
    field = "job_type" if existing.job_type_id else "occupation"
    # The code goes on the message: Django ignores ``code`` when the error is a dict of fields.
    raise ValidationError({field: ValidationError(message, code="level_range_exists")})


@transaction.atomic
def level_range_create(
    *,
    actor: User,
    occupation: Occupation,
    job_type: JobType | None,
    lowest: SkillLevel,
    highest: SkillLevel,
    context: RequestContext = NO_REQUEST,
) -> LevelRange:
    """Record the levels at which an occupation, or one of its job types, may be evaluated."""
    if job_type is not None and job_type.occupation_id != occupation.pk:
        message = MSG_JOB_TYPE_NOT_OF_OCCUPATION % {"job_type": job_type.name, "occupation": occupation.name}
        raise ValidationError({"job_type": message})
    level_range_clean_levels(lowest=lowest, highest=highest)
    existing = LevelRange.objects.filter(occupation=occupation, job_type=job_type).first()
    if existing is not None:
        _raise_range_exists(existing)
    level_range = LevelRange(occupation=occupation, job_type=job_type, lowest=lowest, highest=highest)
    level_range.full_clean(validate_unique=False, validate_constraints=False)  # both checked above
    try:
        with transaction.atomic():
            level_range.save(force_insert=True)
    except IntegrityError:
        # Another administrator recorded this range meanwhile: the constraint decided, say so.
        _raise_range_exists(LevelRange.objects.get(occupation=occupation, job_type=job_type))
    audit_record(
        actor=actor,
        action="level_range.created",
        target=level_range,
        data=level_range_data(level_range),
        context=context,
    )
    return level_range


@transaction.atomic
def level_range_update(
    *,
    actor: User,
    level_range: LevelRange,
    lowest: SkillLevel,
    highest: SkillLevel,
    context: RequestContext = NO_REQUEST,
) -> LevelRange:
    """Change a range's two ends. Scopes already filed stay in force: only new filings are checked."""
    level_range_clean_levels(lowest=lowest, highest=highest)
    level_range = LevelRange.objects.select_for_update().get(pk=level_range.pk)
    unchanged = (level_range.lowest_id, level_range.highest_id) == (
        lowest.certificate_digit,
        highest.certificate_digit,
    )
    if unchanged:
        return level_range  # nothing to record
    before = level_range_data(level_range)
    level_range.lowest = lowest
    level_range.highest = highest
    level_range.save(update_fields=["lowest", "highest"])
    audit_record(
        actor=actor,
        action="level_range.updated",
        target=level_range,
        data={"before": before, "after": level_range_data(level_range)},
        context=context,
    )
    return level_range


@transaction.atomic
def level_range_delete(*, actor: User, level_range: LevelRange, context: RequestContext = NO_REQUEST) -> None:
    """Remove a range: the occupation's range (for a job type) or all five levels apply again."""
    data = level_range_data(level_range)
    target = ("reference.levelrange", str(level_range.pk))
    level_range.delete()
    audit_record(actor=actor, action="level_range.deleted", target=target, data=data, context=context)
