"""Score pages of a plan: progress, entry sheets, blind confirmation, corrections, import, lock, results,
changes after the lock, and retakes.

Plans are reached through the scoped selector (404 outside one's scope); every rule is the services'.
The confirmation sheet never shows the value entered: the second person types the score from the paper.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import BODY_EXAM_ROLES, BODY_MANAGER_ROLES, STAFF_ROLES, Role
from skillcert.core.errors import ApplicationError
from skillcert.core.forms import form_action
from skillcert.evaluation.models import Component, EvaluationPlan, ScoreEntry
from skillcert.evaluation.selectors.plans import plan_get_for_user, user_manages_plan
from skillcert.evaluation.selectors.scores import (
    ScoreSlot,
    entries_mismatched,
    entries_to_confirm,
    plan_result_counts,
    plan_results,
    plan_score_sheet,
    retake_candidates,
    score_entry_get_for_user,
    sheet_progress,
    user_is_chief_examiner,
    user_scores_plan,
)
from skillcert.evaluation.services.application_import import ImportRejected
from skillcert.evaluation.services.results import (
    application_retake_prepare,
    plan_scores_lock,
    score_change_after_lock,
)
from skillcert.evaluation.services.score_import import (
    score_import,
    score_template_filename,
    score_template_workbook,
)
from skillcert.evaluation.services.scores import (
    ScoreSheetRejected,
    score_confirm_sheet,
    score_correct,
    score_enter_sheet,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ScoreValueForm(forms.Form):
    # A score or 缺考: the service parses it (``score_mark_clean``) and its errors land on this field.
    value = forms.CharField(
        label=gettext_lazy("成绩"),
        max_length=20,
        help_text=gettext_lazy("0 到 100 的分数，最多两位小数；考生未参加考核的填写“缺考”。"),
    )


class ScoreChangeForm(ScoreValueForm):
    reason = forms.CharField(
        label=gettext_lazy("修改原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


class ScoreImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("成绩文件（.xlsx）"))


def _plan(request: HttpRequest, plan_id: int) -> EvaluationPlan:
    return plan_get_for_user(user=request.user, plan_id=plan_id)


def _scores_page(plan: EvaluationPlan) -> HttpResponse:
    return redirect("evaluation:plan_scores", plan_id=plan.pk)


def _marker_label(user) -> str:
    return user.full_name or user.username


@role_required(*STAFF_ROLES)
def plan_scores_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    sheet = plan_score_sheet(plan=plan)
    user = request.user
    scoring = plan.status == EvaluationPlan.Status.ACKNOWLEDGED and user_scores_plan(user=user, plan=plan)
    manages = user_manages_plan(user=user, plan=plan)
    sheets = []  # the entry sheets this user may open: (component, marker or None, label)
    if scoring:
        for component in sheet.components:
            label = str(Component(component).label)
            if component == Component.THEORY:
                sheets.append({"component": component, "marker": None, "label": label})
                continue
            for marker in sheet.markers.get(component, []):
                if manages or marker.pk == user.pk:
                    sheets.append(
                        {
                            "component": component,
                            "marker": marker.pk,
                            "label": f"{label}：{_marker_label(marker)}",
                        }
                    )
    return render(
        request,
        "evaluation/scores/overview.html",
        {
            "plan": plan,
            "progress": sheet_progress(sheet),
            "candidates": len(sheet.applications),
            "sheets": sheets,
            "scoring": scoring,
            "manages": manages,
            "to_confirm": entries_to_confirm(plan=plan, user=user).count() if scoring else 0,
            "mismatches": entries_mismatched(plan=plan),
            "may_lock": scoring and user_is_chief_examiner(user=user, plan=plan),
            "user": user,
        },
    )


def _sheet_rows(sheet, component: str, marker_id: int | None, typed: dict, problems: dict) -> list[dict]:
    rows = []
    needed = set(sheet.slots)
    for application in sheet.applications:
        slot = ScoreSlot(application.pk, component, marker_id)
        if slot not in needed:
            continue
        rows.append(
            {
                "application": application,
                "entry": sheet.entries.get(slot),
                "typed": typed.get(application.pk, ""),
                "problem": problems.get(application.pk, ""),
            }
        )
    return rows


@role_required(*BODY_EXAM_ROLES)
def plan_scores_enter_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if not user_scores_plan(user=request.user, plan=plan):
        raise Http404
    sheet = plan_score_sheet(plan=plan)
    # Without parameters: the first component, and for skills or review the user's own column.
    component = request.GET.get("component") or (sheet.components[0] if sheet.components else "")
    if component not in sheet.components:
        raise Http404
    marker = None
    if component != Component.THEORY:
        markers = {m.pk: m for m in sheet.markers.get(component, [])}
        marker_id = request.GET.get("marker") or str(request.user.pk)
        marker = markers.get(int(marker_id)) if marker_id.isdigit() else None
        if marker is None:
            raise Http404
    typed: dict[int, str] = {}
    problems: dict[int, str] = {}
    if request.method == "POST":
        for key, value in request.POST.items():
            if key.startswith("score-") and value.strip() and key[6:].isdigit():
                typed[int(key[6:])] = value.strip()
        if not typed:
            messages.error(request, _("没有填写任何成绩。"))
        else:
            try:
                entries = score_enter_sheet(
                    plan=plan,
                    component=component,
                    marker=marker,
                    values=typed,
                    actor=request.user,
                    context=request.context,
                )
            except ScoreSheetRejected as error:
                problems = {problem.key: problem.message for problem in error.problems}
                messages.error(request, error.message)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("已录入 %(n)d 个成绩，等待另一名工作人员复核。") % {"n": len(entries)}
                )
                return _scores_page(plan)
    return render(
        request,
        "evaluation/scores/enter.html",
        {
            "plan": plan,
            "component_label": Component(component).label,
            "marker": marker,
            "rows": _sheet_rows(sheet, component, marker.pk if marker else None, typed, problems),
        },
    )


@role_required(*BODY_EXAM_ROLES)
def plan_scores_confirm_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if not user_scores_plan(user=request.user, plan=plan):
        raise Http404
    typed: dict[int, str] = {}
    problems: dict[int, str] = {}
    if request.method == "POST":
        for key, value in request.POST.items():
            if key.startswith("confirm-") and value.strip() and key[8:].isdigit():
                typed[int(key[8:])] = value.strip()
        if not typed:
            messages.error(request, _("没有填写任何复核成绩。"))
        else:
            try:
                outcome = score_confirm_sheet(
                    plan=plan, values=typed, actor=request.user, context=request.context
                )
            except ScoreSheetRejected as error:
                problems = {problem.key: problem.message for problem in error.problems}
                messages.error(request, error.message)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("复核一致 %(ok)d 个，不一致 %(bad)d 个；不一致的成绩须由录入人核对更正。")
                    % {"ok": outcome.confirmed, "bad": outcome.mismatched},
                )
                return _scores_page(plan)
    entries = [
        {"entry": entry, "typed": typed.get(entry.pk, ""), "problem": problems.get(entry.pk, "")}
        for entry in entries_to_confirm(plan=plan, user=request.user)
    ]
    return render(request, "evaluation/scores/confirm.html", {"plan": plan, "entries": entries})


def _entry(request: HttpRequest, plan: EvaluationPlan, entry_id: int) -> ScoreEntry:
    entry = score_entry_get_for_user(user=request.user, entry_id=entry_id)
    if entry.application.plan_id != plan.pk:
        raise Http404
    return entry


@role_required(*BODY_EXAM_ROLES)
def score_correct_view(request: HttpRequest, plan_id: int, entry_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    entry = _entry(request, plan, entry_id)
    form = ScoreValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        corrected = form_action(
            form,
            lambda: score_correct(
                entry=entry, value=form.cleaned_data["value"], actor=request.user, context=request.context
            ),
        )
        if corrected is not None:
            messages.success(request, _("成绩已更正，等待再次复核。"))
            return _scores_page(plan)
    return render(
        request,
        "evaluation/scores/entry_form.html",
        {
            "plan": plan,
            "entry": entry,
            "form": form,
            "title": _("更正成绩"),
            "explanation": _(
                "更正后该成绩回到“待复核”，须由另一名工作人员再次复核。原录入值和复核值均记入审计日志。"
            ),
            "button": _("确认更正"),
        },
    )


@role_required(*BODY_EXAM_ROLES)
def score_change_view(request: HttpRequest, plan_id: int, entry_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    entry = _entry(request, plan, entry_id)
    form = ScoreChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = form_action(
            form,
            lambda: score_change_after_lock(
                entry=entry,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                context=request.context,
            ),
        )
        if changed is not None:
            messages.success(request, _("成绩已修改，评定结果已重新计算。"))
            return redirect("evaluation:plan_results", plan_id=plan.pk)
    return render(
        request,
        "evaluation/scores/entry_form.html",
        {
            "plan": plan,
            "entry": entry,
            "form": form,
            "title": _("修改已锁定的成绩"),
            "explanation": _(
                "成绩已锁定，修改须说明原因；修改前后的成绩和原因记入审计日志，评定结果将重新计算。"
            ),
            "button": _("确认修改"),
            "danger": True,
        },
    )


@role_required(Role.EXAMINER)
def plan_scores_lock_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if request.method == "POST":
        try:
            plan_scores_lock(plan=plan, actor=request.user, context=request.context)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("成绩已锁定，评定结果已生成。"))
            return redirect("evaluation:plan_results", plan_id=plan.pk)
    return render(
        request,
        "evaluation/scores/lock.html",
        {"plan": plan, "progress": sheet_progress(plan_score_sheet(plan=plan))},
    )


@role_required(*BODY_MANAGER_ROLES)
def plan_scores_template_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if not user_manages_plan(user=request.user, plan=plan):
        raise Http404
    response = HttpResponse(score_template_workbook(plan=plan), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{score_template_filename(plan=plan)}"'
    return response


@role_required(*BODY_MANAGER_ROLES)
def plan_scores_import_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = ScoreImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = score_import(
                plan=plan,
                content=upload.read(),
                filename=upload.name,
                actor=request.user,
                context=request.context,
            )
        except ImportRejected as error:
            form.add_error(None, error.message)
            problems = error.problems
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("已导入 %(imported)d 个成绩（%(unchanged)d 个与已录入的相同，未改变），等待复核。")
                % {"imported": result.imported, "unchanged": result.unchanged},
            )
            return _scores_page(plan)
    return render(
        request, "evaluation/scores/import.html", {"plan": plan, "form": form, "problems": problems}
    )


@role_required(*STAFF_ROLES)
def plan_results_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    components = plan.spec.components()
    rows = [
        {
            "application": row.application,
            "cells": [row.results.get(component) for component in components],
        }
        for row in plan_results(plan=plan)
    ]
    may_change = plan.status in (
        EvaluationPlan.Status.SCORES_LOCKED,
        EvaluationPlan.Status.PUBLICITY,
        EvaluationPlan.Status.RESULTS_RETURNED,
    ) and (
        user_manages_plan(user=request.user, plan=plan)
        or user_is_chief_examiner(user=request.user, plan=plan)
    )
    entries = []
    if may_change:
        entries = list(
            ScoreEntry.objects.filter(application__plan=plan)
            .select_related("application", "application__candidate", "marker")
            .order_by("application__ticket_number", "component", "marker__username")
        )
    return render(
        request,
        "evaluation/scores/results.html",
        {
            "plan": plan,
            "columns": [
                {"label": Component(component).label, "pass_mark": plan.spec.pass_mark(component)}
                for component in components
            ],
            "rows": rows,
            "counts": plan_result_counts(plan=plan),
            "entries": entries,
            "may_change": may_change,
        },
    )


@role_required(*BODY_MANAGER_ROLES)
def plan_retakes_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if not user_manages_plan(user=request.user, plan=plan):
        raise Http404
    candidates = retake_candidates(plan=plan)
    if request.method == "POST":
        previous_id = request.POST.get("previous", "")
        if not previous_id.isdigit():
            raise Http404
        previous = get_object_or_404(candidates, pk=int(previous_id))
        try:
            retake = application_retake_prepare(
                previous=previous, plan=plan, actor=request.user, context=request.context
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("已为 %(name)s 登记补考，准考证号 %(ticket)s。")
                % {"name": retake.candidate.name, "ticket": retake.ticket_number},
            )
            return redirect("evaluation:plan_retakes", plan_id=plan.pk)
    rows = []
    for previous in candidates[:200]:
        results = list(previous.component_results.all())
        rows.append(
            {
                "application": previous,
                "kept": [Component(r.component).label for r in results if r.passed],
                "sit": [Component(r.component).label for r in results if not r.passed],
            }
        )
    return render(request, "evaluation/scores/retakes.html", {"plan": plan, "rows": rows})


urlpatterns = [
    path("plans/<int:plan_id>/scores/", plan_scores_view, name="plan_scores"),
    path("plans/<int:plan_id>/scores/enter/", plan_scores_enter_view, name="plan_scores_enter"),
    path("plans/<int:plan_id>/scores/confirm/", plan_scores_confirm_view, name="plan_scores_confirm"),
    path("plans/<int:plan_id>/scores/lock/", plan_scores_lock_view, name="plan_scores_lock"),
    path("plans/<int:plan_id>/scores/template/", plan_scores_template_view, name="plan_scores_template"),
    path("plans/<int:plan_id>/scores/import/", plan_scores_import_view, name="plan_scores_import"),
    path("plans/<int:plan_id>/scores/<int:entry_id>/correct/", score_correct_view, name="score_correct"),
    path("plans/<int:plan_id>/scores/<int:entry_id>/change/", score_change_view, name="score_change"),
    path("plans/<int:plan_id>/results/", plan_results_view, name="plan_results"),
    path("plans/<int:plan_id>/retakes/", plan_retakes_view, name="plan_retakes"),
]
