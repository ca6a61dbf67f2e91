"""``{% plan_certificates_panel plan %}``: the plan page's certificates panel (count, issue, ZIP, revoke).

The ZIP button is a POST that starts (or returns to) the plan's ZIP job; see ``views/plan_zip.py``.
"""

from django import template

from skillcert.certificates import selectors
from skillcert.certificates.permissions import revoker_kind, user_is_printer
from skillcert.evaluation.models import EvaluationPlan

register = template.Library()


@register.inclusion_tag("certificates/panels/plan_certificates.html", takes_context=True)
def plan_certificates_panel(context: template.Context, plan: EvaluationPlan) -> dict:
    # The plan page passes ``user``; otherwise the request's user (the auth context processor's ``user``).
    user = context.get("user") or getattr(context.get("request"), "user", None)
    signed_in = user is not None and user.is_authenticated
    may_issue = (
        signed_in
        and plan.status == EvaluationPlan.Status.RESULTS_APPROVED
        and selectors.user_may_issue_for_plan(user=user, plan=plan)
    )
    summary = selectors.plan_certificate_summary(plan=plan)
    may_download = bool(signed_in and summary.issued and user_is_printer(user=user, body_id=plan.tenant_id))
    return {
        "plan": plan,
        "summary": summary,
        "may_issue": may_issue,
        "may_download": may_download,
        # The ZIP being made, or made and still kept, so that leaving its page does not lose it.
        "zip_job": selectors.plan_zip_job_latest(plan=plan) if may_download else None,
        "may_revoke": bool(
            signed_in and summary.issued and revoker_kind(actor=user, body=plan.tenant) is not None
        ),
    }
