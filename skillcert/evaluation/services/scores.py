"""Scores: entry per component and marker, and double entry by a second person (the lock and changes after
it are in ``services.results``).

Double entry: a second member of staff types each score again. Equal: the entry is CONFIRMED. Different:
it is flagged MISMATCH and both values are kept; only its enterer may correct it, after which it is
confirmed again. Nothing is ever silently overwritten.

缺考 (absent): wherever a score is typed, "缺考" (``ABSENT``) may be typed instead. A mark is a score or
缺考 (``score_mark_clean`` returns None for 缺考); the double entry compares marks, so 缺考 against a
number is a mismatch like any other.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

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
from skillcert.evaluation.selectors.scores import COMPONENT_DUTIES, user_scores_plan
from skillcert.evaluation.selectors.staffing import examiner_may_mark

EntryStatus = ScoreEntry.Status
PlanStatus = EvaluationPlan.Status
MAX_SCORE = Decimal(100)
CENT = Decimal("0.01")

ABSENT = "缺考"
MSG_VALUE_INVALID = _(
    "成绩：“%(value)s”不是数字，请填写 0 到 100 之间的分数，最多两位小数；考生未参加考核的填写“缺考”。"
)
MSG_VALUE_RANGE = _("成绩：应在 0 到 100 之间。")
MSG_VALUE_DECIMALS = _("成绩：最多保留两位小数。")
MSG_NOT_SCORING = _("只有本计划的考评人员或本机构的管理员、考务人员可以录入和复核成绩。")
MSG_PLAN_NOT_SCORING = _("该计划当前不能录入成绩：只有已确认、成绩尚未锁定的计划可以录入。")
MSG_NOT_STARTED = _("%(component)s尚未开始（%(starts)s），不能录入成绩。")
MSG_APPLICATION_NOT_SCORED = _("该报名不是资格审核通过的报名，不参加考核，不能录入成绩。")
MSG_COMPONENT_NOT_REQUIRED = _("该考生不参加%(component)s（不在评价规范中，或为补考时已保留的合格科目）。")
MSG_THEORY_NO_MARKER = _("理论知识考试只录入一个成绩，不指定考评员。")
MSG_MARKER_REQUIRED = _("%(component)s须按考评人员分别录入：请指定评分人。")
MSG_MARKER_NOT_ON_PLAN = _("%(name)s 不是本计划%(component)s的考评人员。")
MSG_OTHER_MARKER = _("考评员只能录入本人的评分；代为录入须由本机构的管理员或考务人员进行。")
MSG_RECUSED = _("%(name)s 已申报与该考生回避，不能为该考生评分或复核其成绩。")
MSG_ALREADY_ENTERED = _("该成绩已录入（%(value)s，%(status)s）。如需更正，请由录入人在复核不一致时更正。")
MSG_CONFIRM_OWN = _("不能复核自己录入的成绩：须由另一名工作人员复核。")
MSG_CONFIRM_STATUS = _("该成绩当前为“%(status)s”，不能复核：复核不一致的成绩须先由录入人更正。")
MSG_CORRECT_NOT_ENTERER = _("只有该成绩的录入人可以更正。")
MSG_CORRECT_STATUS = _("只有待复核或复核不一致的成绩可以更正；已复核的成绩在锁定后须说明原因修改。")
MSG_SHEET_PROBLEMS = _("有 %(count)d 个成绩未能保存，本次提交的成绩均未保存，请修改后重新提交。")


def score_value_clean(raw: object) -> Decimal:
    """A score from 0 to 100 with at most two decimals; raises ValidationError on the ``value`` field."""
    if isinstance(raw, bool) or raw is None:
        raise ValidationError({"value": str(MSG_VALUE_INVALID % {"value": raw})})
    text = repr(raw) if isinstance(raw, float) else str(raw).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({"value": str(MSG_VALUE_INVALID % {"value": text[:20]})}) from None
    if not value.is_finite():
        raise ValidationError({"value": str(MSG_VALUE_INVALID % {"value": text[:20]})})
    if value < 0 or value > MAX_SCORE:
        raise ValidationError({"value": str(MSG_VALUE_RANGE)})
    if value != value.quantize(CENT):
        raise ValidationError({"value": str(MSG_VALUE_DECIMALS)})
    return value.quantize(CENT)


def score_mark_clean(raw: object) -> Decimal | None:
    """A score (see ``score_value_clean``) or None for 缺考 (the text "缺考", spaces ignored)."""
    if isinstance(raw, str) and "".join(raw.split()) == ABSENT:
        return None
    return score_value_clean(raw)


def mark_text(mark: Decimal | None) -> str:
    """How a mark reads in messages and audit data: the score, or 缺考."""
    return ABSENT if mark is None else str(mark)


def _name(user: User) -> str:
    return user.full_name or user.username


def lock_plan_for_scores(plan: EvaluationPlan) -> EvaluationPlan:
    # Entries, the lock and changes after it serialise on the plan row, so the lock never races an entry.
    return (
        EvaluationPlan.objects.select_for_update(of=("self",))
        .select_related("tenant", "spec", "spec__level", "spec__occupation")
        .get(pk=plan.pk)
    )


def _require_scoring(*, plan: EvaluationPlan, component: str) -> None:
    if plan.status != PlanStatus.ACKNOWLEDGED:
        raise ApplicationError(str(MSG_PLAN_NOT_SCORING), extra={"status": 409})
    session = plan.sessions.filter(component=component).first()
    if session is not None and session.starts_at > timezone.now():
        raise ApplicationError(
            str(
                MSG_NOT_STARTED
                % {
                    "component": Component(component).label,
                    "starts": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                }
            ),
            extra={"status": 409},
        )


def _require_not_recused(*, plan: EvaluationPlan, user: User, application: Application) -> None:
    """A member of staff who declared a relationship with the candidate neither marks nor confirms."""
    if plan.recusals.filter(examiner=user, candidate_id=application.candidate_id).exists():
        raise ApplicationError(str(MSG_RECUSED % {"name": _name(user)}))


def _check_entry(
    *, plan: EvaluationPlan, application: Application, component: str, marker: User | None, actor: User
) -> None:
    """Every rule for entering one score, except the plan's status (checked once by the caller)."""
    if not user_scores_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_SCORING))
    if application.plan_id != plan.pk or application.status != Application.Status.ELIGIBLE:
        raise ApplicationError(str(MSG_APPLICATION_NOT_SCORED))
    label = Component(component).label if component in Component.values else component
    if component not in plan.spec.components():
        raise ApplicationError(str(MSG_COMPONENT_NOT_REQUIRED % {"component": label}))
    if (
        application.retake_of_id
        and ComponentResult.objects.filter(
            application_id=application.retake_of_id, component=component, passed=True
        ).exists()
    ):
        raise ApplicationError(str(MSG_COMPONENT_NOT_REQUIRED % {"component": label}))
    _require_not_recused(plan=plan, user=actor, application=application)
    if component == Component.THEORY:
        if marker is not None:
            raise ApplicationError(str(MSG_THEORY_NO_MARKER), extra={"field": "marker"})
        return
    if marker is None:
        raise ApplicationError(str(MSG_MARKER_REQUIRED % {"component": label}), extra={"field": "marker"})
    if not plan.staff.filter(user=marker, duty__in=COMPONENT_DUTIES[component]).exists():
        raise ApplicationError(
            str(MSG_MARKER_NOT_ON_PLAN % {"name": _name(marker), "component": label}),
            extra={"field": "marker"},
        )
    if marker.pk != actor.pk and not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_OTHER_MARKER), extra={"field": "marker"})
    if not examiner_may_mark(plan=plan, examiner=marker, candidate=application.candidate):
        raise ApplicationError(str(MSG_RECUSED % {"name": _name(marker)}), extra={"field": "marker"})


