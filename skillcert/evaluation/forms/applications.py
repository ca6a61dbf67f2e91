"""Forms of applications: the evidence a candidate declares, staff registration, the import upload."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import Candidate
from skillcert.core.identifiers import CertificateNumber, parse_certificate_number
from skillcert.evaluation.eligibility import Evidence, PriorCertificate
from skillcert.evaluation.models import Application, Education, TitleRank
from skillcert.evaluation.spreadsheets import cells

Source = Application.Source
STAFF_SOURCES = [(Source.BODY, Source.BODY.label), (Source.GROUP, Source.GROUP.label)]
CERTIFICATES_HELP = _(
    "每行一本：证书编号 发证日期，如 S000031000101193000045 2019-06-30。旧版 16 位或 13 位编号也可填写。"
)


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def parse_certificate_lines(text: str) -> list[PriorCertificate]:
    """Prior certificates typed one per line ("number date"); raises ValidationError naming the line."""
    certificates = []
    today = timezone.localdate()
    for number, line in enumerate((line.strip() for line in text.splitlines()), start=1):
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValidationError(_("第 %(n)d 行应为“证书编号 发证日期”两项，用空格隔开。") % {"n": number})
        try:
            parsed = parse_certificate_number(parts[0])
            issued_on = cells.parse_date(parts[1], today=today)
        except ValidationError as error:
            raise ValidationError(
                _("第 %(n)d 行：%(error)s") % {"n": number, "error": error.messages[0]}
            ) from None
        except cells.CellError as error:
            raise ValidationError(
                _("第 %(n)d 行：%(error)s") % {"n": number, "error": error.message}
            ) from None
        certificates.append(
            PriorCertificate(
                number=parsed.number if isinstance(parsed, CertificateNumber) else parsed.original,
                level_digit=parsed.level,
                issued_on=issued_on,
            )
        )
    return certificates


class EvidenceForm(forms.Form):
    """What the candidate declares for eligibility (申报条件)."""

    work_years = forms.DecimalField(
        label=_("本职业累计工作年限（年）"),
        min_value=Decimal(0),
        max_value=Decimal(60),
        decimal_places=1,
        initial=Decimal(0),
        help_text=_("从事本职业或相关职业工作的年数，可含一位小数。"),
    )
    education = forms.ChoiceField(label=_("学历"), choices=Education.choices, initial=Education.NONE)
    education_related = forms.BooleanField(label=_("所学专业为本专业或相关专业"), required=False)
    graduation_on = forms.DateField(
        label=_("毕业时间"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    title_rank = forms.ChoiceField(label=_("职称"), choices=TitleRank.choices, initial=TitleRank.NONE)
    title_obtained_on = forms.DateField(
        label=_("取得职称时间"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    certificates = forms.CharField(
        label=_("已有证书"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=CERTIFICATES_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean_certificates(self) -> list[PriorCertificate]:
        return parse_certificate_lines(self.cleaned_data.get("certificates", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("title_rank") not in (None, TitleRank.NONE) and not data.get("title_obtained_on"):
            self.add_error("title_obtained_on", _("填写了职称，请同时填写取得职称的时间。"))
        return data

    def evidence(self) -> Evidence:
        data = self.cleaned_data
        return Evidence(
            work_years=data["work_years"],
            education=data["education"],
            education_related=data["education_related"],
            graduation_on=data.get("graduation_on"),
            title_rank=data["title_rank"],
            title_obtained_on=data.get("title_obtained_on") if data["title_rank"] != TitleRank.NONE else None,
            prior_certificates=tuple(data["certificates"]),
        )


class RegisterForm(EvidenceForm):
    """Staff register one person: identity, then the evidence."""

    field_order = ["name", "id_type", "id_number", "mobile", "source", "group_name"]

    name = forms.CharField(label=_("姓名"), max_length=60)
    id_type = forms.ChoiceField(
        label=_("证件类型"), choices=Candidate.IdType.choices, initial=Candidate.IdType.RESIDENT_ID
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=40)
    mobile = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    source = forms.ChoiceField(label=_("申报方式"), choices=STAFF_SOURCES, initial=Source.BODY)
    group_name = forms.CharField(
        label=_("团体申报单位"),
        max_length=120,
        required=False,
        help_text=_("团体申报时填写培训机构或院校名称。"),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("报名名单（.xlsx）"), help_text=_("请使用本计划的报名模板填写。"))
    source = forms.ChoiceField(label=_("申报方式"), choices=STAFF_SOURCES, initial=Source.BODY)
    group_name = forms.CharField(
        label=_("团体申报单位"),
        max_length=120,
        required=False,
        help_text=_("团体申报时填写培训机构或院校名称。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Application.Status.choices]
    )
    q = forms.CharField(label=_("搜索"), required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
        self.fields["q"].widget.attrs["placeholder"] = _("姓名、准考证号或完整证件号码")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因（可不填）"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
