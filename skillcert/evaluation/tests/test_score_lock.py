"""The chief examiner's lock (once every score is entered and confirmed; it computes the results), and
changes after it (with a reason, both values audited, results recomputed)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Component, ComponentResult, EvaluationPlan, ScoreEntry
from skillcert.evaluation.selectors.scores import plan_markers
from skillcert.evaluation.services import results as result_services
from skillcert.evaluation.services import scores as score_services
from skillcert.evaluation.services.results import plan_scores_lock, score_change_after_lock
from skillcert.evaluation.services.scores import score_confirm, score_enter
from skillcert.evaluation.tests.scoring import all_pass, applications, enter_all, locked_plan, scoring_plan

pytestmark = pytest.mark.django_db

Status = EvaluationPlan.Status
EntryStatus = ScoreEntry.Status


# ---- lock -------------------------------------------------------------------------------------------


def test_lock_refused_with_unconfirmed_scores(world):
    # given every score entered but one skills score not yet confirmed
    plan = scoring_plan(world, candidates=1)
    enter_all(plan, all_pass(plan), enterer=world.body_y_exam_staff)
    for entry in ScoreEntry.objects.order_by("pk")[1:]:
        score_confirm(entry=entry, value=entry.value, actor=world.body_y_admin)
    # when the chief examiner locks, then it is refused with the counts
    with pytest.raises(ApplicationError) as caught:
        plan_scores_lock(plan=plan, actor=world.body_y_examiner)
    assert caught.value.message == str(
        result_services.MSG_LOCK_INCOMPLETE
        % {"component": "理论知识考试", "required": 1, "entered": 1, "confirmed": 0, "mismatches": 0}
    )
    plan.refresh_from_db()
    assert plan.status == Status.ACKNOWLEDGED and plan.scores_locked_at is None
    assert not ComponentResult.objects.exists()


def test_lock_refused_with_a_missing_score(world):
    plan = scoring_plan(world, candidates=1)
    scores = all_pass(plan)
    scores[0][Component.SKILLS][2] = None  # one examiner's score not entered
    enter_all(plan, scores, enterer=world.body_y_exam_staff, confirmer=world.body_y_admin)
    with pytest.raises(ApplicationError) as caught:
        plan_scores_lock(plan=plan, actor=world.body_y_examiner)
    assert caught.value.message == str(
        result_services.MSG_LOCK_INCOMPLETE
        % {"component": "操作技能考核", "required": 3, "entered": 2, "confirmed": 2, "mismatches": 0}
    )


def test_lock_by_non_chief_is_refused(world):
    plan = scoring_plan(world, candidates=1)
    enter_all(plan, all_pass(plan), enterer=world.body_y_exam_staff, confirmer=world.body_y_admin)
    examiner = next(m for m in plan_markers(plan=plan)[Component.SKILLS] if m.pk != world.body_y_examiner.pk)
    for actor in (world.body_y_admin, examiner):
        with pytest.raises(ApplicationError) as caught:
            plan_scores_lock(plan=plan, actor=actor)
        assert caught.value.message == str(result_services.MSG_LOCK_NOT_CHIEF)
    plan.refresh_from_db()
    assert plan.status == Status.ACKNOWLEDGED


def test_lock_computes_results_and_is_audited(world):
    # given two candidates: one passes both components, one fails theory
    plan = scoring_plan(world, candidates=2)
    enter_all(
        plan,
        {
            0: {"theory": ["60"], "skills": ["70", "80", "90"]},
            1: {"theory": ["59.99"], "skills": ["90", "90", "90"]},
        },
        enterer=world.body_y_exam_staff,
        confirmer=world.body_y_admin,
    )
    # when the chief examiner locks
    plan = plan_scores_lock(plan=plan, actor=world.body_y_examiner)
    # then the plan is locked and the results are set
    assert plan.status == Status.SCORES_LOCKED
    assert plan.scores_locked_by_id == world.body_y_examiner.pk and plan.scores_locked_at is not None
    first, second = applications(plan)
    assert (first.result, second.result) == ("passed", "failed")
    results = {(r.application_id, r.component): (r.score, r.passed) for r in ComponentResult.objects.all()}
    assert results == {
        (first.pk, "theory"): (Decimal("60.00"), True),
        (first.pk, "skills"): (Decimal("80.00"), True),
        (second.pk, "theory"): (Decimal("59.99"), False),
        (second.pk, "skills"): (Decimal("90.00"), True),
    }
    event = AuditEvent.objects.get(action="plan.scores_locked")
    assert event.data == {
        "plan": plan.number,
        "candidates": 2,
        "scores": 8,
        "passed": 1,
        "failed": 1,
        "absent": 0,
    }
    # and no more scores may be entered or confirmed
    with pytest.raises(ApplicationError) as caught:
        score_enter(application=first, component=Component.THEORY, value=1, actor=world.body_y_admin)
    assert caught.value.message == str(score_services.MSG_PLAN_NOT_SCORING)


# ---- after the lock ---------------------------------------------------------------------------------


def test_change_after_lock_needs_a_reason_and_audit_keeps_both_values(world):
    # given a locked plan in which the candidate failed theory with 58
    plan = locked_plan(world, candidates=1, scores={0: {"theory": ["58"], "skills": ["80", "80", "80"]}})
    entry = ScoreEntry.objects.get(component=Component.THEORY)
    application = applications(plan)[0]
    assert application.result == "failed"
    # when the chief examiner changes it without a reason, then it is refused
    with pytest.raises(ValidationError) as caught:
        score_change_after_lock(entry=entry, value="62", reason=" ", actor=world.body_y_examiner)
    assert caught.value.message_dict == {
        "reason": [str(result_services.MSG_REASON_REQUIRED % {"min": result_services.REASON_MIN_LENGTH})]
    }
    entry.refresh_from_db()
    assert entry.value == Decimal("58.00")
    # when he changes it with a reason
    score_change_after_lock(
        entry=entry, value="62", reason="复查试卷发现第 3 题漏计 4 分", actor=world.body_y_examiner
    )
    # then the score and the results change, and the audit keeps both values
    entry.refresh_from_db()
    assert (entry.value, entry.status, entry.change_reason) == (
        Decimal("62.00"),
        EntryStatus.CONFIRMED,
        "复查试卷发现第 3 题漏计 4 分",
    )
    application.refresh_from_db()
    assert application.result == "passed"
    assert ComponentResult.objects.get(application=application, component="theory").score == Decimal("62.00")
    event = AuditEvent.objects.get(action="score.changed_after_lock")
    assert {k: event.data[k] for k in ("before", "after", "reason", "result_before", "result_after")} == {
        "before": "58.00",
        "after": "62.00",
        "reason": "复查试卷发现第 3 题漏计 4 分",
        "result_before": "failed",
        "result_after": "passed",
    }


def test_change_after_lock_refused_before_lock(world):
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0], component=Component.THEORY, value=58, actor=world.body_y_exam_staff
    )
    with pytest.raises(ApplicationError) as caught:
        score_change_after_lock(entry=entry, value=62, reason="复查更正分数", actor=world.body_y_examiner)
    assert caught.value.message == str(result_services.MSG_CHANGE_STATUS)
    entry.refresh_from_db()
    assert entry.value == Decimal("58.00")


def test_change_after_lock_refused_for_an_examiner(world):
    plan = locked_plan(world, candidates=1)
    entry = ScoreEntry.objects.get(application__plan=plan, component=Component.THEORY)
    examiner = next(m for m in plan_markers(plan=plan)[Component.SKILLS] if m.pk != world.body_y_examiner.pk)
    with pytest.raises(ApplicationError) as caught:
        score_change_after_lock(entry=entry, value=62, reason="复查更正分数", actor=examiner)
    assert caught.value.message == str(result_services.MSG_CHANGE_NOT_ALLOWED)
