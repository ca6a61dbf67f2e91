"""Applications (报名): a candidate applies to a plan, or the body's staff register one; withdrawal.

The eligibility decision is computed from the evidence when the application is submitted and stored on
it: ELIGIBLE with the route that matched (a place of the capacity and an admission ticket number), or
INELIGIBLE with the explanation (no place; kept so that the candidate sees why). One application per
candidate and plan; a withdrawn or ineligible application may be submitted again (the row is reused).
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import Candidate, User
from skillcert.accounts.selectors import candidate_find_by_id_number
from skillcert.accounts.services import candidate_create
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.eligibility import (
    MSG_ELIGIBLE,
    MSG_NO_ROUTES,
    MSG_NONE,
    EligibilityDecision,
    Evidence,
    age_unmet,
    eligibility_check,
    route_unmet,
)
from skillcert.evaluation.models import Application, EligibilityRoute, EvaluationPlan
from skillcert.evaluation.selectors.applications import OCCUPYING_STATUSES
from skillcert.evaluation.selectors.plans import user_manages_plan
from skillcert.registry.services import body_require_may_evaluate

Status = Application.Status
Source = Application.Source

MSG_PLAN_NOT_OPEN = _("该评价计划当前不接受报名（只有人社部门已确认的计划开放报名）。")
MSG_CLOSED = _("报名已截止：首场考试已于 %(first)s 开始。")
MSG_FULL = _("报名人数已满：该计划共 %(capacity)d 个名额，已全部报满。")
MSG_ALREADY_APPLIED = _("已报名该计划（%(status)s），同一计划只能报名一次。")
MSG_NOT_OWN_CANDIDATE = _("只能以本人身份报名。")
MSG_NOT_MANAGER = _("只有本机构的管理员或考务人员可以登记报名。")
MSG_SOURCE_SELF_ONLY = _("考生本人报名的申报方式应为个人申报。")
MSG_SOURCE_STAFF = _("申报方式：机构登记应为“机构登记”或“团体申报”。")
MSG_GROUP_NAME_REQUIRED = _("团体申报单位：团体申报须填写培训机构或院校的名称。")
MSG_GROUP_NAME_LENGTH = _("团体申报单位：不能超过 120 个字符。")
MSG_WITHDRAWN_ALREADY = _("该报名已撤回。")
MSG_WITHDRAW_CLOSED = _("考试已开始或计划已进入成绩阶段，不能再撤回报名。")
MSG_NOT_ALLOWED_WITHDRAW = _("只有考生本人或本机构的管理员、考务人员可以撤回报名。")
# Said without the registered name: staff of one body must not learn who holds an ID number they typed.
MSG_NAME_MISMATCH = _("姓名：与该证件号码已登记的考生姓名不一致，请核对姓名和证件号码。")

GROUP_NAME_MAX = 120
DECISION_FIELDS = (
    "source",
    "group_name",
    "status",
    "eligibility_route",
    "eligibility_explanation",
    "ticket_number",
)
TICKET_SEPARATOR = "-"


# ---- building blocks shared with the import ---------------------------------------------------------


def clean_group_name(*, source: str, group_name: str) -> str:
    """The training institution's name for a group application; "" for any other source."""
    group_name = " ".join(group_name.split())
    if source != Source.GROUP:
        return ""
    if not group_name:
        raise ApplicationError(str(MSG_GROUP_NAME_REQUIRED), extra={"field": "group_name"})
    if len(group_name) > GROUP_NAME_MAX:
        raise ApplicationError(str(MSG_GROUP_NAME_LENGTH), extra={"field": "group_name"})
    return group_name


def require_open(*, plan: EvaluationPlan, now=None) -> date | None:
    """The plan takes applications: acknowledged, its body may evaluate, first component not started.

    Returns the date of the first component (the day eligibility is judged on).
    """
    if plan.status != EvaluationPlan.Status.ACKNOWLEDGED:
        raise ApplicationError(str(MSG_PLAN_NOT_OPEN), extra={"status": 409})
    body_require_may_evaluate(body=plan.tenant)
    first_at = plan.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
    if first_at is not None and first_at <= (now or timezone.now()):
        raise ApplicationError(
            str(MSG_CLOSED % {"first": timezone.localtime(first_at).strftime("%Y-%m-%d %H:%M")}),
            extra={"status": 409},
        )
    return timezone.localdate(first_at) if first_at else None