def _enter(
    *,
    plan: EvaluationPlan,
    application: Application,
    component: str,
    marker: User | None,
    value: object,
    actor: User,
    context: RequestContext,
) -> ScoreEntry:
    _check_entry(plan=plan, application=application, component=component, marker=marker, actor=actor)
    clean = score_mark_clean(value)
    existing = ScoreEntry.objects.filter(application=application, component=component, marker=marker).first()
    if existing is not None:
        raise ApplicationError(
            str(
                MSG_ALREADY_ENTERED
                % {"value": existing.mark_display, "status": existing.get_status_display()}
            ),
            extra={"status": 409},
        )
    entry = ScoreEntry(
        application=application,
        component=component,
        marker=marker,
        entered_by=actor,
        entered_at=timezone.now(),
    )
    entry.set_mark(clean)
    entry.save(force_insert=True)
    audit_record(
        actor=actor,
        action="score.entered",
        target=entry,
        data={
            "plan": plan.number,
            "ticket_number": application.ticket_number,
            "component": component,
            "marker": marker.username if marker else None,
            "value": mark_text(clean),
        },
        context=context,
    )
    return entry


@transaction.atomic
def score_enter(
    *,
    application: Application,
    component: str,
    value: object,
    actor: User,
    marker: User | None = None,
    context: RequestContext = NO_REQUEST,
) -> ScoreEntry:
    """Enter one score of ``application`` in ``component`` (by ``marker`` for skills and review)."""
    plan = lock_plan_for_scores(application.plan)
    _require_scoring(plan=plan, component=component)
    return _enter(
        plan=plan,
        application=application,
        component=component,
        marker=marker,
        value=value,
        actor=actor,
        context=context,
    )


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """A score of a submitted sheet that could not be saved: whose, and why."""

    key: object  # the application id (entry) or the entry id (confirmation)
    message: str


