"""``skillcert credentials_backfill``: keys and status entries for data from before credentials existed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from skillcert.certificates.models import Certificate
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.credentials.models import CredentialEntry, IssuerKey
from skillcert.credentials.services import (
    CredentialsBackfill,
    credential_for_certificate,
    credentials_backfill,
)
from skillcert.credentials.services.credential import MSG_NO_CREDENTIAL
from skillcert.credentials.tests.helpers import issue, local_trust
from skillcert.credentials.verify import REVOKED, VALID, credential_verify

pytestmark = pytest.mark.django_db


def from_before_credentials(*certificates: Certificate) -> None:
    """As if these had been issued before the credentials app existed: no status entry."""
    CredentialEntry.objects.filter(certificate__in=certificates).delete()


def test_backfill_gives_filed_bodies_keys_and_old_certificates_entries(world):
    # given body_s filed without a key; two old certificates of body_y (one since revoked) and a new one
    old_valid, old_revoked, new = issue(world, count=3)
    from_before_credentials(old_valid, old_revoked)
    Certificate.objects.filter(pk=old_revoked.pk).update(
        status=Certificate.Status.REVOKED, revoked_at=timezone.now(), revocation_reason="信息有误"
    )
    new_entry = CredentialEntry.objects.get(certificate=new)
    out = StringIO()

    # when the administrator runs the command
    call_command("credentials_backfill", stdout=out)

    # then: body_s has its key; the old certificates have entries, the revoked one's bit set; the new one
    # keeps its entry
    assert IssuerKey.objects.filter(tenant=world.body_s, retired_at__isnull=True).count() == 1
    assert CredentialEntry.objects.filter(certificate__in=[old_valid, old_revoked]).count() == 2
    assert CredentialEntry.objects.get(certificate=new) == new_entry
    assert (
        credential_verify(credential_for_certificate(certificate=old_valid), trust=local_trust()).code
        == VALID
    )
    revoked = credential_verify(credential_for_certificate(certificate=old_revoked), trust=local_trust())
    assert revoked.code == REVOKED
    assert out.getvalue().strip() == "新生成签发密钥 1 个；为 2 本证书分配了状态位，其中已撤销 1 本已置位。"
    key_event = AuditEvent.objects.get(action="issuer_key.created", target_id=str(world.body_s.pk))
    assert key_event.data["credit_code"] == world.body_s.credit_code
    event = AuditEvent.objects.get(action="credential_entries.backfilled")
    assert event.actor_username == "skillcert credentials_backfill"
    numbers = sorted([old_valid.number, old_revoked.number])
    assert event.data == {"certificates": 2, "revoked": 1, "first": numbers[0], "last": numbers[1]}


def test_backfill_commits_in_batches_and_a_second_run_changes_nothing(world):
    # given three old certificates
    certificates = issue(world, count=3)
    from_before_credentials(*certificates)

    # when backfilled two at a time, then run again
    first = credentials_backfill(batch_size=2)
    events = AuditEvent.objects.count()
    second = credentials_backfill(batch_size=2)

    # then: two batches the first time (each audited), nothing at all the second time
    assert first == CredentialsBackfill(keys_created=1, entries_allocated=3, revoked_marked=0)
    batches = AuditEvent.objects.filter(action="credential_entries.backfilled").order_by("sequence")
    assert [event.data["certificates"] for event in batches] == [2, 1]
    assert second == CredentialsBackfill(keys_created=0, entries_allocated=0, revoked_marked=0)
    assert AuditEvent.objects.count() == events


def test_signing_a_certificate_from_before_credentials_is_refused_and_writes_nothing(world):
    # given an old certificate of body_y, without a status entry
    (certificate,) = issue(world)
    from_before_credentials(certificate)

    # when its credential is asked for / then: refused with the message that names the command
    with pytest.raises(ApplicationError) as refused:
        credential_for_certificate(certificate=certificate)

    assert refused.value.message == str(MSG_NO_CREDENTIAL) % {"number": certificate.number}
    assert "skillcert credentials_backfill" in refused.value.message
    assert not CredentialEntry.objects.filter(certificate=certificate).exists()
