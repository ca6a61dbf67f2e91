"""``{% plan_certificates_panel plan %}``: the plan page's certificates panel (count, link, issue action)."""

from django import template

from skillcert.certificates import selectors
from skillcert.evaluation.models import EvaluationPlan

register = template.Library()


@register.inclusion_tag("certificates/panels/plan_certificates.html", takes_context=True)
def plan_certificates_panel(context: template.Context, plan: EvaluationPlan) -> dict:
    # The plan page passes ``user``; otherwise the request's user (the auth context processor's ``user``).
    user = context.get("user") or getattr(context.get("request"), "user", None)
    may_issue = (
        user is not None
        and plan.status == EvaluationPlan.Status.RESULTS_APPROVED
        and selectors.user_may_issue_for_plan(user=user, plan=plan)
    )
    return {"plan": plan, "summary": selectors.plan_certificate_summary(plan=plan), "may_issue": may_issue}
