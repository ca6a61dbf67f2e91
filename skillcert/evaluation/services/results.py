"""Results: the chief examiner's lock, the pass rule applied to the confirmed scores, changes after the
lock (with a reason, both values audited, results recomputed), and retakes that keep passed components.

The pass rule: a candidate passes when every required component of the spec reaches its pass mark
(``spec.pass_mark(component)``; a score equal to the pass mark passes). Components are not weighted
against each other. The score of skills and review is the average of the examiners' scores, cut (not
rounded) to two decimals, so an average such as 59.996 is 59.99 and never rounds up across a pass mark.

缺考 (absent): a component in which any confirmed entry is 缺考 is absent (no score, not passed), and a
candidate absent from any component sat in this plan is ``Result.ABSENT`` whatever the other marks:
neither passed nor failed, and not counted among those who sat (实考人数).

Retakes: the domain sources allow a *failed* part to be retaken separately ("理论知识或操作技能不及格者
可按规定分别补考") and say nothing about absent parts. We therefore treat an absent component like a
failed one for retake eligibility: an application whose result is 缺考 or 不合格 may be retaken in a
later plan when at least one component passed; the passed components are kept and the failed or
absent ones are sat again, within the same retake window.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import Application, Component, ComponentResult, EvaluationPlan, ScoreEntry
from skillcert.evaluation.selectors.plans import user_manages_plan
from skillcert.evaluation.selectors.scores import (
    CHANGEABLE_AFTER_LOCK,
    ScoreSheet,
    plan_score_sheet,
    retake_deadline,
    retake_exam_date,
    retake_window_days,
    sheet_progress,
    user_is_chief_examiner,
)
from skillcert.evaluation.services.applications import lock_plan, require_open, ticket_numbers_next
from skillcert.evaluation.services.scores import lock_entry, lock_plan_for_scores, mark_text, score_mark_clean

Result = Application.Result
PlanStatus = EvaluationPlan.Status
EntryStatus = ScoreEntry.Status
CENT = Decimal("0.01")

REASON_MIN_LENGTH = 4

MSG_LOCK_NOT_CHIEF = _("只有本计划的考评组长可以锁定成绩。")
MSG_LOCK_STATUS = _("该计划当前不能锁定成绩：只有已确认、成绩尚未锁定的计划可以锁定。")
MSG_LOCK_NO_CANDIDATES = _("该计划没有资格审核通过的考生，没有可锁定的成绩。")
MSG_LOCK_INCOMPLETE = _(
    "尚不能锁定：%(component)s应有 %(required)d 个成绩，已录入 %(entered)d 个，已复核 %(confirmed)d 个，"
    "复核不一致 %(mismatches)d 个。全部成绩录入并复核一致后方可锁定。"
)
MSG_CHANGE_STATUS = _("该计划当前不能修改成绩：只有成绩已锁定、公示中或结果被退回的计划可以修改。")
MSG_CHANGE_NOT_ALLOWED = _("锁定后修改成绩须由本计划的考评组长或本机构的管理员、考务人员进行。")
MSG_CHANGE_SAME = _("成绩：新成绩与原成绩相同，无需修改。")
MSG_REASON_REQUIRED = _("修改原因：锁定后修改成绩必须说明原因（不少于 %(min)d 个字）。")
MSG_RESULT_NO_SCORES = _("考生 %(ticket)s 的%(component)s没有已复核的成绩，无法计算结果。")
MSG_RETAKE_NOT_MANAGER = _("只有本机构的管理员或考务人员可以登记补考。")
MSG_RETAKE_NOT_FAILED = _("只有评定结果为“不合格”或“缺考”的报名才能补考，该报名的结果是“%(result)s”。")
MSG_RETAKE_NOTHING_PASSED = _("该考生上次没有任何科目合格，不能补考，请重新报名参加全部科目。")
MSG_RETAKE_OTHER_SPEC = _(
    "补考须参加本机构同一职业（工种）、同一等级的评价计划；该计划是%(spec)s，原报名是%(previous)s。"
)
MSG_RETAKE_SAME_PLAN = _("补考须参加原计划之后的另一个评价计划。")
MSG_RETAKE_NOT_LATER = _("补考计划的首场考试（%(first)s）须在原计划成绩锁定（%(locked)s）之后。")
MSG_RETAKE_WINDOW = _(
    "已超出补考期限：补考须在原计划成绩锁定之日（%(locked)s）起 %(days)d 天内（至 %(deadline)s）进行，"
    "本计划首场考试在 %(first)s。请重新报名参加全部科目。"
)
MSG_RETAKE_ALREADY = _("该报名已登记过补考（%(plan)s），不能重复登记。")
MSG_RETAKE_APPLIED = _("该考生已报名本计划，不能再登记补考。")
MSG_RETAKE_FULL = _("报名人数已满：该计划共 %(capacity)d 个名额，已全部报满。")
MSG_RETAKE_EXPLANATION = _("补考：保留 %(plan)s 中已合格的%(kept)s，只须参加%(sit)s。")


@dataclass(frozen=True, slots=True)
class ResultsSummary:
    passed: int
    failed: int
    absent: int = 0


# Results that may be retaken (see the module docstring).
RETAKE_RESULTS = (Result.FAILED, Result.ABSENT)


def component_score(values: list[Decimal]) -> Decimal:
    """The score of a component: the one value, or the examiners' average cut to two decimals."""
    total = sum(values, Decimal(0))
    return (total / len(values)).quantize(CENT, rounding=ROUND_DOWN)