def lock_plan(plan: EvaluationPlan) -> EvaluationPlan:
    """The plan's row, locked: applications to one plan are counted and numbered one at a time."""
    return (
        EvaluationPlan.objects.select_for_update()
        .select_related("tenant", "spec", "spec__level")
        .get(pk=plan.pk)
    )


def evidence_fields(evidence: Evidence) -> dict:
    """The Application fields that hold the evidence."""
    return {
        "work_years": Decimal(evidence.work_years),
        "education": evidence.education,
        "education_related": evidence.education_related,
        "graduation_on": evidence.graduation_on,
        "title_rank": evidence.title_rank,
        "title_obtained_on": evidence.title_obtained_on,
        "prior_certificates": [
            {
                "number": certificate.number,
                "level_digit": certificate.level_digit,
                "issued_on": certificate.issued_on.isoformat() if certificate.issued_on else None,
            }
            for certificate in evidence.prior_certificates
        ],
    }


def eligibility_decide(
    *, routes: Sequence[EligibilityRoute], evidence: Evidence, birth_date: date | None, sex: str, on: date
) -> EligibilityDecision:
    """``eligibility_check`` over routes loaded once by the caller (the import decides thousands of rows).

    Same order and messages: the age rule, then the first route whose conditions all hold. Certificate
    numbers are validated by the caller beforehand, so no notes about unreadable numbers arise here.
    """
    age_failure = age_unmet(birth_date=birth_date, sex=sex, on=on)
    if age_failure is not None:
        return EligibilityDecision(
            eligible=False, route_code="", route_label="", explanation=str(age_failure)
        )
    if not routes:
        return EligibilityDecision(
            eligible=False, route_code="", route_label="", explanation=str(MSG_NO_ROUTES)
        )
    reasons: list[str] = []
    for route in routes:
        failure = route_unmet(route=route, evidence=evidence, on=on)
        if failure is None:
            return EligibilityDecision(
                eligible=True,
                route_code=route.code,
                route_label=route.label,
                explanation=str(MSG_ELIGIBLE % {"label": route.label}),
            )
        if failure not in reasons:
            reasons.append(str(failure))
    return EligibilityDecision(
        eligible=False,
        route_code="",
        route_label="",
        explanation=str(MSG_NONE % {"reasons": "；".join(reasons)}),
    )


def ticket_numbers_next(*, plan: EvaluationPlan, count: int) -> list[str]:
    """The next ``count`` admission ticket numbers of the plan: plan number + 4-digit sequence.

    Numbers are never reused (a withdrawn application keeps its number); the caller holds the plan lock.
    """
    prefix = plan.number + TICKET_SEPARATOR
    existing = Application.objects.filter(plan=plan, ticket_number__startswith=prefix).values_list(
        "ticket_number", flat=True
    )
    sequences = [number[len(prefix) :] for number in existing if number]
    last = max((int(sequence) for sequence in sequences if sequence.isdigit()), default=0)
    return [f"{prefix}{last + offset:04d}" for offset in range(1, count + 1)]


def _apply_decision(application: Application, decision: EligibilityDecision) -> None:
    application.status = Status.ELIGIBLE if decision.eligible else Status.INELIGIBLE
    application.eligibility_route = decision.route_code
    application.eligibility_explanation = decision.explanation


# ---- services --------------------------------------------------------------------------------------


def _require_actor(*, plan: EvaluationPlan, candidate: Candidate, source: str, actor: User) -> None:
    if source == Source.SELF:
        if candidate.user_id is None or candidate.user_id != actor.pk:
            raise ApplicationError(str(MSG_NOT_OWN_CANDIDATE))
        return
    if source not in (Source.BODY, Source.GROUP):
        raise ApplicationError(str(MSG_SOURCE_STAFF), extra={"field": "source"})
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_MANAGER))


