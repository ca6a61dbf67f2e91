"""Plan pages: the plan page's steps and panels, each page per role and scope, and the forms that act."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import EvaluationPlan, PlanStaff
from skillcert.evaluation.selectors import (
    examiner_may_mark,
)
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)
from skillcert.evaluation.tests.planning import sessions_for

pytestmark = pytest.mark.django_db
Status = EvaluationPlan.Status
Duty = PlanStaff.Duty


# ---- pages ------------------------------------------------------------------------------------------


def test_plan_page_shows_status_steps_and_panels(logged_in, world):
    plan = make_plan(world, status=Status.DRAFT)
    response = logged_in(world.body_y_admin).get(reverse("evaluation:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert plan.number in content
    assert reverse("evaluation:plan_submit", args=[plan.pk]) in content
    for heading in ("报名", "成绩", "公示与结果报送", "证书"):
        assert f">{heading}</h2>" in content


@pytest.mark.parametrize(
    ("user", "status", "url_name"),
    [
        ("body_y_admin", Status.DRAFT, "evaluation:plan_list"),
        ("body_y_exam_staff", Status.DRAFT, "evaluation:plan_create"),
        ("body_y_admin", Status.DRAFT, "evaluation:plan_edit"),
        ("body_y_admin", Status.DRAFT, "evaluation:plan_submit"),
        ("body_y_admin", Status.DRAFT, "evaluation:plan_staff"),
        ("body_y_examiner", Status.ACKNOWLEDGED, "evaluation:plan_detail"),
        ("body_y_examiner", Status.ACKNOWLEDGED, "evaluation:plan_recusal"),
        ("pudong_reviewer", Status.SUBMITTED, "evaluation:plan_list"),
        ("pudong_reviewer", Status.SUBMITTED, "evaluation:plan_detail"),
        ("pudong_reviewer", Status.SUBMITTED, "evaluation:plan_reject"),
        ("municipal_supervisor", Status.SUBMITTED, "evaluation:plan_external_supervisor"),
        ("municipal_statistician", Status.PUBLICITY, "evaluation:plan_detail"),
    ],
)
def test_each_page_renders_for_its_role(logged_in, world, user, status, url_name):
    plan = make_plan(world, status=status)
    args = [] if url_name in ("evaluation:plan_list", "evaluation:plan_create") else [plan.pk]
    response = logged_in(getattr(world, user)).get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert "<form" in response.content.decode() or url_name in (
        "evaluation:plan_detail",
        "evaluation:plan_list",
    )


def test_staff_remove_page_confirms_then_removes(logged_in, world):
    plan = make_plan(world, status=Status.DRAFT)
    member = plan.staff.get(duty=Duty.INTERNAL_SUPERVISOR)
    client = logged_in(world.body_y_admin)
    url = reverse("evaluation:plan_staff_remove", args=[plan.pk, member.pk])
    assert "确认移除" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not PlanStaff.objects.filter(pk=member.pk).exists()


def test_plan_pages_answer_404_outside_scope(logged_in, world):
    plan = make_plan(world, status=Status.SUBMITTED)
    client = logged_in(world.minhang_reviewer)
    assert client.get(reverse("evaluation:plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("evaluation:plan_acknowledge", args=[plan.pk])).status_code == 404
    assert client.post(reverse("evaluation:plan_acknowledge", args=[plan.pk])).status_code == 404
    client = logged_in(world.body_s_admin)
    assert client.get(reverse("evaluation:plan_submit", args=[plan.pk])).status_code == 404


def test_plan_pages_check_roles(logged_in, client, world):
    plan = make_plan(world, status=Status.SUBMITTED)
    assert client.get(reverse("evaluation:plan_list")).status_code == 302  # anonymous → login
    assert logged_in(world.candidate).get(reverse("evaluation:plan_list")).status_code == 403
    assert (
        logged_in(world.body_y_examiner).get(reverse("evaluation:plan_submit", args=[plan.pk])).status_code
        == 403
    )
    assert (
        logged_in(world.body_y_admin).get(reverse("evaluation:plan_acknowledge", args=[plan.pk])).status_code
        == 403
    )
    statistician = logged_in(world.municipal_statistician)
    assert statistician.get(reverse("evaluation:plan_list")).status_code == 200
    assert statistician.get(reverse("evaluation:plan_acknowledge", args=[plan.pk])).status_code == 403


def test_acknowledge_page_confirms_then_acts(logged_in, world):
    plan = make_plan(world, status=Status.SUBMITTED)
    client = logged_in(world.pudong_reviewer)
    url = reverse("evaluation:plan_acknowledge", args=[plan.pk])
    # GET shows the confirmation and changes nothing
    assert "确认计划" in client.get(url).content.decode()
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED
    # POST acknowledges
    response = client.post(url)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.ACKNOWLEDGED
    assert AuditEvent.objects.filter(action="plan.acknowledged", target_id=str(plan.pk)).count() == 1


def test_reject_page_requires_a_reason(logged_in, world):
    plan = make_plan(world, status=Status.SUBMITTED)
    client = logged_in(world.municipal_admin)
    url = reverse("evaluation:plan_reject", args=[plan.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "时间冲突"}).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.decision_reason) == (Status.REJECTED, "时间冲突")


def test_submit_page_shows_the_refusal(logged_in, world):
    plan = make_plan(world, status=Status.DRAFT, staffed=False)
    response = logged_in(world.body_y_admin).post(reverse("evaluation:plan_submit", args=[plan.pk]))
    assert response.status_code == 200
    assert "人员配备不符合要求" in response.content.decode()


def test_create_page_creates_a_plan(logged_in, world):
    spec = make_spec(world, level_code="L4")
    theory, skills = sessions_for(spec)
    data = {
        "spec": spec.pk,
        "site": world.site_y.pk,
        "capacity": 20,
        "room": "A101",
        "theory_starts_at": timezone.localtime(theory.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "theory_ends_at": timezone.localtime(theory.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "skills_starts_at": timezone.localtime(skills.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "skills_ends_at": timezone.localtime(skills.ends_at).strftime("%Y-%m-%dT%H:%M"),
    }
    response = logged_in(world.body_y_exam_staff).post(reverse("evaluation:plan_create"), data)
    plan = EvaluationPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:plan_detail", args=[plan.pk])
    assert (plan.capacity, plan.sessions.count()) == (20, 2)


def test_staff_page_assigns(logged_in, world):
    plan = make_plan(world, status=Status.DRAFT, staffed=False)
    response = logged_in(world.body_y_admin).post(
        reverse("evaluation:plan_staff", args=[plan.pk]),
        {"user": world.body_y_exam_staff.pk, "duty": Duty.INVIGILATOR},
    )
    assert response.status_code == 302
    assert list(plan.staff.values_list("user__username", "duty")) == [("y_exam_staff", "invigilator")]


def test_recusal_page_for_the_examiner(logged_in, world):
    plan = make_plan(world)
    candidate = make_candidate("钱七", make_resident_id(date(1993, 6, 4), sequence=14))
    make_application(plan, candidate)
    client = logged_in(world.body_y_examiner)
    url = reverse("evaluation:plan_recusal", args=[plan.pk])
    assert list(client.get(url).context["form"].fields["examiner"].queryset) == [world.body_y_examiner]
    response = client.post(
        url, {"examiner": world.body_y_examiner.pk, "candidate": candidate.pk, "relationship": "邻居"}
    )
    assert response.status_code == 302
    assert examiner_may_mark(plan=plan, examiner=world.body_y_examiner, candidate=candidate) is False
