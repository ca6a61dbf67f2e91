"""Publicity (公示) of a plan's passing list, objections (异议) lodged by anyone, and the body's answers.

Objections come from the public page: no account, so they are limited per IP address (a counter in
Django's cache, ``SKILLCERT_OBJECTION_LIMIT_PER_HOUR``, default 5 an hour) and audited without an actor.
"""

import re
import secrets
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import EvaluationPlan, Objection
from skillcert.evaluation.selectors.plans import user_manages_plan
from skillcert.evaluation.selectors.publicity import (
    plan_passed_count,
    publicity_ends_on,
    publicity_is_open,
)
from skillcert.evaluation.services.scores import lock_plan_for_scores

PlanStatus = EvaluationPlan.Status
RATE_WINDOW_SECONDS = 3600
PHONE_PATTERN = re.compile(r"^(?:1\d{10}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
SUBJECT_MAX = 120
TEXT_MAX = 2000
NAME_MAX = 40
ANSWER_MAX = 2000

MSG_NOT_MANAGER = _("只有本机构的管理员或考务人员可以办理公示和异议答复。")
MSG_PUBLICITY_STATUS = _("只有成绩已锁定的计划可以发布公示。")
MSG_PUBLICITY_PAST = _("公示开始日期：不能早于今天。")
MSG_OBJECTION_CLOSED = _("该计划当前不在公示期内，不受理异议。")
MSG_OBJECTION_RATE = _("提交过于频繁：同一网络每小时最多提交 %(limit)d 件异议，请稍后再试。")
MSG_SUBJECT_REQUIRED = _("异议对象：请填写对哪位考生（或整份名单）提出异议。")
MSG_TEXT_REQUIRED = _("异议内容：请写明异议的事实和理由（不少于 10 个字）。")
MSG_CONTACT_NAME_REQUIRED = _("联系人：请填写姓名。")
MSG_CONTACT_PHONE_INVALID = _("联系电话：请填写 11 位手机号码或带区号的固定电话（如 021-12345678）。")
MSG_TOO_LONG = _("%(field)s：不能超过 %(max)d 个字。")
MSG_CONTROL = _("%(field)s：含有不可见的控制字符。")
MSG_ANSWER_REQUIRED = _("答复：请填写对异议的答复。")
MSG_ALREADY_ANSWERED = _("该异议已于 %(at)s 答复，不能重复答复。")


def objection_limit_per_hour() -> int:
    return settings.SKILLCERT_OBJECTION_LIMIT_PER_HOUR


@transaction.atomic
def plan_publicity_start(
    *,
    plan: EvaluationPlan,
    actor: User,
    context: RequestContext = NO_REQUEST,
    starts_on: date | None = None,
) -> EvaluationPlan:
    """Publish the plan's passing list from ``starts_on`` (default today) for N working days."""
    plan = lock_plan_for_scores(plan)
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_MANAGER))
    if plan.status != PlanStatus.SCORES_LOCKED:
        raise ApplicationError(str(MSG_PUBLICITY_STATUS), extra={"status": 409})
    today = timezone.localdate()
    starts_on = starts_on or today
    if starts_on < today:
        raise ValidationError({"starts_on": str(MSG_PUBLICITY_PAST)})
    plan.publicity_starts_on = starts_on
    plan.publicity_ends_on = publicity_ends_on(starts_on=starts_on)
    plan.status = PlanStatus.PUBLICITY
    plan.save(update_fields=["publicity_starts_on", "publicity_ends_on", "status"])
    audit_record(
        actor=actor,
        action="plan.publicity_started",
        target=plan,
        data={
            "plan": plan.number,
            "starts_on": starts_on.isoformat(),
            "ends_on": plan.publicity_ends_on.isoformat(),
            "working_days": settings.SKILLCERT_PUBLICITY_WORKING_DAYS,
            "passed": plan_passed_count(plan=plan),
        },
        context=context,
    )
    return plan


