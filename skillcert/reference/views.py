"""Reference pages: the skill ladder, the occupation catalogue, and the working-day calendar (editable)."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skillcert.accounts.models import User
from skillcert.accounts.permissions import login_required_view, role_required
from skillcert.accounts.roles import Role
from skillcert.core.calendar import calendar_covers
from skillcert.core.models import CalendarDay
from skillcert.core.request_context import RequestContext
from skillcert.reference import selectors, services
from skillcert.reference.forms import CalendarDayForm, OccupationSearchForm
from skillcert.reference.permissions import require_municipal_admin


class SignedInRequest(HttpRequest):
    """A request behind an access decorator: the user is signed in; the middleware set ``context``."""

    user: User  # type: ignore[assignment]
    context: RequestContext


OCCUPATIONS_PER_PAGE = 50
# Years the calendar page lets one choose: wide enough for any deadline, narrow enough to reject junk.
CALENDAR_YEARS = range(2000, 2101)


@login_required_view
def skill_level_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "reference/skill_levels.html", {"levels": selectors.skill_level_list()})


@login_required_view
def occupation_list_view(request: HttpRequest) -> HttpResponse:
    form = OccupationSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.occupation_list(search=search), OCCUPATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "reference/occupations.html", {"form": form, "search": search, "page": page})


def _calendar_url(year: int) -> str:
    return f"{reverse('reference:calendar')}?year={year}"


def _year_param(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    if year not in CALENDAR_YEARS:
        raise Http404
    return year


@role_required(Role.AUTHORITY_ADMIN)
def calendar_list_view(request: SignedInRequest) -> HttpResponse:
    require_municipal_admin(request.user)
    year = _year_param(request)
    return render(
        request,
        "reference/calendar.html",
        {
            "year": year,
            "days": selectors.calendar_day_list(year=year),
            "covered": calendar_covers(year),
        },
    )


def _calendar_day_or_404(day: date) -> CalendarDay:
    calendar_day = selectors.calendar_day_get(day=day)
    if calendar_day is None:
        raise Http404
    return calendar_day


def _save_form(
    request: SignedInRequest, form: CalendarDayForm, calendar_day: CalendarDay | None
) -> CalendarDay | None:
    """Run the create or update service; field errors from the service land on the form."""
    if not form.is_valid():
        return None
    values = {
        "day": form.cleaned_data["date"],
        "kind": form.cleaned_data["kind"],
        "name": form.cleaned_data["name"],
    }
    try:
        if calendar_day is None:
            return services.calendar_day_create(actor=request.user, context=request.context, **values)
        return services.calendar_day_update(
            actor=request.user, calendar_day=calendar_day, context=request.context, **values
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return None


@role_required(Role.AUTHORITY_ADMIN)
@require_http_methods(["GET", "POST"])
def calendar_day_create_view(request: SignedInRequest) -> HttpResponse:
    require_municipal_admin(request.user)
    form = CalendarDayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        saved = _save_form(request, form, None)
        if saved is not None:
            messages.success(
                request, _("已保存 %(date)s %(name)s。") % {"date": saved.date, "name": saved.name}
            )
            return redirect(_calendar_url(saved.date.year))
    return render(request, "reference/calendar_day_form.html", {"form": form, "calendar_day": None})


@role_required(Role.AUTHORITY_ADMIN)
@require_http_methods(["GET", "POST"])
def calendar_day_update_view(request: SignedInRequest, day: date) -> HttpResponse:
    require_municipal_admin(request.user)
    calendar_day = _calendar_day_or_404(day)
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        saved = _save_form(request, form, calendar_day)
        if saved is not None:
            messages.success(
                request, _("已保存 %(date)s %(name)s。") % {"date": saved.date, "name": saved.name}
            )
            return redirect(_calendar_url(saved.date.year))
    else:
        form = CalendarDayForm(
            initial={"date": calendar_day.date, "kind": calendar_day.kind, "name": calendar_day.name}
        )
    return render(request, "reference/calendar_day_form.html", {"form": form, "calendar_day": calendar_day})


@role_required(Role.AUTHORITY_ADMIN)
@require_http_methods(["GET", "POST"])
def calendar_day_delete_view(request: SignedInRequest, day: date) -> HttpResponse:
    """GET asks for confirmation; only the POST of the confirmation form deletes."""
    require_municipal_admin(request.user)
    calendar_day = _calendar_day_or_404(day)
    if request.method == "POST":
        year = calendar_day.date.year
        services.calendar_day_delete(actor=request.user, calendar_day=calendar_day, context=request.context)
        messages.success(request, _("已删除 %(date)s 的日历记录。") % {"date": day})
        return redirect(_calendar_url(year))
    return render(request, "reference/calendar_day_confirm_delete.html", {"calendar_day": calendar_day})