def results_compute(*, sheet: ScoreSheet) -> ResultsSummary:
    """Write every application's component results and result from the sheet's confirmed scores.

    The caller holds the plan lock and has checked that every needed score is confirmed. Carried
    components (a retake) copy the earlier result and name where the pass was earned.
    """
    spec = sheet.plan.spec
    applications = sheet.applications
    ComponentResult.objects.filter(application__in=applications).delete()
    rows: list[ComponentResult] = []
    passed = failed = absent = 0
    for application in applications:
        carried = sheet.carried.get(application.pk, {})
        all_passed = True
        any_absent = False
        for component in sheet.components:
            if component in carried:
                kept = carried[component]
                rows.append(
                    ComponentResult(
                        application=application,
                        component=component,
                        score=kept.score,
                        passed=True,
                        carried_from_id=kept.carried_from_id or kept.application_id,
                    )
                )
                continue
            marks = [
                sheet.entries[slot].mark
                for slot in sheet.slots
                if slot.application_id == application.pk
                and slot.component == component
                and slot in sheet.entries
            ]
            if not marks:
                # The lock checked every score; only staff changes after it can leave a component empty.
                raise ApplicationError(
                    str(MSG_RESULT_NO_SCORES % {"ticket": application.ticket_number, "component": component})
                )
            values = [mark for mark in marks if mark is not None]
            if len(values) < len(marks):
                # Any examiner's 缺考 means the candidate did not sit the component.
                any_absent = True
                rows.append(
                    ComponentResult(
                        application=application, component=component, score=None, passed=False, absent=True
                    )
                )
                continue
            score = component_score(values)
            component_passed = score >= spec.pass_mark(component)
            all_passed = all_passed and component_passed
            rows.append(
                ComponentResult(
                    application=application, component=component, score=score, passed=component_passed
                )
            )
        if any_absent:
            application.result = Result.ABSENT
            absent += 1
        elif all_passed:
            application.result = Result.PASSED
            passed += 1
        else:
            application.result = Result.FAILED
            failed += 1
    ComponentResult.objects.bulk_create(rows)
    Application.objects.bulk_update(applications, ["result"])
    return ResultsSummary(passed=passed, failed=failed, absent=absent)


def _spec_label(plan: EvaluationPlan) -> str:
    spec = plan.spec
    job_type = f"（{spec.job_type.name}）" if spec.job_type is not None else ""
    return f"{spec.occupation.name}{job_type}{spec.level.label}"


def _same_evaluation(plan: EvaluationPlan, previous_plan: EvaluationPlan) -> bool:
    spec, before = plan.spec, previous_plan.spec
    return (
        plan.tenant_id == previous_plan.tenant_id
        and spec.occupation_id == before.occupation_id
        and spec.job_type_id == before.job_type_id
        and spec.level_id == before.level_id
    )


