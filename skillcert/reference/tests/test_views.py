"""The reference pages: who may open them, and the calendar's create / edit / delete with audit."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import make_user
from skillcert.accounts.roles import Role
from skillcert.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db

CALENDAR = reverse("reference:calendar")
CREATE = reverse("reference:calendar_day_create")


def edit_url(day: str) -> str:
    return reverse("reference:calendar_day_update", args=[date.fromisoformat(day)])


def delete_url(day: str) -> str:
    return reverse("reference:calendar_day_delete", args=[date.fromisoformat(day)])


@pytest.fixture
def sign_in(client, settings):
    """Sign a user in with a password-only session (the second factor is the accounts app's to test)."""
    settings.SKILLCERT_REQUIRE_2FA = False

    def _sign_in(user):
        client.force_login(user)
        return client

    return _sign_in


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (CALENDAR, CREATE, reverse("reference:occupations"), reverse("reference:skill_levels")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_calendar_is_for_the_municipal_administrator_only(world, sign_in):
    # given a district administrator, other authority roles and body staff
    pudong_admin = make_user("pudong_admin", Role.AUTHORITY_ADMIN, region=world.pudong)
    for user in (pudong_admin, world.municipal_reviewer, world.body_y_admin, world.candidate):
        client = sign_in(user)
        # then every calendar page answers 403, and nothing changes
        assert client.get(CALENDAR).status_code == 403, user.username
        assert client.get(edit_url("2025-10-01")).status_code == 403, user.username
        response = client.post(delete_url("2025-10-01"))
        assert response.status_code == 403, user.username
    assert CalendarDay.objects.filter(date=date(2025, 10, 1)).exists()


def test_calendar_page_lists_a_year_and_warns_about_missing_years(world, sign_in):
    client = sign_in(world.municipal_admin)
    response = client.get(CALENDAR, {"year": 2025})
    assert response.status_code == 200
    assert len(response.context["days"]) == 33
    assert "国庆节、中秋节" in response.text
    assert "尚未录入" not in response.text
    response = client.get(CALENDAR, {"year": 2027})
    assert "2027 年节假日安排尚未录入" in response.text
    assert client.get(CALENDAR, {"year": 99999}).status_code == 404


def test_create_a_day(world, sign_in):
    client = sign_in(world.municipal_admin)
    # when the administrator adds National Day 2027
    response = client.post(CREATE, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    # then it is stored, the page returns to that year, and the change is audited
    assert response.status_code == 302
    assert response["Location"] == f"{CALENDAR}?year=2027"
    day = CalendarDay.objects.get(date=date(2027, 10, 1))
    assert (day.kind, day.name) == ("holiday", "国庆节")
    event = AuditEvent.objects.get(action="calendar_day.created")
    assert (event.actor_id, event.target_type, event.target_id) == (
        world.municipal_admin.pk,
        "core.calendarday",
        str(day.pk),
    )
    assert event.data == {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    assert event.request_id != ""


def test_create_on_a_taken_date_names_the_field(world, sign_in):
    client = sign_in(world.municipal_admin)
    response = client.post(CREATE, {"date": "2025-10-01", "kind": "holiday", "name": "重复"})
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["日期：2025-10-01 已有日历记录，请修改原记录。"]
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).name == "国庆节、中秋节"
    assert not AuditEvent.objects.filter(action="calendar_day.created").exists()


def test_edit_a_day(world, sign_in):
    client = sign_in(world.municipal_admin)
    # given the form shows the current values
    response = client.get(edit_url("2026-10-10"))
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "date": date(2026, 10, 10),
        "kind": "workday",
        "name": "国庆节调休上班",
    }
    # when the administrator moves the make-up day to 10/11
    response = client.post(
        edit_url("2026-10-10"), {"date": "2026-10-11", "kind": "workday", "name": "国庆节调休上班（更正）"}
    )
    # then the row moves and the audit event keeps before and after
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()
    assert CalendarDay.objects.get(date=date(2026, 10, 11)).name == "国庆节调休上班（更正）"
    event = AuditEvent.objects.get(action="calendar_day.updated")
    assert event.actor_id == world.municipal_admin.pk
    assert event.data == {
        "before": {"date": "2026-10-10", "kind": "workday", "name": "国庆节调休上班"},
        "after": {"date": "2026-10-11", "kind": "workday", "name": "国庆节调休上班（更正）"},
    }


def test_delete_needs_the_confirmation_step(world, sign_in):
    client = sign_in(world.municipal_admin)
    # when the delete page is opened / then it only asks
    response = client.get(delete_url("2026-05-09"))
    assert response.status_code == 200
    assert "确认删除" in response.text
    assert CalendarDay.objects.filter(date=date(2026, 5, 9)).exists()
    assert not AuditEvent.objects.filter(action="calendar_day.deleted").exists()
    # when the confirmation is posted / then the row is gone and the deletion audited
    response = client.post(delete_url("2026-05-09"))
    assert response.status_code == 302
    assert response["Location"] == f"{CALENDAR}?year=2026"
    assert not CalendarDay.objects.filter(date=date(2026, 5, 9)).exists()
    event = AuditEvent.objects.get(action="calendar_day.deleted")
    assert event.actor_id == world.municipal_admin.pk
    assert event.target_type == "core.calendarday"
    assert event.data == {"date": "2026-05-09", "kind": "workday", "name": "劳动节调休上班"}


def test_unknown_and_impossible_dates_answer_404(world, sign_in):
    client = sign_in(world.municipal_admin)
    assert client.get(edit_url("2025-03-03")).status_code == 404
    assert client.get("/reference/calendar/2025-02-30/edit/").status_code == 404


def test_occupation_catalogue_search_and_pages(world, sign_in):
    client = sign_in(world.candidate)
    response = client.get(reverse("reference:occupations"))
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list)) == (58, 50)
    assert len(client.get(reverse("reference:occupations"), {"page": 2}).context["page"].object_list) == 8
    response = client.get(reverse("reference:occupations"), {"q": "焊工"})
    assert [o.code for o in response.context["page"]] == ["6-18-02-04"]
    assert "电焊工" in response.text
    response = client.get(reverse("reference:occupations"), {"q": "6-31-01"})
    assert [o.code for o in response.context["page"]] == ["6-31-01-02", "6-31-01-03"]


def test_skill_level_page(world, sign_in):
    response = sign_in(world.body_y_examiner).get(reverse("reference:skill_levels"))
    assert response.status_code == 200
    assert [level.code for level in response.context["levels"]] == [
        "APPRENTICE",
        "L5",
        "L4",
        "L3",
        "L2",
        "L1",
        "SPECIAL_TECH",
        "CHIEF_TECH",
    ]
    assert "一级/高级技师" in response.text
