"""Reads on evaluation specifications and the filed scope they are built on."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from skillcert.accounts.models import User
from skillcert.evaluation.models import EvaluationSpec
from skillcert.reference.models import JobType, Occupation, SkillLevel
from skillcert.registry.models import Body, FiledScope
from skillcert.registry.selectors import filed_scope_in_force


def scope_covers(*, body: Body, occupation: Occupation, job_type: JobType | None, level: SkillLevel) -> bool:
    """Whether the body's filed scope in force covers this occupation / job type / level.

    A scope row without a job type covers the occupation as a whole (every job type); a row with a job
    type covers that job type only (the registry's rule).
    """
    rows = filed_scope_in_force(body=body).filter(occupation=occupation, level=level)
    if job_type is None:
        return rows.filter(job_type__isnull=True).exists()
    return rows.filter(Q(job_type__isnull=True) | Q(job_type=job_type)).exists()


def spec_list(*, body: Body) -> QuerySet[EvaluationSpec]:
    """The body's specs, by occupation and level."""
    return (
        EvaluationSpec.objects.for_tenant(body)
        .select_related("occupation", "job_type", "level")
        .order_by("occupation__code", "job_type__name", "level__rank")
    )


def spec_get(*, body: Body, spec_id: int) -> EvaluationSpec:
    """One of the body's specs; 404 for any other."""
    try:
        return spec_list(body=body).get(pk=spec_id)
    except EvaluationSpec.DoesNotExist as error:
        raise Http404 from error


def spec_list_for_user(*, user: User) -> QuerySet[EvaluationSpec]:
    """The specs of the user's body (none for anyone who is not body staff)."""
    if not (user.is_authenticated and user.is_body_staff) or user.body is None:
        return EvaluationSpec.objects.none()
    return spec_list(body=user.body)


@dataclass(frozen=True, slots=True)
class ScopeRow:
    scope: FiledScope
    spec: EvaluationSpec | None  # None: no spec yet, create one from this row


def spec_scope_rows(*, body: Body) -> list[ScopeRow]:
    """Every scope row in force, with the body's spec for it when there is one."""
    specs = {(spec.occupation_id, spec.job_type_id, spec.level_id): spec for spec in spec_list(body=body)}
    return [
        ScopeRow(scope=row, spec=specs.get((row.occupation_id, row.job_type_id, row.level_id)))
        for row in filed_scope_in_force(body=body)
    ]


def filed_scope_get(*, body: Body, scope_id: int) -> FiledScope:
    """One scope row in force of the body; 404 for any other (or a withdrawn one)."""
    try:
        return filed_scope_in_force(body=body).get(pk=scope_id)
    except FiledScope.DoesNotExist as error:
        raise Http404 from error
