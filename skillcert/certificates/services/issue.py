"""Issuing certificates (发证): for every passed candidate of a plan whose results the authority approved.

Issuance is all or nothing. Numbers come from the configured numbering strategy inside the same
transaction, so a failed issuance consumes no serials. The public verification records and the credential
status entries are written in that transaction too (``services/sync.py``).

One audit event per plan records the count and every number: an event per certificate would put 10,000
hash-chained rows, written one at a time under the audit lock, on the path of one bulk issuance, while the
certificate rows already tie each number to its application and issuer.
"""

import secrets
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.certificates.models import NO_JOB_TYPE, Certificate
from skillcert.certificates.numbering import certificate_numbering
from skillcert.certificates.selectors import user_may_issue_for_plan
from skillcert.certificates.services.sync import certificates_sync_issued
from skillcert.core.audit import audit_chain_lock, audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import Application, EvaluationPlan
from skillcert.registry.services import body_require_may_evaluate

MSG_PLAN_NOT_APPROVED = _("计划 %(plan)s 当前状态为“%(status)s”：评价结果经人社部门核准后才能发放证书。")
MSG_SITE_WITHOUT_CODE = _("评价站点“%(site)s”尚未由人社部门分配站点序列码，无法生成证书编号。")
MSG_LEVEL_WITHOUT_DIGIT = _("等级“%(level)s”没有证书等级代码（1–5），不能按现行证书编码规则发证。")
MSG_ISSUE_DATE_FUTURE = _("发证日期 %(date)s 晚于今天，不能预先发证。")
MSG_NOT_PASSED = _("考生 %(name)s 的评定结果为“%(result)s”：只有评定合格的考生才能获发证书。")
MSG_ALREADY_ISSUED = _("考生 %(name)s 已在本次评价中获发证书 %(number)s，不能重复发放。")
MSG_NOT_ISSUER = _("只有本评价机构的管理员可以发放证书。")

ISSUABLE_PLAN_STATUSES = frozenset({EvaluationPlan.Status.RESULTS_APPROVED})
# One late certificate (a corrected result) may still be issued once the plan's bulk issuance is done.
ISSUABLE_PLAN_STATUSES_SINGLE = frozenset(
    {EvaluationPlan.Status.RESULTS_APPROVED, EvaluationPlan.Status.ISSUED}
)


def _require_issuer(*, actor: User, plan: EvaluationPlan) -> None:
    # The views and the API already scope plans to their issuer; the service checks again, so that a task
    # or command cannot issue in another body's name.
    if not user_may_issue_for_plan(user=actor, plan=plan):
        raise PermissionDenied(str(MSG_NOT_ISSUER))


@transaction.atomic
def certificates_issue_for_plan(
    *,
    plan: EvaluationPlan,
    actor: User,
    context: RequestContext = NO_REQUEST,
    issue_date: date | None = None,
) -> list[Certificate]:
    """Issue a certificate to every passed candidate of a results-approved plan; the plan becomes issued."""
    plan = _plan_lock(plan_id=plan.pk)
    _require_issuer(actor=actor, plan=plan)
    _require_plan_status(plan=plan, allowed=ISSUABLE_PLAN_STATUSES)
    body_require_may_evaluate(body=plan.tenant)  # filed, not suspended (整改) or revoked (退出)
    issued_on = _issue_date(issue_date)
    audit_chain_lock()
    # Plain tuples, not model instances: building 10,000 applications and candidates would cost about
    # as much as inserting the certificates.
    passed = [
        _Passed(*row)
        for row in Application.objects.filter(
            plan=plan, result=Application.Result.PASSED, certificates__isnull=True
        )
        # Serials follow the admission tickets, so a printed batch reads in the order of the exam.
        .order_by(F("ticket_number").asc(nulls_last=True), "pk")
        .values_list("pk", "candidate_id", "candidate__name", "candidate__id_type")
    ]
    certificates = _issue(plan=plan, passed=passed, actor=actor, issue_date=issued_on)
    plan.status = EvaluationPlan.Status.ISSUED
    plan.save(update_fields=["status"])
    numbers = [certificate.number for certificate in certificates]
    audit_record(
        actor=actor,
        action="plan.certificates_issued",
        target=plan,
        data={
            "plan": plan.number,
            "count": len(numbers),
            "first_number": numbers[0] if numbers else None,
            "last_number": numbers[-1] if numbers else None,
            "issue_date": issued_on.isoformat(),
            "numbers": numbers,
        },
        context=context,
    )
    return certificates


