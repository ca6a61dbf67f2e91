"""Publicity pages: the body starts publicity and answers objections; the public list, the public page of
one plan's passing list (masked) and the public objection form.

The public pages are addressed by the plan number, never an internal id, and receive only the frozen
data objects of ``selectors.publicity`` (no model instance with personal data reaches the template).
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skillcert.accounts.permissions import public_view, role_required
from skillcert.accounts.roles import BODY_MANAGER_ROLES
from skillcert.core.forms import form_action
from skillcert.evaluation.selectors.plans import plan_get_for_user
from skillcert.evaluation.selectors.publicity import (
    objection_get_for_plan,
    plan_passed_count,
    publicity_ends_on,
    publicity_get_public,
    publicity_list_public,
    publicity_plan_for_objection,
)
from skillcert.evaluation.services.publicity import objection_answer, objection_lodge, plan_publicity_start


class PublicityStartForm(forms.Form):
    starts_on = forms.DateField(
        label=gettext_lazy("公示开始日期"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


class ObjectionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("答复"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ObjectionForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("异议对象"),
        max_length=120,
        help_text=gettext_lazy("对哪位考生（填写公示名单上显示的姓名）或整份名单提出异议。"),
    )
    text = forms.CharField(
        label=gettext_lazy("异议内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text=gettext_lazy("写明事实和理由。"),
    )
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=40)
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20)


@role_required(*BODY_MANAGER_ROLES)
def plan_publicity_start_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    form = PublicityStartForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        started = form_action(
            form,
            lambda: plan_publicity_start(
                plan=plan,
                starts_on=form.cleaned_data["starts_on"],
                actor=request.user,
                context=request.context,
            ),
        )
        if started is not None:
            plan.refresh_from_db()
            messages.success(
                request,
                _("合格名单已公示，%(starts)s 至 %(ends)s。")
                % {"starts": plan.publicity_starts_on, "ends": plan.publicity_ends_on},
            )
            return redirect("evaluation:plan_detail", plan_id=plan.pk)
    today = timezone.localdate()
    return render(
        request,
        "evaluation/publicity/start.html",
        {
            "plan": plan,
            "form": form,
            "passed": plan_passed_count(plan=plan),
            "today": today,
            "ends_today": publicity_ends_on(starts_on=today),
        },
    )


@role_required(*BODY_MANAGER_ROLES)
def objection_answer_view(request: HttpRequest, plan_id: int, objection_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    objection = objection_get_for_plan(plan=plan, objection_id=objection_id)
    form = ObjectionAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answered = form_action(
            form,
            lambda: objection_answer(
                objection=objection,
                answer=form.cleaned_data["answer"],
                actor=request.user,
                context=request.context,
            ),
        )
        if answered is not None:
            messages.success(request, _("已答复异议 %(ref)s。") % {"ref": objection.reference})
            return redirect("evaluation:plan_detail", plan_id=plan.pk)
    return render(
        request, "evaluation/publicity/answer.html", {"plan": plan, "objection": objection, "form": form}
    )


@public_view
def publicity_list_view(request: HttpRequest) -> HttpResponse:
    search = " ".join(request.GET.get("q", "").split())[:60]
    return render(
        request,
        "evaluation/publicity/public_list.html",
        {"items": publicity_list_public(search=search), "q": search},
    )


@public_view
def publicity_public_view(request: HttpRequest, number: str) -> HttpResponse:
    publicity = publicity_get_public(number=number)
    return render(request, "evaluation/publicity/public_detail.html", {"publicity": publicity})


@public_view
def objection_lodge_view(request: HttpRequest, number: str) -> HttpResponse:
    plan = publicity_plan_for_objection(number=number)
    publicity = publicity_get_public(number=number)
    form = ObjectionForm(request.POST or None)
    if not publicity.is_open:
        return render(request, "evaluation/publicity/objection.html", {"publicity": publicity, "form": None})
    if request.method == "POST" and form.is_valid():
        objection = form_action(
            form, lambda: objection_lodge(plan=plan, context=request.context, **form.cleaned_data)
        )
        if objection is not None:
            return render(
                request,
                "evaluation/publicity/objection_done.html",
                {"publicity": publicity, "reference": objection.reference, "lodged_on": timezone.localdate()},
            )
    return render(request, "evaluation/publicity/objection.html", {"publicity": publicity, "form": form})


urlpatterns = [
    path("plans/<int:plan_id>/publicity/start/", plan_publicity_start_view, name="plan_publicity_start"),
    path(
        "plans/<int:plan_id>/objections/<int:objection_id>/answer/",
        objection_answer_view,
        name="objection_answer",
    ),
    path("publicity/", publicity_list_view, name="publicity_list"),
    path("publicity/<str:number>/", publicity_public_view, name="publicity_public"),
    path("publicity/<str:number>/objection/", objection_lodge_view, name="objection_lodge"),
]