def _component_names(components: list[str]) -> str:
    return "、".join(str(Component(component).label) for component in components)


@transaction.atomic
def application_retake_prepare(
    *, previous: Application, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST
) -> Application:
    """Register a failed (or absent) candidate in a later plan for the components not passed; passed ones
    are kept (absent components are treated like failed ones, see the module docstring)."""
    plan = lock_plan(plan)
    previous = (
        Application.objects.select_related("candidate", "plan", "plan__spec")
        .prefetch_related("component_results")
        .get(pk=previous.pk)
    )
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_RETAKE_NOT_MANAGER))
    if previous.result not in RETAKE_RESULTS:
        raise ApplicationError(str(MSG_RETAKE_NOT_FAILED % {"result": previous.get_result_display()}))
    results = list(previous.component_results.all())
    kept = [result.component for result in results if result.passed]
    failed = [result.component for result in results if not result.passed]
    if not kept:
        raise ApplicationError(str(MSG_RETAKE_NOTHING_PASSED))
    if previous.plan_id == plan.pk:
        raise ApplicationError(str(MSG_RETAKE_SAME_PLAN))
    if not _same_evaluation(plan, previous.plan):
        raise ApplicationError(
            str(MSG_RETAKE_OTHER_SPEC % {"spec": _spec_label(plan), "previous": _spec_label(previous.plan)})
        )
    first = retake_exam_date(plan=plan)
    deadline = retake_deadline(previous_plan=previous.plan)
    locked_at = previous.plan.scores_locked_at
    locked = timezone.localdate(locked_at) if locked_at else None
    if deadline is None or locked is None or first <= locked:
        raise ApplicationError(
            str(MSG_RETAKE_NOT_LATER % {"first": first.isoformat(), "locked": locked or "-"})
        )
    if first > deadline:
        raise ApplicationError(
            str(
                MSG_RETAKE_WINDOW
                % {
                    "locked": locked.isoformat(),
                    "days": retake_window_days(),
                    "deadline": deadline.isoformat(),
                    "first": first.isoformat(),
                }
            )
        )
    other = previous.retakes.exclude(status=Application.Status.WITHDRAWN).select_related("plan").first()
    if other is not None:
        raise ApplicationError(str(MSG_RETAKE_ALREADY % {"plan": other.plan.number}), extra={"status": 409})
    if Application.objects.filter(plan=plan, candidate=previous.candidate).exists():
        raise ApplicationError(str(MSG_RETAKE_APPLIED), extra={"status": 409})
    require_open(plan=plan)
    occupied = plan.applications.filter(
        status__in=(Application.Status.SUBMITTED, Application.Status.ELIGIBLE)
    ).count()
    if occupied >= plan.capacity:
        raise ApplicationError(str(MSG_RETAKE_FULL % {"capacity": plan.capacity}), extra={"status": 409})
    explanation = MSG_RETAKE_EXPLANATION % {
        "plan": previous.plan.number,
        "kept": _component_names(kept),
        "sit": _component_names(failed),
    }
    application = Application(
        tenant=plan.tenant,
        plan=plan,
        candidate=previous.candidate,
        status=Application.Status.ELIGIBLE,
        source=Application.Source.BODY,
        work_years=previous.work_years,
        education=previous.education,
        education_related=previous.education_related,
        graduation_on=previous.graduation_on,
        title_rank=previous.title_rank,
        title_obtained_on=previous.title_obtained_on,
        prior_certificates=previous.prior_certificates,
        eligibility_route=previous.eligibility_route,
        eligibility_explanation=str(explanation),
        retake_of=previous,
        ticket_number=ticket_numbers_next(plan=plan, count=1)[0],
        created_by=actor,
    )
    application.save(force_insert=True)
    audit_record(
        actor=actor,
        action="application.retake_prepared",
        target=application,
        data={
            "plan": plan.number,
            "previous_plan": previous.plan.number,
            "previous_application": previous.pk,
            "candidate": previous.candidate.id_number_masked,
            "kept": kept,
            "sit": failed,
            "ticket_number": application.ticket_number,
        },
        context=context,
    )
    return application


