"""The filing status of a body after approval: suspend (整改), reinstate, revoke (退出).

A body that is not filed (never filed, suspended or revoked) may not open plans or issue certificates;
the evaluation and certificate services ask ``body_require_may_evaluate`` before they do.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.registry.models import Body, FilingStatusChange
from skillcert.registry.services._common import clean_reason, require_reviewer

MSG_MAY_NOT_EVALUATE = _("该评价机构未备案、正在整改或已退出备案，不能开展评价活动或核发证书。")
MSG_SUSPEND_NEEDS_FILED = _("只有“已备案”状态的机构可以暂停备案（整改）。")
MSG_REINSTATE_NEEDS_SUSPENDED = _("只有“整改中”的机构可以恢复备案。")
MSG_REVOKE_NEEDS_FILING = _("只有“已备案”或“整改中”的机构可以退出备案。")


def body_require_may_evaluate(*, body: Body) -> None:
    """Raise ApplicationError(MSG_MAY_NOT_EVALUATE) unless the body is filed and not suspended or revoked."""
    if not body.may_evaluate:
        raise ApplicationError(str(MSG_MAY_NOT_EVALUATE), extra={"status": 409})


def _change(
    *,
    actor: User,
    body: Body,
    reason: str,
    allowed_from: tuple[str, ...],
    to_status: str,
    refusal,
    action: str,
    context: RequestContext,
) -> Body:
    reason = clean_reason(reason)
    body = Body.objects.select_for_update().get(pk=body.pk)
    require_reviewer(actor=actor, district_code=body.district_id)
    if body.filing_status not in allowed_from:
        raise ApplicationError(str(refusal), extra={"status": 409})
    now = timezone.now()
    from_status = body.filing_status
    body.filing_status = to_status
    body.filing_status_reason = reason
    body.save(update_fields=["filing_status", "filing_status_reason"])
    change = FilingStatusChange.objects.create(
        tenant=body, from_status=from_status, to_status=to_status, reason=reason, actor=actor, changed_at=now
    )
    audit_record(
        actor=actor,
        action=action,
        target=body,
        data={"from": from_status, "to": to_status, "reason": reason, "status_change": change.pk},
        context=context,
    )
    return body


@transaction.atomic
def body_filing_suspend(
    *, actor: User, body: Body, reason: str, context: RequestContext = NO_REQUEST
) -> Body:
    """Suspend a filed body for rectification (整改); it may not evaluate until reinstated."""
    return _change(
        actor=actor,
        body=body,
        reason=reason,
        allowed_from=(Body.FilingStatus.FILED,),
        to_status=Body.FilingStatus.SUSPENDED,
        refusal=MSG_SUSPEND_NEEDS_FILED,
        action="body.filing_suspended",
        context=context,
    )


@transaction.atomic
def body_filing_reinstate(
    *, actor: User, body: Body, reason: str, context: RequestContext = NO_REQUEST
) -> Body:
    """Lift a suspension once the body has rectified."""
    return _change(
        actor=actor,
        body=body,
        reason=reason,
        allowed_from=(Body.FilingStatus.SUSPENDED,),
        to_status=Body.FilingStatus.FILED,
        refusal=MSG_REINSTATE_NEEDS_SUSPENDED,
        action="body.filing_reinstated",
        context=context,
    )


@transaction.atomic
def body_filing_revoke(*, actor: User, body: Body, reason: str, context: RequestContext = NO_REQUEST) -> Body:
    """Remove a body from the filing (退出); it stays in the directory marked 已退出."""
    return _change(
        actor=actor,
        body=body,
        reason=reason,
        allowed_from=(Body.FilingStatus.FILED, Body.FilingStatus.SUSPENDED),
        to_status=Body.FilingStatus.REVOKED,
        refusal=MSG_REVOKE_NEEDS_FILING,
        action="body.filing_revoked",
        context=context,
    )
