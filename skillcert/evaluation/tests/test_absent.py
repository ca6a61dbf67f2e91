"""缺考 (absent): its double entry, changes after the lock, Excel import, the result, the counts over
those who sat, publicity, retakes and the API."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from skillcert.api.tests.helpers import issued_key
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Application, Component, ComponentResult, ScoreEntry
from skillcert.evaluation.selectors.publicity import publicity_get_public
from skillcert.evaluation.selectors.scores import plan_markers, plan_result_counts, retake_candidates
from skillcert.evaluation.services import results as result_services
from skillcert.evaluation.services.application_import import ImportRejected
from skillcert.evaluation.services.publicity import plan_publicity_start
from skillcert.evaluation.services.results import (
    application_retake_prepare,
    plan_scores_lock,
    score_change_after_lock,
)
from skillcert.evaluation.services.score_import import score_import, score_template_workbook
from skillcert.evaluation.services.scores import (
    ABSENT,
    MSG_VALUE_INVALID,
    score_confirm,
    score_correct,
    score_enter,
)
from skillcert.evaluation.tests.factories import make_plan
from skillcert.evaluation.tests.publicity import at
from skillcert.evaluation.tests.scoring import applications, locked_plan, score_template_filled, scoring_plan

pytestmark = pytest.mark.django_db

EntryStatus = ScoreEntry.Status
Result = Application.Result
# 张三明 passes; 李四 is 缺考 in theory (his skills marks would pass); the third candidate fails theory.
THREE_CANDIDATES = {
    0: {"theory": ["80"], "skills": ["80", "80", "80"]},
    1: {"theory": [ABSENT], "skills": ["90", "90", "90"]},
    2: {"theory": ["40"], "skills": ["80", "80", "80"]},
}


# ---- double entry -----------------------------------------------------------------------------------


def test_absent_entered_and_confirmed_as_absent_is_confirmed(world):
    # given a theory mark entered as 缺考
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0],
        component=Component.THEORY,
        value="缺考",
        actor=world.body_y_exam_staff,
    )
    assert (entry.absent, entry.value, entry.status) == (True, None, EntryStatus.ENTERED)
    assert AuditEvent.objects.get(action="score.entered").data["value"] == "缺考"
    # when a second person also types 缺考 (spaces ignored)
    entry = score_confirm(entry=entry, value=" 缺 考 ", actor=world.body_y_admin)
    # then it is confirmed
    entry.refresh_from_db()
    assert (entry.status, entry.confirmation_absent, entry.confirmation_value) == (
        EntryStatus.CONFIRMED,
        True,
        None,
    )
    event = AuditEvent.objects.get(action="score.confirmed")
    assert (event.data["entered"], event.data["confirmation"]) == ("缺考", "缺考")


def test_absent_against_a_number_is_a_mismatch_and_nothing_is_overwritten(world):
    # given a theory mark entered as 缺考
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0],
        component=Component.THEORY,
        value=ABSENT,
        actor=world.body_y_exam_staff,
    )
    # when the second person types 65
    entry = score_confirm(entry=entry, value="65", actor=world.body_y_admin)
    # then it is flagged, and both marks are kept
    entry.refresh_from_db()
    assert (entry.status, entry.absent, entry.value, entry.confirmation_absent, entry.confirmation_value) == (
        EntryStatus.MISMATCH,
        True,
        None,
        False,
        Decimal("65.00"),
    )
    event = AuditEvent.objects.get(action="score.mismatch")
    assert (event.data["entered"], event.data["confirmation"]) == ("缺考", "65.00")
    # when the enterer corrects it to 65, it waits for confirmation again and the audit keeps both
    entry = score_correct(entry=entry, value="65", actor=world.body_y_exam_staff)
    assert (entry.absent, entry.value, entry.status) == (False, Decimal("65.00"), EntryStatus.ENTERED)
    corrected = AuditEvent.objects.get(action="score.corrected")
    assert corrected.data["before"] == {"value": "缺考", "status": "mismatch", "confirmation": "65.00"}
    assert corrected.data["after"] == "65.00"


def test_number_against_absent_is_a_mismatch(world):
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0],
        component=Component.THEORY,
        value="70",
        actor=world.body_y_exam_staff,
    )
    entry = score_confirm(entry=entry, value=ABSENT, actor=world.body_y_admin)
    assert (entry.status, entry.value, entry.confirmation_absent) == (
        EntryStatus.MISMATCH,
        Decimal("70.00"),
        True,
    )


def test_other_text_is_refused_with_the_absent_hint(world):
    plan = scoring_plan(world, candidates=1)
    with pytest.raises(ValidationError) as caught:
        score_enter(
            application=applications(plan)[0],
            component=Component.THEORY,
            value="缺席",
            actor=world.body_y_admin,
        )
    assert caught.value.message_dict == {"value": [str(MSG_VALUE_INVALID % {"value": "缺席"})]}
    assert not ScoreEntry.objects.exists()


# ---- results ----------------------------------------------------------------------------------------


def test_absent_in_one_component_is_absent_whatever_the_other_marks(world):
    # given three candidates: one passes, one is 缺考 in theory with passing skills, one fails theory
    plan = locked_plan(world, candidates=3, scores=THREE_CANDIDATES)
    passed, absent, failed = applications(plan)
    # then the absentee is 缺考: neither passed nor failed
    assert (passed.result, absent.result, failed.result) == (Result.PASSED, Result.ABSENT, Result.FAILED)
    assert absent.get_result_display() == "缺考"
    results = {
        r.component: (r.score, r.passed, r.absent) for r in ComponentResult.objects.filter(application=absent)
    }
    assert results == {"theory": (None, False, True), "skills": (Decimal("90.00"), True, False)}
    event = AuditEvent.objects.get(action="plan.scores_locked")
    assert (event.data["passed"], event.data["failed"], event.data["absent"]) == (1, 1, 1)
    # and the pass rate is over those who sat: 1 of 2, not 1 of 3
    counts = plan_result_counts(plan=plan)
    assert (counts.applied, counts.sat, counts.absent, counts.passed, counts.failed) == (3, 2, 1, 1, 1)
    assert counts.pass_rate == 0.5 and counts.pass_rate_display == "50.0%"


def test_one_examiners_absent_makes_the_skills_component_absent(world):
    plan = locked_plan(world, candidates=1, scores={0: {"theory": ["80"], "skills": ["80", ABSENT, "80"]}})
    assert applications(plan)[0].result == Result.ABSENT


def test_pass_rate_is_none_when_nobody_sat(world):
    plan = locked_plan(world, candidates=1, scores={0: {"theory": [ABSENT], "skills": [ABSENT] * 3}})
    counts = plan_result_counts(plan=plan)
    assert (counts.applied, counts.sat, counts.absent, counts.pass_rate, counts.pass_rate_display) == (
        1,
        0,
        1,
        None,
        "—",
    )


# ---- after the lock ---------------------------------------------------------------------------------


def test_change_to_absent_after_lock_needs_a_reason_and_audit_keeps_both(world):
    # given a locked plan in which the candidate passed theory with 80
    plan = locked_plan(world, candidates=1, scores={0: {"theory": ["80"], "skills": ["80", "80", "80"]}})
    entry = ScoreEntry.objects.get(component=Component.THEORY)
    application = applications(plan)[0]
    # when the chief examiner changes it to 缺考 without a reason, then it is refused
    with pytest.raises(ValidationError) as caught:
        score_change_after_lock(entry=entry, value=ABSENT, reason="", actor=world.body_y_examiner)
    assert caught.value.message_dict == {
        "reason": [str(result_services.MSG_REASON_REQUIRED % {"min": result_services.REASON_MIN_LENGTH})]
    }
    entry.refresh_from_db()
    assert (entry.absent, entry.value) == (False, Decimal("80.00"))
    # when he changes it with a reason
    score_change_after_lock(
        entry=entry, value=ABSENT, reason="签到表核查：考生未到场，成绩为误录", actor=world.body_y_examiner
    )
    # then the entry is 缺考, the result is recomputed, and the audit keeps both marks
    entry.refresh_from_db()
    assert (entry.absent, entry.value, entry.confirmation_absent, entry.status) == (
        True,
        None,
        True,
        EntryStatus.CONFIRMED,
    )
    application.refresh_from_db()
    assert application.result == Result.ABSENT
    event = AuditEvent.objects.get(action="score.changed_after_lock")
    assert {k: event.data[k] for k in ("before", "after", "result_before", "result_after")} == {
        "before": "80.00",
        "after": "缺考",
        "result_before": "passed",
        "result_after": "absent",
    }
    # and changing it to 缺考 again is refused as unchanged
    with pytest.raises(ValidationError) as caught:
        score_change_after_lock(entry=entry, value=ABSENT, reason="再次核查", actor=world.body_y_examiner)
    assert caught.value.message_dict == {"value": [str(result_services.MSG_CHANGE_SAME)]}


def test_change_from_absent_after_lock(world):
    plan = locked_plan(world, candidates=1, scores={0: {"theory": [ABSENT], "skills": ["80", "80", "80"]}})
    entry = ScoreEntry.objects.get(component=Component.THEORY)
    score_change_after_lock(
        entry=entry, value="58", reason="考生实际参加考试，答卷漏登", actor=world.body_y_examiner
    )
    application = applications(plan)[0]
    application.refresh_from_db()
    assert application.result == Result.FAILED
    event = AuditEvent.objects.get(action="score.changed_after_lock")
    assert (event.data["before"], event.data["after"], event.data["result_before"]) == (
        "缺考",
        "58.00",
        "absent",
    )


# ---- Excel import -----------------------------------------------------------------------------------


def test_import_accepts_absent_and_documents_it(world):
    # given the template, whose notes explain 缺考
    plan = scoring_plan(world, candidates=2)
    notes = load_workbook(io.BytesIO(score_template_workbook(plan=plan)))["填写说明"]
    assert any("缺考" in str(row[0].value) for row in notes.iter_rows())
    # when a filled template with 缺考 in a theory cell is imported
    content = score_template_filled(plan, {2: ["缺考", 70, 70, 70], 3: [60, 60, 60, 60]})
    result = score_import(plan=plan, content=content, filename="scores.xlsx", actor=world.body_y_exam_staff)
    # then the cell is entered as 缺考, still waiting for confirmation
    assert result.imported == 8
    entry = ScoreEntry.objects.get(application=applications(plan)[0], component=Component.THEORY)
    assert (entry.absent, entry.value, entry.status) == (True, None, EntryStatus.ENTERED)
    # and importing the same file again changes nothing
    again = score_import(plan=plan, content=content, filename="scores.xlsx", actor=world.body_y_exam_staff)
    assert (again.imported, again.unchanged) == (0, 8)


def test_import_reports_a_bad_cell_by_row_and_column(world):
    plan = scoring_plan(world, candidates=2)
    content = score_template_filled(plan, {2: ["缺考", 70, 70, 70], 3: [60, "未到", 60, 60]})
    with pytest.raises(ImportRejected) as caught:
        score_import(plan=plan, content=content, filename="scores.xlsx", actor=world.body_y_exam_staff)
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (3, "D", str(MSG_VALUE_INVALID % {"value": "未到"}))
    ]
    assert not ScoreEntry.objects.exists()


# ---- retakes ----------------------------------------------------------------------------------------


def test_absentee_who_passed_skills_may_retake_theory(world):
    # given a candidate 缺考 in theory who passed skills, and a later plan of the same spec
    plan = locked_plan(world, candidates=1, scores={0: {"theory": [ABSENT], "skills": ["80", "80", "80"]}})
    previous = applications(plan)[0]
    later = make_plan(world, spec=plan.spec, capacity=10)
    # then the absentee is a retake candidate, sitting only theory
    assert list(retake_candidates(plan=later)) == [previous]
    retake = application_retake_prepare(previous=previous, plan=later, actor=world.body_y_admin)
    event = AuditEvent.objects.get(action="application.retake_prepared")
    assert (retake.retake_of_id, event.data["kept"], event.data["sit"]) == (
        previous.pk,
        ["skills"],
        ["theory"],
    )


def test_absentee_of_every_component_may_not_retake(world):
    plan = locked_plan(world, candidates=1, scores={0: {"theory": [ABSENT], "skills": [ABSENT] * 3}})
    later = make_plan(world, spec=plan.spec, capacity=10)
    assert list(retake_candidates(plan=later)) == []


# ---- pages ------------------------------------------------------------------------------------------


def test_results_and_plan_pages_show_absent_and_counts(world, logged_in):
    plan = locked_plan(world, candidates=3, scores=THREE_CANDIDATES)
    client = logged_in(world.body_y_admin)
    page = client.get(reverse("evaluation:plan_results", args=[plan.pk])).content.decode()
    assert page.count("缺考") >= 3  # the theory cell, the result, the count label
    for text in ("报名人数 <strong>3</strong>", "实考人数 <strong>2</strong>", "缺考人数 <strong>1</strong>"):
        assert text in page
    assert "合格人数 <strong>1</strong>" in page and "50.0%" in page
    detail = client.get(reverse("evaluation:plan_detail", args=[plan.pk])).content.decode()
    assert "实考人数 <strong>2</strong>" in detail and "50.0%" in detail


def test_change_page_accepts_absent(world, logged_in):
    plan = locked_plan(world, candidates=1)
    entry = ScoreEntry.objects.get(component=Component.THEORY)
    client = logged_in(world.body_y_examiner)
    url = reverse("evaluation:score_change", args=[plan.pk, entry.pk])
    response = client.post(url, {"value": "缺考", "reason": "签到表核查：考生未到场"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.absent


def test_candidate_sees_absent(world, logged_in):
    plan = locked_plan(world, candidates=1, scores={0: {"theory": [ABSENT], "skills": ["80", "80", "80"]}})
    application = applications(plan)[0]
    application.candidate.user = world.candidate
    application.candidate.save(update_fields=["user"])
    client = logged_in(world.candidate)
    page = client.get(reverse("evaluation:my_application", args=[application.pk])).content.decode()
    assert "评定结果：<strong>缺考</strong>" in page


def test_public_publicity_shows_absent_count_and_names_only_passes(world, client):
    # given a plan in publicity with one pass, one 缺考 and one fail
    with at(date(2025, 9, 30)):
        plan = locked_plan(world, candidates=3, scores=THREE_CANDIDATES)
        plan = plan_publicity_start(plan=plan, actor=world.body_y_admin)
    passed, absent, _failed = applications(plan)
    # when the public page is read
    with at(date(2025, 10, 9)):
        page = client.get(reverse("evaluation:publicity_public", args=[plan.number])).content.decode()
        publicity = publicity_get_public(number=plan.number)
    # then it shows the counts with 缺考 and the pass rate over those who sat, masked passes only
    assert "缺考人数 <strong>1</strong>" in page and "实考人数 <strong>2</strong>" in page and "50.0%" in page
    assert "张*明" in page and absent.candidate.id_number_masked not in page
    assert (publicity.counts.sat, publicity.counts.absent) == (2, 1)
    assert [e.id_number for e in publicity.entries] == [passed.candidate.id_number_masked]


# ---- the API ----------------------------------------------------------------------------------------


def test_api_enters_absent_and_returns_absent_results(world, results_api):
    # given a scoring plan with one candidate
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    staff, admin = issued_key(world.body_y_exam_staff), issued_key(world.body_y_admin)
    # when theory is entered as 缺考 and confirmed as 缺考 through the API
    entered = results_api.call(
        "post",
        f"/api/v1/plans/{plan.pk}/scores",
        token=staff,
        body={"application_id": application.pk, "component": "theory", "absent": True},
    )
    assert entered.status_code == 201
    assert {k: entered.json()[k] for k in ("value", "absent", "status")} == {
        "value": None,
        "absent": True,
        "status": "entered",
    }
    confirmed = results_api.call(
        "post", f"/api/v1/scores/{entered.json()['id']}/confirm", token=admin, body={"absent": True}
    )
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["confirmation_absent"] is True
    # and both a value and 缺考 at once is a 422
    both = results_api.call(
        "post",
        f"/api/v1/plans/{plan.pk}/scores",
        token=staff,
        body={"application_id": application.pk, "component": "theory", "absent": True, "value": "60"},
    )
    assert both.status_code == 422
    markers = plan_markers(plan=plan)
    for marker in markers[Component.SKILLS]:
        entry = score_enter(
            application=application,
            component=Component.SKILLS,
            marker=marker,
            value="80",
            actor=world.body_y_admin,
        )
        score_confirm(entry=entry, value="80", actor=world.body_y_exam_staff)
    locked = results_api.call(
        "post", f"/api/v1/plans/{plan.pk}/scores/lock", token=issued_key(world.body_y_examiner)
    )
    assert {k: locked.json()[k] for k in ("passed", "failed", "absent")} == {
        "passed": 0,
        "failed": 0,
        "absent": 1,
    }
    # then the results say 缺考, and the counts exclude the absentee from those who sat
    results = results_api.call("get", f"/api/v1/plans/{plan.pk}/results", token=admin).json()
    assert results["applications"][0]["result"] == "absent"
    assert results["applications"][0]["components"][0] == {
        "component": "theory",
        "score": None,
        "passed": False,
        "absent": True,
        "carried_from_application_id": None,
    }
    assert results["counts"] == {
        "applied": 1,
        "sat": 0,
        "absent": 1,
        "passed": 0,
        "failed": 0,
        "pass_rate": None,
    }


def test_lock_refused_with_absent_unconfirmed(world):
    # a 缺考 entry counts like any other: it must be confirmed before the lock
    plan = scoring_plan(world, candidates=1)
    score_enter(
        application=applications(plan)[0],
        component=Component.THEORY,
        value=ABSENT,
        actor=world.body_y_exam_staff,
    )
    with pytest.raises(ApplicationError) as caught:
        plan_scores_lock(plan=plan, actor=world.body_y_examiner)
    assert "理论知识考试应有 1 个成绩，已录入 1 个，已复核 0 个" in caught.value.message


def test_pass_rate_counts_no_absentee_before_the_lock(world):
    plan = scoring_plan(world, candidates=2)
    counts = plan_result_counts(plan=plan)
    assert (counts.applied, counts.sat, counts.absent, counts.passed) == (2, 2, 0, 0)
    assert counts.pass_rate == 0
