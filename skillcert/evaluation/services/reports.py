"""The result report (评价结果报送): the body reports after publicity, the authority approves or returns it.

Approval sets the plan RESULTS_APPROVED and nothing more: certificates are issued afterwards by the body
(``skillcert.certificates.services.certificates_issue_for_plan``). A returned plan may have scores
changed after the lock (with reasons) and is reported again; objections answered before still count.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.calendar import add_working_days
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import EvaluationPlan, ResultReport
from skillcert.evaluation.selectors.plans import user_manages_plan, user_oversees_plan
from skillcert.evaluation.selectors.publicity import (
    plan_passed_count,
    plan_unanswered_objections,
    publicity_has_ended,
)
from skillcert.evaluation.selectors.scores import plan_result_counts
from skillcert.evaluation.services.scores import lock_plan_for_scores

PlanStatus = EvaluationPlan.Status
ReportStatus = ResultReport.Status
REPORTABLE_STATUSES = (PlanStatus.PUBLICITY, PlanStatus.RESULTS_RETURNED)
REASON_MAX = 2000

MSG_REPORT_NOT_MANAGER = _("只有本机构的管理员或考务人员可以报送评价结果。")
MSG_REPORT_STATUS = _("该计划当前不能报送结果：须在公示期满后报送，或在结果被退回后重新报送。")
MSG_REPORT_PUBLICITY_RUNNING = _("公示尚未结束（至 %(ends)s），公示期满后方可报送结果。")
MSG_REPORT_OBJECTIONS = _("还有 %(count)d 件异议未答复，须答复全部异议后方可报送结果。")
MSG_REVIEW_NOT_AUTHORITY = _("只有机构所在地区的人社部门工作人员可以审核评价结果。")
MSG_REVIEW_STATUS = _("该报送当前为“%(status)s”，不能再审核。")
MSG_RETURN_REASON = _("退回原因：请说明需要修改的内容。")
MSG_RETURN_REASON_LONG = _("退回原因：不能超过 %(max)d 个字。")


@transaction.atomic
def result_report_submit(
    *, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST
) -> ResultReport:
    """Report the plan's results to its authority after publicity, every objection answered."""
    plan = lock_plan_for_scores(plan)
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_REPORT_NOT_MANAGER))
    if plan.status not in REPORTABLE_STATUSES:
        raise ApplicationError(str(MSG_REPORT_STATUS), extra={"status": 409})
    if plan.status == PlanStatus.PUBLICITY and not publicity_has_ended(plan=plan):
        ends = plan.publicity_ends_on.isoformat() if plan.publicity_ends_on else "-"
        raise ApplicationError(str(MSG_REPORT_PUBLICITY_RUNNING % {"ends": ends}), extra={"status": 409})
    unanswered = plan_unanswered_objections(plan=plan)
    if unanswered:
        raise ApplicationError(str(MSG_REPORT_OBJECTIONS % {"count": unanswered}), extra={"status": 409})
    now = timezone.now()
    review_days = settings.SKILLCERT_RESULT_REVIEW_WORKING_DAYS
    counts = plan_result_counts(plan=plan)
    report = ResultReport.objects.create(
        plan=plan,
        passed_count=plan_passed_count(plan=plan),
        submitted_at=now,
        submitted_by=actor,
        review_due_on=add_working_days(timezone.localdate(now), review_days),
    )
    resubmitted = plan.status == PlanStatus.RESULTS_RETURNED
    plan.status = PlanStatus.REPORTED
    plan.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="result_report.resubmitted" if resubmitted else "result_report.submitted",
        target=report,
        data={
            "plan": plan.number,
            "passed_count": report.passed_count,
            # 报名/实考/缺考 as reported: the pass rate is over those who sat.
            "applied_count": counts.applied,
            "sat_count": counts.sat,
            "absent_count": counts.absent,
            "review_due_on": report.review_due_on.isoformat(),
        },
        context=context,
    )
    return report


def _lock_report(report: ResultReport) -> tuple[EvaluationPlan, ResultReport]:
    plan = lock_plan_for_scores(report.plan)
    return plan, ResultReport.objects.select_for_update().get(pk=report.pk)


def _require_reviewable(*, plan: EvaluationPlan, report: ResultReport, actor: User) -> None:
    if not user_oversees_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_REVIEW_NOT_AUTHORITY))
    if report.status != ReportStatus.SUBMITTED or plan.status != PlanStatus.REPORTED:
        raise ApplicationError(
            str(MSG_REVIEW_STATUS % {"status": report.get_status_display()}), extra={"status": 409}
        )


@transaction.atomic
def result_report_approve(
    *, report: ResultReport, actor: User, context: RequestContext = NO_REQUEST
) -> ResultReport:
    """The authority approves the report; the plan's results are final (certificates may be issued)."""
    plan, report = _lock_report(report)
    _require_reviewable(plan=plan, report=report, actor=actor)
    now = timezone.now()
    report.status = ReportStatus.APPROVED
    report.reviewed_at = now
    report.reviewed_by = actor
    report.save(update_fields=["status", "reviewed_at", "reviewed_by"])
    plan.status = PlanStatus.RESULTS_APPROVED
    plan.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="result_report.approved",
        target=report,
        data={
            "plan": plan.number,
            "passed_count": report.passed_count,
            "overdue": timezone.localdate(now) > report.review_due_on,
        },
        context=context,
    )
    return report


@transaction.atomic
def result_report_return(
    *, report: ResultReport, reason: str, actor: User, context: RequestContext = NO_REQUEST
) -> ResultReport:
    """The authority returns the report with reasons; the body corrects and reports again."""
    plan, report = _lock_report(report)
    _require_reviewable(plan=plan, report=report, actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": str(MSG_RETURN_REASON)})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": str(MSG_RETURN_REASON_LONG % {"max": REASON_MAX})})
    report.status = ReportStatus.RETURNED
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor
    report.review_reason = reason
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_reason"])
    plan.status = PlanStatus.RESULTS_RETURNED
    plan.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="result_report.returned",
        target=report,
        data={"plan": plan.number, "reason": reason},
        context=context,
    )
    return report
