"""Double entry: a second person types each score again; equal confirms it, different flags it with both
values kept, and only the enterer corrects it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Component, Recusal, ScoreEntry
from skillcert.evaluation.services import scores as score_services
from skillcert.evaluation.services.scores import (
    score_confirm,
    score_confirm_sheet,
    score_correct,
    score_enter,
)
from skillcert.evaluation.tests.scoring import applications, scoring_plan

pytestmark = pytest.mark.django_db

EntryStatus = ScoreEntry.Status


def test_confirming_own_entry_is_refused(world):
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0], component=Component.THEORY, value=70, actor=world.body_y_exam_staff
    )
    with pytest.raises(ApplicationError) as caught:
        score_confirm(entry=entry, value=70, actor=world.body_y_exam_staff)
    assert caught.value.message == str(score_services.MSG_CONFIRM_OWN)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ENTERED and entry.confirmed_by_id is None


def test_equal_confirmation_confirms(world):
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0],
        component=Component.THEORY,
        value="70.5",
        actor=world.body_y_exam_staff,
    )
    entry = score_confirm(entry=entry, value="70.50", actor=world.body_y_admin)
    assert (entry.status, entry.confirmation_value, entry.confirmed_by_id) == (
        EntryStatus.CONFIRMED,
        Decimal("70.50"),
        world.body_y_admin.pk,
    )
    assert AuditEvent.objects.get(action="score.confirmed").data["confirmation"] == "70.50"


def test_mismatch_is_flagged_and_nothing_is_overwritten(world):
    # given a theory score of 70 entered by exam staff
    plan = scoring_plan(world, candidates=1)
    entry = score_enter(
        application=applications(plan)[0], component=Component.THEORY, value=70, actor=world.body_y_exam_staff
    )
    # when the administrator types 76 to confirm it
    entry = score_confirm(entry=entry, value=76, actor=world.body_y_admin)
    # then it is flagged, and both values are kept
    entry.refresh_from_db()
    assert (entry.status, entry.value, entry.confirmation_value) == (
        EntryStatus.MISMATCH,
        Decimal("70.00"),
        Decimal("76.00"),
    )
    event = AuditEvent.objects.get(action="score.mismatch")
    assert (event.data["entered"], event.data["confirmation"]) == ("70.00", "76.00")
    # and it cannot be confirmed again until corrected
    with pytest.raises(ApplicationError) as caught:
        score_confirm(entry=entry, value=70, actor=world.body_y_examiner)
    assert "复核不一致" in caught.value.message
    # and only the enterer may correct it
    with pytest.raises(ApplicationError) as caught:
        score_correct(entry=entry, value=76, actor=world.body_y_admin)
    assert caught.value.message == str(score_services.MSG_CORRECT_NOT_ENTERER)
    # when the enterer corrects it, it waits for confirmation again, and the audit keeps both values
    entry = score_correct(entry=entry, value=76, actor=world.body_y_exam_staff)
    assert (entry.status, entry.value, entry.confirmation_value) == (
        EntryStatus.ENTERED,
        Decimal("76.00"),
        None,
    )
    corrected = AuditEvent.objects.get(action="score.corrected")
    assert corrected.data["before"] == {"value": "70.00", "status": "mismatch", "confirmation": "76.00"}
    assert corrected.data["after"] == "76.00"
    entry = score_confirm(entry=entry, value=76, actor=world.body_y_admin)
    assert entry.status == EntryStatus.CONFIRMED


def test_recused_examiner_cannot_confirm(world):
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    entry = score_enter(
        application=application, component=Component.THEORY, value=70, actor=world.body_y_exam_staff
    )
    Recusal.objects.create(
        plan=plan,
        examiner=world.body_y_examiner,
        candidate=application.candidate,
        relationship="邻居",
        declared_at=timezone.now(),
    )
    with pytest.raises(ApplicationError) as caught:
        score_confirm(entry=entry, value=70, actor=world.body_y_examiner)
    assert caught.value.message == str(score_services.MSG_RECUSED % {"name": world.body_y_examiner.full_name})


def test_confirm_sheet_counts_confirmed_and_mismatched(world):
    plan = scoring_plan(world, candidates=2)
    first, second = applications(plan)
    a = score_enter(application=first, component=Component.THEORY, value=70, actor=world.body_y_exam_staff)
    b = score_enter(application=second, component=Component.THEORY, value=80, actor=world.body_y_exam_staff)
    outcome = score_confirm_sheet(plan=plan, values={a.pk: "70", b.pk: "81"}, actor=world.body_y_admin)
    assert (outcome.confirmed, outcome.mismatched) == (1, 1)
    assert dict(ScoreEntry.objects.values_list("pk", "status")) == {a.pk: "confirmed", b.pk: "mismatch"}
