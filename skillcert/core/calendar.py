"""The working-day calendar: every deadline counted in working days (工作日) goes through this module.

A day is a working day when it is Monday to Friday, unless the calendar (``CalendarDay`` rows, kept by
the municipal administrator) marks it as a statutory holiday; a Saturday or Sunday is a working day when
the calendar marks it as a make-up working day (调休上班). Years without any calendar entry fall back to
plain Monday–Friday; ``calendar_covers(year)`` tells whether a year has been entered.

Each function reads the calendar entries it needs with one query (never one query per day) and keeps no
cache, so an administrator's correction applies to the next computation.
"""

from datetime import date, timedelta

from skillcert.core.models import CalendarDay

# How far one window of calendar entries reaches beyond the working days asked for: long enough to cover
# the longest run of holidays plus weekends (春节, 国庆: 8–9 days) so one query normally suffices.
_WINDOW_SLACK_DAYS = 31


def _is_weekday(day: date) -> bool:
    return day.weekday() < 5


def _exceptions(first: date, last: date) -> dict[date, bool]:
    """Calendar entries between two dates (inclusive, any order): date → is a working day."""
    low, high = min(first, last), max(first, last)
    rows = CalendarDay.objects.filter(date__gte=low, date__lte=high).values_list("date", "kind")
    return {day: kind == CalendarDay.Kind.WORKDAY for day, kind in rows}


def calendar_covers(year: int) -> bool:
    """Whether the holidays and make-up working days of ``year`` have been entered (else Mon–Fri applies)."""
    return CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).exists()


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day."""
    entry = _exceptions(day, day)
    return entry.get(day, _is_weekday(day))


def add_working_days(start: date, days: int) -> date:
    """The date that is ``days`` working days after ``start``, not counting ``start`` itself.

    ``add_working_days(d, 1)`` is the first working day after ``d`` (whether or not ``d`` is a working
    day). Negative ``days`` count backwards: ``add_working_days(d, -1)`` is the last working day before
    ``d``. ``days == 0`` returns ``start`` unchanged. The result is always a working day unless
    ``days == 0``. For ``n >= 0``, ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    if days == 0:
        return start
    step = timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    cursor = start
    while True:
        # Five working days take at most seven calendar days, plus the holiday slack.
        window_days = remaining * 7 // 5 + _WINDOW_SLACK_DAYS
        window_end = cursor + step * window_days
        entries = _exceptions(cursor + step, window_end)
        for _offset in range(window_days):
            cursor += step
            if entries.get(cursor, _is_weekday(cursor)):
                remaining -= 1
                if remaining == 0:
                    return cursor


def _weekdays_through(day: date) -> int:
    """Mondays to Fridays from an arbitrary fixed Monday (0001-01-01) up to and including ``day``."""
    ordinal = day.toordinal()  # 0001-01-01 is a Monday with ordinal 1
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(start: date, end: date) -> int:
    """The number of working days after ``start`` up to and including ``end``; negative if ``end < start``.

    ``working_days_between(d, d) == 0``; ``working_days_between(friday, next_monday) == 1`` in a plain
    week. Swapping the arguments changes only the sign.
    """
    if end < start:
        return -working_days_between(end, start)
    if end == start:
        return 0
    count = _weekdays_through(end) - _weekdays_through(start)
    for day, working in _exceptions(start + timedelta(days=1), end).items():
        if working and not _is_weekday(day):
            count += 1
        elif not working and _is_weekday(day):
            count -= 1
    return count
