"""``{% plan_scores_panel plan %}`` and ``{% plan_publicity_panel plan %}``: the plan page's panels for
scores, and for publicity, objections and the result report."""

from django import template
from django.utils import timezone

from skillcert.evaluation.models import EvaluationPlan
from skillcert.evaluation.selectors.plans import user_manages_plan, user_oversees_plan
from skillcert.evaluation.selectors.publicity import (
    plan_current_report,
    plan_objections,
    plan_passed_count,
    publicity_has_ended,
    publicity_is_open,
    report_is_overdue,
)
from skillcert.evaluation.selectors.scores import (
    entries_to_confirm,
    plan_result_counts,
    plan_score_progress,
    user_is_chief_examiner,
    user_scores_plan,
)

register = template.Library()
Status = EvaluationPlan.Status
SCORE_STAGES = (
    Status.ACKNOWLEDGED,
    Status.SCORES_LOCKED,
    Status.PUBLICITY,
    Status.REPORTED,
    Status.RESULTS_RETURNED,
    Status.RESULTS_APPROVED,
    Status.ISSUED,
)
PUBLICITY_STAGES = SCORE_STAGES[1:]


def _user(context: template.Context):
    # The plan page passes ``user``; otherwise the request's user.
    return context.get("user") or getattr(context.get("request"), "user", None)


@register.inclusion_tag("evaluation/scores/_panel.html", takes_context=True)
def plan_scores_panel(context: template.Context, plan: EvaluationPlan) -> dict:
    user = _user(context)
    shown = plan.status in SCORE_STAGES
    scoring = (
        shown
        and plan.status == Status.ACKNOWLEDGED
        and user is not None
        and user_scores_plan(user=user, plan=plan)
    )
    return {
        "plan": plan,
        "shown": shown,
        "progress": plan_score_progress(plan=plan) if shown else [],
        "scoring": scoring,
        "manages": user is not None and user_manages_plan(user=user, plan=plan),
        "to_confirm": entries_to_confirm(plan=plan, user=user).count() if scoring else 0,
        "may_lock": scoring and user_is_chief_examiner(user=user, plan=plan),
        "locked": plan.status in PUBLICITY_STAGES,
        "counts": plan_result_counts(plan=plan) if plan.status in PUBLICITY_STAGES else None,
        "may_retake": plan.status == Status.ACKNOWLEDGED
        and user is not None
        and user_manages_plan(user=user, plan=plan),
    }


@register.inclusion_tag("evaluation/publicity/_panel.html", takes_context=True)
def plan_publicity_panel(context: template.Context, plan: EvaluationPlan) -> dict:
    user = _user(context)
    shown = plan.status in PUBLICITY_STAGES
    manages = user is not None and user_manages_plan(user=user, plan=plan)
    oversees = user is not None and user_oversees_plan(user=user, plan=plan)
    report = plan_current_report(plan=plan) if shown else None
    objections = list(plan_objections(plan=plan)) if shown else []
    unanswered = sum(1 for objection in objections if objection.answered_at is None)
    ended = publicity_has_ended(plan=plan)
    return {
        "plan": plan,
        "shown": shown,
        "manages": manages,
        "oversees": oversees,
        "passed": plan_passed_count(plan=plan) if shown else 0,
        "counts": plan_result_counts(plan=plan) if shown else None,
        "is_open": publicity_is_open(plan=plan),
        "ended": ended,
        "objections": objections if (manages or oversees) else [],
        "objection_count": len(objections),
        "unanswered": unanswered,
        "may_start": manages and plan.status == Status.SCORES_LOCKED,
        "may_report": manages
        and not unanswered
        and (plan.status == Status.RESULTS_RETURNED or (plan.status == Status.PUBLICITY and ended)),
        "report": report,
        "overdue": report is not None and report_is_overdue(report=report, today=timezone.localdate()),
        "may_review": oversees and plan.status == Status.REPORTED,
    }
