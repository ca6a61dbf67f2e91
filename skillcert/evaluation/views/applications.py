"""Application pages for the body's staff: the plan's list, registering one person, the Excel template
and import (with every problem listed and downloadable), withdrawal, admission tickets, a new claim code
for a candidate who has no account yet.

Plans are looked up through the scoped selector (out of scope is 404); applications through their plan.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from skillcert.accounts.claim_codes import claim_code_bodies
from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import BODY_MANAGER_ROLES, BODY_ROLES, STAFF_ROLES
from skillcert.accounts.services import candidate_claim_code_reissue
from skillcert.core.errors import ApplicationError
from skillcert.core.forms import apply_errors
from skillcert.evaluation.forms.applications import (
    ApplicationFilterForm,
    ImportForm,
    RegisterForm,
    WithdrawForm,
)
from skillcert.evaluation.models import EvaluationPlan
from skillcert.evaluation.selectors.applications import (
    TICKET_STATUSES,
    application_counts,
    application_get_for_plan,
    application_list_for_plan,
    application_ticket_available,
    plan_places_left,
    plan_ticket_applications,
)
from skillcert.evaluation.selectors.plans import plan_get_for_user, user_manages_plan
from skillcert.evaluation.services.application_import_job import (
    APPLICATION_IMPORT,
    application_import_start,
    problems_from_result,
)
from skillcert.evaluation.services.applications import application_register, application_withdraw
from skillcert.evaluation.spreadsheets.import_rows import ImportProblem
from skillcert.evaluation.spreadsheets.problems import problems_csv
from skillcert.evaluation.spreadsheets.reader import MAX_UPLOAD_BYTES
from skillcert.evaluation.spreadsheets.template import (
    application_template_filename,
    application_template_workbook,
)
from skillcert.evaluation.tickets import plan_tickets_filename, ticket_filename, tickets_pdf
from skillcert.jobs.models import Job
from skillcert.jobs.selectors import job_get_for_body
from skillcert.jobs.services import jobs_fail_stale

APPLICATIONS_PER_PAGE = 50
PROBLEMS_SESSION_KEY = "evaluation.import_problems"
PROBLEMS_PER_PAGE = 200
PROBLEMS_KEPT = 2000  # problems kept in the session for the download (the page shows them all)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan(request: HttpRequest, plan_id: int) -> EvaluationPlan:
    return plan_get_for_user(user=request.user, plan_id=plan_id)


def _managed_plan(request: HttpRequest, plan_id: int) -> EvaluationPlan:
    plan = _plan(request, plan_id)
    if not user_manages_plan(user=request.user, plan=plan):
        raise Http404
    return plan


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _private(response: HttpResponse) -> HttpResponse:
    # Tickets of people without an account carry their claim code: no shared or browser cache keeps them.
    response["Cache-Control"] = "no-store, private"
    return response


@role_required(*STAFF_ROLES)
def plan_applications_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = ApplicationFilterForm(request.GET)
    status = search = ""
    if form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"]
    applications = application_list_for_plan(plan=plan, status=status, search=search)
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    unclaimed = [a.candidate_id for a in page if a.candidate.user_id is None]
    code_bodies = claim_code_bodies(unclaimed) if unclaimed else {}
    return render(
        request,
        "evaluation/applications/list.html",
        {
            # The candidates whose claim code this body hands out (it registered them; no account yet).
            "claim_code_candidates": {c for c, body in code_bodies.items() if body == plan.tenant_id},
            "plan": plan,
            "form": form,
            "page": page,
            "filtered": bool(status or search),
            "counts": application_counts(plan=plan),
            "places_left": plan_places_left(plan=plan),
            "manages": user_manages_plan(user=request.user, plan=plan),
            "open": plan.status == EvaluationPlan.Status.ACKNOWLEDGED,
            "tickets": plan.status in TICKET_STATUSES and request.user.is_body_staff,
        },
    )


@role_required(*BODY_MANAGER_ROLES)
def application_register_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _managed_plan(request, plan_id)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = application_register(
                plan=plan,
                name=data["name"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                evidence=form.evidence(),
                source=data["source"],
                group_name=data["group_name"],
                actor=request.user,
                context=request.context,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(
                error.extra.get("field") if error.extra.get("field") in form.fields else None, error.message
            )
        else:
            if application.status == application.Status.ELIGIBLE:
                messages.success(
                    request,
                    _("已登记 %(name)s，准考证号 %(ticket)s。")
                    % {"name": application.candidate.name, "ticket": application.ticket_number},
                )
            else:
                messages.warning(
                    request,
                    _("已登记 %(name)s，但不符合申报条件：%(why)s")
                    % {"name": application.candidate.name, "why": application.eligibility_explanation},
                )
            return redirect("evaluation:plan_applications", plan_id=plan.pk)
    return render(request, "evaluation/applications/register.html", {"plan": plan, "form": form})


@role_required(*BODY_MANAGER_ROLES)
def application_withdraw_view(request: HttpRequest, plan_id: int, application_id: int) -> HttpResponse:
    plan = _managed_plan(request, plan_id)
    application = application_get_for_plan(plan=plan, application_id=application_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(
                application=application,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                context=request.context,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已撤回 %(name)s 的报名。") % {"name": application.candidate.name})
            return redirect("evaluation:plan_applications", plan_id=plan.pk)
    return render(
        request,
        "evaluation/applications/withdraw.html",
        {"plan": plan, "application": application, "form": form},
    )


@role_required(*BODY_MANAGER_ROLES)
@never_cache
def application_claim_code_view(request: HttpRequest, plan_id: int, application_id: int) -> HttpResponse:
    """A new claim code for a candidate without an account: a confirmation page, then (POST) the code once."""
    plan = _managed_plan(request, plan_id)
    application = application_get_for_plan(plan=plan, application_id=application_id)
    code = ""
    if request.method == "POST":
        try:
            code = candidate_claim_code_reissue(
                candidate=application.candidate, actor=request.user, context=request.context
            )
        except ApplicationError as error:
            messages.error(request, error.message)
    return render(
        request,
        "evaluation/applications/claim_code.html",
        {"plan": plan, "application": application, "code": code},
    )


@role_required(*BODY_MANAGER_ROLES)
def plan_application_template_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _managed_plan(request, plan_id)
    return _download(application_template_workbook(plan=plan), XLSX, application_template_filename(plan=plan))


def _remember_problems(request: HttpRequest, plan: EvaluationPlan, problems: list[ImportProblem]) -> None:
    kept = [[p.row, p.column, p.header, p.message] for p in problems[:PROBLEMS_KEPT]]
    request.session[PROBLEMS_SESSION_KEY] = {"plan": plan.pk, "problems": kept}


@role_required(*BODY_MANAGER_ROLES)
def plan_application_import_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _managed_plan(request, plan_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"plan": plan, "form": form, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("文件不能大于 %(mb)d MB。") % {"mb": context["max_mb"]})
            return render(request, "evaluation/applications/import.html", context)
        try:
            job = application_import_start(
                plan=plan,
                content=upload.read(),
                filename=upload.name or "",
                source=form.cleaned_data["source"],
                group_name=form.cleaned_data["group_name"],
                actor=request.user,
                context=request.context,
            )
        except ApplicationError as error:
            form.add_error(
                error.extra.get("field") if error.extra.get("field") in form.fields else None, error.message
            )
        else:
            return redirect("evaluation:plan_application_import_job", plan_id=plan.pk, job_uuid=job.uuid)
    return render(request, "evaluation/applications/import.html", context)


def _import_job(request: HttpRequest, plan_id: int, job_uuid: UUID) -> tuple[EvaluationPlan, Job]:
    """The plan (managed by the user) and its import job; 404 for any other body's or plan's job."""
    plan = _managed_plan(request, plan_id)
    jobs_fail_stale()  # a job whose thread died with a restart must not show "进行中" for ever
    job = job_get_for_body(body=plan.tenant, job_uuid=job_uuid, kind=APPLICATION_IMPORT)
    if job.params.get("plan") != plan.pk:
        raise Http404
    return plan, job


def _import_job_context(request: HttpRequest, plan: EvaluationPlan, job: Job) -> dict:
    problems = problems_from_result(job.result) if job.status == Job.Status.FAILED else []
    if problems:
        _remember_problems(request, plan, problems)
    return {
        "plan": plan,
        "job": job,
        "problems": Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page")),
        "problem_count": len(problems),
        "result": job.result if job.status == Job.Status.SUCCEEDED else None,
    }


@role_required(*BODY_MANAGER_ROLES)
def plan_application_import_job_view(request: HttpRequest, plan_id: int, job_uuid: UUID) -> HttpResponse:
    plan, job = _import_job(request, plan_id, job_uuid)
    return render(request, "evaluation/applications/import_job.html", _import_job_context(request, plan, job))


@role_required(*BODY_MANAGER_ROLES)
def plan_application_import_job_status_view(
    request: HttpRequest, plan_id: int, job_uuid: UUID
) -> HttpResponse:
    """The progress fragment that the job page polls every second while the job runs."""
    plan, job = _import_job(request, plan_id, job_uuid)
    return render(
        request, "evaluation/applications/_import_job_status.html", _import_job_context(request, plan, job)
    )


@role_required(*BODY_MANAGER_ROLES)
def plan_application_import_problems_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _managed_plan(request, plan_id)
    stored = request.session.get(PROBLEMS_SESSION_KEY) or {}
    if stored.get("plan") != plan.pk:
        raise Http404
    problems = [ImportProblem(row=r, column=c, header=h, message=m) for r, c, h, m in stored["problems"]]
    return _download(problems_csv(problems), "text/csv; charset=utf-8", f"import-problems-{plan.number}.csv")


@role_required(*BODY_ROLES)
def application_ticket_view(request: HttpRequest, plan_id: int, application_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    application = application_get_for_plan(plan=plan, application_id=application_id)
    if not application_ticket_available(application=application):
        raise Http404
    return _private(
        _download(tickets_pdf(applications=[application]), "application/pdf", ticket_filename(application))
    )


@role_required(*BODY_ROLES)
def plan_tickets_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if plan.status not in TICKET_STATUSES:
        raise Http404
    applications = plan_ticket_applications(plan=plan)
    if not applications:
        messages.info(request, _("本计划还没有资格审核通过的考生，暂无准考证。"))
        return redirect("evaluation:plan_applications", plan_id=plan.pk)
    return _private(
        _download(tickets_pdf(applications=applications), "application/pdf", plan_tickets_filename(plan))
    )


urlpatterns = [
    path("plans/<int:plan_id>/applications/", plan_applications_view, name="plan_applications"),
    path("plans/<int:plan_id>/applications/new/", application_register_view, name="application_register"),
    path(
        "plans/<int:plan_id>/applications/<int:application_id>/withdraw/",
        application_withdraw_view,
        name="application_withdraw",
    ),
    path(
        "plans/<int:plan_id>/applications/<int:application_id>/claim-code/",
        application_claim_code_view,
        name="application_claim_code",
    ),
    path(
        "plans/<int:plan_id>/applications/<int:application_id>/ticket.pdf",
        application_ticket_view,
        name="application_ticket",
    ),
    path(
        "plans/<int:plan_id>/applications/template.xlsx",
        plan_application_template_view,
        name="plan_application_template",
    ),
    path(
        "plans/<int:plan_id>/applications/import/",
        plan_application_import_view,
        name="plan_application_import",
    ),
    path(
        "plans/<int:plan_id>/applications/import/jobs/<uuid:job_uuid>/",
        plan_application_import_job_view,
        name="plan_application_import_job",
    ),
    path(
        "plans/<int:plan_id>/applications/import/jobs/<uuid:job_uuid>/status/",
        plan_application_import_job_status_view,
        name="plan_application_import_job_status",
    ),
    path(
        "plans/<int:plan_id>/applications/import/problems.csv",
        plan_application_import_problems_view,
        name="plan_application_import_problems",
    ),
    path("plans/<int:plan_id>/tickets.pdf", plan_tickets_view, name="plan_tickets"),
]
