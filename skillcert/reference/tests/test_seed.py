"""The built-in starter sets that the data migration loads into every database."""

import json
import re

import pytest
from django.conf import settings

from skillcert.core.models import AuditEvent
from skillcert.reference.data import starter
from skillcert.reference.importers import split_occupation_marker
from skillcert.reference.models import Occupation, Region, SkillLevel
from skillcert.reference.seeding import SeedCounts
from skillcert.reference.services import reference_seed

pytestmark = pytest.mark.django_db

SHANGHAI_DISTRICTS = {
    "310101": "黄浦区",
    "310104": "徐汇区",
    "310105": "长宁区",
    "310106": "静安区",
    "310107": "普陀区",
    "310109": "虹口区",
    "310110": "杨浦区",
    "310112": "闵行区",
    "310113": "宝山区",
    "310114": "嘉定区",
    "310115": "浦东新区",
    "310116": "金山区",
    "310117": "松江区",
    "310118": "青浦区",
    "310120": "奉贤区",
    "310151": "崇明区",
}


def test_skill_ladder_has_eight_rungs_in_order():
    # given a freshly migrated database / then the ladder is 学徒工 … 首席技师
    rows = list(SkillLevel.objects.order_by("rank").values_list("code", "rank", "certificate_digit", "label"))
    assert rows == [
        ("APPRENTICE", 0, None, "学徒工"),
        ("L5", 1, 5, "五级/初级工"),
        ("L4", 2, 4, "四级/中级工"),
        ("L3", 3, 3, "三级/高级工"),
        ("L2", 4, 2, "二级/技师"),
        ("L1", 5, 1, "一级/高级技师"),
        ("SPECIAL_TECH", 6, None, "特级技师"),
        ("CHIEF_TECH", 7, None, "首席技师"),
    ]
    assert set(SkillLevel.objects.filter(is_high_skill=True).values_list("code", flat=True)) == {
        "L3",
        "L2",
        "L1",
        "SPECIAL_TECH",
        "CHIEF_TECH",
    }
    assert SkillLevel.objects.get(code="L2").name == "技师"


def test_provinces_and_shanghai_districts_are_built_in():
    provinces = Region.objects.filter(level=Region.Level.PROVINCE)
    assert provinces.count() == 34
    assert all(re.fullmatch(r"\d{2}0000", code) for code in provinces.values_list("code", flat=True))
    assert provinces.get(code="310000").name == "上海市"
    assert provinces.get(code="650000").name == "新疆维吾尔自治区"
    assert provinces.get(code="820000").name == "澳门特别行政区"
    districts = dict(
        Region.objects.filter(code__startswith="3101", level=Region.Level.COUNTY).values_list("code", "name")
    )
    assert districts == SHANGHAI_DISTRICTS
    municipal = Region.objects.get(code="310100")
    assert (municipal.name, municipal.level) == ("市辖区", Region.Level.PREFECTURE)
    # the starter set has no retired codes: those come only with the full GB/T 2260 import
    assert Region.objects.count() == 51
    assert not Region.objects.filter(in_use=False).exists()


def test_starter_occupations_with_codes_flags_and_job_types():
    assert Occupation.objects.count() == len(starter.OCCUPATIONS) == 58
    assert all(
        re.fullmatch(r"\d-\d{2}-\d{2}-\d{2}", code)
        for code in Occupation.objects.values_list("code", flat=True)
    )
    assert Occupation.objects.get(code="6-31-01-03").name == "电工"
    assert Occupation.objects.get(code="4-10-01-05").name == "养老护理员"
    welder = Occupation.objects.get(code="6-18-02-04")
    assert welder.name == "焊工"
    assert set(welder.job_types.values_list("name", flat=True)) == {
        "电焊工",
        "气焊工",
        "钎焊工",
        "焊接设备操作工",
    }
    assert list(Occupation.objects.get(code="6-18-01-01").job_types.values_list("name", flat=True)) == [
        "数控车工"
    ]
    robot = Occupation.objects.get(code="6-31-07-01")
    assert (robot.name, robot.is_digital, robot.is_green) == ("工业机器人系统运维员", True, False)
    assert Occupation.objects.get(code="4-02-06-03").is_green is True
    # 育婴员 4-10-01-02 is not in the osta catalogue, so it is not in the starter set either
    assert not Occupation.objects.filter(code="4-10-01-02").exists()


def test_reference_seed_is_idempotent_and_audits_only_real_changes():
    # given the migration already seeded everything
    # when the service runs again
    counts = reference_seed()
    # then nothing is created and nothing is audited
    assert counts == SeedCounts(0, 0, 0, 0)
    assert not AuditEvent.objects.filter(action="reference.seeded").exists()

    # given one starter occupation (with its job types) and one district went missing
    Occupation.objects.filter(code="6-18-02-04").delete()
    Region.objects.filter(code="310151").delete()
    # when the service runs
    counts = reference_seed()
    # then exactly those rows come back, with one audit event naming the counts
    assert counts == SeedCounts(skill_levels=0, regions=1, occupations=1, job_types=4)
    assert Occupation.objects.get(code="6-18-02-04").job_types.count() == 4
    event = AuditEvent.objects.get(action="reference.seeded")
    assert event.actor_id is None
    assert event.actor_username == "reference-seed"
    assert event.data == {"skill_levels": 0, "regions": 1, "occupations": 1, "job_types": 4}


def test_reference_seed_keeps_edited_rows():
    # given an administrator corrected a starter name
    Occupation.objects.filter(code="6-31-01-03").update(name="电工（已修订）")
    # when seeding again / then the edit stays
    reference_seed()
    assert Occupation.objects.get(code="6-31-01-03").name == "电工（已修订）"


def test_starter_occupations_match_the_official_catalogue():
    path = settings.SKILLCERT_SHARED_DATA_DIR / "osta-occupation-catalog-2022.json"
    if not path.exists():
        pytest.skip(f"共享数据文件不存在：{path}（只有共享数据目录存在时才能对照官方目录）")
    official = {record["careerCode"]: record for record in json.loads(path.read_text("utf-8"))["records"]}
    for code, name, green, digital, small_code, small_name, _job_types in starter.OCCUPATIONS:
        record = official[code]
        assert split_occupation_marker(record["name"]) == (name, green, digital), code
        assert (record["smallCode"], record["smallName"]) == (small_code, small_name), code
