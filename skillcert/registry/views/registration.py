"""评价机构备案申请: a new body's administrator opens an account and the body's draft application."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skillcert.accounts.permissions import public_view
from skillcert.registry import services
from skillcert.registry.forms import RegistrationForm
from skillcert.registry.views._helpers import errors_onto_form


@public_view
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        # A signed-in person already has an account; a second body needs its own administrator.
        return redirect("portal:dashboard")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.body_register(
                details=form.details(),
                username=data["username"],
                full_name=data["full_name"],
                mobile=data["mobile"],
                password=data["password"],
                context=request.context,
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "已创建机构管理员账户和备案申请草稿。请登录，补充评价站点和申请备案的职业（工种）与等级后提交审核。"
                ),
            )
            return redirect(f"{reverse('accounts:login')}?next={reverse('registry:filing_list')}")
    return render(request, "registry/register.html", {"form": form})


urlpatterns = [path("register/", register_view, name="register")]
