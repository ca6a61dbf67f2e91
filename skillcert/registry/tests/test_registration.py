"""Registration of a new body: account, unfiled body and draft application; duplicate credit codes."""

import pytest
from django.core.exceptions import ValidationError

from skillcert.accounts.roles import Role
from skillcert.core.models import AuditEvent
from skillcert.registry.models import Body, FilingApplication
from skillcert.registry.services._common import MSG_CREDIT_CODE_TAKEN, MSG_DISTRICT
from skillcert.registry.services.registration import MSG_USERNAME_TAKEN
from skillcert.registry.tests.conftest import NEW_BODY_PASSWORD, credit_code, details, register


def test_register_creates_unfiled_body_admin_and_draft(world):
    # Given: nothing about 上海新港智能制造有限公司 is known
    # When: its administrator registers
    registered = register(district=world.pudong)

    # Then: an unfiled body, its administrator and a draft initial application exist
    body = Body.objects.get(credit_code=credit_code("91310115MA1K4XQ2P"))
    assert body.filing_status == Body.FilingStatus.UNFILED
    assert (body.name, body.kind, body.district_id) == ("上海新港智能制造有限公司", "Y", "310115")
    admin = registered.admin
    assert admin.body_id == body.pk
    assert admin.role_set == frozenset({Role.BODY_ADMIN})
    assert admin.check_password(NEW_BODY_PASSWORD)
    assert (admin.full_name, admin.mobile) == ("王敏", "13800138000")
    application = registered.application
    assert (application.tenant_id, application.kind, application.status) == (
        body.pk,
        FilingApplication.Kind.INITIAL,
        FilingApplication.Status.DRAFT,
    )
    assert application.credit_code == body.credit_code
    # And: both steps are audited, by the new administrator
    events = list(AuditEvent.objects.order_by("sequence").values_list("action", "actor_id", "target_id"))
    assert events == [
        ("body.registered", admin.pk, str(body.pk)),
        ("filing.created", admin.pk, str(application.pk)),
    ]


def test_register_refuses_a_credit_code_already_registered(world):
    # Given: body_y is registered with its code
    # When: someone registers with the same code
    with pytest.raises(ValidationError) as error:
        register(district=world.pudong, code=world.body_y.credit_code)

    # Then: the credit code field says so and nothing is created
    assert error.value.message_dict["credit_code"] == [str(MSG_CREDIT_CODE_TAKEN)]
    assert Body.objects.count() == 2
    assert not AuditEvent.objects.exists()


def test_register_reports_every_bad_field(world):
    # Given: a bad check character, a district outside the city, a taken username, a weak password
    bad = details(district=world.shanghai, code="91310115MA1K4XQ2PX")

    # When: registering
    from skillcert.registry.services import body_register

    with pytest.raises(ValidationError) as error:
        body_register(
            details=bad, username=world.body_y_admin.username, full_name="王敏", mobile="123", password="123"
        )

    # Then: each field names its own problem
    messages = error.value.message_dict
    assert set(messages) == {"credit_code", "district", "username", "mobile", "password"}
    assert "校验码错误" in messages["credit_code"][0]
    assert messages["district"] == [str(MSG_DISTRICT)]
    assert messages["username"] == [str(MSG_USERNAME_TAKEN)]
    assert Body.objects.count() == 2
