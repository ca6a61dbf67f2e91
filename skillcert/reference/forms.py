from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import CalendarDay
from skillcert.reference.models import JobType, Occupation, SkillLevel
from skillcert.reference.selectors import certificate_levels


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=CalendarDay.Kind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    name = forms.CharField(
        label=_("名称"),
        max_length=40,
        help_text=_("例如：春节、国庆节调休上班"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class OccupationSearchForm(forms.Form):
    q = forms.CharField(label=_("职业编码或名称"), max_length=40, required=False)


class LevelRangeSearchForm(forms.Form):
    q = forms.CharField(label=_("职业编码或名称"), max_length=40, required=False)
    recorded = forms.BooleanField(label=_("只看已设定范围的职业"), required=False)


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SkillLevel) -> str:
        return obj.label


RANGE_HELP = _("修改等级范围只约束今后新增和提交的备案申请；已经备案生效的范围不受影响，不会被撤回。")


class LevelRangeLevelsForm(forms.Form):
    """The two ends of a range (editing an existing range changes only these)."""

    lowest = LevelChoiceField(
        label=_("最低等级"),
        queryset=SkillLevel.objects.none(),
        empty_label=_("请选择"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    highest = LevelChoiceField(
        label=_("最高等级"),
        queryset=SkillLevel.objects.none(),
        empty_label=_("请选择"),
        help_text=RANGE_HELP,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lowest", "highest"):
            self.fields[name].queryset = certificate_levels()  # type: ignore[attr-defined]


class OccupationJobTypeMixin:
    """For a form with an ``occupation`` field (typed code) and a ``job_type`` field (typed name): both
    become rows, or field errors that say what was not found. Messages may be worded per form."""

    msg_no_occupation = _("职业目录中没有职业编码“%(code)s”。")
    msg_no_job_type = _("职业“%(occupation)s”下没有工种“%(name)s”。")

    def clean_occupation(self) -> Occupation:
        code = self.cleaned_data["occupation"].strip()  # type: ignore[attr-defined]
        occupation = Occupation.objects.filter(code=code).first()
        if occupation is None:
            raise forms.ValidationError(self.msg_no_occupation, params={"code": code})
        return occupation

    def clean(self) -> dict:
        data = super().clean()  # type: ignore[misc]
        occupation, name = data.get("occupation"), (data.get("job_type") or "").strip()
        data["job_type"] = None
        if occupation is not None and name:
            job_type = JobType.objects.filter(occupation=occupation, name=name).first()
            if job_type is None:
                message = self.msg_no_job_type % {"occupation": occupation.name, "name": name}
                self.add_error("job_type", message)  # type: ignore[attr-defined]
            data["job_type"] = job_type
        return data


class LevelRangeForm(OccupationJobTypeMixin, LevelRangeLevelsForm):
    """A new range: the occupation by code, optionally one of its job types by name, and the two ends."""

    occupation = forms.CharField(
        label=_("职业编码"),
        max_length=12,
        help_text=_("国家职业分类大典编码，如 4-10-01-01。"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    job_type = forms.CharField(
        label=_("工种（职业方向）"),
        max_length=80,
        required=False,
        help_text=_("留空为整个职业的范围；工种的范围优先于职业的范围。"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    field_order = ["occupation", "job_type", "lowest", "highest"]


class LevelRangeImportForm(forms.Form):
    file = forms.FileField(
        label=_("等级范围文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )
