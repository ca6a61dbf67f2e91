"""Score entry: the markers of each component (theory has none), the value's range and decimals, who may
enter whose score, recusal, and a sheet saved all or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Component, PlanStaff, Recusal, ScoreEntry
from skillcert.evaluation.selectors.scores import plan_markers, plan_score_progress, plan_score_sheet
from skillcert.evaluation.services import scores as score_services
from skillcert.evaluation.services.scores import score_enter, score_enter_sheet
from skillcert.evaluation.tests.factories import make_plan, make_spec
from skillcert.evaluation.tests.scoring import add_candidate, applications, enter_all, scoring_plan

pytestmark = pytest.mark.django_db

EntryStatus = ScoreEntry.Status


def test_markers_are_the_plans_examiners_and_reviewers(world):
    # given a 二级 plan (theory, skills and review)
    plan = scoring_plan(world, level_code="L2", candidates=1)
    markers = plan_markers(plan=plan)
    # then skills is marked by the chief examiner and the examiners, review by the panel
    examiners = set(
        plan.staff.filter(duty__in=[PlanStaff.Duty.EXAMINER, PlanStaff.Duty.CHIEF_EXAMINER]).values_list(
            "user_id", flat=True
        )
    )
    reviewers = set(plan.staff.filter(duty=PlanStaff.Duty.REVIEWER).values_list("user_id", flat=True))
    assert {user.pk for user in markers[Component.SKILLS]} == examiners
    assert {user.pk for user in markers[Component.REVIEW]} == reviewers
    assert len(examiners) == 3 and len(reviewers) == 3
    # and the candidate needs 1 theory + 3 skills + 3 review scores
    progress = {p.component: p.required for p in plan_score_progress(plan=plan)}
    assert progress == {"theory": 1, "skills": 3, "review": 3}


def test_examiner_enters_own_skills_score_and_it_is_audited(world):
    # given a plan with one candidate
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    examiner = world.body_y_examiner
    # when the chief examiner enters his own skills score
    entry = score_enter(
        application=application, component=Component.SKILLS, marker=examiner, value="75.5", actor=examiner
    )
    # then it is stored as entered, waiting for confirmation
    assert (entry.value, entry.status, entry.marker_id, entry.entered_by_id) == (
        Decimal("75.50"),
        EntryStatus.ENTERED,
        examiner.pk,
        examiner.pk,
    )
    event = AuditEvent.objects.get(action="score.entered")
    assert event.data == {
        "plan": plan.number,
        "ticket_number": application.ticket_number,
        "component": "skills",
        "marker": examiner.username,
        "value": "75.50",
    }


def test_theory_has_one_score_without_marker(world):
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    # when exam staff enter the theory score
    entry = score_enter(
        application=application, component=Component.THEORY, value=88, actor=world.body_y_exam_staff
    )
    assert entry.marker_id is None and entry.value == Decimal("88.00")
    # then a second theory score is refused
    with pytest.raises(ApplicationError) as caught:
        score_enter(application=application, component=Component.THEORY, value=88, actor=world.body_y_admin)
    assert "已录入" in caught.value.message
    # and a marker for theory is refused
    with pytest.raises(ApplicationError) as caught:
        score_enter(
            application=application,
            component=Component.THEORY,
            marker=world.body_y_examiner,
            value=88,
            actor=world.body_y_exam_staff,
        )
    assert caught.value.message == str(score_services.MSG_THEORY_NO_MARKER)
    assert ScoreEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("100.01", score_services.MSG_VALUE_RANGE),
        ("-1", score_services.MSG_VALUE_RANGE),
        ("59.999", score_services.MSG_VALUE_DECIMALS),
    ],
)
def test_score_range_and_decimals(world, value, message):
    plan = scoring_plan(world, candidates=1)
    with pytest.raises(ValidationError) as caught:
        score_enter(
            application=applications(plan)[0],
            component=Component.THEORY,
            value=value,
            actor=world.body_y_admin,
        )
    assert caught.value.message_dict == {"value": [str(message)]}
    assert not ScoreEntry.objects.exists()


def test_not_a_number_is_refused(world):
    plan = scoring_plan(world, candidates=1)
    with pytest.raises(ValidationError) as caught:
        score_enter(
            application=applications(plan)[0],
            component=Component.THEORY,
            value="八十",
            actor=world.body_y_admin,
        )
    assert caught.value.message_dict == {"value": [str(score_services.MSG_VALUE_INVALID % {"value": "八十"})]}


def test_recused_examiner_is_refused(world):
    # given the chief examiner declared a relationship with the candidate
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    examiner = world.body_y_examiner
    Recusal.objects.create(
        plan=plan,
        examiner=examiner,
        candidate=application.candidate,
        relationship="表兄弟",
        declared_at=timezone.now(),
    )
    # when he enters a skills score for that candidate, then it is refused
    with pytest.raises(ApplicationError) as caught:
        score_enter(
            application=application, component=Component.SKILLS, marker=examiner, value=80, actor=examiner
        )
    assert caught.value.message == str(score_services.MSG_RECUSED % {"name": examiner.full_name})
    # and exam staff cannot enter one on his behalf either
    with pytest.raises(ApplicationError):
        score_enter(
            application=application,
            component=Component.SKILLS,
            marker=examiner,
            value=80,
            actor=world.body_y_exam_staff,
        )
    assert not ScoreEntry.objects.exists()
    # and the candidate then needs only the two other examiners' skills scores
    assert {p.component: p.required for p in plan_score_progress(plan=plan)} == {"theory": 1, "skills": 2}


def test_examiner_cannot_enter_another_examiners_score(world):
    plan = scoring_plan(world, candidates=1)
    other = next(m for m in plan_markers(plan=plan)[Component.SKILLS] if m.pk != world.body_y_examiner.pk)
    with pytest.raises(ApplicationError) as caught:
        score_enter(
            application=applications(plan)[0],
            component=Component.SKILLS,
            marker=other,
            value=70,
            actor=world.body_y_examiner,
        )
    assert caught.value.message == str(score_services.MSG_OTHER_MARKER)


def test_staff_of_another_body_cannot_enter(world):
    plan = scoring_plan(world, candidates=1)
    with pytest.raises(ApplicationError) as caught:
        score_enter(
            application=applications(plan)[0], component=Component.THEORY, value=70, actor=world.body_s_admin
        )
    assert caught.value.message == str(score_services.MSG_NOT_SCORING)


def test_scores_cannot_be_entered_before_the_component_starts(world):
    spec = make_spec(world)
    plan = make_plan(world, spec=spec, capacity=10)  # first component 30 days ahead
    application = add_candidate(plan, 0)
    with pytest.raises(ApplicationError) as caught:
        score_enter(application=application, component=Component.THEORY, value=70, actor=world.body_y_admin)
    assert "尚未开始" in caught.value.message


def test_sheet_entry_is_all_or_nothing(world):
    # given two candidates, and a sheet with one good and one bad score
    plan = scoring_plan(world, candidates=2)
    first, second = applications(plan)
    # when the sheet is entered, then nothing is saved and the bad score is named
    with pytest.raises(score_services.ScoreSheetRejected) as caught:
        score_enter_sheet(
            plan=plan,
            component=Component.THEORY,
            marker=None,
            values={first.pk: "70", second.pk: "170"},
            actor=world.body_y_exam_staff,
        )
    assert [(p.key, p.message) for p in caught.value.problems] == [
        (second.pk, str(score_services.MSG_VALUE_RANGE))
    ]
    assert not ScoreEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="score.entered").exists()
    # when both are good, then both are saved
    entries = score_enter_sheet(
        plan=plan,
        component=Component.THEORY,
        marker=None,
        values={first.pk: "70", second.pk: "71"},
        actor=world.body_y_exam_staff,
    )
    assert [e.value for e in entries] == [Decimal("70.00"), Decimal("71.00")]


def test_score_sheet_counts_entries(world):
    plan = scoring_plan(world, candidates=2)
    enter_all(plan, {0: {"theory": ["70"]}}, enterer=world.body_y_exam_staff)
    sheet = plan_score_sheet(plan=plan)
    assert len(sheet.slots) == 8 and len(sheet.entries) == 1
