"""The working-day calendar: seeded 2025/2026 arrangements, make-up days, both directions, fallback."""

from datetime import date, timedelta

import pytest

from skillcert.core.calendar import add_working_days, calendar_covers, is_working_day, working_days_between
from skillcert.core.models import CalendarDay

pytestmark = pytest.mark.django_db


def naive_add(start: date, days: int) -> date:
    """Reference implementation: step one day at a time, asking is_working_day for each."""
    step = timedelta(days=1 if days > 0 else -1)
    cursor, remaining = start, abs(days)
    while remaining:
        cursor += step
        if is_working_day(cursor):
            remaining -= 1
    return cursor


def test_seed_holds_both_years_with_their_make_up_days():
    # given the seeded calendar / then both years are covered with the published counts
    assert CalendarDay.objects.filter(date__year=2025).count() == 33
    assert CalendarDay.objects.filter(date__year=2026).count() == 39
    assert list(
        CalendarDay.objects.filter(kind=CalendarDay.Kind.WORKDAY, date__year=2025).values_list(
            "date", flat=True
        )
    ) == [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)]
    assert list(
        CalendarDay.objects.filter(kind=CalendarDay.Kind.WORKDAY, date__year=2026).values_list(
            "date", flat=True
        )
    ) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]


def test_national_day_2025_five_working_days_after_september_30():
    # given 9/30 (Tue) before the 10/1–10/8 holiday
    # when five working days are added
    result = add_working_days(date(2025, 9, 30), 5)
    # then 10/9 Thu (1), 10/10 Fri (2), 10/11 Sat make-up day (3), 10/13 Mon (4), 10/14 Tue (5)
    assert result == date(2025, 10, 14)
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 14)) == 5


def test_holidays_and_make_up_days_are_classified():
    assert is_working_day(date(2025, 10, 8)) is False  # Wednesday inside 国庆节、中秋节
    assert is_working_day(date(2025, 10, 11)) is True  # Saturday make-up working day
    assert is_working_day(date(2025, 10, 12)) is False  # plain Sunday
    assert is_working_day(date(2025, 9, 29)) is True  # plain Monday
    assert is_working_day(date(2026, 2, 14)) is True  # Saturday before 春节 2026


def test_spring_festival_2025():
    # given Friday 1/24 before the 1/26 make-up Sunday and the 1/28–2/4 holiday
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)
    # when counting from Monday 1/27 / then the first working day is Wednesday 2/5
    assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    # and Saturday 2/8 is a make-up working day: 2/5, 2/6, 2/7, 2/8
    assert add_working_days(date(2025, 1, 27), 4) == date(2025, 2, 8)


def test_spring_festival_2026_make_up_saturdays():
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # Saturday make-up day
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)  # 2/15–2/23 off
    # 2/24 Tue … 2/27 Fri are four, Saturday 2/28 is the fifth
    assert add_working_days(date(2026, 2, 23), 5) == date(2026, 2, 28)


def test_negative_days_count_backwards():
    # the last working day before 10/9 is 9/30: 10/1–10/8 are holidays
    assert add_working_days(date(2025, 10, 9), -1) == date(2025, 9, 30)
    # Sunday 10/12 is off, Saturday 10/11 is a make-up day (1), Friday 10/10 is (2)
    assert add_working_days(date(2025, 10, 13), -2) == date(2025, 10, 10)
    # 9/30 (1), 9/29 (2), Sunday 9/28 make-up day (3)
    assert add_working_days(date(2025, 10, 1), -3) == date(2025, 9, 28)
    assert working_days_between(date(2025, 10, 14), date(2025, 9, 30)) == -5


def test_year_boundary():
    # 2026-01-01..03 off, Sunday 1/4 is a make-up working day
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert add_working_days(date(2026, 1, 5), -2) == date(2025, 12, 31)
    assert working_days_between(date(2025, 12, 31), date(2026, 1, 5)) == 2


def test_zero_days_and_same_day():
    assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)
    assert working_days_between(date(2025, 10, 1), date(2025, 10, 1)) == 0


def test_outside_the_seeded_years_monday_to_friday_applies():
    # given no entries for 2027
    assert calendar_covers(2027) is False
    assert calendar_covers(2025) is True
    assert calendar_covers(2026) is True
    # then Friday 2027-10-01 counts as a working day and weekends do not
    assert is_working_day(date(2027, 10, 1)) is True
    assert add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)
    assert working_days_between(date(2027, 1, 1), date(2027, 1, 31)) == 20


def test_an_administrators_entry_takes_effect_at_once():
    # given 2027 is not covered
    assert is_working_day(date(2027, 10, 1)) is True
    # when an entry is added for it
    CalendarDay.objects.create(date=date(2027, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    # then the next computation uses it
    assert is_working_day(date(2027, 10, 1)) is False
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 4)
    assert calendar_covers(2027) is True


@pytest.mark.parametrize(
    "start", [date(2025, 1, 20), date(2025, 9, 26), date(2025, 12, 30), date(2026, 9, 18)]
)
@pytest.mark.parametrize("days", [-25, -7, -1, 1, 3, 8, 25])
def test_agrees_with_day_by_day_reference(start, days):
    # given the naive day-by-day count / then the windowed computation gives the same date
    result = add_working_days(start, days)
    assert result == naive_add(start, days)
    if days > 0:
        assert working_days_between(start, result) == days


def test_one_query_per_computation(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(date(2025, 1, 1), 200)
    with django_assert_num_queries(1):
        add_working_days(date(2026, 12, 31), -200)
    with django_assert_num_queries(1):
        working_days_between(date(2025, 1, 1), date(2026, 12, 31))


def test_long_spans_cross_several_windows():
    # given a span longer than one window (two years of working days)
    start = date(2025, 1, 1)
    result = add_working_days(start, 500)
    # then it still counts exactly
    assert working_days_between(start, result) == 500
    assert is_working_day(result) is True
    assert add_working_days(result, -500) == naive_add(result, -500)
