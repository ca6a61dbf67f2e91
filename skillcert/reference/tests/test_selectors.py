"""Reference selectors: filters and their query counts."""

from datetime import date

import pytest

from skillcert.reference.selectors import (
    calendar_day_get,
    calendar_day_list,
    occupation_list,
    skill_level_list,
)

pytestmark = pytest.mark.django_db


def test_occupation_list_loads_job_types_in_one_extra_query(django_assert_num_queries):
    with django_assert_num_queries(2):
        names = {o.code: [j.name for j in o.job_types.all()] for o in occupation_list()}
    assert len(names) == 58
    assert names["6-18-01-01"] == ["数控车工"]


def test_occupation_list_search():
    assert [o.code for o in occupation_list(search=" 4-10-01 ")] == [
        "4-10-01-01",
        "4-10-01-03",
        "4-10-01-05",
        "4-10-01-06",
    ]
    assert [o.name for o in occupation_list(search="钳工")] == ["工具钳工", "装配钳工", "机修钳工"]
    assert not occupation_list(search="不存在的职业").exists()


def test_calendar_selectors():
    days = calendar_day_list(year=2026)
    assert (days.first().date, days.last().date) == (date(2026, 1, 1), date(2026, 10, 10))
    assert calendar_day_get(day=date(2026, 2, 14)).name == "春节调休上班"
    assert calendar_day_get(day=date(2026, 3, 2)) is None


def test_skill_level_list_is_by_rank():
    assert [level.rank for level in skill_level_list()] == list(range(8))
