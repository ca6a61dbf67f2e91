"""Evaluation spec pages for a body's administrator and exam staff: list by filed scope, create, edit."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import BODY_MANAGER_ROLES
from skillcert.core.forms import form_action
from skillcert.evaluation.forms.specs import SpecForm
from skillcert.evaluation.selectors.specs import filed_scope_get, spec_get, spec_scope_rows
from skillcert.evaluation.services.specs import spec_create, spec_update
from skillcert.registry.models import Body


def _body(request: HttpRequest) -> Body:
    if request.user.body_id is None:
        raise Http404
    return request.user.body


@role_required(*BODY_MANAGER_ROLES)
def spec_list_view(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    return render(request, "evaluation/specs/list.html", {"body": body, "rows": spec_scope_rows(body=body)})


@role_required(*BODY_MANAGER_ROLES)
def spec_create_view(request: HttpRequest, scope_id: int) -> HttpResponse:
    body = _body(request)
    scope = filed_scope_get(body=body, scope_id=scope_id)
    form = SpecForm(request.POST or None, initial=SpecForm.initial_for_level(scope.level))
    if request.method == "POST" and form.is_valid():
        created = form_action(
            form,
            lambda: spec_create(
                body=body,
                occupation=scope.occupation,
                job_type=scope.job_type,
                level=scope.level,
                values=form.values(),
                actor=request.user,
                context=request.context,
            ),
        )
        if created is not None:
            messages.success(request, _("评价规范已建立。"))
            return redirect("evaluation:spec_list")
    return render(
        request,
        "evaluation/specs/form.html",
        {
            "form": form,
            "occupation": scope.occupation,
            "job_type": scope.job_type,
            "level": scope.level,
            "spec": None,
        },
    )


@role_required(*BODY_MANAGER_ROLES)
def spec_edit_view(request: HttpRequest, spec_id: int) -> HttpResponse:
    body = _body(request)
    spec = spec_get(body=body, spec_id=spec_id)
    form = SpecForm(request.POST or None, initial=SpecForm.initial_for_spec(spec))
    if request.method == "POST" and form.is_valid():
        updated = form_action(
            form,
            lambda: spec_update(spec=spec, values=form.values(), actor=request.user, context=request.context),
        )
        if updated is not None:
            messages.success(request, _("评价规范已保存。"))
            return redirect("evaluation:spec_list")
        spec.refresh_from_db()
    return render(
        request,
        "evaluation/specs/form.html",
        {
            "form": form,
            "occupation": spec.occupation,
            "job_type": spec.job_type,
            "level": spec.level,
            "spec": spec,
        },
    )


urlpatterns = [
    path("specs/", spec_list_view, name="spec_list"),
    path("specs/new/<int:scope_id>/", spec_create_view, name="spec_create"),
    path("specs/<int:spec_id>/edit/", spec_edit_view, name="spec_edit"),
]
