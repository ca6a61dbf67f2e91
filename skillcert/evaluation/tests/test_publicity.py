"""Publicity: the period in working days (across National Day), the public page with masked data,
objections (validated, rate-limited, closed after the period) and the body's answers."""

from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import RequestContext
from skillcert.evaluation.models import EvaluationPlan, Objection
from skillcert.evaluation.selectors.publicity import mask_name, publicity_ends_on, publicity_get_public
from skillcert.evaluation.services import publicity as publicity_services
from skillcert.evaluation.services.publicity import objection_answer, objection_lodge, plan_publicity_start
from skillcert.evaluation.tests.publicity import at, published
from skillcert.evaluation.tests.scoring import applications, locked_plan

pytestmark = pytest.mark.django_db

Status = EvaluationPlan.Status


def lodge(plan, **overrides):
    fields = {
        "subject": "张*明",
        "text": "据我所知该考生并未在本单位从事本职业工作满规定年限。",
        "contact_name": "王先生",
        "contact_phone": "13912345678",
        "context": RequestContext(ip_address="203.0.113.9"),
    }
    fields.update(overrides)
    return objection_lodge(plan=plan, **fields)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# ---- the period -------------------------------------------------------------------------------------


def test_mask_name():
    assert [mask_name(n) for n in ("张三明", "李四", "欧阳小明", "王", " 赵钱 ")] == [
        "张*明",
        "李*",
        "欧**明",
        "王",
        "赵*",
    ]


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        # Tuesday before National Day: 09-30, then 10-09, 10-10, 10-11 (make-up Saturday), 10-13.
        (date(2025, 9, 30), date(2025, 10, 13)),
        # On the holiday itself: the period starts on the next working day (10-09) and ends on 10-14.
        (date(2025, 10, 1), date(2025, 10, 14)),
        # Sunday 09-28 is a make-up working day: it counts as day 1 (09-28, 09-29, 09-30, 10-09, 10-10).
        (date(2025, 9, 28), date(2025, 10, 10)),
        # An ordinary Monday: Monday to Friday.
        (date(2025, 11, 3), date(2025, 11, 7)),
    ],
)
def test_publicity_period_in_working_days_across_national_day(world, starts_on, ends_on):
    assert publicity_ends_on(starts_on=starts_on) == ends_on


def test_publicity_start_on_2025_09_30_ends_on_13_october(world):
    # given a locked plan, on Tuesday 2025-09-30
    plan = published(world)
    # then the plan is in publicity until Monday 2025-10-13, and it is audited
    assert (plan.status, plan.publicity_starts_on, plan.publicity_ends_on) == (
        Status.PUBLICITY,
        date(2025, 9, 30),
        date(2025, 10, 13),
    )
    event = AuditEvent.objects.get(action="plan.publicity_started")
    assert event.data == {
        "plan": plan.number,
        "starts_on": "2025-09-30",
        "ends_on": "2025-10-13",
        "working_days": 5,
        "passed": 1,
    }


def test_publicity_refused_before_lock_and_for_other_body(world):
    with at(date(2025, 9, 30)):
        plan = locked_plan(world, candidates=1)
        with pytest.raises(ApplicationError) as caught:
            plan_publicity_start(plan=plan, actor=world.body_s_admin)
        assert caught.value.message == str(publicity_services.MSG_NOT_MANAGER)
        with pytest.raises(ValidationError) as past:
            plan_publicity_start(plan=plan, actor=world.body_y_admin, starts_on=date(2025, 9, 29))
        assert past.value.message_dict == {"starts_on": [str(publicity_services.MSG_PUBLICITY_PAST)]}
        plan_publicity_start(plan=plan, actor=world.body_y_admin)
        with pytest.raises(ApplicationError) as caught:
            plan_publicity_start(plan=plan, actor=world.body_y_admin)
        assert caught.value.message == str(publicity_services.MSG_PUBLICITY_STATUS)


