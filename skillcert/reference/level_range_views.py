"""The level ranges page (可评价等级范围): everyone signed in reads it and downloads it as Excel; the
municipal administrator adds, edits, deletes (with confirmation) and imports ranges, each change audited."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skillcert.accounts.permissions import login_required_view, role_required
from skillcert.accounts.roles import Role
from skillcert.core.errors import ApplicationError
from skillcert.evaluation.spreadsheets.reader import MAX_UPLOAD_BYTES
from skillcert.reference import selectors, services
from skillcert.reference.forms import (
    LevelRangeForm,
    LevelRangeImportForm,
    LevelRangeLevelsForm,
    LevelRangeSearchForm,
)
from skillcert.reference.level_range_sheets import (
    ImportProblem,
    LevelRangeImportRejected,
    level_range_filename,
    level_range_import,
    level_range_workbook,
)
from skillcert.reference.models import LevelRange
from skillcert.reference.permissions import is_municipal_admin, require_municipal_admin
from skillcert.reference.views import SignedInRequest

OCCUPATIONS_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_url(level_range: LevelRange | None = None) -> str:
    """The ranges page, searched for the range's occupation so that the change is in view."""
    url = reverse("reference:level_ranges")
    return f"{url}?{urlencode({'q': level_range.occupation.code})}" if level_range else url


@login_required_view
def level_range_list_view(request: HttpRequest) -> HttpResponse:
    form = LevelRangeSearchForm(request.GET)
    valid = form.is_valid()
    occupations = selectors.level_range_occupations(
        search=form.cleaned_data["q"] if valid else "",
        recorded_only=form.cleaned_data["recorded"] if valid else False,
    )
    page = Paginator(occupations, OCCUPATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reference/level_ranges.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.level_range_rows(occupations=page.object_list),
            "may_edit": is_municipal_admin(request.user),  # type: ignore[arg-type]
        },
    )


@login_required_view
def level_range_export_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(level_range_workbook(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{level_range_filename()}"'
    return response


def _errors_onto(form: LevelRangeLevelsForm, error: ValidationError) -> None:
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@role_required(Role.AUTHORITY_ADMIN)
@require_http_methods(["GET", "POST"])
def level_range_create_view(request: SignedInRequest) -> HttpResponse:
    require_municipal_admin(request.user)
    if request.method == "POST":
        form = LevelRangeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                level_range = services.level_range_create(
                    actor=request.user,
                    occupation=data["occupation"],
                    job_type=data["job_type"],
                    lowest=data["lowest"],
                    highest=data["highest"],
                    context=request.context,
                )
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                messages.success(request, _("已保存 %(range)s。") % {"range": level_range})
                return redirect(_list_url(level_range))
    else:
        # Links from the list pre-fill the occupation and job type (?occupation=…&job_type=…).
        form = LevelRangeForm(
            initial={
                "occupation": request.GET.get("occupation", "")[:12],
                "job_type": request.GET.get("job_type", "")[:80],
            }
        )
    return render(request, "reference/level_range_form.html", {"form": form, "level_range": None})


def _level_range_or_404(pk: int) -> LevelRange:
    level_range = selectors.level_range_get(pk=pk)
    if level_range is None:
        raise Http404
    return level_range


@role_required(Role.AUTHORITY_ADMIN)
@require_http_methods(["GET", "POST"])
def level_range_update_view(request: SignedInRequest, pk: int) -> HttpResponse:
    require_municipal_admin(request.user)
    level_range = _level_range_or_404(pk)
    if request.method == "POST":
        form = LevelRangeLevelsForm(request.POST)
        if form.is_valid():
            try:
                services.level_range_update(
                    actor=request.user,
                    level_range=level_range,
                    lowest=form.cleaned_data["lowest"],
                    highest=form.cleaned_data["highest"],
                    context=request.context,
                )
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                messages.success(request, _("已保存 %(range)s。") % {"range": level_range})
                return redirect(_list_url(level_range))
    else:
        form = LevelRangeLevelsForm(initial={"lowest": level_range.lowest, "highest": level_range.highest})
    return render(request, "reference/level_range_form.html", {"form": form, "level_range": level_range})


@role_required(Role.AUTHORITY_ADMIN)
@require_http_methods(["GET", "POST"])
def level_range_delete_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; only the POST of the confirmation form deletes."""
    require_municipal_admin(request.user)
    level_range = _level_range_or_404(pk)
    fallback = (
        selectors.level_range_resolve(occupation=level_range.occupation) if level_range.job_type else None
    )
    if request.method == "POST":
        label = str(level_range)
        services.level_range_delete(actor=request.user, level_range=level_range, context=request.context)
        messages.success(request, _("已删除 %(range)s。") % {"range": label})
        return redirect(_list_url(level_range))
    return render(
        request,
        "reference/level_range_confirm_delete.html",
        {"level_range": level_range, "fallback": fallback},
    )


@role_required(Role.AUTHORITY_ADMIN)
@require_http_methods(["GET", "POST"])
def level_range_import_view(request: SignedInRequest) -> HttpResponse:
    require_municipal_admin(request.user)
    form = LevelRangeImportForm(request.POST or None, request.FILES or None)
    problems: list[ImportProblem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ApplicationError(_("文件过大，请拆分后重新上传。"))
            result = level_range_import(
                content=upload.read(), filename=upload.name or "", actor=request.user, context=request.context
            )
        except LevelRangeImportRejected as error:
            form.add_error(None, error.message)
            problems = error.problems
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("已导入 %(rows)d 行：新增 %(created)d 个、修改 %(updated)d 个范围，%(unchanged)d 个未变。")
                % {
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("reference:level_ranges")
    return render(
        request,
        "reference/level_range_import.html",
        {"form": form, "problems": problems},
    )
