from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.reference.models import SkillLevel


class CertificateFilterForm(forms.Form):
    """The search and filters of the staff certificate list (all optional)."""

    q = forms.CharField(label=_("证书编号或姓名"), max_length=60, required=False)
    plan = forms.IntegerField(label=_("评价计划"), min_value=1, required=False, widget=forms.HiddenInput)
    level = forms.ModelChoiceField(
        label=_("等级"),
        queryset=SkillLevel.objects.filter(certificate_digit__isnull=False).order_by("rank"),
        to_field_name="code",
        required=False,
        empty_label=_("全部等级"),
    )
    year = forms.IntegerField(label=_("发证年份"), min_value=2019, max_value=2100, required=False)


class IssueConfirmForm(forms.Form):
    """The confirmation of a plan's issuance: the admin states they checked the passed list."""

    confirm = forms.BooleanField(
        label=_("我已核对合格人员名单，确认发放证书。证书编号一经生成不可回收。"), required=True
    )