# ---- objections -------------------------------------------------------------------------------------


def test_objection_during_the_period_gets_a_reference(world):
    plan = published(world)
    with at(date(2025, 10, 13), hour=23):  # the last day of the period
        objection = lodge(plan)
    assert objection.reference.startswith("YY20251013") and len(objection.reference) == 16
    assert objection.answered_at is None
    event = AuditEvent.objects.get(action="objection.lodged")
    assert (event.actor_id, event.actor_username, event.ip_address) == (None, "public", "203.0.113.9")
    assert event.data == {"plan": plan.number, "reference": objection.reference, "subject": "张*明"}


def test_objection_after_the_period_is_refused(world):
    plan = published(world)
    with at(date(2025, 10, 14)), pytest.raises(ApplicationError) as caught:
        lodge(plan)
    assert caught.value.message == str(publicity_services.MSG_OBJECTION_CLOSED)
    assert not Objection.objects.exists()


def test_objection_fields_are_validated(world):
    plan = published(world)
    with at(date(2025, 10, 9)), pytest.raises(ValidationError) as caught:
        lodge(plan, subject=" ", text="太短", contact_name="", contact_phone="12345")
    assert caught.value.message_dict == {
        "subject": [str(publicity_services.MSG_SUBJECT_REQUIRED)],
        "text": [str(publicity_services.MSG_TEXT_REQUIRED)],
        "contact_name": [str(publicity_services.MSG_CONTACT_NAME_REQUIRED)],
        "contact_phone": [str(publicity_services.MSG_CONTACT_PHONE_INVALID)],
    }
    assert not Objection.objects.exists()


def test_objections_are_limited_per_ip(world, settings):
    settings.SKILLCERT_OBJECTION_LIMIT_PER_HOUR = 5
    plan = published(world)
    with at(date(2025, 10, 9)):
        for _ in range(5):
            lodge(plan)
        with pytest.raises(ApplicationError) as caught:
            lodge(plan)
        assert caught.value.message == str(publicity_services.MSG_OBJECTION_RATE % {"limit": 5})
        # another address is not affected
        lodge(plan, context=RequestContext(ip_address="198.51.100.7"))
    assert Objection.objects.count() == 6


def test_body_answers_an_objection_once(world):
    plan = published(world)
    with at(date(2025, 10, 9)):
        objection = lodge(plan)
        with pytest.raises(ValidationError):
            objection_answer(objection=objection, answer="  ", actor=world.body_y_admin)
        with pytest.raises(ApplicationError) as caught:
            objection_answer(objection=objection, answer="已核实", actor=world.body_s_admin)
        assert caught.value.message == str(publicity_services.MSG_NOT_MANAGER)
        answered = objection_answer(
            objection=objection, answer="经核实社保记录，工作年限符合要求。", actor=world.body_y_admin
        )
        assert (answered.answer, answered.answered_by_id) == (
            "经核实社保记录，工作年限符合要求。",
            world.body_y_admin.pk,
        )
        with pytest.raises(ApplicationError):
            objection_answer(objection=objection, answer="再次答复", actor=world.body_y_admin)
    assert AuditEvent.objects.filter(action="objection.answered").count() == 1


# ---- the public page --------------------------------------------------------------------------------


def test_public_page_masks_personal_data_and_lists_only_passes(world, client):
    plan = published(world)
    passed, failed = applications(plan)
    with at(date(2025, 10, 9)):
        response = client.get(reverse("evaluation:publicity_public", args=[plan.number]))
    assert response.status_code == 200
    page = response.content.decode()
    # the passing candidate, masked
    assert "张*明" in page and passed.candidate.id_number_masked in page
    assert "张三明" not in page
    # the failing one not at all
    assert "李" not in page.split("合格人员")[-1]
    assert failed.candidate.id_number_masked not in page
    # the occupation, level, body and dates
    for text in ("电工", plan.spec.level.label, world.body_y.name, "2025-09-30", "2025-10-13"):
        assert text in page
    # and no internal id in its links
    assert f"/plans/{plan.pk}/" not in page
    publicity = publicity_get_public(number=plan.number)
    assert [(e.name, e.id_number) for e in publicity.entries] == [
        ("张*明", passed.candidate.id_number_masked)
    ]


