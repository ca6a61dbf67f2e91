"""Builders of scored plans, shared by the score, result, publicity, report and import tests."""

import io
from datetime import date, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from skillcert.evaluation.models import Application, Component, EvaluationPlan
from skillcert.evaluation.selectors.scores import plan_markers
from skillcert.evaluation.services.results import plan_scores_lock
from skillcert.evaluation.services.score_import import score_template_workbook
from skillcert.evaluation.services.scores import score_confirm, score_enter
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)

NAMES = ("张三明", "李四", "王五", "赵六", "钱七")


def scoring_plan(world, *, level_code: str = "L3", candidates: int = 2, capacity: int = 10, spec=None):
    """An acknowledged plan of body_y whose components began three days ago, with eligible candidates."""
    spec = spec or make_spec(world, level_code=level_code)
    plan = make_plan(world, spec=spec, capacity=capacity, first_session_at=timezone.now() - timedelta(days=3))
    for index in range(candidates):
        add_candidate(plan, index)
    return plan


def add_candidate(plan: EvaluationPlan, index: int, *, candidate=None, **fields) -> Application:
    candidate = candidate or make_candidate(
        NAMES[index % len(NAMES)], make_resident_id(date(1990, 1, 1), sequence=index + 1)
    )
    return make_application(plan, candidate, ticket_number=f"{plan.number}-{index + 1:04d}", **fields)


def applications(plan: EvaluationPlan) -> list[Application]:
    return list(plan.applications.order_by("ticket_number"))


def enter_all(plan: EvaluationPlan, scores: dict[int, dict[str, list]], *, enterer, confirmer=None) -> None:
    """Enter (and confirm when ``confirmer`` is given) every score: ticket index → component → values,
    one per marker of the component in ``plan_markers`` order (one value for theory)."""
    markers = plan_markers(plan=plan)
    apps = applications(plan)
    for index, by_component in scores.items():
        application = apps[index]
        for component, values in by_component.items():
            people = [None] if component == Component.THEORY else markers[component]
            for marker, value in zip(people, values, strict=True):
                if value is None:
                    continue
                entry = score_enter(
                    application=application, component=component, marker=marker, value=value, actor=enterer
                )
                if confirmer is not None:
                    score_confirm(entry=entry, value=value, actor=confirmer)


def all_pass(plan: EvaluationPlan, value="80") -> dict[int, dict[str, list]]:
    markers = plan_markers(plan=plan)
    components = plan.spec.components()
    return {
        index: {
            component: [value] * (1 if component == Component.THEORY else len(markers[component]))
            for component in components
        }
        for index in range(plan.applications.count())
    }


def locked_plan(world, *, scores=None, **kwargs) -> EvaluationPlan:
    """A plan scored (every score confirmed) and locked by its chief examiner."""
    plan = scoring_plan(world, **kwargs)
    enter_all(plan, scores or all_pass(plan), enterer=world.body_y_exam_staff, confirmer=world.body_y_admin)
    return plan_scores_lock(plan=plan, actor=world.body_y_examiner)


def score_template_filled(plan: EvaluationPlan, rows: dict[int, list]) -> bytes:
    """The plan's score template with data rows replaced: Excel row → values from column C on."""
    workbook = load_workbook(io.BytesIO(score_template_workbook(plan=plan)))
    sheet = workbook["成绩"]
    for row, values in rows.items():
        for offset, value in enumerate(values, start=3):
            sheet.cell(row=row, column=offset).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
