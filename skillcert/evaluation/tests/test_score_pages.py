"""The score pages: the entry and confirmation sheets, the lock page, the plan's scores panel, a change
after the lock, and 404 for another body's plan."""

from decimal import Decimal

import pytest
from django.urls import reverse

from skillcert.evaluation.models import Component, EvaluationPlan, ScoreEntry
from skillcert.evaluation.selectors.scores import plan_markers
from skillcert.evaluation.services.scores import score_enter
from skillcert.evaluation.tests.scoring import all_pass, applications, enter_all, locked_plan, scoring_plan

pytestmark = pytest.mark.django_db

Status = EvaluationPlan.Status
EntryStatus = ScoreEntry.Status


def test_entry_sheet_page_saves_all_or_nothing(world, logged_in):
    plan = scoring_plan(world, candidates=2)
    first, second = applications(plan)
    client = logged_in(world.body_y_exam_staff)
    url = reverse("evaluation:plan_scores_enter", args=[plan.pk]) + "?component=theory"
    assert first.candidate.name in client.get(url).content.decode()
    page = client.post(url, {f"score-{first.pk}": "70", f"score-{second.pk}": "700"})
    assert page.status_code == 200 and "成绩：应在 0 到 100 之间。" in page.content.decode()
    assert not ScoreEntry.objects.exists()
    assert client.post(url, {f"score-{first.pk}": "70", f"score-{second.pk}": "71"}).status_code == 302
    assert ScoreEntry.objects.count() == 2


def test_examiner_sees_only_own_sheet_and_unknown_marker_is_404(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    client = logged_in(world.body_y_examiner)
    page = client.get(reverse("evaluation:plan_scores", args=[plan.pk])).content.decode()
    assert f"marker={world.body_y_examiner.pk}" in page
    other = next(m for m in plan_markers(plan=plan)[Component.SKILLS] if m.pk != world.body_y_examiner.pk)
    assert f"marker={other.pk}" not in page
    bad = (
        reverse("evaluation:plan_scores_enter", args=[plan.pk])
        + f"?component=skills&marker={world.body_y_admin.pk}"
    )
    assert client.get(bad).status_code == 404


def test_confirm_page_does_not_show_the_entered_value(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0],
        component=Component.THEORY,
        value="73.25",
        actor=world.body_y_exam_staff,
    )
    client = logged_in(world.body_y_admin)
    url = reverse("evaluation:plan_scores_confirm", args=[plan.pk])
    page = client.get(url).content.decode()
    assert f'name="confirm-{entry.pk}"' in page and "73.25" not in page
    assert client.post(url, {f"confirm-{entry.pk}": "73.2"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.MISMATCH
    # the enterer's own entries are not offered to him for confirmation
    client = logged_in(world.body_y_exam_staff)
    assert "没有需要您复核的成绩" in client.get(url).content.decode()


def test_lock_page_for_the_chief_only(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    enter_all(plan, all_pass(plan), enterer=world.body_y_exam_staff, confirmer=world.body_y_admin)
    url = reverse("evaluation:plan_scores_lock", args=[plan.pk])
    assert logged_in(world.body_y_admin).get(url).status_code == 403  # not an examiner at all
    client = logged_in(world.body_y_examiner)
    assert "确认锁定成绩" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.SCORES_LOCKED
    results = client.get(reverse("evaluation:plan_results", args=[plan.pk])).content.decode()
    assert "80.00" in results and "合格" in results


def test_plan_page_shows_the_scores_panel(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    page = (
        logged_in(world.body_y_examiner)
        .get(reverse("evaluation:plan_detail", args=[plan.pk]))
        .content.decode()
    )
    assert 'id="panel-scores"' in page
    assert reverse("evaluation:plan_scores_lock", args=[plan.pk]) in page
    assert reverse("evaluation:plan_scores", args=[plan.pk]) in page


def test_scores_pages_of_another_body_are_404(world, logged_in):
    plan = scoring_plan(world, candidates=1)
    client = logged_in(world.body_s_admin)
    for name in (
        "plan_scores",
        "plan_scores_confirm",
        "plan_results",
        "plan_retakes",
        "plan_scores_template",
    ):
        assert client.get(reverse(f"evaluation:{name}", args=[plan.pk])).status_code == 404, name


def test_change_page_needs_a_reason(world, logged_in):
    plan = locked_plan(world, candidates=1)
    entry = ScoreEntry.objects.get(application__plan=plan, component=Component.THEORY)
    client = logged_in(world.body_y_admin)
    url = reverse("evaluation:score_change", args=[plan.pk, entry.pk])
    page = client.post(url, {"value": "70", "reason": ""})
    assert page.status_code == 200
    entry.refresh_from_db()
    assert entry.value == Decimal("80.00")
    assert client.post(url, {"value": "70", "reason": "复核时发现加分错误"}).status_code == 302
    entry.refresh_from_db()
    assert entry.value == Decimal("70.00")