def test_public_page_shows_nothing_for_a_plan_not_in_publicity(world, client):
    with at(date(2025, 9, 30)):
        plan = locked_plan(world, candidates=1)
        assert client.get(reverse("evaluation:publicity_public", args=[plan.number])).status_code == 404
        assert client.get(reverse("evaluation:publicity_public", args=["P0-2025-9999"])).status_code == 404
        assert client.get(reverse("evaluation:objection_lodge", args=[plan.number])).status_code == 404
        with pytest.raises(Http404):
            publicity_get_public(number=plan.number)
        assert plan.number not in client.get(reverse("evaluation:publicity_list")).content.decode()


def test_public_list_shows_plans_in_publicity(world, client):
    plan = published(world)
    with at(date(2025, 10, 9)):
        page = client.get(reverse("evaluation:publicity_list")).content.decode()
    assert plan.number in page and world.body_y.name in page


def test_public_objection_form(world, client):
    plan = published(world)
    url = reverse("evaluation:objection_lodge", args=[plan.number])
    with at(date(2025, 10, 9)):
        response = client.post(
            url,
            {
                "subject": "张*明",
                "text": "该考生考试时由他人代考，请核查现场录像。",
                "contact_name": "刘女士",
                "contact_phone": "021-12345678",
            },
            REMOTE_ADDR="203.0.113.20",
        )
    assert response.status_code == 200
    objection = Objection.objects.get()
    assert objection.reference in response.content.decode()
    assert objection.contact_phone == "021-12345678"
    # an invalid form shows the field errors and writes nothing
    with at(date(2025, 10, 9)):
        response = client.post(
            url, {"subject": "x", "text": "短", "contact_name": "刘", "contact_phone": "1"}
        )
    assert "联系电话" in response.content.decode() and Objection.objects.count() == 1
    # after the period the form is closed
    with at(date(2025, 10, 14)):
        response = client.post(
            url,
            {
                "subject": "张*明",
                "text": "该考生考试时由他人代考。" * 2,
                "contact_name": "刘",
                "contact_phone": "13912345678",
            },
        )
    assert response.status_code == 200 and "不再受理异议" in response.content.decode()
    assert Objection.objects.count() == 1


def test_body_pages_start_publicity_and_answer(world, client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_admin)
    with at(date(2025, 9, 30)):
        plan = locked_plan(world, candidates=1)
        url = reverse("evaluation:plan_publicity_start", args=[plan.pk])
        page = client.get(url).content.decode()
        assert "2025-10-13" in page  # what will happen, before it happens
        response = client.post(url, {"starts_on": "2025-09-30"})
        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.status == Status.PUBLICITY
        detail = client.get(reverse("evaluation:plan_detail", args=[plan.pk])).content.decode()
        assert reverse("evaluation:publicity_public", args=[plan.number]) in detail
    with at(date(2025, 10, 9)):
        client.force_login(world.body_y_admin)  # a new session: the old one idled out over the holiday
        objection = lodge(plan)
        answer_url = reverse("evaluation:objection_answer", args=[plan.pk, objection.pk])
        assert answer_url in client.get(reverse("evaluation:plan_detail", args=[plan.pk])).content.decode()
        assert client.post(answer_url, {"answer": "已核实，符合条件。"}).status_code == 302
    objection.refresh_from_db()
    assert objection.answer == "已核实，符合条件。"
    # another body's staff: 404
    client.force_login(world.body_s_admin)
    assert client.get(answer_url).status_code == 404
