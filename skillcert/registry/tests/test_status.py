"""Suspend (整改), reinstate and revoke (退出) a filing; a body not filed may not evaluate."""

import pytest
from django.core.exceptions import ValidationError

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.registry.models import Body, FilingStatusChange
from skillcert.registry.services import (
    MSG_MAY_NOT_EVALUATE,
    body_filing_reinstate,
    body_filing_revoke,
    body_filing_suspend,
    body_require_may_evaluate,
)
from skillcert.registry.services._common import MSG_NOT_REVIEWER
from skillcert.registry.services.status import MSG_REINSTATE_NEEDS_SUSPENDED, MSG_SUSPEND_NEEDS_FILED


def test_filed_body_may_evaluate(world):
    assert body_require_may_evaluate(body=world.body_y) is None


def test_suspend_blocks_evaluation_and_reinstate_lifts_it(world):
    # Given: body_y is filed
    # When: the 浦东 reviewer suspends it for rectification
    body = body_filing_suspend(
        actor=world.pudong_reviewer, body=world.body_y, reason="抽查发现考场纪律问题，限期整改。"
    )

    # Then: it is 整改中, with the reason, a status change and an audit event
    assert (body.filing_status, body.filing_status_reason) == (
        "suspended",
        "抽查发现考场纪律问题，限期整改。",
    )
    change = FilingStatusChange.objects.get(tenant=body)
    assert (change.from_status, change.to_status, change.actor_id) == (
        "filed",
        "suspended",
        world.pudong_reviewer.pk,
    )
    event = AuditEvent.objects.get(action="body.filing_suspended")
    assert event.data == {
        "from": "filed",
        "to": "suspended",
        "reason": "抽查发现考场纪律问题，限期整改。",
        "status_change": change.pk,
    }
    # And: it may not evaluate
    with pytest.raises(ApplicationError) as error:
        body_require_may_evaluate(body=Body.objects.get(pk=body.pk))
    assert error.value.message == str(MSG_MAY_NOT_EVALUATE)

    # When: the reviewer reinstates it
    body_filing_reinstate(actor=world.pudong_reviewer, body=body, reason="整改完成，经复查合格。")

    # Then: it is filed again and may evaluate
    body.refresh_from_db()
    assert body.filing_status == "filed"
    body_require_may_evaluate(body=body)
    assert list(
        FilingStatusChange.objects.filter(tenant=body).order_by("pk").values_list("to_status", flat=True)
    ) == [
        "suspended",
        "filed",
    ]
    assert AuditEvent.objects.filter(action="body.filing_reinstated").count() == 1


def test_revoke_blocks_evaluation_for_good(world):
    # Given: body_s, filed in 闵行
    # When: the municipal admin revokes it
    body_filing_revoke(actor=world.municipal_admin, body=world.body_s, reason="出具虚假证书。")

    # Then: it is 已退出 and may not evaluate, nor be reinstated
    body = Body.objects.get(pk=world.body_s.pk)
    assert body.filing_status == "revoked"
    with pytest.raises(ApplicationError):
        body_require_may_evaluate(body=body)
    with pytest.raises(ApplicationError) as error:
        body_filing_reinstate(actor=world.municipal_admin, body=body, reason="申请恢复")
    assert error.value.message == str(MSG_REINSTATE_NEEDS_SUSPENDED)
    assert AuditEvent.objects.get(action="body.filing_revoked").data["to"] == "revoked"


def test_unfiled_body_may_not_evaluate(world, draft):
    with pytest.raises(ApplicationError) as error:
        body_require_may_evaluate(body=draft.body)
    assert error.value.message == str(MSG_MAY_NOT_EVALUATE)


def test_status_changes_need_the_district_authority_and_a_reason(world):
    with pytest.raises(ApplicationError) as error:
        body_filing_suspend(actor=world.minhang_reviewer, body=world.body_y, reason="越权")
    assert error.value.message == str(MSG_NOT_REVIEWER)
    with pytest.raises(ValidationError) as validation:
        body_filing_suspend(actor=world.pudong_reviewer, body=world.body_y, reason="")
    assert list(validation.value.message_dict) == ["reason"]
    body_filing_revoke(actor=world.pudong_reviewer, body=world.body_y, reason="退出")
    with pytest.raises(ApplicationError) as error:
        body_filing_suspend(actor=world.pudong_reviewer, body=world.body_y, reason="整改")
    assert error.value.message == str(MSG_SUSPEND_NEEDS_FILED)
    assert not FilingStatusChange.objects.filter(to_status="suspended").exists()
