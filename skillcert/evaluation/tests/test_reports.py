"""The result report: after publicity with every objection answered; the authority in scope approves or
returns it; the authority's list with due dates; the results API end to end."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from skillcert.api.tests.helpers import issued_key
from skillcert.certificates.models import Certificate
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Component, EvaluationPlan, ResultReport, ScoreEntry
from skillcert.evaluation.selectors.scores import plan_markers
from skillcert.evaluation.services import reports as report_services
from skillcert.evaluation.services.publicity import objection_answer, objection_lodge
from skillcert.evaluation.services.reports import (
    result_report_approve,
    result_report_return,
    result_report_submit,
)
from skillcert.evaluation.services.results import score_change_after_lock
from skillcert.evaluation.tests.publicity import TWO_CANDIDATES, at, published
from skillcert.evaluation.tests.scoring import applications, scoring_plan

pytestmark = pytest.mark.django_db

Status = EvaluationPlan.Status
AFTER = date(2025, 10, 14)  # the first day after a publicity of 2025-09-30 … 2025-10-13


def reported(world) -> tuple[EvaluationPlan, ResultReport]:
    plan = published(world)
    with at(AFTER):
        report = result_report_submit(plan=plan, actor=world.body_y_admin)
    plan.refresh_from_db()
    return plan, report


# ---- submission -------------------------------------------------------------------------------------


def test_report_refused_while_publicity_runs(world):
    plan = published(world)
    with at(date(2025, 10, 13)), pytest.raises(ApplicationError) as caught:
        result_report_submit(plan=plan, actor=world.body_y_admin)
    assert caught.value.message == str(report_services.MSG_REPORT_PUBLICITY_RUNNING % {"ends": "2025-10-13"})
    assert not ResultReport.objects.exists()


def test_report_refused_with_an_unanswered_objection(world):
    # given an objection lodged during publicity and not answered
    plan = published(world)
    with at(date(2025, 10, 10)):
        objection = objection_lodge(
            plan=plan,
            subject="张*明",
            text="该考生工作年限不足，请核查。",
            contact_name="王",
            contact_phone="13912345678",
        )
    # when the body reports after the period, then it is refused
    with at(AFTER):
        with pytest.raises(ApplicationError) as caught:
            result_report_submit(plan=plan, actor=world.body_y_admin)
        assert caught.value.message == str(report_services.MSG_REPORT_OBJECTIONS % {"count": 1})
        assert not ResultReport.objects.exists()
        # when the objection is answered, then the report goes through
        objection_answer(
            objection=objection, answer="已核实社保缴费记录，符合条件。", actor=world.body_y_admin
        )
        report = result_report_submit(plan=plan, actor=world.body_y_admin)
    assert report.status == ResultReport.Status.SUBMITTED


def test_report_counts_passes_and_sets_the_review_deadline(world):
    # given a publicity of 2025-09-30 … 2025-10-13 with one pass of two
    plan, report = reported(world)
    # then the report, submitted on Tuesday 2025-10-14, is due five working days later
    assert (report.passed_count, report.review_due_on, report.submitted_by_id) == (
        1,
        date(2025, 10, 21),
        world.body_y_admin.pk,
    )
    assert plan.status == Status.REPORTED
    event = AuditEvent.objects.get(action="result_report.submitted")
    assert event.data == {
        "plan": plan.number,
        "passed_count": 1,
        "applied_count": 2,
        "sat_count": 2,
        "absent_count": 0,
        "review_due_on": "2025-10-21",
    }


def test_report_by_another_body_is_refused(world):
    plan = published(world)
    with at(AFTER), pytest.raises(ApplicationError) as caught:
        result_report_submit(plan=plan, actor=world.body_s_admin)
    assert caught.value.message == str(report_services.MSG_REPORT_NOT_MANAGER)


# ---- review -----------------------------------------------------------------------------------------


def test_authority_approves_and_no_certificate_is_issued(world):
    plan, report = reported(world)
    with at(date(2025, 10, 15)):
        report = result_report_approve(report=report, actor=world.pudong_reviewer)
    plan.refresh_from_db()
    assert (report.status, report.reviewed_by_id, plan.status) == (
        ResultReport.Status.APPROVED,
        world.pudong_reviewer.pk,
        Status.RESULTS_APPROVED,
    )
    assert not Certificate.objects.exists()  # issuance is the body's next step
    event = AuditEvent.objects.get(action="result_report.approved")
    assert event.data == {"plan": plan.number, "passed_count": 1, "overdue": False}
    with pytest.raises(ApplicationError):
        result_report_approve(report=report, actor=world.municipal_reviewer)


def test_authority_of_another_district_cannot_review(world):
    plan, report = reported(world)
    with pytest.raises(ApplicationError) as caught:
        result_report_approve(report=report, actor=world.minhang_reviewer)
    assert caught.value.message == str(report_services.MSG_REVIEW_NOT_AUTHORITY)
    plan.refresh_from_db()
    assert plan.status == Status.REPORTED


def test_return_then_change_after_lock_and_report_again(world):
    # given a reported plan returned by the authority with reasons
    plan, report = reported(world)
    with at(date(2025, 10, 15)):
        report = result_report_return(
            report=report, reason="李四理论成绩与试卷不符，请复核。", actor=world.municipal_reviewer
        )
    plan.refresh_from_db()
    assert (report.status, report.review_reason, plan.status) == (
        ResultReport.Status.RETURNED,
        "李四理论成绩与试卷不符，请复核。",
        Status.RESULTS_RETURNED,
    )
    # when the body corrects the score with a reason
    failed = applications(plan)[1]
    entry = ScoreEntry.objects.get(application=failed, component=Component.THEORY)
    with at(date(2025, 10, 16)):
        score_change_after_lock(
            entry=entry, value="64", reason="复核试卷，漏计 24 分", actor=world.body_y_admin
        )
        # and reports again
        again = result_report_submit(plan=plan, actor=world.body_y_admin)
    # then a new report counts two passes
    assert (again.passed_count, again.review_due_on) == (2, date(2025, 10, 23))
    assert ResultReport.objects.count() == 2
    assert AuditEvent.objects.filter(action="result_report.resubmitted").count() == 1


def test_return_needs_a_reason(world):
    _plan, report = reported(world)
    with pytest.raises(ValidationError) as caught:
        result_report_return(report=report, reason="  ", actor=world.pudong_reviewer)
    assert caught.value.message_dict == {"reason": [str(report_services.MSG_RETURN_REASON)]}


# ---- pages ------------------------------------------------------------------------------------------


def test_review_pages_are_scoped(world, client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    plan, _report = reported(world)
    approve = reverse("evaluation:plan_report_approve", args=[plan.pk])
    # another district's reviewer: 404
    client.force_login(world.minhang_reviewer)
    assert client.get(approve).status_code == 404
    assert client.post(approve).status_code == 404
    # the body's staff: 403 (not an authority role)
    client.force_login(world.body_y_admin)
    assert client.get(approve).status_code == 403
    # the district's reviewer finds the review on the plan page, sees the confirmation and approves
    client.force_login(world.pudong_reviewer)
    detail = client.get(reverse("evaluation:plan_detail", args=[plan.pk])).content.decode()
    assert approve in detail and reverse("evaluation:plan_report_return", args=[plan.pk]) in detail
    assert "确认核准" in client.get(approve).content.decode()
    assert client.post(approve).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.RESULTS_APPROVED


def test_return_page_needs_a_reason(world, client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    plan, _report = reported(world)
    client.force_login(world.pudong_reviewer)
    url = reverse("evaluation:plan_report_return", args=[plan.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "请补充现场督导记录。"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.RESULTS_RETURNED


def test_authority_list_shows_due_dates_and_overdue(world, client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    plan, _report = reported(world)
    with at(date(2025, 10, 22)):  # the day after the deadline of 2025-10-21
        client.force_login(world.pudong_reviewer)
        page = client.get(reverse("evaluation:report_list")).content.decode()
    assert plan.number in page and "2025-10-21" in page and "已逾期" in page and "table-danger" in page
    # another district sees nothing of it
    with at(date(2025, 10, 22)):
        client.force_login(world.minhang_reviewer)
        page = client.get(reverse("evaluation:report_list")).content.decode()
    assert plan.number not in page and "暂无评价结果报送" in page


# ---- the API, end to end ----------------------------------------------------------------------------


def test_api_scores_to_approval(world, results_api):
    # given a scoring plan with two candidates, on 2025-09-30
    with at(date(2025, 9, 30)):
        plan = scoring_plan(world, candidates=2)
        staff, admin, chief = (
            issued_key(u) for u in (world.body_y_exam_staff, world.body_y_admin, world.body_y_examiner)
        )
        markers = plan_markers(plan=plan)
        ids = [a.pk for a in applications(plan)]
        # when exam staff enter and the administrator confirms every score
        for application_id, scores in zip(ids, TWO_CANDIDATES.values(), strict=True):
            for component, values in scores.items():
                people = [None] if component == Component.THEORY else markers[component]
                for marker, value in zip(people, values, strict=True):
                    body = {"application_id": application_id, "component": component, "value": value}
                    if marker is not None:
                        body["marker_id"] = marker.pk
                    entered = results_api.call(
                        "post", f"/api/v1/plans/{plan.pk}/scores", token=staff, body=body
                    )
                    assert entered.status_code == 201, entered.content
                    confirmed = results_api.call(
                        "post",
                        f"/api/v1/scores/{entered.json()['id']}/confirm",
                        token=admin,
                        body={"value": value},
                    )
                    assert confirmed.json()["status"] == "confirmed"
        # then a non-chief cannot lock, the chief can
        assert (
            results_api.call("post", f"/api/v1/plans/{plan.pk}/scores/lock", token=admin).status_code == 403
        )
        locked = results_api.call("post", f"/api/v1/plans/{plan.pk}/scores/lock", token=chief)
        assert (locked.status_code, locked.json()["passed"], locked.json()["failed"]) == (200, 1, 1)
        publicity = results_api.call("post", f"/api/v1/plans/{plan.pk}/publicity", token=admin, body={})
        assert publicity.json()["publicity_ends_on"] == "2025-10-13"
        early = results_api.call("post", f"/api/v1/plans/{plan.pk}/report", token=admin)
        assert early.status_code == 409
    with at(AFTER):
        report = results_api.call("post", f"/api/v1/plans/{plan.pk}/report", token=admin)
        assert (report.status_code, report.json()["passed_count"], report.json()["review_due_on"]) == (
            201,
            1,
            "2025-10-21",
        )
        # another district: 404; the district: approved
        other = results_api.call(
            "post", f"/api/v1/plans/{plan.pk}/report/approve", token=issued_key(world.minhang_reviewer)
        )
        assert other.status_code == 404
        approved = results_api.call(
            "post", f"/api/v1/plans/{plan.pk}/report/approve", token=issued_key(world.pudong_reviewer)
        )
        assert approved.json()["plan_status"] == "results_approved"
        results = results_api.call("get", f"/api/v1/plans/{plan.pk}/results", token=admin).json()
    assert [a["result"] for a in results["applications"]] == ["passed", "failed"]
    assert results["applications"][0]["components"] == [
        {
            "component": "theory",
            "score": "80.00",
            "passed": True,
            "absent": False,
            "carried_from_application_id": None,
        },
        {
            "component": "skills",
            "score": "80.00",
            "passed": True,
            "absent": False,
            "carried_from_application_id": None,
        },
    ]


def test_api_score_errors(world, results_api):
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    staff = issued_key(world.body_y_exam_staff)
    out_of_range = results_api.call(
        "post",
        f"/api/v1/plans/{plan.pk}/scores",
        token=staff,
        body={"application_id": application.pk, "component": "theory", "value": "101"},
    )
    assert out_of_range.status_code == 422
    assert out_of_range.json()["errors"] == [{"field": "value", "message": "成绩：应在 0 到 100 之间。"}]
    entered = results_api.call(
        "post",
        f"/api/v1/plans/{plan.pk}/scores",
        token=staff,
        body={"application_id": application.pk, "component": "theory", "value": "70"},
    )
    own = results_api.call(
        "post", f"/api/v1/scores/{entered.json()['id']}/confirm", token=staff, body={"value": "70"}
    )
    assert (own.status_code, own.json()["detail"]) == (
        422,
        "不能复核自己录入的成绩：须由另一名工作人员复核。",
    )
    # another body's staff: 404 for the plan and the entry
    other = issued_key(world.body_s_admin)
    assert (
        results_api.call(
            "post", f"/api/v1/scores/{entered.json()['id']}/confirm", token=other, body={"value": "70"}
        ).status_code
        == 404
    )
    assert results_api.call("get", f"/api/v1/plans/{plan.pk}/results", token=other).status_code == 404
    mismatch = results_api.call(
        "post",
        f"/api/v1/scores/{entered.json()['id']}/confirm",
        token=issued_key(world.body_y_admin),
        body={"value": "71"},
    )
    assert mismatch.json() == {
        "id": entered.json()["id"],
        "status": "mismatch",
        "confirmation_value": "71.00",
        "confirmation_absent": False,
    }
    assert ScoreEntry.objects.get().value == Decimal("70.00")
