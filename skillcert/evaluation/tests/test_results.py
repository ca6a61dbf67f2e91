"""Results: the pass rule at its boundary, averages, the review component, retakes and their window."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Application, Component, ComponentResult, EvaluationPlan, PlanSession
from skillcert.evaluation.selectors.scores import plan_score_progress, retake_candidates
from skillcert.evaluation.services import results as result_services
from skillcert.evaluation.services.results import (
    application_retake_prepare,
    component_score,
    plan_scores_lock,
)
from skillcert.evaluation.services.scores import score_enter
from skillcert.evaluation.tests.factories import make_plan, make_spec
from skillcert.evaluation.tests.scoring import applications, enter_all, locked_plan, scoring_plan

pytestmark = pytest.mark.django_db

Status = EvaluationPlan.Status


def results_of(application: Application) -> dict[str, tuple[Decimal, bool, int | None]]:
    return {
        r.component: (r.score, r.passed, r.carried_from_id)
        for r in ComponentResult.objects.filter(application=application)
    }


# ---- the pass rule ----------------------------------------------------------------------------------


def test_pass_mark_boundary_59_99_fails_60_passes(world):
    # given two candidates with theory 59.99 and 60, skills well above the mark
    plan = locked_plan(
        world,
        candidates=2,
        scores={
            0: {"theory": ["59.99"], "skills": ["85", "85", "85"]},
            1: {"theory": ["60"], "skills": ["85", "85", "85"]},
        },
    )
    # then 59.99 fails and 60 passes
    low, exact = applications(plan)
    assert results_of(low)["theory"] == (Decimal("59.99"), False, None)
    assert results_of(exact)["theory"] == (Decimal("60.00"), True, None)
    assert (low.result, exact.result) == ("failed", "passed")


def test_skills_is_the_average_of_three_examiners(world):
    # given three examiners' skills scores per candidate
    plan = locked_plan(
        world,
        candidates=3,
        scores={
            0: {"theory": ["90"], "skills": ["61", "60", "59"]},  # average 60.00: passes
            1: {"theory": ["90"], "skills": ["60", "60", "59.99"]},  # 59.9966…: cut to 59.99, fails
            2: {"theory": ["90"], "skills": ["100", "50", "40"]},  # 63.33…: one low examiner does not fail it
        },
    )
    first, second, third = applications(plan)
    assert results_of(first)["skills"] == (Decimal("60.00"), True, None)
    assert results_of(second)["skills"] == (Decimal("59.99"), False, None)
    assert results_of(third)["skills"] == (Decimal("63.33"), True, None)
    assert [a.result for a in (first, second, third)] == ["passed", "failed", "passed"]


def test_no_weighting_across_components(world):
    # a very high skills score does not make up for a failed theory
    plan = locked_plan(world, candidates=1, scores={0: {"theory": ["59"], "skills": ["100", "100", "100"]}})
    assert applications(plan)[0].result == "failed"


def test_component_score_cuts_to_two_decimals():
    assert component_score([Decimal("59.99"), Decimal("60"), Decimal("60")]) == Decimal("59.99")
    assert component_score([Decimal("70")]) == Decimal("70.00")
    assert component_score([Decimal("1"), Decimal("2"), Decimal("2")]) == Decimal("1.66")


def test_spec_pass_mark_is_used(world):
    # given a spec whose theory pass mark is 70
    spec = make_spec(world, theory_pass_mark=Decimal("70"))
    plan = locked_plan(
        world, spec=spec, candidates=1, scores={0: {"theory": ["69.99"], "skills": ["80", "80", "80"]}}
    )
    assert results_of(applications(plan)[0])["theory"] == (Decimal("69.99"), False, None)


def test_level_two_needs_the_review_panel(world):
    # given a 二级 plan: theory, skills and review by a panel of three
    plan = scoring_plan(world, level_code="L2", candidates=2)
    assert [p.component for p in plan_score_progress(plan=plan)] == ["theory", "skills", "review"]
    enter_all(
        plan,
        {
            0: {"theory": ["80"], "skills": ["80", "80", "80"], "review": ["60", "62", "58"]},
            1: {"theory": ["80"], "skills": ["80", "80", "80"], "review": ["59", "60", "60"]},
        },
        enterer=world.body_y_exam_staff,
        confirmer=world.body_y_admin,
    )
    # when the scores are locked
    plan_scores_lock(plan=plan, actor=world.body_y_examiner)
    # then the review average decides: 60.00 passes, 59.66 fails
    first, second = applications(plan)
    assert results_of(first)["review"] == (Decimal("60.00"), True, None)
    assert results_of(second)["review"] == (Decimal("59.66"), False, None)
    assert (first.result, second.result) == ("passed", "failed")


def test_level_two_lock_refused_without_review_scores(world):
    plan = scoring_plan(world, level_code="L2", candidates=1)
    enter_all(
        plan,
        {0: {"theory": ["80"], "skills": ["80", "80", "80"]}},
        enterer=world.body_y_exam_staff,
        confirmer=world.body_y_admin,
    )
    with pytest.raises(ApplicationError) as caught:
        plan_scores_lock(plan=plan, actor=world.body_y_examiner)
    assert "综合评审应有 3 个成绩，已录入 0 个" in caught.value.message


# ---- retakes ----------------------------------------------------------------------------------------


def failed_theory(world) -> tuple[EvaluationPlan, Application]:
    """A locked plan whose one candidate failed theory (55) and passed skills (80)."""
    plan = locked_plan(world, candidates=1, scores={0: {"theory": ["55"], "skills": ["80", "80", "80"]}})
    return plan, applications(plan)[0]


def test_retake_keeps_passed_components_and_needs_only_the_failed_one(world):
    # given a candidate who failed theory and passed skills, and a later plan of the same spec
    first_plan, previous = failed_theory(world)
    later = make_plan(world, spec=first_plan.spec, capacity=10)
    assert list(retake_candidates(plan=later)) == [previous]
    # when the body registers the retake
    retake = application_retake_prepare(previous=previous, plan=later, actor=world.body_y_admin)
    # then an eligible application retaking the failed theory is created, with a ticket number
    assert (retake.retake_of_id, retake.status, retake.candidate_id) == (
        previous.pk,
        Application.Status.ELIGIBLE,
        previous.candidate_id,
    )
    assert retake.ticket_number == f"{later.number}-0001"
    assert "只须参加理论知识考试" in retake.eligibility_explanation
    event = AuditEvent.objects.get(action="application.retake_prepared")
    assert (event.data["kept"], event.data["sit"]) == (["skills"], ["theory"])
    # and it needs only a theory score
    PlanSession.objects.filter(plan=later).update(starts_at=timezone.now() - timedelta(days=1))
    assert {p.component: p.required for p in plan_score_progress(plan=later)} == {"theory": 1, "skills": 0}
    with pytest.raises(ApplicationError) as caught:
        score_enter(
            application=retake,
            component=Component.SKILLS,
            marker=world.body_y_examiner,
            value=90,
            actor=world.body_y_examiner,
        )
    assert "补考时已保留" in caught.value.message
    # when theory is passed and the scores locked
    enter_all(later, {0: {"theory": ["75"]}}, enterer=world.body_y_exam_staff, confirmer=world.body_y_admin)
    plan_scores_lock(plan=later, actor=world.body_y_examiner)
    # then skills is carried from the first application and the candidate passes
    retake.refresh_from_db()
    assert retake.result == "passed"
    assert results_of(retake) == {
        "theory": (Decimal("75.00"), True, None),
        "skills": (Decimal("80.00"), True, previous.pk),
    }


def test_retake_outside_the_window_is_refused(world, settings):
    # given the first plan was locked 366 days before the later plan's first component (window 365 days)
    settings.SKILLCERT_RETAKE_WINDOW_DAYS = 365
    first_plan, previous = failed_theory(world)
    later = make_plan(world, spec=first_plan.spec, capacity=10)
    first_day = timezone.localdate(later.sessions.order_by("starts_at").first().starts_at)
    locked_on = first_day - timedelta(days=366)
    EvaluationPlan.objects.filter(pk=first_plan.pk).update(
        scores_locked_at=timezone.make_aware(datetime.combine(locked_on, time(12, 0)))
    )
    assert list(retake_candidates(plan=later)) == []
    # when the body registers the retake, then it is refused with the deadline
    with pytest.raises(ApplicationError) as caught:
        application_retake_prepare(previous=previous, plan=later, actor=world.body_y_admin)
    assert caught.value.message == str(
        result_services.MSG_RETAKE_WINDOW
        % {
            "locked": locked_on.isoformat(),
            "days": 365,
            "deadline": (locked_on + timedelta(days=365)).isoformat(),
            "first": first_day.isoformat(),
        }
    )
    assert not Application.objects.filter(retake_of=previous).exists()


def test_retake_on_the_last_day_of_the_window_is_accepted(world, settings):
    settings.SKILLCERT_RETAKE_WINDOW_DAYS = 365
    first_plan, previous = failed_theory(world)
    later = make_plan(world, spec=first_plan.spec, capacity=10)
    first_day = timezone.localdate(later.sessions.order_by("starts_at").first().starts_at)
    locked_on = first_day - timedelta(days=365)
    EvaluationPlan.objects.filter(pk=first_plan.pk).update(
        scores_locked_at=timezone.make_aware(datetime.combine(locked_on, time(12, 0)))
    )
    assert application_retake_prepare(previous=previous, plan=later, actor=world.body_y_admin).retake_of_id


def test_retake_refused_when_nothing_passed_or_result_passed(world):
    plan = locked_plan(
        world,
        candidates=2,
        scores={
            0: {"theory": ["50"], "skills": ["50", "50", "50"]},
            1: {"theory": ["80"], "skills": ["80", "80", "80"]},
        },
    )
    nothing, passed = applications(plan)
    later = make_plan(world, spec=plan.spec, capacity=10)
    with pytest.raises(ApplicationError) as caught:
        application_retake_prepare(previous=nothing, plan=later, actor=world.body_y_admin)
    assert caught.value.message == str(result_services.MSG_RETAKE_NOTHING_PASSED)
    with pytest.raises(ApplicationError) as caught:
        application_retake_prepare(previous=passed, plan=later, actor=world.body_y_admin)
    assert caught.value.message == str(result_services.MSG_RETAKE_NOT_FAILED % {"result": "合格"})


def test_retake_refused_in_a_plan_of_another_level(world):
    _plan, previous = failed_theory(world)
    other = make_plan(world, spec=make_spec(world, level_code="L4"), capacity=10)
    with pytest.raises(ApplicationError) as caught:
        application_retake_prepare(previous=previous, plan=other, actor=world.body_y_admin)
    assert caught.value.message.startswith("补考须参加本机构同一职业（工种）、同一等级的评价计划")


def test_retake_refused_twice_and_for_other_bodies(world):
    first_plan, previous = failed_theory(world)
    later = make_plan(world, spec=first_plan.spec, capacity=10)
    third = make_plan(world, spec=first_plan.spec, capacity=10)
    with pytest.raises(ApplicationError) as caught:
        application_retake_prepare(previous=previous, plan=later, actor=world.body_s_admin)
    assert caught.value.message == str(result_services.MSG_RETAKE_NOT_MANAGER)
    application_retake_prepare(previous=previous, plan=later, actor=world.body_y_admin)
    with pytest.raises(ApplicationError) as caught:
        application_retake_prepare(previous=previous, plan=third, actor=world.body_y_admin)
    assert caught.value.message == str(result_services.MSG_RETAKE_ALREADY % {"plan": later.number})


def test_retake_page_lists_and_registers(world, client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    first_plan, previous = failed_theory(world)
    later = make_plan(world, spec=first_plan.spec, capacity=10)
    client.force_login(world.body_y_admin)
    url = reverse("evaluation:plan_retakes", args=[later.pk])
    page = client.get(url).content.decode()
    assert previous.candidate.name in page and f'name="previous" value="{previous.pk}"' in page
    assert client.post(url, {"previous": previous.pk}).status_code == 302
    assert Application.objects.get(plan=later).retake_of_id == previous.pk
    # listed no more, and an id not offered is 404
    page = client.get(url).content.decode()
    assert f'name="previous" value="{previous.pk}"' not in page and "没有可以在本计划补考的考生" in page
    assert client.post(url, {"previous": previous.pk}).status_code == 404


@pytest.mark.parametrize("previous", ["abc", "31011519900101123X", ""])
def test_retake_form_with_a_malformed_application_id_answers_404(world, client, settings, previous):
    # given the body's admin on the retakes page of a plan
    settings.SKILLCERT_REQUIRE_2FA = False
    plan = make_plan(world)
    client.force_login(world.body_y_admin)

    # when the form is posted with something that is not an application id
    response = client.post(reverse("evaluation:plan_retakes", args=[plan.pk]), {"previous": previous})

    # then it is simply not found, never a server error
    assert response.status_code == 404
