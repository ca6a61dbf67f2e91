"""Evaluation specs: defaults from policy, the review and odd-number rules, scope, audit, and the pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import EvaluationPlan, EvaluationSpec
from skillcert.evaluation.services import spec_create, spec_update
from skillcert.evaluation.services.specs import (
    MSG_NOT_BODY_MANAGER,
    MSG_NOT_IN_SCOPE,
    MSG_SPEC_EXISTS,
    MSG_SPEC_IN_USE,
)
from skillcert.evaluation.tests.factories import filed_scope_ensure, make_plan, make_spec
from skillcert.reference.models import Occupation, SkillLevel

pytestmark = pytest.mark.django_db


def scope(world, *, body=None, occupation_code="6-31-01-03", level_code="L2"):
    body = body or world.body_y
    return filed_scope_ensure(
        body,
        occupation=Occupation.objects.get(code=occupation_code),
        level=SkillLevel.objects.get(code=level_code),
    )


def create(world, row, *, actor=None, values=None):
    return spec_create(
        body=row.tenant,
        occupation=row.occupation,
        level=row.level,
        job_type=row.job_type,
        values=values,
        actor=actor or world.body_y_admin,
    )


def test_create_takes_policy_defaults_and_turns_review_on_for_level_two(world):
    # given body_y filed for 电工 二级
    row = scope(world)
    # when its administrator creates the spec without values
    spec = create(world, row)
    # then the policy defaults apply and 综合评审 is on
    assert (spec.has_theory, spec.has_skills, spec.has_review) == (True, True, True)
    assert (spec.theory_pass_mark, spec.skills_pass_mark, spec.review_pass_mark) == (60, 60, 60)
    assert (spec.theory_minutes, spec.skills_minutes, spec.review_minutes) == (90, 90, 30)
    assert (spec.candidates_per_invigilator, spec.min_invigilators_per_room) == (15, 2)
    assert (spec.candidates_per_examiner, spec.min_examiners, spec.min_review_panel) == (5, 3, 3)
    assert spec.eligibility_template == "standard_2018"
    # and the creation is audited
    event = AuditEvent.objects.get(action="spec.created")
    assert (event.actor_username, event.target_id) == ("y_admin", str(spec.pk))
    assert event.data["occupation"] == "6-31-01-03"
    assert event.data["level"] == "L2"
    assert event.data["has_review"] == "True"
    assert event.data["theory_pass_mark"] == "60.00"


def test_defaults_follow_the_settings(world, settings):
    # given a province that requires 5 examiners at least
    settings.SKILLCERT_MIN_EXAMINERS = 5
    # when a spec is created without values, then it takes 5
    spec = create(world, scope(world, level_code="L4"))
    assert spec.min_examiners == 5
    assert spec.has_review is False


def test_review_is_required_for_levels_two_and_one(world):
    # given body_y filed for 电工 一级
    row = scope(world, level_code="L1")
    # when the spec is created without 综合评审
    with pytest.raises(ValidationError) as caught:
        create(world, row, values={"has_review": False})
    # then the field is named
    assert caught.value.message_dict == {"has_review": ["综合评审：二级/技师及以上等级必须包含综合评审。"]}
    assert not EvaluationSpec.objects.exists()


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"min_examiners": 4}, {"min_examiners": ["应为不少于 3 的奇数。"]}),
        ({"min_examiners": 1}, {"min_examiners": ["应为不少于 3 的奇数。"]}),
        ({"min_review_panel": 6}, {"min_review_panel": ["应为不少于 3 的奇数。"]}),
        (
            {"candidates_per_invigilator": 20},
            {"candidates_per_invigilator": ["不能大于 15（每名人员对应的考生数不得多于规定）。"]},
        ),
        ({"min_invigilators_per_room": 1}, {"min_invigilators_per_room": ["不能少于 2。"]}),
        ({"theory_pass_mark": Decimal("101")}, {"theory_pass_mark": ["及格分应在 0 至 100 之间。"]}),
        (
            {"has_theory": False, "has_skills": False},
            {"has_theory": ["考核科目：至少包含理论知识考试或操作技能考核之一。"]},
        ),
    ],
)
def test_values_are_checked(world, values, errors):
    with pytest.raises(ValidationError) as caught:
        create(world, scope(world, level_code="L4"), values=values)
    assert caught.value.message_dict == errors


def test_stricter_values_are_accepted(world):
    spec = create(
        world,
        scope(world, level_code="L4"),
        values={"min_examiners": 5, "candidates_per_invigilator": 10, "skills_pass_mark": Decimal("70")},
    )
    assert (spec.min_examiners, spec.candidates_per_invigilator, spec.skills_pass_mark) == (5, 10, 70)


def test_outside_the_filed_scope_is_refused(world):
    # given a level body_y is not filed for
    occupation = Occupation.objects.get(code="6-31-01-03")
    with pytest.raises(ApplicationError) as caught:
        spec_create(
            body=world.body_y,
            occupation=occupation,
            level=SkillLevel.objects.get(code="L5"),
            actor=world.body_y_admin,
        )
    assert caught.value.message == str(MSG_NOT_IN_SCOPE)


def test_withdrawn_scope_is_refused(world):
    from django.utils import timezone

    row = scope(world, level_code="L4")
    row.withdrawn_at = timezone.now()
    row.save(update_fields=["withdrawn_at"])
    with pytest.raises(ApplicationError) as caught:
        create(world, row)
    assert caught.value.message == str(MSG_NOT_IN_SCOPE)


def test_second_spec_for_the_same_scope_is_refused(world):
    row = scope(world, level_code="L4")
    create(world, row)
    with pytest.raises(ApplicationError) as caught:
        create(world, row)
    assert caught.value.message == str(MSG_SPEC_EXISTS)


def test_staff_of_another_body_cannot_create(world):
    with pytest.raises(ApplicationError) as caught:
        create(world, scope(world, level_code="L4"), actor=world.body_s_admin)
    assert caught.value.message == str(MSG_NOT_BODY_MANAGER)


def test_examiner_cannot_create(world):
    with pytest.raises(ApplicationError):
        create(world, scope(world, level_code="L4"), actor=world.body_y_examiner)


def test_update_records_what_changed(world):
    # given a spec
    spec = create(world, scope(world, level_code="L4"))
    # when exam staff raise the skills pass mark and switch the template
    spec_update(
        spec=spec,
        values={
            "skills_pass_mark": Decimal("65"),
            "eligibility_template": "standard_2023",
            "theory_minutes": 90,
        },
        actor=world.body_y_exam_staff,
    )
    # then the row and the audit event carry the change, and only the change
    spec.refresh_from_db()
    assert (spec.skills_pass_mark, spec.eligibility_template) == (65, "standard_2023")
    event = AuditEvent.objects.get(action="spec.updated")
    assert event.data == {
        "changes": {
            "skills_pass_mark": ["60.00", "65.00"],
            "eligibility_template": ["standard_2018", "standard_2023"],
        }
    }


def test_update_without_change_writes_nothing(world):
    spec = create(world, scope(world, level_code="L4"))
    spec_update(spec=spec, values={"theory_pass_mark": Decimal("60.0")}, actor=world.body_y_admin)
    assert not AuditEvent.objects.filter(action="spec.updated").exists()


def test_update_is_refused_while_a_plan_runs(world):
    # given a spec used by an acknowledged plan
    spec = make_spec(world, level_code="L4")
    plan = make_plan(world, spec=spec, status=EvaluationPlan.Status.ACKNOWLEDGED)
    # when its pass mark is changed, then it is refused, naming the plan
    with pytest.raises(ApplicationError) as caught:
        spec_update(spec=spec, values={"skills_pass_mark": Decimal("70")}, actor=world.body_y_admin)
    assert caught.value.message == MSG_SPEC_IN_USE % {"plans": plan.number}


def test_update_of_level_two_cannot_drop_review(world):
    spec = make_spec(world, level_code="L2")
    with pytest.raises(ValidationError) as caught:
        spec_update(spec=spec, values={"has_review": False}, actor=world.body_y_admin)
    assert list(caught.value.message_dict) == ["has_review"]


# ---- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, settings, world):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_admin)
    return client


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("evaluation:spec_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_without_role_returns_403(client, settings, world):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_examiner)
    assert client.get(reverse("evaluation:spec_list")).status_code == 403
    client.force_login(world.pudong_reviewer)
    assert client.get(reverse("evaluation:spec_list")).status_code == 403


def test_list_shows_scope_rows_with_and_without_spec(staff_client, world):
    make_spec(world, level_code="L4")
    row = scope(world, level_code="L3")
    response = staff_client.get(reverse("evaluation:spec_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "四级/中级工" in content
    assert reverse("evaluation:spec_create", args=[row.pk]) in content


def test_create_page_creates_the_spec(staff_client, world):
    # given a scope row without spec
    row = scope(world, level_code="L2")
    url = reverse("evaluation:spec_create", args=[row.pk])
    form = staff_client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not False}
    data["skills_pass_mark"] = "70"
    # when the form is posted
    response = staff_client.post(url, data)
    # then the spec exists and the list is shown
    assert response.status_code == 302
    spec = EvaluationSpec.objects.get(tenant=world.body_y, level_id="L2")
    assert (spec.skills_pass_mark, spec.has_review) == (70, True)
    assert AuditEvent.objects.filter(action="spec.created", target_id=str(spec.pk)).count() == 1


def test_create_page_shows_the_field_error(staff_client, world):
    row = scope(world, level_code="L2")
    url = reverse("evaluation:spec_create", args=[row.pk])
    data = {
        name: value
        for name, value in staff_client.get(url).context["form"].initial.items()
        if value is not False
    }
    data.pop("has_review")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["has_review"] == [
        "综合评审：二级/技师及以上等级必须包含综合评审。"
    ]


def test_other_bodys_scope_and_spec_answer_404(staff_client, world):
    other_row = scope(world, body=world.body_s, level_code="L4")
    other_spec = make_spec(world, body=world.body_s, level_code="L3")
    assert staff_client.get(reverse("evaluation:spec_create", args=[other_row.pk])).status_code == 404
    assert staff_client.get(reverse("evaluation:spec_edit", args=[other_spec.pk])).status_code == 404


def test_edit_page_saves(staff_client, world):
    spec = make_spec(world, level_code="L4")
    url = reverse("evaluation:spec_edit", args=[spec.pk])
    data = {
        name: value
        for name, value in staff_client.get(url).context["form"].initial.items()
        if value is not False
    }
    data["min_examiners"] = "5"
    response = staff_client.post(url, data)
    assert response.status_code == 302
    spec.refresh_from_db()
    assert spec.min_examiners == 5
    assert AuditEvent.objects.get(action="spec.updated").data == {"changes": {"min_examiners": ["3", "5"]}}
