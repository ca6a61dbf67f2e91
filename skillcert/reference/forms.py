from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import CalendarDay


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