class ScoreSheetRejected(ApplicationError):
    """Nothing of the sheet was saved; ``problems`` says which scores were wrong and why."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        super().__init__(str(MSG_SHEET_PROBLEMS % {"count": len(problems)}))
        self.problems = problems


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return getattr(error, "message", str(error))


@transaction.atomic
def score_enter_sheet(
    *,
    plan: EvaluationPlan,
    component: str,
    marker: User | None,
    values: Mapping[int, object],
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> list[ScoreEntry]:
    """Enter several candidates' scores of one component and marker: all of them, or none."""
    plan = lock_plan_for_scores(plan)
    _require_scoring(plan=plan, component=component)
    applications = {
        application.pk: application
        for application in plan.applications.filter(pk__in=list(values)).select_related(
            "candidate", "retake_of"
        )
    }
    entries: list[ScoreEntry] = []
    problems: list[SheetProblem] = []
    for application_id, value in values.items():
        application = applications.get(application_id)
        if application is None:
            problems.append(SheetProblem(application_id, str(MSG_APPLICATION_NOT_SCORED)))
            continue
        try:
            with transaction.atomic():
                entries.append(
                    _enter(
                        plan=plan,
                        application=application,
                        component=component,
                        marker=marker,
                        value=value,
                        actor=actor,
                        context=context,
                    )
                )
        except (ApplicationError, ValidationError) as error:
            problems.append(SheetProblem(application_id, _message(error)))
    if problems:
        raise ScoreSheetRejected(problems)
    return entries


def lock_entry(entry: ScoreEntry) -> tuple[EvaluationPlan, ScoreEntry]:
    plan = lock_plan_for_scores(entry.application.plan)
    entry = (
        ScoreEntry.objects.select_for_update(of=("self",))
        .select_related("application", "application__candidate", "marker", "entered_by")
        .get(pk=entry.pk)
    )
    return plan, entry


def _confirm(*, plan: EvaluationPlan, entry: ScoreEntry, value: object, actor: User, context) -> ScoreEntry:
    if not user_scores_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_SCORING))
    if entry.entered_by_id == actor.pk:
        raise ApplicationError(str(MSG_CONFIRM_OWN))
    if entry.status != EntryStatus.ENTERED:
        raise ApplicationError(
            str(MSG_CONFIRM_STATUS % {"status": entry.get_status_display()}), extra={"status": 409}
        )
    _require_not_recused(plan=plan, user=actor, application=entry.application)
    typed = score_mark_clean(value)
    entry.set_confirmation(typed)
    entry.confirmed_by = actor
    entry.confirmed_at = timezone.now()
    entry.status = EntryStatus.CONFIRMED if typed == entry.mark else EntryStatus.MISMATCH
    entry.save(update_fields=[*ScoreEntry.CONFIRMATION_FIELDS, "status"])
    audit_record(
        actor=actor,
        action="score.confirmed" if entry.status == EntryStatus.CONFIRMED else "score.mismatch",
        target=entry,
        data={
            "plan": plan.number,
            "ticket_number": entry.application.ticket_number,
            "component": entry.component,
            "marker": entry.marker.username if entry.marker else None,
            "entered": mark_text(entry.mark),
            "confirmation": mark_text(typed),
        },
        context=context,
    )
    return entry


