"""Forms of the plan pages: the plan itself, staff, the authority's decisions, recusal, the list filter."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import Candidate, User
from skillcert.evaluation.models import Application, Component, EvaluationPlan, PlanStaff
from skillcert.evaluation.selectors.plans import external_supervisor_choices
from skillcert.evaluation.selectors.specs import spec_list
from skillcert.evaluation.selectors.staffing import DUTY_ROLES, MARKING_DUTIES
from skillcert.evaluation.services.plans import SessionInput
from skillcert.registry.models import Body, Site

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
    )


class PlanForm(forms.Form):
    """Spec, site, capacity and the time of each component (only the spec's components are used)."""

    spec = forms.ModelChoiceField(label=_("评价规范（职业/工种/等级）"), queryset=None)
    site = forms.ModelChoiceField(label=_("评价站点"), queryset=None)
    capacity = forms.IntegerField(label=_("计划人数"), min_value=1, max_value=100_000)
    room = forms.CharField(label=_("考场"), max_length=60, required=False)
    theory_starts_at = _datetime_field(_("理论知识考试开始"))
    theory_ends_at = _datetime_field(_("理论知识考试结束"))
    skills_starts_at = _datetime_field(_("操作技能考核开始"))
    skills_ends_at = _datetime_field(_("操作技能考核结束"))
    review_starts_at = _datetime_field(_("综合评审开始"))
    review_ends_at = _datetime_field(_("综合评审结束"))

    def __init__(self, *args: Any, body: Body, plan: EvaluationPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["spec"].queryset = spec_list(body=body)
        self.fields["site"].queryset = Site.objects.for_tenant(body).filter(
            is_active=True, sequence_code__isnull=False
        )
        for name in ("spec", "site"):
            self.fields[name].widget.attrs["class"] = "form-select"
        for name in ("capacity", "room"):
            self.fields[name].widget.attrs["class"] = "form-control"
        if plan is not None:
            # The spec of a plan does not change; a different spec is a different plan.
            self.fields["spec"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for component in Component.values:
            starts, ends = cleaned.get(f"{component}_starts_at"), cleaned.get(f"{component}_ends_at")
            if bool(starts) != bool(ends):
                self.add_error(
                    f"{component}_ends_at" if starts else f"{component}_starts_at",
                    _("请同时填写开始和结束时间。"),
                )
        return cleaned

    def sessions(self) -> list[SessionInput]:
        room = self.cleaned_data.get("room") or ""
        return [
            SessionInput(
                component=component,
                starts_at=self.cleaned_data[f"{component}_starts_at"],
                ends_at=self.cleaned_data[f"{component}_ends_at"],
                room=room,
            )
            for component in Component.values
            if self.cleaned_data.get(f"{component}_starts_at")
            and self.cleaned_data.get(f"{component}_ends_at")
        ]

    @staticmethod
    def initial_for_plan(plan: EvaluationPlan) -> dict[str, Any]:
        initial: dict[str, Any] = {"spec": plan.spec_id, "site": plan.site_id, "capacity": plan.capacity}
        for session in plan.sessions.all():
            initial[f"{session.component}_starts_at"] = session.starts_at
            initial[f"{session.component}_ends_at"] = session.ends_at
            initial["room"] = session.room
        return initial


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        roles = "、".join(role.get_role_display() for role in obj.roles.all())
        return f"{obj.full_name or obj.username}（{roles}）"


class StaffAssignForm(forms.Form):
    user = StaffChoiceField(label=_("人员"), queryset=None)
    duty = forms.ChoiceField(label=_("职责"), choices=PlanStaff.Duty.choices)

    def __init__(self, *args: Any, plan: EvaluationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = {role for roles in DUTY_ROLES.values() for role in roles}
        self.fields["user"].queryset = (
            User.objects.filter(body=plan.tenant, is_active=True, roles__role__in=roles)
            .distinct()
            .prefetch_related("roles")
            .order_by("full_name", "username")
        )
        self.fields["user"].widget.attrs["class"] = "form-select"
        self.fields["duty"].widget.attrs["class"] = "form-select"


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class ExternalSupervisorForm(forms.Form):
    supervisor = forms.ModelChoiceField(label=_("外部督导员"), queryset=None)

    def __init__(self, *args: Any, plan: EvaluationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = external_supervisor_choices(plan=plan)
        self.fields["supervisor"].widget.attrs["class"] = "form-select"


class CandidateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Candidate) -> str:
        return f"{obj.name} {obj.id_number_masked}"


class RecusalForm(forms.Form):
    examiner = forms.ModelChoiceField(label=_("考评人员"), queryset=None)
    candidate = CandidateChoiceField(label=_("考生"), queryset=None)
    relationship = forms.CharField(
        label=_("关系说明"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args: Any, plan: EvaluationPlan, only: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        examiners = User.objects.filter(
            plan_duties__plan=plan, plan_duties__duty__in=MARKING_DUTIES
        ).distinct()
        if only is not None:
            examiners = examiners.filter(pk=only.pk)
        self.fields["examiner"].queryset = examiners.order_by("full_name", "username")
        self.fields["candidate"].queryset = Candidate.objects.filter(
            pk__in=Application.objects.filter(plan=plan).values("candidate")
        ).order_by("name")
        self.fields["examiner"].widget.attrs["class"] = "form-select"
        self.fields["candidate"].widget.attrs["class"] = "form-select"


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *EvaluationPlan.Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("计划编号、职业或机构")}),
    )
