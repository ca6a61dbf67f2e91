"""Scores: entry per component and marker, recusal, double entry, the chief examiner's lock, later changes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import (
    Component,
    ComponentResult,
    EvaluationPlan,
    PlanStaff,
    Recusal,
    ScoreEntry,
)
from skillcert.evaluation.selectors.scores import plan_markers, plan_score_progress, plan_score_sheet
from skillcert.evaluation.services import results as result_services
from skillcert.evaluation.services import scores as score_services
from skillcert.evaluation.services.results import plan_scores_lock, score_change_after_lock
from skillcert.evaluation.services.scores import (
    score_confirm,
    score_confirm_sheet,
    score_correct,
    score_enter,
    score_enter_sheet,
)
from skillcert.evaluation.tests.factories import (
    make_plan,
    make_spec,
)
from skillcert.evaluation.tests.scoring import (
    add_candidate,
    all_pass,
    applications,
    enter_all,
    locked_plan,
    scoring_plan,
)

pytestmark = pytest.mark.django_db

Status = EvaluationPlan.Status
EntryStatus = ScoreEntry.Status


# ---- entry ------------------------------------------------------------------------------------------


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


# ---- double entry -----------------------------------------------------------------------------------


def test_confirming_own_entry_is_refused(world):
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0], component=Component.THEORY, value=70, actor=world.body_y_exam_staff
    )
    with pytest.raises(ApplicationError) as caught:
        score_confirm(entry=entry, value=70, actor=world.body_y_exam_staff)
    assert caught.value.message == str(score_services.MSG_CONFIRM_OWN)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ENTERED and entry.confirmed_by_id is None


def test_equal_confirmation_confirms(world):
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0],
        component=Component.THEORY,
        value="70.5",
        actor=world.body_y_exam_staff,
    )
    entry = score_confirm(entry=entry, value="70.50", actor=world.body_y_admin)
    assert (entry.status, entry.confirmation_value, entry.confirmed_by_id) == (
        EntryStatus.CONFIRMED,
        Decimal("70.50"),
        world.body_y_admin.pk,
    )
    assert AuditEvent.objects.get(action="score.confirmed").data["confirmation"] == "70.50"


def test_mismatch_is_flagged_and_nothing_is_overwritten(world):
    # given a theory score of 70 entered by exam staff
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0], component=Component.THEORY, value=70, actor=world.body_y_exam_staff
    )
    # when the administrator types 76 to confirm it
    entry = score_confirm(entry=entry, value=76, actor=world.body_y_admin)
    # then it is flagged, and both values are kept
    entry.refresh_from_db()
    assert (entry.status, entry.value, entry.confirmation_value) == (
        EntryStatus.MISMATCH,
        Decimal("70.00"),
        Decimal("76.00"),
    )
    event = AuditEvent.objects.get(action="score.mismatch")
    assert (event.data["entered"], event.data["confirmation"]) == ("70.00", "76.00")
    # and it cannot be confirmed again until corrected
    with pytest.raises(ApplicationError) as caught:
        score_confirm(entry=entry, value=70, actor=world.body_y_examiner)
    assert "复核不一致" in caught.value.message
    # and only the enterer may correct it
    with pytest.raises(ApplicationError) as caught:
        score_correct(entry=entry, value=76, actor=world.body_y_admin)
    assert caught.value.message == str(score_services.MSG_CORRECT_NOT_ENTERER)
    # when the enterer corrects it, it waits for confirmation again, and the audit keeps both values
    entry = score_correct(entry=entry, value=76, actor=world.body_y_exam_staff)
    assert (entry.status, entry.value, entry.confirmation_value) == (
        EntryStatus.ENTERED,
        Decimal("76.00"),
        None,
    )
    corrected = AuditEvent.objects.get(action="score.corrected")
    assert corrected.data["before"] == {"value": "70.00", "status": "mismatch", "confirmation": "76.00"}
    assert corrected.data["after"] == "76.00"
    entry = score_confirm(entry=entry, value=76, actor=world.body_y_admin)
    assert entry.status == EntryStatus.CONFIRMED


def test_recused_examiner_cannot_confirm(world):
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    entry = score_enter(
        application=application, component=Component.THEORY, value=70, actor=world.body_y_exam_staff
    )
    Recusal.objects.create(
        plan=plan,
        examiner=world.body_y_examiner,
        candidate=application.candidate,
        relationship="邻居",
        declared_at=timezone.now(),
    )
    with pytest.raises(ApplicationError) as caught:
        score_confirm(entry=entry, value=70, actor=world.body_y_examiner)
    assert caught.value.message == str(score_services.MSG_RECUSED % {"name": world.body_y_examiner.full_name})


def test_confirm_sheet_counts_confirmed_and_mismatched(world):
    plan = scoring_plan(world, candidates=2)
    first, second = applications(plan)
    a = score_enter(application=first, component=Component.THEORY, value=70, actor=world.body_y_exam_staff)
    b = score_enter(application=second, component=Component.THEORY, value=80, actor=world.body_y_exam_staff)
    outcome = score_confirm_sheet(plan=plan, values={a.pk: "70", b.pk: "81"}, actor=world.body_y_admin)
    assert (outcome.confirmed, outcome.mismatched) == (1, 1)
    assert dict(ScoreEntry.objects.values_list("pk", "status")) == {a.pk: "confirmed", b.pk: "mismatch"}


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


def test_score_sheet_counts_entries(world):
    plan = scoring_plan(world, candidates=2)
    enter_all(plan, {0: {"theory": ["70"]}}, enterer=world.body_y_exam_staff)
    sheet = plan_score_sheet(plan=plan)
    assert len(sheet.slots) == 8 and len(sheet.entries) == 1


# ---- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def logged_in(client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False

    def login(user):
        client.force_login(user)
        return client

    return login


def test_entry_sheet_page_saves_all_or_nothing(world, logged_in):
    plan = scoring_plan(world, candidates=2)
    first, second = applications(plan)
    client = logged_in(world.body_y_exam_staff)
    url = reverse("evaluation:plan_scores_enter", args=[plan.pk]) + "?component=theory"
    assert first.candidate.name in client.get(url).content.decode()
    page = client.post(url, {f"score-{first.pk}": "70", f"score-{second.pk}": "700"})
    assert page.status_code == 200 and "成绩：应在 0 到 100 之间。" in page.content.decode()
    assert not ScoreEntry.objects.exists()
    assert client.post(url, {f"score-{first.pk}": "70", f"score-{second.pk}": "71"}).status_code == 302
    assert ScoreEntry.objects.count() == 2


def test_examiner_sees_only_own_sheet_and_unknown_marker_is_404(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    client = logged_in(world.body_y_examiner)
    page = client.get(reverse("evaluation:plan_scores", args=[plan.pk])).content.decode()
    assert f"marker={world.body_y_examiner.pk}" in page
    other = next(m for m in plan_markers(plan=plan)[Component.SKILLS] if m.pk != world.body_y_examiner.pk)
    assert f"marker={other.pk}" not in page
    bad = (
        reverse("evaluation:plan_scores_enter", args=[plan.pk])
        + f"?component=skills&marker={world.body_y_admin.pk}"
    )
    assert client.get(bad).status_code == 404


def test_confirm_page_does_not_show_the_entered_value(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0],
        component=Component.THEORY,
        value="73.25",
        actor=world.body_y_exam_staff,
    )
    client = logged_in(world.body_y_admin)
    url = reverse("evaluation:plan_scores_confirm", args=[plan.pk])
    page = client.get(url).content.decode()
    assert f'name="confirm-{entry.pk}"' in page and "73.25" not in page
    assert client.post(url, {f"confirm-{entry.pk}": "73.2"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.MISMATCH
    # the enterer's own entries are not offered to him for confirmation
    client = logged_in(world.body_y_exam_staff)
    assert "没有需要您复核的成绩" in client.get(url).content.decode()


def test_lock_page_for_the_chief_only(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    enter_all(plan, all_pass(plan), enterer=world.body_y_exam_staff, confirmer=world.body_y_admin)
    url = reverse("evaluation:plan_scores_lock", args=[plan.pk])
    assert logged_in(world.body_y_admin).get(url).status_code == 403  # not an examiner at all
    client = logged_in(world.body_y_examiner)
    assert "确认锁定成绩" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.SCORES_LOCKED
    results = client.get(reverse("evaluation:plan_results", args=[plan.pk])).content.decode()
    assert "80.00" in results and "合格" in results


def test_plan_page_shows_the_scores_panel(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    page = (
        logged_in(world.body_y_examiner)
        .get(reverse("evaluation:plan_detail", args=[plan.pk]))
        .content.decode()
    )
    assert 'id="panel-scores"' in page
    assert reverse("evaluation:plan_scores_lock", args=[plan.pk]) in page
    assert reverse("evaluation:plan_scores", args=[plan.pk]) in page


def test_scores_pages_of_another_body_are_404(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    client = logged_in(world.body_s_admin)
    for name in (
        "plan_scores",
        "plan_scores_confirm",
        "plan_results",
        "plan_retakes",
        "plan_scores_template",
    ):
        assert client.get(reverse(f"evaluation:{name}", args=[plan.pk])).status_code == 404, name


def test_change_page_needs_a_reason(world, logged_in):
    plan = locked_plan(world, candidates=1)
    entry = ScoreEntry.objects.get(application__plan=plan, component=Component.THEORY)
    client = logged_in(world.body_y_admin)
    url = reverse("evaluation:score_change", args=[plan.pk, entry.pk])
    page = client.post(url, {"value": "70", "reason": ""})
    assert page.status_code == 200
    entry.refresh_from_db()
    assert entry.value == Decimal("80.00")
    assert client.post(url, {"value": "70", "reason": "复核时发现加分错误"}).status_code == 302
    entry.refresh_from_db()
    assert entry.value == Decimal("70.00")