@transaction.atomic
def application_submit(
    *,
    plan: EvaluationPlan,
    candidate: Candidate,
    evidence: Evidence,
    source: str,
    group_name: str = "",
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> Application:
    """Apply ``candidate`` to ``plan`` with ``evidence``; the eligibility decision is stored on it."""
    plan = lock_plan(plan)
    _require_actor(plan=plan, candidate=candidate, source=source, actor=actor)
    group_name = clean_group_name(source=source, group_name=group_name)
    first_day = require_open(plan=plan)
    existing = Application.objects.filter(plan=plan, candidate=candidate).first()
    if existing is not None and existing.status not in (Status.WITHDRAWN, Status.INELIGIBLE):
        raise ApplicationError(
            str(MSG_ALREADY_APPLIED % {"status": existing.get_status_display()}), extra={"status": 409}
        )
    decision = eligibility_check(
        spec=plan.spec,
        evidence=evidence,
        birth_date=candidate.birth_date,
        sex=candidate.sex,
        on=first_day or timezone.localdate(),
    )
    occupied = plan.applications.filter(status__in=OCCUPYING_STATUSES).count()
    if decision.eligible and occupied >= plan.capacity:
        raise ApplicationError(str(MSG_FULL % {"capacity": plan.capacity}), extra={"status": 409})
    application = existing or Application(
        tenant=plan.tenant, plan=plan, candidate=candidate, created_by=actor
    )
    for name, value in evidence_fields(evidence).items():
        setattr(application, name, value)
    application.source = source
    application.group_name = group_name
    _apply_decision(application, decision)
    if decision.eligible and not application.ticket_number:
        application.ticket_number = ticket_numbers_next(plan=plan, count=1)[0]
    application.full_clean(
        exclude=["plan", "candidate", "tenant", "created_by", "retake_of"], validate_unique=False
    )
    if existing is None:
        application.save(force_insert=True)
    else:
        application.save(update_fields=[*evidence_fields(evidence), *DECISION_FIELDS])
    audit_record(
        actor=actor,
        action="application.submitted" if existing is None else "application.resubmitted",
        target=application,
        data={
            "plan": plan.number,
            "candidate": candidate.id_number_masked,
            "source": source,
            "group_name": group_name,
            "status": application.status,
            "route": decision.route_code,
            "ticket_number": application.ticket_number,
        },
        context=context,
    )
    return application


@transaction.atomic
def application_register(
    *,
    plan: EvaluationPlan,
    name: str,
    id_type: str,
    id_number: str,
    mobile: str = "",
    evidence: Evidence,
    source: str = Source.BODY,
    group_name: str = "",
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> Application:
    """Staff register one person: the candidate is found by ID number (or created), then applied."""
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_MANAGER))
    if source == Source.SELF:
        raise ApplicationError(str(MSG_SOURCE_STAFF), extra={"field": "source"})
    try:
        candidate = candidate_find_by_id_number(id_type=id_type, id_number=id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.error_list}) from None
    if candidate is None:
        candidate = candidate_create(
            name=name, id_type=id_type, id_number=id_number, mobile=mobile, actor=actor, context=context
        )
    elif candidate.name != " ".join(name.split()):
        raise ValidationError({"name": MSG_NAME_MISMATCH})
    return application_submit(
        plan=plan,
        candidate=candidate,
        evidence=evidence,
        source=source,
        group_name=group_name,
        actor=actor,
        context=context,
    )


@transaction.atomic
def application_withdraw(
    *, application: Application, actor: User, reason: str = "", context: RequestContext = NO_REQUEST
) -> Application:
    """Withdraw an application before the first component starts; its place is freed."""
    application = (
        Application.objects.select_for_update().select_related("plan", "candidate").get(pk=application.pk)
    )
    plan = application.plan
    own = application.candidate.user_id is not None and application.candidate.user_id == actor.pk
    if not (own or user_manages_plan(user=actor, plan=plan)):
        raise ApplicationError(str(MSG_NOT_ALLOWED_WITHDRAW))
    if application.status == Status.WITHDRAWN:
        raise ApplicationError(str(MSG_WITHDRAWN_ALREADY), extra={"status": 409})
    first_at = plan.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
    started = first_at is not None and first_at <= timezone.now()
    if plan.status != EvaluationPlan.Status.ACKNOWLEDGED or started:
        raise ApplicationError(str(MSG_WITHDRAW_CLOSED), extra={"status": 409})
    previous = application.status
    application.status = Status.WITHDRAWN
    application.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="application.withdrawn",
        target=application,
        data={"plan": plan.number, "previous_status": previous, "reason": " ".join(reason.split())[:200]},
        context=context,
    )
    return application
