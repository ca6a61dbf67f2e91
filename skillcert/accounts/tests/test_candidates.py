"""candidate_create and candidate_find_by_id_number: one normalisation, encrypted at rest, one per ID."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from skillcert.accounts.models import Candidate
from skillcert.accounts.selectors import candidate_find_by_id_number
from skillcert.accounts.services import candidate_create
from skillcert.accounts.tests.helpers import resident_id
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.core.personal_data import blind_index, decrypt

NUMBER = resident_id("31011519900307123")  # a man born 1990-03-07 in 浦东新区
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def test_candidate_create_encrypts_indexes_and_masks_the_number(world):
    # when
    candidate = candidate_create(
        name=" 张  三 ",
        id_type="resident_id",
        id_number=NUMBER,
        mobile="13812345678",
        actor=world.body_y_admin,
    )

    # then
    candidate.refresh_from_db()
    assert candidate.name == "张 三"
    assert NUMBER not in candidate.id_number_ciphertext
    assert decrypt(candidate.id_number_ciphertext, purpose="resident_id") == NUMBER
    assert candidate.id_number_index == blind_index(f"resident_id:{NUMBER}", purpose="candidate_id")
    assert candidate.id_number_masked == NUMBER[:3] + "*" * 11 + NUMBER[-4:]
    assert (candidate.birth_date, candidate.sex) == (date(1990, 3, 7), "M")
    event = AuditEvent.objects.get(action="candidate.created")
    assert (event.actor_username, event.target_id) == ("y_admin", str(candidate.pk))
    assert NUMBER not in str(event.data)


def test_the_same_person_typed_differently_is_found_and_refused(world):
    number = resident_id("11010519491231002")
    assert number.endswith("X")
    candidate_create(name="李四", id_type="resident_id", id_number=number, actor=None)
    typed = " " + "".join(FULL_WIDTH.get(c, c) for c in number[:-1]) + "x "

    found = candidate_find_by_id_number(id_type="resident_id", id_number=typed)
    with pytest.raises(ApplicationError) as duplicate:
        candidate_create(name="李四", id_type="resident_id", id_number=typed, actor=None)

    assert found is not None and found.name == "李四"
    assert duplicate.value.message == "该证件号码已登记。"
    assert Candidate.objects.count() == 1


def test_the_same_digits_under_another_id_type_are_another_person(world):
    candidate_create(name="A", id_type="passport", id_number="e1234567", actor=None)

    other = candidate_create(name="B", id_type="hm_permit", id_number="E1234567", actor=None)

    assert other.id_number_masked == "E12*4567"
    assert candidate_find_by_id_number(id_type="passport", id_number="ｅ1234567").name == "A"
    assert candidate_find_by_id_number(id_type="tw_permit", id_number="E1234567") is None


@pytest.mark.parametrize(
    ("id_type", "id_number", "mobile", "field"),
    [
        ("resident_id", NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1"), "", "id_number"),
        ("passport", "AB-12345", "", "id_number"),
        ("passport", "A1234", "", "id_number"),
        ("passport", "E12345678", "12812345678", "mobile"),
        ("passport", "E12345678", "1381234567", "mobile"),
    ],
)
def test_invalid_input_is_a_field_error(world, id_type, id_number, mobile, field):
    with pytest.raises(ValidationError) as error:
        candidate_create(name="王五", id_type=id_type, id_number=id_number, mobile=mobile, actor=None)

    assert list(error.value.message_dict) == [field]
    assert Candidate.objects.count() == 0
