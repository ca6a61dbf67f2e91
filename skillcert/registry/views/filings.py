"""Filing applications: the list and page both sides share; the body administrator edits and submits."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import FILING_AUTHORITY_ROLES, Role
from skillcert.core.errors import ApplicationError
from skillcert.registry import selectors, services
from skillcert.registry.forms import DetailsForm, FilingSearchForm, ScopeForm, SiteForm
from skillcert.registry.models import Body, FilingApplication
from skillcert.registry.views._helpers import errors_onto_form, page_of

FILING_ROLES = FILING_AUTHORITY_ROLES | {Role.BODY_ADMIN}
EDITABLE = (FilingApplication.Status.DRAFT, FilingApplication.Status.RETURNED)


def _may_start(user) -> bool:
    if not user.has_role(Role.BODY_ADMIN) or user.body is None:
        return False
    return (
        user.body.filing_status in (Body.FilingStatus.UNFILED, Body.FilingStatus.FILED)
        and selectors.filing_open_for_body(body=user.body) is None
    )


@role_required(*FILING_ROLES)
def filing_list_view(request: HttpRequest) -> HttpResponse:
    form = FilingSearchForm(request.GET)
    search = form.cleaned_data if form.is_valid() else {"q": "", "status": ""}
    applications = selectors.filing_list_for_user(
        user=request.user, status=search["status"], search=search["q"]
    )
    return render(
        request,
        "registry/filing_list.html",
        {
            "form": form,
            "page": page_of(request, applications),
            "is_body": request.user.has_role(Role.BODY_ADMIN),
            "may_start": _may_start(request.user),
            "open_application": selectors.filing_open_for_body(body=request.user.body)
            if request.user.body_id
            else None,
        },
    )


@role_required(*FILING_ROLES)
def filing_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.filing_get_for_user(user=request.user, pk=pk)
    user = request.user
    return render(
        request,
        "registry/filing_detail.html",
        {
            "application": application,
            "may_edit": application.status in EDITABLE
            and selectors.user_administers_body(user=user, body=application.tenant),
            "may_review": application.status == FilingApplication.Status.SUBMITTED
            and selectors.user_reviews_district(user=user, district_code=application.district_id),
        },
    )


@role_required(Role.BODY_ADMIN)
@require_http_methods(["GET", "POST"])
def filing_start_view(request: HttpRequest) -> HttpResponse:
    """GET explains what starts; the POST of the confirmation starts it."""
    body = request.user.body
    if body is None:
        raise Http404
    if request.method == "POST":
        try:
            application = services.filing_application_start(
                actor=request.user, body=body, context=request.context
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("registry:filing_list")
        return redirect("registry:filing_edit", pk=application.pk)
    kind = FilingApplication.Kind.SCOPE_CHANGE if body.filing_status == Body.FilingStatus.FILED else "initial"
    return render(
        request,
        "registry/filing_start.html",
        {"body": body, "scope_change": kind == FilingApplication.Kind.SCOPE_CHANGE},
    )


def _editable_or_redirect(request: HttpRequest, pk: int) -> tuple[FilingApplication, HttpResponse | None]:
    application = selectors.filing_get_for_user(user=request.user, pk=pk)
    if application.status not in EDITABLE or not selectors.user_administers_body(
        user=request.user, body=application.tenant
    ):
        messages.error(request, _("该备案申请当前不能修改。"))
        return application, redirect("registry:filing_detail", pk=pk)
    return application, None


def _render_edit(
    request: HttpRequest,
    application: FilingApplication,
    *,
    details_form: DetailsForm | None = None,
    site_form: SiteForm | None = None,
    scope_form: ScopeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = application.kind == FilingApplication.Kind.INITIAL
    if details_form is None and initial:
        details_form = DetailsForm(initial=DetailsForm.initial_from(application))
    withdrawals = {row.pk for row in application.scope_withdrawals.all()}
    in_force = [] if initial else list(selectors.filed_scope_in_force(body=application.tenant))
    return render(
        request,
        "registry/filing_edit.html",
        {
            "application": application,
            "details_form": details_form,
            "site_form": site_form or SiteForm(),
            "scope_form": scope_form or ScopeForm(),
            "in_force": [(row, row.pk in withdrawals) for row in in_force],
            "existing_sites": [] if initial else list(selectors.body_sites(body=application.tenant)),
        },
        status=status,
    )


@role_required(Role.BODY_ADMIN)
@require_http_methods(["GET", "POST"])
def filing_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's page: GET shows it, POST saves the body details (sites and scope have their own posts)."""
    application, refused = _editable_or_redirect(request, pk)
    if refused:
        return refused
    if request.method == "GET":
        return _render_edit(request, application)
    form = DetailsForm(request.POST)
    if form.is_valid():
        try:
            services.filing_details_update(
                actor=request.user, application=application, details=form.details(), context=request.context
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("registry:filing_detail", pk=pk)
        else:
            messages.success(request, _("已保存机构基本信息。"))
            return redirect("registry:filing_edit", pk=pk)
    return _render_edit(request, application, details_form=form, status=422)


@role_required(Role.BODY_ADMIN)
@require_POST
def filing_site_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    application, refused = _editable_or_redirect(request, pk)
    if refused:
        return refused
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            services.filing_site_add(
                actor=request.user, application=application, site=form.declaration(), context=request.context
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已添加评价站点“%(name)s”。") % {"name": form.cleaned_data["name"]})
            return redirect("registry:filing_edit", pk=pk)
    return _render_edit(request, application, site_form=form, status=422)


@role_required(Role.BODY_ADMIN)
@require_POST
def filing_site_remove_view(request: HttpRequest, pk: int, site_pk: int) -> HttpResponse:
    application, refused = _editable_or_redirect(request, pk)
    if refused:
        return refused
    declared = get_object_or_404(application.sites.all(), pk=site_pk)
    services.filing_site_remove(actor=request.user, declared_site=declared, context=request.context)
    messages.success(request, _("已删除评价站点“%(name)s”。") % {"name": declared.name})
    return redirect("registry:filing_edit", pk=pk)


@role_required(Role.BODY_ADMIN)
@require_POST
def filing_scope_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    application, refused = _editable_or_redirect(request, pk)
    if refused:
        return refused
    form = ScopeForm(request.POST)
    if form.is_valid():
        try:
            services.filing_scope_add(
                actor=request.user, application=application, scope=form.declaration(), context=request.context
            )
        except ValidationError as error:
            errors_onto_form(form, error, rename={"scope": "__all__"})
        else:
            messages.success(request, _("已添加一项备案范围。"))
            return redirect("registry:filing_edit", pk=pk)
    return _render_edit(request, application, scope_form=form, status=422)


@role_required(Role.BODY_ADMIN)
@require_POST
def filing_scope_remove_view(request: HttpRequest, pk: int, row_pk: int) -> HttpResponse:
    application, refused = _editable_or_redirect(request, pk)
    if refused:
        return refused
    row = get_object_or_404(application.scope_requests.all(), pk=row_pk)
    services.filing_scope_remove(actor=request.user, scope_request=row, context=request.context)
    messages.success(request, _("已删除一项备案范围。"))
    return redirect("registry:filing_edit", pk=pk)


@role_required(Role.BODY_ADMIN)
@require_POST
def filing_withdrawal_view(request: HttpRequest, pk: int, scope_pk: int) -> HttpResponse:
    """Tick (withdraw=1) or untick a row of the scope in force to drop it with this scope change."""
    application, refused = _editable_or_redirect(request, pk)
    if refused:
        return refused
    filed_scope = get_object_or_404(selectors.filed_scope_in_force(body=application.tenant), pk=scope_pk)
    try:
        services.filing_scope_withdrawal_set(
            actor=request.user,
            application=application,
            filed_scope=filed_scope,
            withdraw=request.POST.get("withdraw") == "1",
            context=request.context,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("registry:filing_edit", pk=pk)


@role_required(Role.BODY_ADMIN)
@require_http_methods(["GET", "POST"])
def filing_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows what will be sent to the authority; the POST of the confirmation submits it."""
    application, refused = _editable_or_redirect(request, pk)
    if refused:
        return refused
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.filing_submit(actor=request.user, application=application, context=request.context)
        except ValidationError as error:
            problems = [message for messages_ in error.message_dict.values() for message in messages_]
        except ApplicationError as error:
            problems = [error.message]
        else:
            messages.success(request, _("备案申请已提交，等待所在区人社部门审核。"))
            return redirect("registry:filing_detail", pk=pk)
    return render(
        request,
        "registry/filing_submit.html",
        {"application": application, "problems": problems},
        status=422 if problems else 200,
    )


urlpatterns = [
    path("filings/", filing_list_view, name="filing_list"),
    path("filings/new/", filing_start_view, name="filing_start"),
    path("filings/<int:pk>/", filing_detail_view, name="filing_detail"),
    path("filings/<int:pk>/edit/", filing_edit_view, name="filing_edit"),
    path("filings/<int:pk>/sites/", filing_site_add_view, name="filing_site_add"),
    path("filings/<int:pk>/sites/<int:site_pk>/remove/", filing_site_remove_view, name="filing_site_remove"),
    path("filings/<int:pk>/scope/", filing_scope_add_view, name="filing_scope_add"),
    path("filings/<int:pk>/scope/<int:row_pk>/remove/", filing_scope_remove_view, name="filing_scope_remove"),
    path("filings/<int:pk>/withdrawals/<int:scope_pk>/", filing_withdrawal_view, name="filing_withdrawal"),
    path("filings/<int:pk>/submit/", filing_submit_view, name="filing_submit"),
]