@transaction.atomic
def certificate_issue(
    *,
    application: Application,
    actor: User,
    context: RequestContext = NO_REQUEST,
    issue_date: date | None = None,
) -> Certificate:
    """Issue the certificate of one passed application of a results-approved (or already issued) plan."""
    # The plan lock also queues this behind a bulk issuance of the same plan: never two certificates.
    plan = _plan_lock(plan_id=application.plan_id)
    _require_issuer(actor=actor, plan=plan)
    _require_plan_status(plan=plan, allowed=ISSUABLE_PLAN_STATUSES_SINGLE)
    body_require_may_evaluate(body=plan.tenant)  # filed, not suspended (整改) or revoked (退出)
    issued_on = _issue_date(issue_date)
    application = Application.objects.select_related("candidate").get(pk=application.pk)
    if application.result != Application.Result.PASSED:
        raise ApplicationError(
            str(MSG_NOT_PASSED)
            % {"name": application.candidate.name, "result": application.get_result_display()}
        )
    existing = application.certificates.order_by("pk").first()
    if existing is not None:
        raise ApplicationError(
            str(MSG_ALREADY_ISSUED) % {"name": application.candidate.name, "number": existing.number},
            extra={"status": 409},
        )
    audit_chain_lock()
    candidate = application.candidate
    passed = [_Passed(application.pk, candidate.pk, candidate.name, candidate.id_type)]
    (certificate,) = _issue(plan=plan, passed=passed, actor=actor, issue_date=issued_on)
    audit_record(
        actor=actor,
        action="certificate.issued",
        target=certificate,
        data={"number": certificate.number, "plan": plan.number, "issue_date": issued_on.isoformat()},
        context=context,
    )
    return certificate


def _plan_lock(*, plan_id: int) -> EvaluationPlan:
    # FOR UPDATE on the plan row only (of=self): two issuances of one plan queue here, and the second then
    # sees the first one's status and certificates. The joined rows are read, not locked.
    return (
        EvaluationPlan.objects.select_for_update(of=("self",))
        .select_related("tenant", "site", "spec__occupation", "spec__job_type", "spec__level")
        .get(pk=plan_id)
    )


def _require_plan_status(*, plan: EvaluationPlan, allowed: frozenset[str]) -> None:
    if plan.status not in allowed:
        raise ApplicationError(
            str(MSG_PLAN_NOT_APPROVED) % {"plan": plan.number, "status": plan.get_status_display()},
            extra={"status": 409},
        )


def _issue_date(issue_date: date | None) -> date:
    today = timezone.localdate()
    if issue_date is None:
        return today
    if issue_date > today:
        raise ApplicationError(str(MSG_ISSUE_DATE_FUTURE) % {"date": issue_date.isoformat()})
    return issue_date


class _Passed(NamedTuple):
    """What a certificate copies from a passed application and its candidate."""

    application_id: int
    candidate_id: int
    name: str
    id_type: str


def _issue(
    *, plan: EvaluationPlan, passed: Sequence[_Passed], actor: User, issue_date: date
) -> list[Certificate]:
    body, site, spec = plan.tenant, plan.site, plan.spec
    if not site.sequence_code:
        raise ApplicationError(str(MSG_SITE_WITHOUT_CODE) % {"site": site.name})
    level_digit = spec.level.certificate_digit
    if level_digit is None:
        raise ApplicationError(str(MSG_LEVEL_WITHOUT_DIGIT) % {"level": spec.level.label})
    if not passed:
        return []
    province_code = settings.SKILLCERT_PROVINCE_CODE
    numbers = certificate_numbering().reserve(
        body_type=body.kind,
        body_code=body.body_code,
        province_code=province_code,
        site_code=site.sequence_code,
        year=issue_date.year,
        level_digit=level_digit,
        count=len(passed),
    )
    if len(numbers) != len(passed):
        raise RuntimeError(f"numbering returned {len(numbers)} numbers for {len(passed)} certificates")
    job_type_name = spec.job_type.name if spec.job_type is not None else NO_JOB_TYPE
    certificates = [
        Certificate(
            tenant_id=body.pk,
            number=number,
            application_id=holder.application_id,
            candidate_id=holder.candidate_id,
            holder_name=holder.name,
            holder_id_type=holder.id_type,
            occupation_id=spec.occupation_id,
            occupation_name=spec.occupation.name,
            job_type_name=job_type_name,
            level_id=spec.level_id,
            body_name=body.name,  # the filed name (人社鉴发〔2021〕1号)
            province_code=province_code,
            site_code=site.sequence_code,
            year=issue_date.year,
            serial=int(number[16:22]),
            issue_date=issue_date,
            issued_by_id=actor.pk,
            status=Certificate.Status.VALID,
            qr_token=secrets.token_urlsafe(32),
        )
        for holder, number in zip(passed, numbers, strict=True)
    ]
    # No full_clean() per row: its unique checks would cost a query per certificate. The number, serial
    # and QR token are unique by construction and by the database's constraints.
    Certificate.objects.bulk_create(certificates)
    # The public verification records and the credential status entries, in this same transaction.
    certificates_sync_issued(certificates=certificates)
    return certificates
