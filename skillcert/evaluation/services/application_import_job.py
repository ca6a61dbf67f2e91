"""The application import as a background job: the portal's upload queues it and shows its progress.

The job runs ``application_import`` (the same code as the synchronous API) in a thread of the web process,
with the job's progress callback; a refused file fails the job with every problem (row, column, reason)
kept in its result, exactly as the synchronous import reports them.
"""

from typing import Any

from skillcert.accounts.models import User
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import EvaluationPlan
from skillcert.evaluation.selectors.plans import user_manages_plan
from skillcert.evaluation.services.application_import import ImportRejected, application_import
from skillcert.evaluation.services.applications import MSG_NOT_MANAGER, clean_group_name, require_open
from skillcert.evaluation.spreadsheets.import_rows import ImportProblem
from skillcert.jobs.models import Job
from skillcert.jobs.runner import job_starter
from skillcert.jobs.services import JobFailed, JobProgress, job_create, job_require_running

APPLICATION_IMPORT = "evaluation.application_import"


def problems_from_result(result: dict[str, Any]) -> list[ImportProblem]:
    """The problems a failed import job kept, in the synchronous import's order."""
    return [ImportProblem(row=r, column=c, header=h, message=m) for r, c, h, m in result.get("problems", [])]


def _work(job: Job, content: bytes, progress: JobProgress) -> dict[str, Any]:
    params = job.params
    plan = EvaluationPlan.objects.select_related("tenant", "spec").get(pk=params["plan"], tenant=job.body)
    try:
        result = application_import(
            plan=plan,
            content=content,
            filename=params["filename"],
            source=params["source"],
            group_name=params["group_name"],
            actor=job.created_by,
            context=RequestContext(ip_address=params["ip"], request_id=params["request_id"]),
            progress=progress,
            before_write=lambda: job_require_running(job=job),
        )
    except ImportRejected as rejected:
        problems = [[p.row, p.column, p.header, p.message] for p in rejected.problems]
        raise JobFailed(rejected.message, result={"problems": problems}) from None
    return {
        "rows": result.rows,
        "imported": result.imported,
        "unchanged": result.unchanged,
        "candidates_created": result.candidates_created,
        "sha256": result.sha256,
    }


def application_import_start(
    *,
    plan: EvaluationPlan,
    content: bytes,
    filename: str,
    source: str,
    group_name: str = "",
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> Job:
    """Queue the import of an uploaded template for ``plan``; it runs after commit in a thread."""
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_MANAGER))
    group_name = clean_group_name(source=source, group_name=group_name)
    require_open(plan=plan)  # refuse at once what the job would refuse before reading the file
    return job_create(
        kind=APPLICATION_IMPORT,
        body=plan.tenant,
        actor=actor,
        params={
            "plan": plan.pk,
            "plan_number": plan.number,
            "filename": filename[:200],
            "source": source,
            "group_name": group_name,
            "ip": context.ip_address,
            "request_id": context.request_id,
        },
        content=content,
        start=job_starter(_work),
        context=context,
    )
