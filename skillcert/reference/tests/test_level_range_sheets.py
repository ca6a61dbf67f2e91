"""Level ranges in Excel: the download, the all-or-nothing import, and the round trip between them."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from skillcert.core.models import AuditEvent
from skillcert.reference.level_range_sheets import (
    ImportProblem,
    LevelRangeImportRejected,
    level_range_import,
    level_range_workbook,
)
from skillcert.reference.models import LevelRange

pytestmark = pytest.mark.django_db

HEADER = ["职业编码", "工种", "最低等级", "最高等级"]


def xlsx(*rows, header=HEADER, title="等级范围") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table() -> set[tuple[str, str, int, int]]:
    return {
        (row.occupation.code, row.job_type.name if row.job_type else "", row.lowest_id, row.highest_id)
        for row in LevelRange.objects.select_related("occupation", "job_type")
    }


SEEDED = {
    ("4-10-01-01", "", 4, 1),
    ("6-18-02-04", "电焊工", 5, 1),
    ("6-18-02-04", "气焊工", 5, 3),
    ("6-18-02-04", "钎焊工", 5, 2),
    ("6-18-02-04", "焊接设备操作工", 5, 1),
}


def test_import_creates_and_updates_and_audits_each_change(world):
    # given a sheet: a new range in words, a changed one in digits, an unchanged one as printed labels
    content = xlsx(
        ("4-03-02-01", None, "五级", "三级"),
        ("6-18-02-04", "气焊工", 5, 2),
        ("4-10-01-01", "", "四级/中级工", "一级/高级技师"),
    )
    # when the municipal administrator imports it
    result = level_range_import(content=content, filename="范围.xlsx", actor=world.municipal_admin)
    # then one range is created, one updated, one left as it was
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 1, 1, 1)
    assert table() == (SEEDED - {("6-18-02-04", "气焊工", 5, 3)}) | {
        ("4-03-02-01", "", 5, 3),
        ("6-18-02-04", "气焊工", 5, 2),
    }
    # and one audit event names each change with its old and new range
    event = AuditEvent.objects.get(action="level_range.imported")
    assert event.actor_id == world.municipal_admin.pk
    assert (event.data["filename"], event.data["sha256"]) == ("范围.xlsx", result.sha256)
    assert event.data["changes"] == [
        {
            "occupation": "4-03-02-01",
            "job_type": "",
            "before": None,
            "after": {"lowest": "L5", "highest": "L3"},
        },
        {
            "occupation": "6-18-02-04",
            "job_type": "气焊工",
            "before": {"lowest": "L5", "highest": "L3"},
            "after": {"lowest": "L5", "highest": "L2"},
        },
    ]


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(world):
    # given a good row among bad ones
    content = xlsx(
        ("4-03-02-01", "", "五级", "三级"),  # row 2: fine on its own
        ("9-99-99-99", "", "五级", "一级"),  # row 3: unknown occupation code
        ("4-03-02-02", "", "六级", "一级"),  # row 4: a level word not recognised
        ("4-10-01-05", "", "二级", "四级"),  # row 5: lowest above highest
        ("6-18-02-04", "水下焊工", 5, 1),  # row 6: no such job type
        ("4-03-02-01", "", 4, 2),  # row 7: the same occupation as row 2
        ("4-10-01-06", "", "", 1),  # row 8: lowest missing
    )
    # when it is imported / then it is refused with every problem in row and column order
    with pytest.raises(LevelRangeImportRejected) as rejected:
        level_range_import(content=content, filename="范围.xlsx", actor=world.municipal_admin)
    assert rejected.value.problems == [
        ImportProblem(3, "A", "职业编码", "职业目录中没有职业编码“9-99-99-99”。"),
        ImportProblem(
            4, "C", "最低等级", "“六级”不是可识别的等级：请填写五级、四级、三级、二级、一级，或 5 至 1。"
        ),
        ImportProblem(5, "C", "最低等级", "最低等级（二级/技师）不能高于最高等级（四级/中级工）。"),
        ImportProblem(6, "B", "工种", "职业“焊工”下没有工种“水下焊工”。"),
        ImportProblem(7, "A", "职业编码", "与第 2 行重复：同一职业（工种）只能有一行。"),
        ImportProblem(8, "C", "最低等级", "请填写最低等级。"),
    ]
    assert rejected.value.message == "文件有 6 处问题（涉及 6 行），未导入任何等级范围。请修改后重新上传。"
    # and nothing was written, not even the good row
    assert table() == SEEDED
    assert not AuditEvent.objects.filter(action="level_range.imported").exists()


def test_columns_are_found_by_header_and_a_missing_one_is_named(world):
    # columns in another order, 工种 left out, an extra column: read by their headers
    content = xlsx(
        ("一级", "备注", "4-03-02-01", "三级"), header=["最高等级", "备注", "职业编码", "最低等级"]
    )
    result = level_range_import(content=content, filename="a.xlsx", actor=world.municipal_admin)
    assert result.created == 1
    assert ("4-03-02-01", "", 3, 1) in table()
    with pytest.raises(LevelRangeImportRejected) as rejected:
        level_range_import(
            content=xlsx(("4-03-02-02", "五级"), header=["职业编码", "最低等级"]),
            filename="b.xlsx",
            actor=world.municipal_admin,
        )
    assert [(p.row, p.message) for p in rejected.value.problems] == [
        (1, "缺少“最高等级”列：第一行须有 职业编码、最低等级、最高等级 列（工种列可省略）。")
    ]


def test_an_empty_sheet_or_a_non_excel_file_is_refused(world):
    with pytest.raises(LevelRangeImportRejected) as rejected:
        level_range_import(content=xlsx(), filename="empty.xlsx", actor=world.municipal_admin)
    assert "文件中没有等级范围" in rejected.value.message
    with pytest.raises(LevelRangeImportRejected) as rejected:
        level_range_import(content=b"code,lowest\n", filename="ranges.csv", actor=world.municipal_admin)
    assert rejected.value.message.startswith("文件无法读取：只接受 .xlsx 格式")
    assert table() == SEEDED


def test_download_lists_every_range_in_the_import_columns(world):
    sheet = load_workbook(io.BytesIO(level_range_workbook()))["等级范围"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_row=6)]
    assert rows[0] == ["职业编码", "职业名称", "工种", "最低等级", "最高等级"]
    assert rows[1] == ["4-10-01-01", "婴幼儿发展引导员", None, "四级", "一级"]
    assert {tuple(row) for row in rows[2:]} == {
        ("6-18-02-04", "焊工", "电焊工", "五级", "一级"),
        ("6-18-02-04", "焊工", "气焊工", "五级", "三级"),
        ("6-18-02-04", "焊工", "钎焊工", "五级", "二级"),
        ("6-18-02-04", "焊工", "焊接设备操作工", "五级", "一级"),
    }
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"


def test_download_round_trips_through_the_import(world):
    # given a range added and one changed on top of the seeded ones, and the table downloaded
    level_range_import(
        content=xlsx(("4-03-02-01", "", 5, 3), ("6-18-02-04", "钎焊工", 4, 2)),
        filename="first.xlsx",
        actor=world.municipal_admin,
    )
    before = table()
    downloaded = level_range_workbook()
    # when the same file is imported again / then nothing changes
    again = level_range_import(content=downloaded, filename="ranges.xlsx", actor=world.municipal_admin)
    assert (again.rows, again.created, again.updated, again.unchanged) == (len(before), 0, 0, len(before))
    assert (
        AuditEvent.objects.filter(action="level_range.imported").order_by("pk").last().data["changes"] == []
    )
    # when every range is removed and the download imported / then the same table comes back
    LevelRange.objects.all().delete()
    restored = level_range_import(content=downloaded, filename="ranges.xlsx", actor=world.municipal_admin)
    assert restored.created == len(before) == 6
    assert table() == before


# --- the pages --------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, world, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.municipal_admin)
    return client


def upload(content: bytes, name: str = "范围.xlsx") -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile(name, content)}


def test_import_page_imports_a_good_file(admin_client):
    response = admin_client.post(
        reverse("reference:level_range_import"), upload(xlsx(("4-03-02-01", "", "五级", "三级")))
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reference:level_ranges")
    assert ("4-03-02-01", "", 5, 3) in table()
    follow = admin_client.get(response["Location"])
    assert "已导入 1 行：新增 1 个、修改 0 个范围，0 个未变。" in follow.text


def test_import_page_lists_the_problems(admin_client):
    response = admin_client.post(
        reverse("reference:level_range_import"), upload(xlsx(("4-03-02-01", "", "七级", "三级")))
    )
    assert response.status_code == 200
    assert [(p.row, p.column) for p in response.context["problems"]] == [(2, "C")]
    assert "“七级”不是可识别的等级" in response.text and "未导入任何等级范围" in response.text
    assert table() == SEEDED


def test_download_page_is_an_excel_file(client, world, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_admin)
    response = client.get(reverse("reference:level_range_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="level-ranges-')
    assert load_workbook(io.BytesIO(response.content))["等级范围"]["A2"].value == "4-10-01-01"
