"""Minimal ORM builders for the certificates tests: a plan at a given status with passed applications.

Built directly with the ORM (not through the evaluation services) so that these tests exercise issuance
only. Candidates carry a real ciphertext, blind index and mask of a made-up ID number.
"""

import itertools

from skillcert.accounts.identity import id_number_blind_index
from skillcert.accounts.models import Candidate, User
from skillcert.accounts.services import ID_NUMBER_PURPOSE
from skillcert.core.personal_data import encrypt, mask_id_number
from skillcert.evaluation.models import Application, EvaluationPlan, EvaluationSpec
from skillcert.reference.models import JobType, Occupation, SkillLevel
from skillcert.registry.models import Site

_sequence = itertools.count(1)


def make_spec(*, site: Site, level_code: str = "L3", job_type: str | None = None) -> EvaluationSpec:
    """A spec of the site's body: 焊工 with the named 工种, or 中式烹调师 (no 工种) without one."""
    if job_type is None:
        occupation = Occupation.objects.get(code="4-03-02-01")  # 中式烹调师
        job = None
    else:
        occupation = Occupation.objects.get(code="6-18-02-04")  # 焊工
        job = JobType.objects.get(occupation=occupation, name=job_type)
    return EvaluationSpec.objects.create(
        tenant=site.tenant, occupation=occupation, job_type=job, level=SkillLevel.objects.get(code=level_code)
    )


def make_plan(
    *,
    site: Site,
    level_code: str = "L3",
    status: str = EvaluationPlan.Status.RESULTS_APPROVED,
    job_type: str | None = None,
) -> EvaluationPlan:
    n = next(_sequence)
    return EvaluationPlan.objects.create(
        tenant=site.tenant,
        number=f"P{n:06d}",
        spec=make_spec(site=site, level_code=level_code, job_type=job_type),
        site=site,
        capacity=500,
        status=status,
    )


def make_candidate(
    *, name: str | None = None, user: User | None = None, id_number: str | None = None
) -> Candidate:
    """A candidate stored as the accounts service stores one (same encryption purpose and blind index)."""
    n = next(_sequence)
    id_number = id_number or f"31011519900101{n:04d}"
    return Candidate.objects.create(
        user=user,
        name=name or f"考生{n}",
        id_type=Candidate.IdType.RESIDENT_ID,
        id_number_ciphertext=encrypt(id_number, purpose=ID_NUMBER_PURPOSE),
        id_number_index=id_number_blind_index(id_type=Candidate.IdType.RESIDENT_ID, number=id_number),
        id_number_masked=mask_id_number(id_number),
    )


def add_application(
    *,
    plan: EvaluationPlan,
    candidate: Candidate | None = None,
    result: str = Application.Result.PASSED,
    ticket_number: str | None = None,
) -> Application:
    return Application.objects.create(
        tenant=plan.tenant,
        plan=plan,
        candidate=candidate or make_candidate(),
        status=Application.Status.ELIGIBLE,
        result=result,
        ticket_number=ticket_number,
    )


def add_passed(*, plan: EvaluationPlan, count: int) -> list[Application]:
    """``count`` passed applications, with admission tickets in creation order."""
    return [
        add_application(plan=plan, ticket_number=f"{plan.number}-{index:04d}")
        for index in range(1, count + 1)
    ]


def issue_certificates(
    *,
    plan: EvaluationPlan,
    actor: User,
    candidates: list[Candidate] | None = None,
    count: int = 1,
    issue_date=None,
) -> list:
    """Issue the plan's certificates through the real service: to ``candidates``, or to ``count`` new ones."""
    from skillcert.certificates.services import certificates_issue_for_plan

    if candidates is None:
        add_passed(plan=plan, count=count)
    else:
        for index, candidate in enumerate(candidates, start=1):
            add_application(plan=plan, candidate=candidate, ticket_number=f"{plan.number}-{index:04d}")
    return certificates_issue_for_plan(plan=plan, actor=actor, issue_date=issue_date)
