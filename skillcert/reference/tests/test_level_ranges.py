"""Level ranges (可评价等级范围): the seeded facts, which range applies, the check filings use, and the
create / update / delete services with their audit events, including a create that loses the race to another
administrator recording the same range."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from skillcert.core.models import AuditEvent
from skillcert.reference.models import JobType, LevelRange, Occupation, SkillLevel
from skillcert.reference.selectors import (
    MSG_LEVEL_OUT_OF_RANGE,
    level_range_check,
    level_range_occupations,
    level_range_resolve,
    level_range_rows,
)
from skillcert.reference.services import (
    MSG_LOWEST_ABOVE_HIGHEST,
    MSG_NOT_A_CERTIFICATE_LEVEL,
    MSG_RANGE_EXISTS,
    level_range_create,
    level_range_delete,
    level_range_update,
)

pytestmark = pytest.mark.django_db

INFANT = "4-10-01-01"  # 婴幼儿发展引导员: 四级 to 一级
WELDER = "6-18-02-04"  # 焊工, with the 工种 电焊工 5→1, 气焊工 5→3, 钎焊工 5→2, 焊接设备操作工 5→1
COOK = "4-03-02-01"  # 中式烹调师: no range recorded


def level(code: str) -> SkillLevel:
    return SkillLevel.objects.get(code=code)


def occupation(code: str) -> Occupation:
    return Occupation.objects.get(code=code)


def job_type(code: str, name: str) -> JobType:
    return JobType.objects.get(occupation__code=code, name=name)


def span(allowed) -> tuple[str, str]:
    return allowed.lowest.code, allowed.highest.code


def test_documented_ranges_are_seeded():
    # given a freshly migrated database / then exactly the ranges of domain-cn-skills.md §3.1 exist
    rows = {
        (row.occupation.code, row.job_type.name if row.job_type else "", row.lowest.code, row.highest.code)
        for row in LevelRange.objects.select_related("occupation", "job_type", "lowest", "highest")
    }
    assert rows == {
        (INFANT, "", "L4", "L1"),
        (WELDER, "电焊工", "L5", "L1"),
        (WELDER, "气焊工", "L5", "L3"),
        (WELDER, "钎焊工", "L5", "L2"),
        (WELDER, "焊接设备操作工", "L5", "L1"),
    }


def test_no_range_recorded_allows_all_five_certificate_levels():
    # given 中式烹调师 and 车工's 工种 数控车工, with no range anywhere
    for allowed in (
        level_range_resolve(occupation=occupation(COOK)),
        level_range_resolve(occupation=occupation("6-18-01-01"), job_type=job_type("6-18-01-01", "数控车工")),
    ):
        # then 五级 to 一级 apply, none of it recorded
        assert span(allowed) == ("L5", "L1")
        assert allowed.recorded is None
        assert allowed.label == "五级/初级工至一级/高级技师"
        assert [code for code in ("L5", "L4", "L3", "L2", "L1") if allowed.allows(level(code))] == [
            "L5",
            "L4",
            "L3",
            "L2",
            "L1",
        ]
        # and the 新八级 rungs outside the certificate levels never
        assert not any(allowed.allows(level(code)) for code in ("APPRENTICE", "SPECIAL_TECH", "CHIEF_TECH"))


def test_job_type_range_wins_over_the_occupation_range(world):
    welder = occupation(WELDER)
    # given 焊工 itself restricted to 四级–一级, and 电焊工's own range removed
    occupation_range = level_range_create(
        actor=world.municipal_admin, occupation=welder, job_type=None, lowest=level("L4"), highest=level("L1")
    )
    LevelRange.objects.filter(job_type=job_type(WELDER, "电焊工")).delete()

    # then 气焊工 keeps its own 五级–三级
    gas = level_range_resolve(occupation=welder, job_type=job_type(WELDER, "气焊工"))
    assert span(gas) == ("L5", "L3")
    assert gas.recorded.job_type.name == "气焊工"
    assert gas.allows(level("L5")) and not gas.allows(level("L2"))
    # and 电焊工, with no range of its own, falls back to 焊工's
    electric = level_range_resolve(occupation=welder, job_type=job_type(WELDER, "电焊工"))
    assert (span(electric), electric.recorded) == (("L4", "L1"), occupation_range)
    assert not electric.allows(level("L5"))
    # and 焊工 without a job type has the occupation's range
    assert span(level_range_resolve(occupation=welder)) == ("L4", "L1")


def test_job_type_ranges_do_not_restrict_the_occupation_itself():
    # given only 焊工's 工种 have ranges / then 焊工 with no 工种 is open from 五级 to 一级
    allowed = level_range_resolve(occupation=occupation(WELDER))
    assert (span(allowed), allowed.recorded) == (("L5", "L1"), None)


def test_check_refuses_a_level_outside_the_range_naming_it():
    # when 婴幼儿发展引导员 五级 is checked / then the level field says what is allowed
    with pytest.raises(ValidationError) as error:
        level_range_check(occupation=occupation(INFANT), job_type=None, level=level("L5"))
    assert error.value.message_dict == {
        "level": ["婴幼儿发展引导员只可评价四级/中级工至一级/高级技师，不含五级/初级工。"]
    }
    assert error.value.error_dict["level"][0].code == "level_out_of_range"

    # and a job type is named with its occupation
    with pytest.raises(ValidationError) as error:
        level_range_check(
            occupation=occupation(WELDER), job_type=job_type(WELDER, "气焊工"), level=level("L2")
        )
    assert error.value.message_dict == {
        "level": [
            str(MSG_LEVEL_OUT_OF_RANGE)
            % {"subject": "焊工（气焊工）", "range": "五级/初级工至三级/高级工", "level": "二级/技师"}
        ]
    }


def test_check_accepts_the_ends_of_the_range():
    for code in ("L4", "L1"):
        level_range_check(occupation=occupation(INFANT), job_type=None, level=level(code))
    level_range_check(occupation=occupation(WELDER), job_type=job_type(WELDER, "钎焊工"), level=level("L2"))
    level_range_check(occupation=occupation(COOK), job_type=None, level=level("L1"))


def test_a_single_level_range_reads_as_one_level(world):
    level_range_create(
        actor=world.municipal_admin,
        occupation=occupation(COOK),
        job_type=None,
        lowest=level("L3"),
        highest=level("L3"),
    )
    with pytest.raises(ValidationError) as error:
        level_range_check(occupation=occupation(COOK), job_type=None, level=level("L4"))
    assert error.value.messages == ["中式烹调师只可评价三级/高级工，不含四级/中级工。"]


def test_create_is_audited(world):
    # when the municipal administrator records 中式烹调师 五级–二级
    created = level_range_create(
        actor=world.municipal_admin,
        occupation=occupation(COOK),
        job_type=None,
        lowest=level("L5"),
        highest=level("L2"),
    )
    # then it is stored by certificate digit and audited
    assert (created.lowest_id, created.highest_id) == (5, 2)
    event = AuditEvent.objects.get(action="level_range.created")
    assert (event.actor_id, event.target_type, event.target_id) == (
        world.municipal_admin.pk,
        "reference.levelrange",
        str(created.pk),
    )
    assert event.data == {"occupation": COOK, "job_type": "", "lowest": "L5", "highest": "L2"}


def test_create_refuses_bad_ends_and_a_second_range(world):
    admin, cook = world.municipal_admin, occupation(COOK)
    with pytest.raises(ValidationError) as error:
        level_range_create(
            actor=admin, occupation=cook, job_type=None, lowest=level("L2"), highest=level("L4")
        )
    assert error.value.message_dict == {
        "lowest": [str(MSG_LOWEST_ABOVE_HIGHEST) % {"lowest": "二级/技师", "highest": "四级/中级工"}]
    }
    with pytest.raises(ValidationError) as error:
        level_range_create(
            actor=admin, occupation=cook, job_type=None, lowest=level("L5"), highest=level("SPECIAL_TECH")
        )
    assert error.value.message_dict == {"highest": [str(MSG_NOT_A_CERTIFICATE_LEVEL)]}
    with pytest.raises(ValidationError) as error:
        level_range_create(
            actor=admin,
            occupation=cook,
            job_type=job_type(WELDER, "气焊工"),
            lowest=level("L5"),
            highest=level("L1"),
        )
    assert error.value.message_dict == {"job_type": ["工种“气焊工”不属于职业“中式烹调师”。"]}
    with pytest.raises(ValidationError) as error:
        level_range_create(
            actor=admin,
            occupation=occupation(WELDER),
            job_type=job_type(WELDER, "气焊工"),
            lowest=level("L5"),
            highest=level("L1"),
        )
    assert error.value.message_dict == {
        "job_type": [
            str(MSG_RANGE_EXISTS) % {"subject": "焊工（气焊工）", "range": "五级/初级工至三级/高级工"}
        ]
    }
    assert LevelRange.objects.count() == 5
    assert not AuditEvent.objects.filter(action="level_range.created").exists()


RACE_NEEDS_POSTGRESQL = (
    "SQLite takes the write lock at BEGIN (transaction_mode IMMEDIATE): a second create waits for the first "
    "to commit, and its own check then finds the range, so the constraint is never the one to refuse it."
)


@pytest.mark.skipif(connection.vendor != "postgresql", reason=RACE_NEEDS_POSTGRESQL)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("occupation_code", "job_type_name", "field", "subject"),
    [(COOK, None, "occupation", "中式烹调师"), ("6-18-01-01", "数控车工", "job_type", "车工（数控车工）")],
    ids=["occupation", "job_type"],
)
def test_a_range_recorded_meanwhile_by_another_administrator_is_refused_by_the_constraint(
    world, occupation_code, job_type_name, field, subject
):
    # given a subject with no range, and a second administrator who records 五级–二级 for it in their own
    # transaction right after this create has found none, committing before this create inserts
    subject_occupation = occupation(occupation_code)
    subject_job_type = job_type(occupation_code, job_type_name) if job_type_name else None
    l5, l4, l2, l1 = level("L5"), level("L4"), level("L2"), level("L1")
    rival: dict[str, object] = {}

    def record_the_rival_range() -> None:
        try:
            rival["range"] = level_range_create(
                actor=world.municipal_admin,
                occupation=subject_occupation,
                job_type=subject_job_type,
                lowest=l5,
                highest=l2,
            )
        except BaseException as error:  # reported to the test thread below
            rival["error"] = error
        finally:
            connection.close()

    def rival_commits_after_the_existence_check(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not rival and sql.lstrip().startswith("SELECT") and '"reference_levelrange"' in sql:
            thread = threading.Thread(target=record_the_rival_range)
            thread.start()
            thread.join(timeout=30)
            assert not thread.is_alive(), "the rival create did not finish"
        return result

    # when this administrator records 四级–一级 for it
    with (
        connection.execute_wrapper(rival_commits_after_the_existence_check),
        pytest.raises(ValidationError) as error,
    ):
        level_range_create(
            actor=world.municipal_admin,
            occupation=subject_occupation,
            job_type=subject_job_type,
            lowest=l4,
            highest=l1,
        )

    # then the rival's range was recorded, and this create is refused naming it, on the subject's field
    assert "error" not in rival, rival.get("error")
    assert error.value.message_dict == {
        field: [str(MSG_RANGE_EXISTS) % {"subject": subject, "range": "五级/初级工至二级/技师"}]
    }
    assert error.value.error_dict[field][0].code == "level_range_exists"
    # and only the rival's row exists, with only its audit event
    stored = LevelRange.objects.get(occupation=subject_occupation, job_type=subject_job_type)
    assert (stored.pk, stored.lowest_id, stored.highest_id) == (rival["range"].pk, 5, 2)
    events = AuditEvent.objects.filter(action="level_range.created")
    assert [(event.target_id, event.data) for event in events] == [
        (
            str(stored.pk),
            {"occupation": occupation_code, "job_type": job_type_name or "", "lowest": "L5", "highest": "L2"},
        )
    ]


def test_the_database_refuses_a_lowest_level_above_the_highest():
    with pytest.raises(IntegrityError), transaction.atomic():
        LevelRange.objects.create(occupation=occupation(COOK), lowest_id=2, highest_id=4)


def test_the_database_refuses_a_second_range_for_an_occupation():
    LevelRange.objects.create(occupation=occupation(COOK), lowest_id=5, highest_id=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LevelRange.objects.create(occupation=occupation(COOK), lowest_id=4, highest_id=1)


def test_update_audits_the_old_and_new_range(world):
    # given 气焊工 五级–三级
    gas = LevelRange.objects.get(job_type=job_type(WELDER, "气焊工"))
    # when it is widened to 五级–二级
    level_range_update(actor=world.municipal_admin, level_range=gas, lowest=level("L5"), highest=level("L2"))
    # then the row and the audit event say so
    gas.refresh_from_db()
    assert (gas.lowest_id, gas.highest_id) == (5, 2)
    event = AuditEvent.objects.get(action="level_range.updated")
    assert event.target_id == str(gas.pk)
    assert event.data == {
        "before": {"occupation": WELDER, "job_type": "气焊工", "lowest": "L5", "highest": "L3"},
        "after": {"occupation": WELDER, "job_type": "气焊工", "lowest": "L5", "highest": "L2"},
    }


def test_an_update_that_changes_nothing_records_nothing(world):
    gas = LevelRange.objects.get(job_type=job_type(WELDER, "气焊工"))

    level_range_update(actor=world.municipal_admin, level_range=gas, lowest=level("L5"), highest=level("L3"))

    assert not AuditEvent.objects.filter(action="level_range.updated").exists()


def test_update_refuses_inverted_ends(world):
    gas = LevelRange.objects.get(job_type=job_type(WELDER, "气焊工"))
    with pytest.raises(ValidationError) as error:
        level_range_update(
            actor=world.municipal_admin, level_range=gas, lowest=level("L1"), highest=level("L5")
        )
    assert list(error.value.message_dict) == ["lowest"]
    gas.refresh_from_db()
    assert (gas.lowest_id, gas.highest_id) == (5, 3)
    assert not AuditEvent.objects.filter(action="level_range.updated").exists()


def test_delete_reopens_all_levels_and_is_audited(world):
    infant = LevelRange.objects.get(occupation__code=INFANT)
    pk = infant.pk
    level_range_delete(actor=world.municipal_admin, level_range=infant)
    assert span(level_range_resolve(occupation=occupation(INFANT))) == ("L5", "L1")
    event = AuditEvent.objects.get(action="level_range.deleted")
    assert (event.target_type, event.target_id) == ("reference.levelrange", str(pk))
    assert event.data == {"occupation": INFANT, "job_type": "", "lowest": "L4", "highest": "L1"}


def test_page_rows_come_from_three_queries(django_assert_num_queries):
    # given 焊工 has no range of its own but each of its four 工种 has one
    # when the page's rows are built / then: occupations, their job types, their ranges with both levels
    with django_assert_num_queries(3):
        rows = level_range_rows(occupations=list(level_range_occupations(search="焊工")))
    assert rows[0].occupation.code == WELDER
    assert (rows[0].job_type, rows[0].recorded, rows[0].inherited) == (None, None, None)
    by_name = {row.job_type.name: row for row in rows[1:]}
    assert set(by_name) == {"电焊工", "气焊工", "钎焊工", "焊接设备操作工"}
    assert (by_name["气焊工"].recorded.lowest.label, by_name["气焊工"].recorded.highest.label) == (
        "五级/初级工",
        "三级/高级工",
    )


def test_recorded_only_lists_occupations_with_a_range():
    assert [o.code for o in level_range_occupations(recorded_only=True)] == [INFANT, WELDER]
    assert [o.code for o in level_range_occupations(search="婴幼儿", recorded_only=True)] == [INFANT]
    assert not level_range_occupations(search=COOK, recorded_only=True).exists()
