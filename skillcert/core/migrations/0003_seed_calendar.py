"""Seed the working-day calendar with the statutory holidays and make-up working days of 2025 and 2026.

The data is frozen here (a migration must not change with later code). Whole holiday ranges are stored,
weekend days included, so the calendar page shows the names; only a holiday on a weekday or a make-up
working day on a weekend changes the working-day count. Administrators correct and extend the calendar on
the portal's calendar page (reference:calendar).
"""

from datetime import date, timedelta

from django.db import migrations

HOLIDAY, WORKDAY = "holiday", "workday"

# (name, kind, first day, last day)
CALENDAR = [
    # 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）.
    ("元旦", HOLIDAY, date(2025, 1, 1), date(2025, 1, 1)),
    ("春节", HOLIDAY, date(2025, 1, 28), date(2025, 2, 4)),
    ("春节调休上班", WORKDAY, date(2025, 1, 26), date(2025, 1, 26)),
    ("春节调休上班", WORKDAY, date(2025, 2, 8), date(2025, 2, 8)),
    ("清明节", HOLIDAY, date(2025, 4, 4), date(2025, 4, 6)),
    ("劳动节", HOLIDAY, date(2025, 5, 1), date(2025, 5, 5)),
    ("劳动节调休上班", WORKDAY, date(2025, 4, 27), date(2025, 4, 27)),
    ("端午节", HOLIDAY, date(2025, 5, 31), date(2025, 6, 2)),
    ("国庆节、中秋节", HOLIDAY, date(2025, 10, 1), date(2025, 10, 8)),
    ("国庆节调休上班", WORKDAY, date(2025, 9, 28), date(2025, 9, 28)),
    ("国庆节调休上班", WORKDAY, date(2025, 10, 11), date(2025, 10, 11)),
    # 2026: 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号, published 2025-11).
    # TO BE CHECKED against the official notice: transcribed from memory of the published text, not from
    # the document itself. Corrections go through the calendar page, which audits every change.
    ("元旦", HOLIDAY, date(2026, 1, 1), date(2026, 1, 3)),
    ("元旦调休上班", WORKDAY, date(2026, 1, 4), date(2026, 1, 4)),
    ("春节", HOLIDAY, date(2026, 2, 15), date(2026, 2, 23)),
    ("春节调休上班", WORKDAY, date(2026, 2, 14), date(2026, 2, 14)),
    ("春节调休上班", WORKDAY, date(2026, 2, 28), date(2026, 2, 28)),
    ("清明节", HOLIDAY, date(2026, 4, 4), date(2026, 4, 6)),
    ("劳动节", HOLIDAY, date(2026, 5, 1), date(2026, 5, 5)),
    ("劳动节调休上班", WORKDAY, date(2026, 5, 9), date(2026, 5, 9)),
    ("端午节", HOLIDAY, date(2026, 6, 19), date(2026, 6, 21)),
    ("中秋节", HOLIDAY, date(2026, 9, 25), date(2026, 9, 27)),
    ("国庆节", HOLIDAY, date(2026, 10, 1), date(2026, 10, 7)),
    ("国庆节调休上班", WORKDAY, date(2026, 9, 20), date(2026, 9, 20)),
    ("国庆节调休上班", WORKDAY, date(2026, 10, 10), date(2026, 10, 10)),
]


def _days():
    for name, kind, first, last in CALENDAR:
        day = first
        while day <= last:
            yield day, kind, name
            day += timedelta(days=1)


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    present = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, kind=kind, name=name) for day, kind, name in _days() if day not in present]
    )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(date__in=[day for day, _kind, _name in _days()]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_auditevent_append_only")]
    operations = [migrations.RunPython(seed, unseed)]
