"""Forms of the accounts pages: they check shape; the services check the rules again and decide."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.identity import normalise_id_number
from skillcert.accounts.models import Candidate
from skillcert.accounts.services import REVEAL_REASON_MIN_LENGTH, clean_mobile


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and ``is-invalid`` on the widgets of fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if field.help_text:
                field.widget.attrs.setdefault("aria-describedby", f"id_{name}_helptext")

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs["class"]:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class LoginForm(StyledForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    # strip=False: a password is taken exactly as typed (no trimming, no case folding).
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    # The proof of work of an account that has failed too often; the login page writes these hidden fields
    # itself, with the challenge it was just given (never one sent back from the browser).
    challenge = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    solution = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class SecondFactorForm(StyledForm):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        help_text=_("认证器应用上显示的 6 位数字；手机不在身边时，可输入一个恢复码。"),
        error_messages={"required": _("请填写验证码。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            autocomplete="one-time-code", autofocus=True, inputmode="text"
        )


class EnrolmentForm(StyledForm):
    code = forms.CharField(
        label=_("验证码"),
        max_length=10,
        help_text=_("扫码添加后，认证器应用上显示的 6 位数字。"),
        error_messages={"required": _("请填写认证器上显示的 6 位验证码。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocomplete="one-time-code", inputmode="numeric")


class ReauthenticateForm(StyledForm):
    password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("更换认证器前须再次输入密码。"),
    )


class PasswordChangeForm(StyledForm):
    current_password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    new_password_confirm = forms.CharField(
        label=_("确认新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if (
            cleaned.get("new_password")
            and cleaned.get("new_password_confirm")
            and cleaned["new_password"] != cleaned["new_password_confirm"]
        ):
            self.add_error("new_password_confirm", _("两次输入的新密码不一致。"))
        return cleaned


class RegisterForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=60, help_text=_("与证件上的姓名一致。"))
    id_type = forms.ChoiceField(
        label=_("证件类型"), choices=Candidate.IdType.choices, initial=Candidate.IdType.RESIDENT_ID
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=40)
    claim_code = forms.CharField(
        label=_("认领码"),
        max_length=20,
        required=False,
        help_text=_("已由评价机构登记的考生，请填写准考证上的认领码。"),
    )
    mobile = forms.CharField(label=_("手机号码"), max_length=20, help_text=_("11 位中国大陆手机号码。"))
    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("登录时使用；可含字母、数字和 @ . + - _。")
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password_confirm = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Copied from paper; the browser must not offer earlier entries or "correct" it.
        self.fields["claim_code"].widget.attrs.update(
            autocomplete="off", autocapitalize="none", spellcheck="false", placeholder="xxxxx-xxxxx"
        )

    def clean_mobile(self) -> str:
        return clean_mobile(self.cleaned_data["mobile"], required=True)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("id_type") and cleaned.get("id_number"):
            try:
                normalise_id_number(id_type=cleaned["id_type"], id_number=cleaned["id_number"])
            except ValidationError as error:
                self.add_error("id_number", error)
        if (
            cleaned.get("password")
            and cleaned.get("password_confirm")
            and cleaned["password"] != cleaned["password_confirm"]
        ):
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        return cleaned


class RevealForm(StyledForm):
    reason = forms.CharField(
        label=_("查看原因"),
        max_length=200,
        help_text=format_lazy(
            _("查看完整证件号码将记入审计日志，请写明原因（至少 {min} 个字）。"), min=REVEAL_REASON_MIN_LENGTH
        ),
        error_messages={"required": _("请填写查看原因。")},
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < REVEAL_REASON_MIN_LENGTH:
            raise ValidationError(
                _("查看原因太短：请至少写 %(min)d 个字，说明为何需要完整证件号码。"),
                params={"min": REVEAL_REASON_MIN_LENGTH},
                code="reason_short",
            )
        return reason
