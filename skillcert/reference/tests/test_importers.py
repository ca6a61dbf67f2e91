"""The catalogue importers: the real shared files when present, and small files with known problems."""

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from skillcert.core.identifiers import clear_address_code_cache
from skillcert.core.models import AuditEvent
from skillcert.reference.importers import (
    ImportProblem,
    ImportRejected,
    occupation_import,
    region_import,
    split_occupation_marker,
)
from skillcert.reference.models import Occupation, Region

pytestmark = pytest.mark.django_db

HEADER = "代码,一级行政区,二级行政区,名称,级别,状态,启用时间,变更/弃用时间,新代码"


def shared_file(name: str) -> Path:
    path = settings.SKILLCERT_SHARED_DATA_DIR / name
    if not path.exists():
        pytest.skip(f"共享数据文件不存在：{path}（SKILLCERT_SHARED_DATA_DIR 未指向共享数据目录）")
    return path


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\n".join((HEADER, *lines)) + "\n").encode("utf-8")


# --- regions ----------------------------------------------------------------------------------------------


def test_real_region_history_imports_with_retired_codes(django_capture_on_commit_callbacks):
    # given the full GB/T 2260 history file
    path = shared_file("gbt2260-area-codes-history.csv")
    content = path.read_bytes()
    # when it is imported
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        summary = region_import(content=content)
    # then every distinct code is a region (6,450 codes, plus the built-in 310100 that the file lacks)
    assert Region.objects.count() == 6451
    # the 50 built-in codes that are in the file already existed; six of them gain the file's successor
    # codes (310101, 310110, 310113, 340000, 450000, 650000 list areas they handed over)
    assert (summary.created, summary.updated, summary.unchanged) == (6400, 6, 44)
    assert Region.objects.get(code="310113").successor_codes == "310230[2005]"
    assert summary.not_in_file == ["310100"]
    luwan = Region.objects.get(code="310103")
    assert (luwan.name, luwan.in_use, luwan.retired_year) == ("卢湾区", False, 2011)
    assert luwan.successor_code_list == ["310101"]
    # a reused code takes its in-use row; its start year is the earliest of its rows
    dongli = Region.objects.get(code="120110")
    assert (dongli.name, dongli.in_use, dongli.established_year) == ("东丽区", True, 1981)
    assert Region.objects.filter(in_use=False).count() > 3000
    # and the resident-ID address-code cache is cleared after the commit
    assert clear_address_code_cache in callbacks
    event = AuditEvent.objects.get(action="reference.regions_imported")
    assert event.actor_id is None
    assert event.actor_username == "import-regions"
    assert event.data == {
        "rows": 6823,
        "codes": 6450,
        "created": 6400,
        "updated": 6,
        "unchanged": 44,
        "not_in_file": 1,
        "file_sha256": hashlib.sha256(content).hexdigest(),
    }


def test_real_region_import_is_idempotent():
    content = shared_file("gbt2260-area-codes-history.csv").read_bytes()
    region_import(content=content)
    # when the same file is imported again
    summary = region_import(content=content)
    # then nothing changes and a second audit event says so
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 6450)
    events = list(AuditEvent.objects.filter(action="reference.regions_imported").order_by("sequence"))
    assert len(events) == 2
    assert (events[1].data["created"], events[1].data["updated"], events[1].data["unchanged"]) == (0, 0, 6450)


def test_bad_code_on_line_5_rejects_the_whole_file(tmp_path):
    # given a CSV whose data rows before line 5 are valid and new
    path = tmp_path / "regions.csv"
    path.write_bytes(
        csv_bytes(
            "990000,测试省,,测试省,省级,在用,1990,,",
            "990100,测试省,测试市,测试市,地级,在用,1990,,",
            "990101,测试省,测试市,甲区,县级,在用,1990,,",
            "99010X,测试省,测试市,乙区,县级,在用,1990,,",
            "990103,测试省,测试市,丙区,县级,在用,1990,,",
        )
    )
    before = Region.objects.count()
    # when the command runs
    with pytest.raises(CommandError) as error:
        call_command("import_regions", str(path), stderr=(stderr := io.StringIO()), stdout=io.StringIO())
    # then the problem names line 5 and the column, and nothing was written
    assert "1 个问题" in str(error.value)
    assert stderr.getvalue().startswith("第 5 行，代码：“99010X”不是 6 位数字代码")
    assert Region.objects.count() == before
    assert not Region.objects.filter(code="990000").exists()
    assert not AuditEvent.objects.filter(action="reference.regions_imported").exists()