def _clean_text(value: str, *, field: str, label, maximum: int, errors: dict, required_message) -> str:
    text = " ".join((value or "").split()) if field != "text" else (value or "").strip()
    if not text:
        errors[field] = str(required_message)
    elif len(text) > maximum:
        errors[field] = str(MSG_TOO_LONG % {"field": label, "max": maximum})
    elif any(ord(character) < 32 and character not in "\n\r\t" for character in text):
        errors[field] = str(MSG_CONTROL % {"field": label})
    return text


def _rate_key(ip_address: str) -> str:
    return f"skillcert:objection:{ip_address or 'unknown'}"


def _new_reference(today: date) -> str:
    # YY + date + 6 random characters: unguessable, and one never collides in practice (checked anyway).
    while True:
        reference = f"YY{today:%Y%m%d}{secrets.token_hex(3).upper()}"
        if not Objection.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def objection_lodge(
    *,
    plan: EvaluationPlan,
    subject: str,
    text: str,
    contact_name: str,
    contact_phone: str,
    context: RequestContext = NO_REQUEST,
) -> Objection:
    """Anyone lodges an objection during the publicity period; returns it with its reference number."""
    if not publicity_is_open(plan=plan):
        raise ApplicationError(str(MSG_OBJECTION_CLOSED), extra={"status": 409})
    limit = objection_limit_per_hour()
    key = _rate_key(context.ip_address)
    if cache.get(key, 0) >= limit:
        raise ApplicationError(str(MSG_OBJECTION_RATE % {"limit": limit}), extra={"status": 409})
    errors: dict[str, str] = {}
    subject = _clean_text(
        subject,
        field="subject",
        label=_("异议对象"),
        maximum=SUBJECT_MAX,
        errors=errors,
        required_message=MSG_SUBJECT_REQUIRED,
    )
    text = _clean_text(
        text,
        field="text",
        label=_("异议内容"),
        maximum=TEXT_MAX,
        errors=errors,
        required_message=MSG_TEXT_REQUIRED,
    )
    if "text" not in errors and len(text) < 10:
        errors["text"] = str(MSG_TEXT_REQUIRED)
    contact_name = _clean_text(
        contact_name,
        field="contact_name",
        label=_("联系人"),
        maximum=NAME_MAX,
        errors=errors,
        required_message=MSG_CONTACT_NAME_REQUIRED,
    )
    phone = "".join((contact_phone or "").split())
    if not PHONE_PATTERN.match(phone):
        errors["contact_phone"] = str(MSG_CONTACT_PHONE_INVALID)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    objection = Objection.objects.create(
        plan=plan,
        reference=_new_reference(timezone.localdate(now)),
        subject=subject,
        text=text,
        contact_name=contact_name,
        contact_phone=phone,
        lodged_at=now,
    )
    # Counted only when lodged; the counter expires an hour after the first objection of the window.
    if not cache.add(key, 1, RATE_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, RATE_WINDOW_SECONDS)
    audit_record(
        actor=None,
        actor_label="public",
        action="objection.lodged",
        target=objection,
        # The contact details are personal data: the audit keeps the reference, not the phone number.
        data={"plan": plan.number, "reference": objection.reference, "subject": subject},
        context=context,
    )
    return objection


@transaction.atomic
def objection_answer(
    *, objection: Objection, answer: str, actor: User, context: RequestContext = NO_REQUEST
) -> Objection:
    """The body answers an objection (once); every objection must be answered before reporting."""
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__tenant")
        .get(pk=objection.pk)
    )
    plan = objection.plan
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_MANAGER))
    if objection.answered_at is not None:
        at = timezone.localtime(objection.answered_at).strftime("%Y-%m-%d %H:%M")
        raise ApplicationError(str(MSG_ALREADY_ANSWERED % {"at": at}), extra={"status": 409})
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": str(MSG_ANSWER_REQUIRED)})
    if len(answer) > ANSWER_MAX:
        raise ValidationError({"answer": str(MSG_TOO_LONG % {"field": _("答复"), "max": ANSWER_MAX})})
    objection.answer = answer
    objection.answered_at = timezone.now()
    objection.answered_by = actor
    objection.save(update_fields=["answer", "answered_at", "answered_by"])
    audit_record(
        actor=actor,
        action="objection.answered",
        target=objection,
        data={"plan": plan.number, "reference": objection.reference},
        context=context,
    )
    return objection
