"""The read model's writer and the Django-free blind index."""

import pytest
from django.conf import settings
from django.core.management import call_command

from skillcert.accounts.identity import id_number_blind_index
from skillcert.accounts.models import Candidate
from skillcert.certificates.models import Certificate
from skillcert.core.id_lookup import (
    BLIND_INDEX_PURPOSE,
    ID_TYPES,
    blind_index_key,
    id_number_candidates,
    id_number_lookup_indexes,
)
from skillcert.verification.models import VerificationRecord
from skillcert.verification.records import verification_records_upsert
from skillcert.verification.tests.conftest import ISSUED_ON, WANG_ID, ZHANG_ID, issue_for, make_holder


def record_values(number: str) -> dict:
    return VerificationRecord.objects.filter(number=number).values(
        "holder_name",
        "id_number_index",
        "occupation_name",
        "occupation_code",
        "job_type_name",
        "level_label",
        "body_name",
        "issue_date",
        "status",
        "revoked_on",
        "replaced_by_number",
        "qr_token",
        "province_code",
    )[0]


@pytest.mark.django_db
def test_issuance_writes_one_record_per_certificate(world):
    # given a candidate / when a certificate is issued to them
    holder = make_holder(name="张伟", id_number=ZHANG_ID, world=world)
    (certificate,) = issue_for(world=world, holders=[holder], level_code="L4", job_type="电焊工")

    # then its record holds the facts, the candidate's blind index, and no ID number
    assert record_values(certificate.number) == {
        "holder_name": "张伟",
        "id_number_index": holder.id_number_index,
        "occupation_name": "焊工",
        "occupation_code": "6-18-02-04",
        "job_type_name": "电焊工",
        "level_label": "四级/中级工",
        "body_name": "上海浦江机电集团有限公司",
        "issue_date": ISSUED_ON,
        "status": "valid",
        "revoked_on": None,
        "replaced_by_number": "",
        "qr_token": certificate.qr_token,
        "province_code": "31",
    }


@pytest.mark.django_db
def test_upsert_updates_the_existing_record(world):
    # given an issued certificate whose row is then changed behind the read model's back
    holder = make_holder(name="王芳", id_number=WANG_ID, world=world)
    (certificate,) = issue_for(world=world, holders=[holder], level_code="L3")
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="王　芳")  # an ideographic space

    # when the records are written again
    verification_records_upsert(certificates=[certificate])

    # then the one record is updated, with the name normalised as the query normalises it
    assert VerificationRecord.objects.filter(number=certificate.number).count() == 1
    assert record_values(certificate.number)["holder_name"] == "王 芳"


@pytest.mark.django_db
def test_the_rebuild_command_restores_missing_records_and_drops_strays(world):
    # given two certificates, one record deleted and one stray record of no certificate
    holders = [
        make_holder(name="张伟", id_number=ZHANG_ID, world=world),
        make_holder(name="王芳", id_number=WANG_ID, world=world),
    ]
    first, second = issue_for(world=world, holders=holders, level_code="L3")
    VerificationRecord.objects.filter(number=first.number).delete()
    stray = {**record_values(second.number), "qr_token": "stray-token"}
    VerificationRecord.objects.create(number="STRAY0000000000000001", **stray)

    # when skillcert verification-rebuild runs
    call_command("verification_rebuild", verbosity=0)

    # then exactly the certificates have records
    assert sorted(VerificationRecord.objects.values_list("number", flat=True)) == sorted(
        [first.number, second.number]
    )


def test_the_django_free_index_equals_the_accounts_index():
    # given the key the verification app is configured with
    key = blind_index_key(index_key=settings.SKILLCERT_BLIND_INDEX_KEY, secret_key=settings.SECRET_KEY)

    # then for each ID type, the lookup index is the one accounts stores
    for id_type, number in [
        ("resident_id", ZHANG_ID),
        ("passport", "E12345678"),
        ("hm_permit", "H1234567890"),
    ]:
        expected = id_number_blind_index(id_type=id_type, number=number)
        assert expected in id_number_lookup_indexes(number, key=key, today=ISSUED_ON)
    assert BLIND_INDEX_PURPOSE == "candidate_id"
    assert tuple(Candidate.IdType.values) == ID_TYPES


def test_a_typed_id_number_is_tried_as_every_type_it_can_be():
    # when a resident ID number, a Hong Kong resident's residence permit number, and a passport are typed
    resident = id_number_candidates(ZHANG_ID.lower(), today=ISSUED_ON)
    hmt = id_number_candidates("810000199408230021", today=ISSUED_ON)
    passport = id_number_candidates(" e12345678 ", today=ISSUED_ON)

    # then each is normalised and paired with the types that use that format
    assert resident == (("resident_id", ZHANG_ID),)
    assert hmt == (("resident_id", "810000199408230021"), ("hmt_residence", "810000199408230021"))
    assert [id_type for id_type, _ in passport] == [
        "hmt_residence",
        "hm_permit",
        "tw_permit",
        "foreign_pr",
        "passport",
    ]
    assert {number for _, number in passport} == {"E12345678"}