def test_every_problem_is_reported_with_its_column():
    content = csv_bytes(
        "990000,测试省,,测试省,省级,在用,1990,,",
        "990101,测试省,测试市,,县级,停用,199,,",
        "990102,测试省,测试市,丁区,乡级,弃用,1990,,99010",
    )
    with pytest.raises(ImportRejected) as rejected:
        region_import(content=content)
    assert [(p.where, p.field) for p in rejected.value.problems] == [
        ("第 3 行", "名称"),
        ("第 3 行", "状态"),
        ("第 3 行", "启用时间"),
        ("第 4 行", "级别"),
        ("第 4 行", "变更/弃用时间"),
        ("第 4 行", "新代码"),
    ]


def test_missing_column_and_double_in_use_rows_are_rejected():
    with pytest.raises(ImportRejected) as rejected:
        region_import(content="代码,名称\n990000,测试省\n".encode())
    assert ImportProblem("第 1 行", "级别", "缺少这一列") in rejected.value.problems

    with pytest.raises(ImportRejected) as rejected:
        region_import(
            content=csv_bytes("990101,测,直辖,甲区,县级,在用,1990,,", "990101,测,直辖,乙区,县级,在用,1995,,")
        )
    assert rejected.value.problems == [ImportProblem("第 3 行", "状态", "代码 990101 已在第 2 行标为在用")]


def test_small_file_through_the_command_prints_a_summary(tmp_path):
    # given a code reused over time (an older 变更 row and its in-use row) and a retired code
    path = tmp_path / "regions.csv"
    path.write_bytes(
        csv_bytes(
            "990101,测试省,直辖,新名区,县级,在用,1995,,",
            "990101,测试省,直辖,旧名县,县级,变更,1985,1995,990101",
            "990102,测试省,直辖,撤销区,县级,弃用,1985,2001,990101[2001];990103",
        )
    )
    out = io.StringIO()
    call_command("import_regions", str(path), stdout=out)
    assert out.getvalue().startswith("导入完成：新增 2，更新 0，未变 0")
    renamed = Region.objects.get(code="990101")
    assert (renamed.name, renamed.in_use, renamed.established_year, renamed.retired_year) == (
        "新名区",
        True,
        1985,
        None,
    )
    retired = Region.objects.get(code="990102")
    assert (retired.in_use, retired.retired_year, retired.successor_codes) == (
        False,
        2001,
        "990101[2001];990103",
    )
    assert retired.successor_code_list == ["990101", "990103"]
    # when run again / then nothing changes
    out = io.StringIO()
    call_command("import_regions", str(path), stdout=out)
    assert out.getvalue().startswith("导入完成：新增 0，更新 0，未变 2")


# --- occupations ------------------------------------------------------------------------------------------


def test_real_occupation_catalogue_imports_1676_and_is_idempotent():
    content = shared_file("osta-occupation-catalog-2022.json").read_bytes()
    # when the catalogue is imported
    first = occupation_import(content=content)
    # then there are 1,676 occupations (the starter set is part of them) and markers became flags
    assert Occupation.objects.count() == 1676
    assert (first.created, first.updated, first.unchanged) == (1676 - 58, 0, 58)
    assert first.not_in_file == []
    both = Occupation.objects.get(code="2-02-02-03")
    assert (both.name, both.is_green, both.is_digital) == ("摄影测量与遥感工程技术人员", True, True)
    spaced = Occupation.objects.get(code="4-13-01-10")
    assert (spaced.name, spaced.is_green, spaced.is_digital) == ("网络主播", False, True)
    assert Occupation.objects.filter(is_green=True).count() == 113 + 2 + 24
    assert Occupation.objects.filter(is_digital=True).count() == 81 + 3 + 24
    assert not Occupation.objects.filter(name__regex=r"[LS]$").exists()
    # and the starter job types are kept
    assert Occupation.objects.get(code="6-18-02-04").job_types.count() == 4

    # when imported again
    second = occupation_import(content=content)
    # then nothing changes, and a second audit event says 0 changed
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1676)
    events = list(AuditEvent.objects.filter(action="reference.occupations_imported").order_by("sequence"))
    assert len(events) == 2
    assert events[1].actor_username == "import-occupations"
    assert events[1].data == {
        "records": 1676,
        "created": 0,
        "updated": 0,
        "unchanged": 1676,
        "not_in_file": [],
        "file_sha256": hashlib.sha256(content).hexdigest(),
    }


