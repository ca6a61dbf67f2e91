import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from skillcert.core.audit import GENESIS_HASH, audit_chain_verify, audit_record
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import RequestContext


def drop_append_only_triggers() -> None:
    """What an attacker with database rights could do; the hash chain must still tell."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER core_auditevent_no_change ON core_auditevent")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")


def record_three(world) -> list[AuditEvent]:
    context = RequestContext(ip_address="10.0.0.7", request_id="abc123")
    return [
        audit_record(actor=world.pudong_reviewer, action="test.first", target=world.body_y, context=context),
        audit_record(actor=None, action="test.second", actor_label="import-regions", data={"rows": 3}),
        audit_record(actor=world.body_y_admin, action="test.third", target=("registry.body", 42)),
    ]


def test_events_form_a_chain_from_genesis(world):
    # given / when
    first, second, third = record_three(world)

    # then
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.actor_username == "pudong_reviewer"
    assert first.role == "authority_filing_reviewer"
    assert first.scope == "region:310115"
    assert (first.target_type, first.target_id) == ("registry.body", str(world.body_y.pk))
    assert (first.ip_address, first.request_id) == ("10.0.0.7", "abc123")
    assert second.actor_username == "import-regions"
    report = audit_chain_verify()
    assert report.intact
    assert report.events_checked == 3


def test_database_refuses_update_and_delete(world):
    event = record_three(world)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.get(pk=event.pk).action == "test.first"


def test_verify_names_the_edited_row(world):
    # given
    record_three(world)
    drop_append_only_triggers()

    # when someone rewrites the data of the second event
    AuditEvent.objects.filter(sequence=2).update(data={"rows": 300})

    # then
    report = audit_chain_verify()
    assert not report.intact
    assert report.first_break.sequence == 2
    assert "修改" in report.first_break.reason
    assert report.events_checked == 1


def test_verify_names_the_deleted_row(world):
    record_three(world)
    drop_append_only_triggers()

    AuditEvent.objects.filter(sequence=2).delete()

    report = audit_chain_verify()
    assert report.first_break.sequence == 2
    assert "删除" in report.first_break.reason


def test_verify_detects_a_rehashed_forgery(world):
    # given an attacker who edits a row and recomputes its own hash
    from skillcert.core.audit import event_hash

    record_three(world)
    drop_append_only_triggers()
    forged = AuditEvent.objects.get(sequence=1)
    forged.actor_username = "someone_else"
    forged.hash = event_hash(event=forged)
    AuditEvent.objects.filter(pk=forged.pk).update(actor_username=forged.actor_username, hash=forged.hash)

    # then the next row no longer links to it
    report = audit_chain_verify()
    assert report.first_break.sequence == 2


def test_command_exits_non_zero_on_a_broken_chain(world, capsys):
    record_three(world)
    call_command("audit_verify")
    assert "审计链完好：共 3 条记录" in capsys.readouterr().out

    drop_append_only_triggers()
    AuditEvent.objects.filter(sequence=3).update(action="test.changed")
    with pytest.raises(CommandError, match="序号 3"):
        call_command("audit_verify")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    # given two threads each writing events in their own transactions
    errors: list[BaseException] = []

    def write(n: int, label: str) -> None:
        try:
            for i in range(n):
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", actor_label=label, data={"i": i})
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(40, f"writer{k}")) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every event is in one unbroken chain
    assert errors == []
    report = audit_chain_verify()
    assert report.intact
    assert report.events_checked == 80
