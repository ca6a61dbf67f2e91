"""Revealing a full ID number: permission, a typed reason, one audit row, shown once."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from skillcert.accounts.services import candidate_create
from skillcert.accounts.tests.helpers import force_sign_in, resident_id
from skillcert.core.models import AuditEvent

NUMBER = resident_id("31011519770515001")


@pytest.fixture
def candidate(world):
    return candidate_create(name="赵六", id_type="resident_id", id_number=NUMBER, actor=None)


def reveal_url(candidate) -> str:
    return reverse("accounts:candidate_reveal_id", args=[candidate.pk])


def reveals() -> int:
    return AuditEvent.objects.filter(action="candidate.id_revealed").count()


@pytest.mark.parametrize("who", ["body_y_admin", "pudong_reviewer", "candidate"])
def test_without_the_right_the_candidate_is_not_found(client, world, candidate, who):
    force_sign_in(client, getattr(world, who))

    assert client.get(reveal_url(candidate)).status_code == 404
    assert client.post(reveal_url(candidate), {"reason": "核对报名材料"}).status_code == 404
    assert reveals() == 0


def test_anonymous_visitors_are_sent_to_login(client, world, candidate):
    response = client.post(reveal_url(candidate), {"reason": "核对报名材料"})

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_without_a_reason_the_form_says_so(client, world, candidate):
    force_sign_in(client, world.municipal_admin)

    empty = client.post(reveal_url(candidate), {"reason": ""})
    short = client.post(reveal_url(candidate), {"reason": "核对"})

    assert list(empty.context["form"].errors["reason"]) == ["请填写查看原因。"]
    assert list(short.context["form"].errors["reason"]) == [
        "查看原因太短：请至少写 4 个字，说明为何需要完整证件号码。"
    ]
    assert NUMBER not in empty.content.decode() + short.content.decode()
    assert reveals() == 0


def test_with_the_right_and_a_reason_the_number_is_shown_once_and_audited_once(client, world, candidate):
    force_sign_in(client, world.municipal_admin)

    # when
    response = client.post(reveal_url(candidate), {"reason": "核对考生 报名材料"})

    # then
    assert response.status_code == 200
    assert NUMBER in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="candidate.id_revealed")
    assert (event.actor_username, event.target_id, event.data["reason"]) == (
        "muni_admin",
        str(candidate.pk),
        "核对考生 报名材料",
    )
    # and: opening the page again shows only the mask
    again = client.get(reveal_url(candidate)).content.decode()
    assert NUMBER not in again and candidate.id_number_masked in again
    assert reveals() == 1


def test_the_django_permission_grants_the_right(client, world, candidate):
    world.pudong_reviewer.user_permissions.add(Permission.objects.get(codename="reveal_id_number"))
    force_sign_in(client, world.pudong_reviewer)

    response = client.post(reveal_url(candidate), {"reason": "核查证书申请"})

    assert NUMBER in response.content.decode()
    assert reveals() == 1
