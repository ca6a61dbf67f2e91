"""Claiming a body-registered candidate record with its claim code (认领码) at self-registration.

A body registers people without accounts (``Candidate.user`` is None). Such a person registers with the
same ID number, their name and the claim code the body handed over; the account is then attached to the
existing record, with everything the body and the authority recorded for it.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from skillcert.accounts.claim_codes import (
    CLAIM_CODE_ALPHABET,
    CLAIM_CODE_LENGTH,
    claim_code,
    claim_code_display,
    claim_code_matches,
)
from skillcert.accounts.models import Candidate, User
from skillcert.accounts.roles import Role
from skillcert.accounts.services import candidate_claim_code_reissue, candidate_create
from skillcert.accounts.tests.helpers import START, resident_id
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import RequestContext

REGISTER = reverse("accounts:register")
NUMBER = resident_id("31011219851120246")  # a woman born 1985-11-20 in 闵行区
OTHER_NUMBER = resident_id("31011519900307002")
PASSWORD = "Qingpu-River-2026"
MISSING = "该证件号码已由评价机构登记，请填写准考证上的认领码完成认领。"
REFUSED = "认领码与评价机构登记的证件号码和姓名不符。请核对准考证上的认领码、证件类型、证件号码和姓名。"
CONTEXT = RequestContext(ip_address="198.51.100.7", request_id="test")


@pytest.fixture
def registered(world) -> Candidate:
    """陈美玲, registered by body_y (no account), with an application to one of its plans."""
    from skillcert.evaluation.tests.factories import make_application, make_plan, make_spec

    candidate = candidate_create(
        name="陈美玲", id_type="resident_id", id_number=NUMBER, mobile="13800000001", actor=world.body_y_admin
    )
    make_application(make_plan(world, spec=make_spec(world)), candidate)
    return candidate


def form_data(**overrides) -> dict:
    data = {
        "name": "陈美玲",
        "id_type": "resident_id",
        "id_number": NUMBER,
        "claim_code": "",
        "mobile": "13912345678",
        "username": "chenmeiling",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def actions_since(sequence: int) -> list[str]:
    return sorted(AuditEvent.objects.filter(sequence__gt=sequence).values_list("action", flat=True))


def last_sequence() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def assert_nothing_created(candidate: Candidate) -> None:
    assert not User.objects.filter(username="chenmeiling").exists()
    candidate.refresh_from_db()
    assert candidate.user_id is None


# ---- the code ---------------------------------------------------------------------------------------------


def test_a_code_is_ten_characters_of_the_unambiguous_alphabet_in_two_groups(registered):
    code = claim_code(registered)

    assert len(code) == CLAIM_CODE_LENGTH and set(code) <= set(CLAIM_CODE_ALPHABET)
    assert not set(code) & set("0o1li")
    assert re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", claim_code_display(code))
    assert claim_code(Candidate.objects.get(pk=registered.pk)) == code  # recomputed, not stored


def test_every_candidate_has_its_own_code_and_a_new_nonce_makes_a_new_one(world, registered):
    other = candidate_create(name="李芳", id_type="resident_id", id_number=OTHER_NUMBER, actor=None)
    assert registered.claim_nonce != other.claim_nonce
    assert re.fullmatch(r"[0-9a-f]{32}", registered.claim_nonce)
    assert claim_code(registered) != claim_code(other)

    # the same nonce under another primary key is another code as well
    other.claim_nonce = registered.claim_nonce
    assert claim_code(registered) != claim_code(other)


def test_the_key_comes_from_the_blind_index_key_not_from_the_secret_key(registered, settings):
    settings.SKILLCERT_BLIND_INDEX_KEY = "A" * 43  # 32 bytes, URL-safe base64
    code = claim_code(registered)

    # Rotating Django's secret key (sessions, signing) leaves printed codes working...
    settings.SECRET_KEY = "a-rotated-secret-key-0123456789-abcdefghij"
    assert claim_code(registered) == code
    # ...while the code is bound to the blind index key it is derived from.
    settings.SKILLCERT_BLIND_INDEX_KEY = "B" * 43
    assert claim_code(registered) != code


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: claim_code_display(code),
        lambda code: code,
        lambda code: claim_code_display(code).upper(),
        lambda code: f"  {code[:5]} {code[5:]} ",
        # full-width, as a Chinese input method types it
        lambda code: "".join(chr(ord(c) + 0xFEE0) for c in code.upper()),
    ],
    ids=["display", "no-dash", "upper-case", "spaces", "full-width"],
)
def test_a_code_matches_however_it_is_typed(registered, typed):
    assert claim_code_matches(candidate=registered, typed=typed(claim_code(registered)))


def test_migration_gives_every_existing_row_a_nonce_of_its_own(world, registered):
    # given: rows that all share one nonce, as AddField with a callable default leaves them
    candidate_create(name="李芳", id_type="resident_id", id_number=OTHER_NUMBER, actor=None)
    Candidate.objects.update(claim_nonce="0" * 32)
    migration = importlib.import_module("skillcert.accounts.migrations.0006_candidate_claim_nonce")

    # when
    migration.give_each_candidate_a_nonce(apps, None)

    # then
    nonces = list(Candidate.objects.values_list("claim_nonce", flat=True))
    assert len(nonces) == 2 and len(set(nonces)) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}", nonce) for nonce in nonces)


# ---- claiming at registration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [claim_code_display, lambda code: code.upper(), lambda code: code],
    ids=["with-dash", "upper-case", "without-dash"],
)
def test_the_person_claims_their_record_with_the_code(client, world, registered, typed):
    # given
    before = last_sequence()
    nonce = registered.claim_nonce

    # when
    response = client.post(REGISTER, form_data(claim_code=typed(claim_code(registered))))

    # then: signed in, on the body's record, with the mobile number just given
    assert response.status_code == 302 and response.url == reverse("portal:dashboard")
    user = User.objects.get(username="chenmeiling")
    assert user.role_set == {Role.CANDIDATE}
    assert (user.full_name, user.mobile) == ("陈美玲", "13912345678")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Candidate.objects.count() == 1
    candidate = Candidate.objects.get(pk=registered.pk)
    assert (candidate.user_id, candidate.mobile) == (user.pk, "13912345678")
    # the code is spent: the record has a new nonce
    assert candidate.claim_nonce != nonce
    assert actions_since(before) == ["auth.login", "candidate.claimed", "user.registered"]
    claimed = AuditEvent.objects.get(action="candidate.claimed")
    assert (claimed.actor_id, claimed.target_type, claimed.target_id) == (
        user.pk,
        "accounts.candidate",
        str(candidate.pk),
    )
    assert claimed.data == {"id_type": "resident_id", "id_number": candidate.id_number_masked}
    registered_event = AuditEvent.objects.get(action="user.registered")
    assert registered_event.data == {"role": "candidate", "claimed": True}


def test_the_name_is_compared_after_white_space_is_tidied(client, world, registered):
    response = client.post(REGISTER, form_data(name=" 陈美玲  ", claim_code=claim_code(registered)))

    assert response.status_code == 302
    assert Candidate.objects.get(pk=registered.pk).user.username == "chenmeiling"


def test_without_a_code_the_claim_code_field_says_what_to_do(client, world, registered):
    before = last_sequence()

    response = client.post(REGISTER, form_data())

    assert response.status_code == 200
    assert field_errors(response, "claim_code") == [MISSING]
    assert field_errors(response, "id_number") == []
    assert_nothing_created(registered)
    # counted like a wrong code: the answer says that a body registered this ID number, which must not be
    # asked for at will either
    assert actions_since(before) == ["candidate.claim_failed"]
    assert AuditEvent.objects.get(action="candidate.claim_failed").data["reason"] == "no_code"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"claim_code": "abcde-fghjk"}, "wrong_code"),
        ({"name": "陈美龄"}, "wrong_name"),
    ],
    ids=["wrong-code", "wrong-name"],
)
def test_a_wrong_code_or_name_gets_one_error_that_does_not_say_which(
    client, world, registered, overrides, reason
):
    # given: the right code unless the case replaces it
    data = form_data(claim_code=claim_code(registered))
    data.update(overrides)
    before = last_sequence()
    nonce = registered.claim_nonce

    # when
    response = client.post(REGISTER, data, REMOTE_ADDR="198.51.100.7")

    # then: one message on the claim code, nothing created, the failure on record with its address
    assert response.status_code == 200
    assert field_errors(response, "claim_code") == [REFUSED]
    assert field_errors(response, "name") == []
    assert_nothing_created(registered)
    assert registered.claim_nonce == nonce
    assert actions_since(before) == ["candidate.claim_failed"]
    failed = AuditEvent.objects.get(action="candidate.claim_failed")
    assert (failed.actor_id, failed.actor_username, failed.ip_address) == (
        None,
        "chenmeiling",
        "198.51.100.7",
    )
    # the client as the throttle counts it: the address itself for IPv4
    assert failed.data == {
        "reason": reason,
        "id_number": registered.id_number_masked,
        "client": "198.51.100.7",
    }


def test_a_code_for_an_id_number_nobody_registered_is_refused_like_a_wrong_one(client, world, registered):
    response = client.post(REGISTER, form_data(id_number=OTHER_NUMBER, claim_code=claim_code(registered)))

    assert field_errors(response, "claim_code") == [REFUSED]
    assert not User.objects.filter(username="chenmeiling").exists()
    assert Candidate.objects.count() == 1
    assert AuditEvent.objects.get(action="candidate.claim_failed").data == {
        "reason": "no_record",
        "id_number": "",
        "client": "127.0.0.1",  # the test client's address
    }


def test_a_record_that_already_has_an_account_is_refused_as_before(client, world, registered):
    # given: the record was claimed
    code = claim_code(registered)
    assert client.post(REGISTER, form_data(claim_code=code)).status_code == 302
    client.logout()

    # when: someone registers again with that ID number and the code from the ticket
    response = client.post(REGISTER, form_data(username="someone-else", claim_code=code))

    # then
    assert field_errors(response, "id_number") == ["该证件号码已登记。"]
    assert not User.objects.filter(username="someone-else").exists()


def test_other_field_errors_are_shown_with_the_claim_error_and_nothing_is_created(client, world, registered):
    response = client.post(
        REGISTER,
        form_data(
            username="candidate",
            password="abcdefghij",
            password_confirm="abcdefghij",
            claim_code="abcde-fghjk",
        ),
    )

    assert field_errors(response, "username") == ["该用户名已被使用，请换一个。"]
    assert any("至少三类" in error for error in field_errors(response, "password"))
    assert field_errors(response, "claim_code") == [REFUSED]
    registered.refresh_from_db()
    assert registered.user_id is None


def test_a_failure_after_the_user_is_made_leaves_no_user(client, world, registered, monkeypatch):
    # given: attaching the record fails after the new user row has been written
    from skillcert.accounts import services

    real = services.audit_record

    def failing(**kwargs):
        if kwargs["action"] == "candidate.claimed":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", failing)

    # when
    with pytest.raises(RuntimeError):
        services.candidate_register(
            name="陈美玲",
            id_type="resident_id",
            id_number=NUMBER,
            mobile="13912345678",
            username="chenmeiling",
            password=PASSWORD,
            claim_code=claim_code(registered),
            context=CONTEXT,
        )

    # then: one transaction, so no user and no link
    assert_nothing_created(registered)


def test_a_person_without_a_body_record_registers_as_before_and_may_leave_the_code_empty(client, world):
    response = client.post(REGISTER, form_data())

    assert response.status_code == 302
    assert Candidate.objects.get().user.username == "chenmeiling"
    assert AuditEvent.objects.get(action="user.registered").data == {"role": "candidate", "claimed": False}


# ---- throttling -------------------------------------------------------------------------------------------


def test_failed_claims_from_one_address_are_throttled(client, world, registered, clock, settings):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 3
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    code = claim_code(registered)

    # given: three wrong codes from one address
    for wrong in ("abcde-fghjk", "bcdef-ghjkm", "cdefg-hjkmn"):
        response = client.post(REGISTER, form_data(claim_code=wrong), **attacker)
        assert field_errors(response, "claim_code") == [REFUSED]

    # when: the right code from that address, and from another one
    refused = client.post(REGISTER, form_data(claim_code=code), **attacker)

    # then: refused with the wait, even though the code is right; the attempt is on record, uncounted
    until = (START + timedelta(seconds=settings.SKILLCERT_LOGIN_FAILURE_WINDOW)).strftime("%Y-%m-%d %H:%M")
    assert refused.status_code == 429
    assert field_errors(refused, "claim_code") == [f"认领码输错次数过多，请于 {until} 后再试。"]
    assert_nothing_created(registered)
    assert (
        AuditEvent.objects.filter(action="candidate.claim_throttled", ip_address="203.0.113.9").count() == 1
    )
    assert AuditEvent.objects.filter(action="candidate.claim_failed").count() == 3

    # and: once the failures have left the window, the right code works from that address
    clock.shift(settings.SKILLCERT_LOGIN_FAILURE_WINDOW + 1)
    assert client.post(REGISTER, form_data(claim_code=code), **attacker).status_code == 302


def test_throttling_is_per_address(client, world, registered, clock, settings):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 2
    for wrong in ("abcde-fghjk", "bcdef-ghjkm"):
        client.post(REGISTER, form_data(claim_code=wrong), REMOTE_ADDR="203.0.113.9")

    response = client.post(REGISTER, form_data(claim_code=claim_code(registered)), REMOTE_ADDR="203.0.113.10")

    assert response.status_code == 302


def test_an_ipv6_client_is_throttled_as_its_64_whatever_address_it_sends_from(
    client, world, registered, clock, settings
):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 2

    # given: two wrong codes, each from another address of one /64
    for index, wrong in enumerate(("abcde-fghjk", "bcdef-ghjkm"), start=1):
        client.post(REGISTER, form_data(claim_code=wrong), REMOTE_ADDR=f"2001:db8:1:2::{index}")

    # when: the right code from a third address of that /64
    refused = client.post(
        REGISTER, form_data(claim_code=claim_code(registered)), REMOTE_ADDR="2001:db8:1:2::3"
    )

    # then: refused as the same client; the events keep each address itself
    assert refused.status_code == 429
    assert_nothing_created(registered)
    failed = AuditEvent.objects.filter(action="candidate.claim_failed")
    assert sorted(failed.values_list("ip_address", flat=True)) == ["2001:db8:1:2::1", "2001:db8:1:2::2"]


# ---- a new code from the body ------------------------------------------------------------------------------


def test_a_new_code_replaces_the_old_one(world, registered):
    # given
    old = claim_code(registered)
    before = last_sequence()

    # when
    shown = candidate_claim_code_reissue(candidate=registered, actor=world.body_y_exam_staff, context=CONTEXT)

    # then: the code shown is the record's code now; the old one no longer matches
    registered.refresh_from_db()
    assert shown == claim_code_display(claim_code(registered))
    assert not claim_code_matches(candidate=registered, typed=old)
    assert claim_code_matches(candidate=registered, typed=shown)
    assert actions_since(before) == ["candidate.claim_code_reissued"]
    event = AuditEvent.objects.get(action="candidate.claim_code_reissued")
    assert (event.actor_id, event.target_id, event.ip_address) == (
        world.body_y_exam_staff.pk,
        str(registered.pk),
        "198.51.100.7",
    )
    assert event.data == {"body": world.body_y.pk, "id_number": registered.id_number_masked}
    assert old not in str(event.data) and shown.replace("-", "") not in str(event.data)


def test_the_old_code_is_refused_at_registration_after_a_new_one(client, world, registered):
    old = claim_code(registered)
    new = candidate_claim_code_reissue(candidate=registered, actor=world.body_y_admin, context=CONTEXT)

    refused = client.post(REGISTER, form_data(claim_code=old))
    accepted = client.post(REGISTER, form_data(claim_code=new))

    assert field_errors(refused, "claim_code") == [REFUSED]
    assert accepted.status_code == 302


@pytest.mark.parametrize(
    ("actor", "later_application"),
    [
        ("body_s_admin", False),
        ("body_s_admin", True),  # body_s registered the same person afterwards, in a plan of its own
        ("body_y_examiner", False),
        ("municipal_admin", False),
        ("candidate", False),
    ],
)
def test_only_the_registering_bodys_admin_and_exam_staff_make_a_new_code(
    world, registered, actor, later_application
):
    from skillcert.evaluation.tests.factories import make_application, make_plan, make_spec

    nonce = registered.claim_nonce
    if later_application:
        make_application(make_plan(world, spec=make_spec(world, body=world.body_s)), registered)

    with pytest.raises(ApplicationError) as refused:
        candidate_claim_code_reissue(candidate=registered, actor=getattr(world, actor), context=CONTEXT)

    assert refused.value.message == "认领码只能由最初登记该考生的评价机构生成。"
    registered.refresh_from_db()
    assert registered.claim_nonce == nonce
    assert not AuditEvent.objects.filter(action="candidate.claim_code_reissued").exists()


def test_no_new_code_for_a_record_that_has_an_account(client, world, registered):
    client.post(REGISTER, form_data(claim_code=claim_code(registered)))
    registered.refresh_from_db()

    with pytest.raises(ApplicationError) as refused:
        candidate_claim_code_reissue(candidate=registered, actor=world.body_y_admin, context=CONTEXT)

    assert refused.value.message == "该考生已注册账号并完成认领，不再需要认领码。"


# ---- after claiming: the holder's own certificates and credential -----------------------------------------


def test_the_claimed_holder_sees_their_certificate_and_downloads_pdf_and_credential(client, world, settings):
    # given: a certificate issued to a person body_y registered without an account
    from skillcert.certificates.pdf import certificate_pdf
    from skillcert.credentials.tests.helpers import issue

    settings.PUBLIC_BASE_URL = "https://skillcert.example.gov.cn"
    (certificate,) = issue(world, name="陈美玲", id_number=NUMBER)
    holder = certificate.candidate
    assert holder.user_id is None
    pdf_url = reverse("certificates:pdf", args=[certificate.number])
    credential_url = reverse("credentials:download", args=[certificate.number])

    # when: the person registers with the claim code (signed in by registering)
    response = client.post(REGISTER, form_data(claim_code=claim_code(holder)))
    assert response.status_code == 302

    # then: the certificate is theirs: listed, its PDF and its signed credential downloadable
    mine = client.get(reverse("certificates:mine"))
    assert certificate.number in mine.content.decode()
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    certificate.refresh_from_db()
    assert pdf.content == certificate_pdf(certificate=certificate)
    credential = client.get(credential_url)
    assert credential.status_code == 200
    assert credential["Content-Type"].startswith("application/vc+ld+json")
    assert certificate.number in credential.content.decode()
    assert (
        AuditEvent.objects.filter(action="certificate.pdf_downloaded")
        .values_list("data__downloaded_by")
        .get()
    ) == ("holder",)


def test_before_claiming_nobody_signed_in_as_a_candidate_gets_the_certificate(client, world, settings):
    # The control for the test above: the same downloads by another candidate account answer 404.
    from skillcert.credentials.tests.helpers import issue

    settings.PUBLIC_BASE_URL = "https://skillcert.example.gov.cn"
    settings.SKILLCERT_REQUIRE_2FA = False
    (certificate,) = issue(world, name="陈美玲", id_number=NUMBER)
    client.force_login(world.candidate)

    assert certificate.number not in client.get(reverse("certificates:mine")).content.decode()
    assert client.get(reverse("certificates:pdf", args=[certificate.number])).status_code == 404
    assert client.get(reverse("credentials:download", args=[certificate.number])).status_code == 404
