"""Portal pages for API tokens: list one's own, create one (the key is shown once), revoke one."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from skillcert.accounts.models import ApiToken
from skillcert.accounts.permissions import login_required_view
from skillcert.accounts.tokens import (
    NAME_MAX_LENGTH,
    SCOPE_INVALID_MESSAGE,
    ApiTokenNotAllowed,
    api_token_create,
    api_token_list,
    api_token_may_create,
    api_token_revoke,
    api_token_state,
)
from skillcert.core.errors import ApplicationError


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("令牌名称"),
        max_length=NAME_MAX_LENGTH,
        help_text=gettext_lazy("写明用途，例如“考务系统对接”，便于日后识别和撤销。"),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("令牌权限"),
        choices=[
            (ApiToken.Scope.READ, gettext_lazy("只读：只能查询数据，例如统计系统拉取证书")),
            (ApiToken.Scope.READ_WRITE, gettext_lazy("读写：可执行您的账号有权进行的全部操作")),
        ],
        # Least privilege: writing is something the user asks for.
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择令牌权限：只读或读写。"),
            "invalid_choice": SCOPE_INVALID_MESSAGE,
        },
        help_text=gettext_lazy("只读令牌调用修改数据的接口时会被拒绝；只在对接系统确需写入时选择“读写”。"),
    )


@login_required_view
@require_http_methods(["GET"])
def token_list_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        {"token": token, "state": api_token_state(token=token, at=now)}
        for token in api_token_list(user=request.user)  # type: ignore[arg-type]
    ]
    return render(
        request,
        "accounts/tokens.html",
        {"rows": rows, "may_create": api_token_may_create(user=request.user)},  # type: ignore[arg-type]
    )


@login_required_view
@require_http_methods(["GET", "POST"])
def token_create_view(request: HttpRequest) -> HttpResponse:
    if not api_token_may_create(user=request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                actor=request.user,  # type: ignore[arg-type]
                context=request.context,  # type: ignore[attr-defined]
            )
        except ApiTokenNotAllowed as exc:
            raise PermissionDenied from exc
        # Rendered, not redirected: the key must never pass through the session or a later page.
        response = render(request, "accounts/tokens_created.html", {"token": token, "key": key})
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "accounts/tokens_create.html",
        {"form": form, "token_days": settings.SKILLCERT_API_TOKEN_DAYS},
    )


@login_required_view
@require_http_methods(["GET", "POST"])
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    # Through the owner's list: another user's token is simply not there (404).
    token = get_object_or_404(api_token_list(user=request.user), pk=token_id)  # type: ignore[arg-type]
    if request.method == "POST":
        try:
            api_token_revoke(token=token, actor=request.user, context=request.context)  # type: ignore[arg-type,attr-defined]
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("接口令牌“%(name)s”已撤销，使用它的系统将立即无法访问。") % {"name": token.name}
            )
        return redirect("accounts:tokens")
    return render(request, "accounts/tokens_revoke.html", {"token": token})
