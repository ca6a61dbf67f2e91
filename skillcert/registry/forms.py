"""Forms of the registry pages. They parse input; the services decide what is allowed."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from skillcert.reference.forms import OccupationJobTypeMixin
from skillcert.reference.models import Region, SkillLevel
from skillcert.registry.models import Body, FilingApplication
from skillcert.registry.services import BodyDetails, ScopeDeclaration, SiteDeclaration


def districts():
    """The districts of the platform's province, for district choices."""
    return Region.objects.filter(
        level=Region.Level.COUNTY, in_use=True, code__startswith=settings.SKILLCERT_PROVINCE_CODE
    ).order_by("code")


class DistrictChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and the invalid marker on fields with errors."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class DetailsForm(StyledForm):
    body_name = forms.CharField(label=_("机构名称"), max_length=120)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, help_text=_("18 位，见营业执照或登记证书。")
    )
    body_kind = forms.ChoiceField(label=_("机构类别"), choices=Body.Kind.choices)
    district = DistrictChoiceField(label=_("所在区"), queryset=Region.objects.none(), empty_label=_("请选择"))
    address = forms.CharField(label=_("地址"), max_length=200)
    contact_name = forms.CharField(label=_("联系人"), max_length=40)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=20, help_text=_("对外公布的咨询电话，将显示在评价机构名录中。")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts()

    @classmethod
    def initial_from(cls, application: FilingApplication) -> dict:
        return {
            "body_name": application.body_name,
            "credit_code": application.credit_code,
            "body_kind": application.body_kind,
            "district": application.district_id,
            "address": application.address,
            "contact_name": application.contact_name,
            "contact_phone": application.contact_phone,
        }

    def details(self) -> BodyDetails:
        data = self.cleaned_data
        return BodyDetails(
            body_name=data["body_name"],
            credit_code=data["credit_code"],
            body_kind=data["body_kind"],
            district=data["district"],
            address=data["address"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )


class RegistrationForm(DetailsForm):
    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("机构管理员登录用，字母、数字或 @.+-_。")
    )
    full_name = forms.CharField(label=_("管理员姓名"), max_length=60)
    mobile = forms.CharField(label=_("管理员手机号码"), max_length=20)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(render_value=False), strip=False)
    password_confirm = forms.CharField(
        label=_("再次输入密码"), widget=forms.PasswordInput(render_value=False), strip=False
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        return data


class SiteForm(StyledForm):
    name = forms.CharField(label=_("站点名称"), max_length=120)
    address = forms.CharField(label=_("站点地址"), max_length=200)
    district = DistrictChoiceField(
        label=_("站点所在区"), queryset=Region.objects.none(), empty_label=_("请选择")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts()

    def declaration(self) -> SiteDeclaration:
        data = self.cleaned_data
        return SiteDeclaration(name=data["name"], address=data["address"], district=data["district"])


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SkillLevel) -> str:
        return obj.label


class ScopeForm(OccupationJobTypeMixin, StyledForm):
    msg_no_occupation = _("职业编码：目录中没有“%(code)s”。")
    msg_no_job_type = _("工种：职业“%(occupation)s”下没有“%(name)s”。")

    occupation = forms.CharField(
        label=_("职业编码"), max_length=12, help_text=_("国家职业分类大典编码，如 4-03-02-01。")
    )
    job_type = forms.CharField(
        label=_("工种（职业方向）"), max_length=80, required=False, help_text=_("无工种的职业留空。")
    )
    level = LevelChoiceField(label=_("等级"), queryset=SkillLevel.objects.none(), empty_label=_("请选择"))
    examiners = forms.IntegerField(label=_("考评员人数"), min_value=0, max_value=9999)
    internal_supervisors = forms.IntegerField(label=_("内部督导员人数"), min_value=0, max_value=9999)
    question_bank = forms.CharField(label=_("题库"), max_length=200, help_text=_("题库来源与版本。"))
    equipment = forms.CharField(label=_("场地设备"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Every rung is offered; the service explains why a rung outside 五级–一级 cannot be filed.
        self.fields["level"].queryset = SkillLevel.objects.order_by("rank")

    def declaration(self) -> ScopeDeclaration:
        data = self.cleaned_data
        return ScopeDeclaration(
            occupation=data["occupation"],
            job_type=data["job_type"],
            level=data["level"],
            examiners=data["examiners"],
            internal_supervisors=data["internal_supervisors"],
            question_bank=data["question_bank"],
            equipment=data["equipment"],
        )


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class ApproveForm(StyledForm):
    """A sequence code per declared site (the suggestion pre-filled); for a first filing, the body code."""

    body_code = forms.CharField(
        label=_("评价机构代码"),
        max_length=4,
        initial="0000",
        help_text=_("在本省（市）备案的机构为 0000；在人社部备案的机构填写人社部赋予的代码。"),
    )

    def __init__(self, *args, application: FilingApplication, suggestions: dict[int, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.site_fields: list[tuple[str, object]] = []
        for declared in application.sites.all():
            name = f"site_{declared.pk}"
            self.fields[name] = forms.CharField(
                label=_("“%(site)s”的站点序列码") % {"site": declared.name},
                max_length=6,
                initial=suggestions.get(declared.pk, ""),
                widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
                help_text=_("6 位数字，全市唯一；已预填下一个可用的序列码，可修改。"),
            )
            self.site_fields.append((name, declared))
        if application.kind != FilingApplication.Kind.INITIAL:
            del self.fields["body_code"]

    def bound_site_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _declared in self.site_fields]

    def site_codes(self) -> dict[int, str]:
        return {declared.pk: self.cleaned_data[name] for name, declared in self.site_fields}


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("机构名称"), max_length=60, required=False)
    occupation = forms.CharField(label=_("职业编码或名称"), max_length=40, required=False)
    district = forms.ChoiceField(label=_("所在区"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("全部"))] + [(r.code, r.name) for r in districts()]


class FilingSearchForm(forms.Form):
    q = forms.CharField(label=_("机构名称或信用代码"), max_length=60, required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *FilingApplication.Status.choices]
    )