@transaction.atomic
def plan_scores_lock(
    *, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST
) -> EvaluationPlan:
    """The chief examiner locks the plan's scores once every needed score is confirmed; results are set."""
    plan = lock_plan_for_scores(plan)
    if not user_is_chief_examiner(user=actor, plan=plan):
        raise ApplicationError(str(MSG_LOCK_NOT_CHIEF))
    if plan.status != PlanStatus.ACKNOWLEDGED:
        raise ApplicationError(str(MSG_LOCK_STATUS), extra={"status": 409})
    sheet = plan_score_sheet(plan=plan)
    if not sheet.applications:
        raise ApplicationError(str(MSG_LOCK_NO_CANDIDATES), extra={"status": 409})
    for progress in sheet_progress(sheet):
        if progress.confirmed != progress.required:
            raise ApplicationError(
                str(
                    MSG_LOCK_INCOMPLETE
                    % {
                        "component": progress.label,
                        "required": progress.required,
                        "entered": progress.entered,
                        "confirmed": progress.confirmed,
                        "mismatches": progress.mismatches,
                    }
                ),
                extra={"status": 409},
            )
    summary = results_compute(sheet=sheet)
    plan.status = PlanStatus.SCORES_LOCKED
    plan.scores_locked_at = timezone.now()
    plan.scores_locked_by = actor
    plan.save(update_fields=["status", "scores_locked_at", "scores_locked_by"])
    audit_record(
        actor=actor,
        action="plan.scores_locked",
        target=plan,
        data={
            "plan": plan.number,
            "candidates": len(sheet.applications),
            "scores": len(sheet.slots),
            "passed": summary.passed,
            "failed": summary.failed,
            "absent": summary.absent,
        },
        context=context,
    )
    return plan


def _may_change_after_lock(*, plan: EvaluationPlan, user: User) -> bool:
    return user_is_chief_examiner(user=user, plan=plan) or user_manages_plan(user=user, plan=plan)


@transaction.atomic
def score_change_after_lock(
    *, entry: ScoreEntry, value: object, reason: str, actor: User, context: RequestContext = NO_REQUEST
) -> ScoreEntry:
    """Change a locked score (or 缺考, either way) with a reason; the audit event keeps both marks;
    results are recomputed."""
    plan, entry = lock_entry(entry)
    if plan.status not in CHANGEABLE_AFTER_LOCK:
        raise ApplicationError(str(MSG_CHANGE_STATUS), extra={"status": 409})
    if not _may_change_after_lock(plan=plan, user=actor):
        raise ApplicationError(str(MSG_CHANGE_NOT_ALLOWED))
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError({"reason": str(MSG_REASON_REQUIRED % {"min": REASON_MIN_LENGTH})})
    clean = score_mark_clean(value)
    if clean == entry.mark:
        raise ValidationError({"value": str(MSG_CHANGE_SAME)})
    application = entry.application
    before, result_before = entry.mark, application.result
    now = timezone.now()
    entry.set_mark(clean)
    entry.set_confirmation(clean)
    entry.confirmed_by = actor
    entry.confirmed_at = now
    entry.status = EntryStatus.CONFIRMED
    entry.change_reason = reason
    entry.save(
        update_fields=[*ScoreEntry.MARK_FIELDS, *ScoreEntry.CONFIRMATION_FIELDS, "status", "change_reason"]
    )
    results_compute(sheet=plan_score_sheet(plan=plan))
    application.refresh_from_db(fields=["result"])
    audit_record(
        actor=actor,
        action="score.changed_after_lock",
        target=entry,
        data={
            "plan": plan.number,
            "ticket_number": application.ticket_number,
            "component": entry.component,
            "marker": entry.marker.username if entry.marker else None,
            "before": mark_text(before),
            "after": mark_text(clean),
            "reason": reason,
            "result_before": result_before,
            "result_after": application.result,
        },
        context=context,
    )
    return entry