@transaction.atomic
def score_confirm(
    *, entry: ScoreEntry, value: object, actor: User, context: RequestContext = NO_REQUEST
) -> ScoreEntry:
    """A second person types the score again: equal → CONFIRMED; different → MISMATCH, both kept."""
    plan, entry = lock_entry(entry)
    _require_scoring(plan=plan, component=entry.component)
    return _confirm(plan=plan, entry=entry, value=value, actor=actor, context=context)


@dataclass(frozen=True, slots=True)
class ConfirmOutcome:
    confirmed: int
    mismatched: int


@transaction.atomic
def score_confirm_sheet(
    *, plan: EvaluationPlan, values: Mapping[int, object], actor: User, context: RequestContext = NO_REQUEST
) -> ConfirmOutcome:
    """Confirm several entries of the plan (entry id → the value typed again): all of them, or none."""
    plan = lock_plan_for_scores(plan)
    if plan.status != PlanStatus.ACKNOWLEDGED:
        raise ApplicationError(str(MSG_PLAN_NOT_SCORING), extra={"status": 409})
    entries = {
        entry.pk: entry
        for entry in ScoreEntry.objects.select_for_update(of=("self",))
        .filter(application__plan=plan, pk__in=list(values))
        .select_related("application", "application__candidate", "marker")
    }
    problems: list[SheetProblem] = []
    confirmed = mismatched = 0
    for entry_id, value in values.items():
        entry = entries.get(entry_id)
        if entry is None:
            problems.append(SheetProblem(entry_id, str(MSG_APPLICATION_NOT_SCORED)))
            continue
        try:
            with transaction.atomic():
                entry = _confirm(plan=plan, entry=entry, value=value, actor=actor, context=context)
        except (ApplicationError, ValidationError) as error:
            problems.append(SheetProblem(entry_id, _message(error)))
            continue
        if entry.status == EntryStatus.CONFIRMED:
            confirmed += 1
        else:
            mismatched += 1
    if problems:
        raise ScoreSheetRejected(problems)
    return ConfirmOutcome(confirmed=confirmed, mismatched=mismatched)


@transaction.atomic
def score_correct(
    *, entry: ScoreEntry, value: object, actor: User, context: RequestContext = NO_REQUEST
) -> ScoreEntry:
    """The enterer corrects an unconfirmed or mismatched score; it then waits for confirmation again."""
    plan, entry = lock_entry(entry)
    _require_scoring(plan=plan, component=entry.component)
    if entry.entered_by_id != actor.pk:
        raise ApplicationError(str(MSG_CORRECT_NOT_ENTERER))
    if entry.status not in (EntryStatus.ENTERED, EntryStatus.MISMATCH):
        raise ApplicationError(str(MSG_CORRECT_STATUS), extra={"status": 409})
    clean = score_mark_clean(value)
    before = {
        "value": entry.mark_display,
        "status": entry.status,
        "confirmation": entry.confirmation_display or None,
    }
    entry.set_mark(clean)
    entry.clear_confirmation()
    entry.status = EntryStatus.ENTERED
    entry.save(update_fields=[*ScoreEntry.MARK_FIELDS, *ScoreEntry.CONFIRMATION_FIELDS, "status"])
    audit_record(
        actor=actor,
        action="score.corrected",
        target=entry,
        data={
            "plan": plan.number,
            "ticket_number": entry.application.ticket_number,
            "component": entry.component,
            "marker": entry.marker.username if entry.marker else None,
            "before": before,
            "after": mark_text(clean),
        },
        context=context,
    )
    return entry
