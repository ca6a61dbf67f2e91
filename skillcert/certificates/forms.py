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


class RevokeForm(forms.Form):
    """The reason for revoking one certificate or a plan's, and the confirmation that it is final."""

    reason = forms.CharField(
        label=_("撤销原因"),
        min_length=4,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("至少 4 个字。原因写入审计记录，并显示在证书详情页上。"),
    )
    confirm = forms.BooleanField(
        label=_("我确认撤销。撤销后证书在公开查询中显示为已撤销，不能恢复。"), required=True
    )


class ReissueForm(forms.Form):
    """The corrections of a reissue (name, 工种), its reason and the confirmation."""

    holder_name = forms.CharField(label=_("姓名"), max_length=60)
    job_type_name = forms.ChoiceField(label=_("工种/职业方向"))
    reason = forms.CharField(
        label=_("更正原因"),
        min_length=4,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("至少 4 个字，如“姓名录入错误，应为‘欧阳明华’”。原证书将以此原因撤销。"),
    )
    confirm = forms.BooleanField(
        label=_("我确认换发：生成新的证书编号，原证书撤销并指向新证书。"), required=True
    )

    def __init__(self, *args, job_types: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_type_name"].choices = [(name, name) for name in job_types]