def catalogue(*records: dict, **extra) -> bytes:
    return json.dumps({"records": list(records), **extra}, ensure_ascii=False).encode()


def record(code: str, name: str, small_code: str | None = None, small_name: str = "小类") -> dict:
    return {"careerCode": code, "name": name, "smallCode": small_code or code[:7], "smallName": small_name}


def test_occupations_missing_from_the_file_are_reported_not_deleted():
    # given 育婴员 exists locally but not in the file
    Occupation.objects.create(code="4-10-01-02", name="育婴员")
    content = catalogue(record("6-31-01-03", "电工", small_name="机械设备修理人员"))
    # when importing
    summary = occupation_import(content=content)
    # then it is kept and reported, with the starter occupations
    assert Occupation.objects.filter(code="4-10-01-02").exists()
    assert "4-10-01-02" in summary.not_in_file
    assert len(summary.not_in_file) == 58  # 57 other starter occupations + 育婴员
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)


def test_a_changed_record_updates_the_row():
    summary = occupation_import(
        content=catalogue(record("6-31-01-03", "电工 L", small_name="机械设备修理人员"))
    )
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    electrician = Occupation.objects.get(code="6-31-01-03")
    assert (electrician.name, electrician.is_green) == ("电工", True)


def test_bad_records_are_named_by_index_and_field_and_nothing_is_written(tmp_path):
    content = catalogue(
        record("9-99-99-01", "新职业"),
        record("9-99-99-02", "另一职业"),
        record("6-31-01-03", "电工", small_name="机械设备修理人员"),
        record("6-31-0103", "坏编码", small_code="6-31-01"),
        record("9-99-99-02", "重复"),
        {"careerCode": "9-99-98-01", "name": "", "smallCode": "9-99-97", "smallName": "x"},
        "不是对象",
    )
    before = Occupation.objects.count()
    with pytest.raises(ImportRejected) as rejected:
        occupation_import(content=content)
    assert [(p.where, p.field) for p in rejected.value.problems] == [
        ("records[3]", "careerCode"),
        ("records[5]", "smallCode"),
        ("records[5]", "name"),
        ("records[6]", ""),
        ("records[4]", "careerCode"),
    ]
    assert str(rejected.value.problems[0]) == "records[3]，careerCode：“6-31-0103”不是 D-DD-DD-DD 格式"
    assert Occupation.objects.count() == before
    assert not Occupation.objects.filter(code="9-99-99-01").exists()
    assert not AuditEvent.objects.filter(action="reference.occupations_imported").exists()

    # and through the command, which exits with an error
    path = tmp_path / "catalogue.json"
    path.write_bytes(content)
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="5 个问题"):
        call_command("import_occupations", str(path), stderr=stderr, stdout=io.StringIO())
    assert "records[3]，careerCode" in stderr.getvalue()


def test_unreadable_and_miscounted_files_are_rejected():
    with pytest.raises(ImportRejected) as rejected:
        occupation_import(content=b"{not json")
    assert rejected.value.problems[0].where == "文件"
    with pytest.raises(ImportRejected) as rejected:
        occupation_import(content=catalogue(record("9-99-99-01", "新职业"), occupationCount=2))
    assert rejected.value.problems[0].field == "occupationCount"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("电工", ("电工", False, False)),
        ("工业机器人系统运维员S", ("工业机器人系统运维员", False, True)),
        ("物流服务师L", ("物流服务师", True, False)),
        ("大地测量工程技术人员L/S", ("大地测量工程技术人员", True, True)),
        ("储能电站运维管理员 L", ("储能电站运维管理员", True, False)),
        ("网络主播 S", ("网络主播", False, True)),
    ],
)
def test_split_occupation_marker(raw, expected):
    assert split_occupation_marker(raw) == expected
