"""Bulk registration facing hostile and broken files: a ZIP bomb refused before parsing, an entry declared
too large, a reading child killed by its memory limit or over its time limit, files that are not workbooks
(.xls, PDF, encrypted, damaged) and workbooks with macros, each refused with a clear message."""

import io
import zipfile

import pytest

from skillcert.evaluation.services.application_import import ImportRejected, application_import
from skillcert.evaluation.spreadsheets import reader
from skillcert.evaluation.tests.application_workbooks import row, workbook_bytes
from skillcert.evaluation.tests.test_application_import import db_counts, problems_of, run_import

pytestmark = pytest.mark.django_db


def inflate_sheet(content: bytes, padding: int) -> bytes:
    """The same workbook with ``padding`` bytes of white space in its sheet XML: a ZIP bomb in miniature."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * padding)
            target.writestr(info.filename, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_parsing(world, plan):
    # given: 40 MB of sheet XML in a file of a few hundred KB
    bomb = inflate_sheet(workbook_bytes(plan, [row()]), 40 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    counts = db_counts()

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, bomb)

    message = raised.value.message
    assert message.startswith("文件无法读取：压缩比异常（") and message.endswith("可能是压缩炸弹。")
    assert problems_of(raised.value) == [(None, None, "", message)]
    assert db_counts() == counts


def test_declared_size_over_the_limit_is_refused(monkeypatch):
    # given: a lower cap, so that a small file's sheet exceeds it (the check reads only the directory)
    monkeypatch.setattr(reader, "MAX_ENTRY_BYTES", 1024)
    content = inflate_sheet(workbook_bytes_plain(), 4096)

    with pytest.raises(reader.SpreadsheetRejected) as raised:
        reader.workbook_check(content, filename="a.xlsx")

    assert raised.value.code == "zip_entry_size"


def workbook_bytes_plain() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["姓名"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_child_killed_by_its_memory_limit_gives_a_clear_message(world, plan, monkeypatch):
    # given: a cell far away (a dense range calamine allocates) and a tight address-space limit
    monkeypatch.setattr(reader, "CHILD_ADDRESS_SPACE_BYTES", 96 * 1024 * 1024)
    content = workbook_bytes(plan, [row()], raw={"AX100000": "x"})

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, content)

    assert (
        raised.value.message
        == "文件无法读取：读取过程异常终止，文件可能已损坏或内容异常（例如单元格范围过大）。"
    )


def test_a_child_over_its_time_limit_gives_a_clear_message(world, plan, monkeypatch):
    monkeypatch.setattr(reader, "WALL_TIMEOUT_SECONDS", 0.001)

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, workbook_bytes(plan, [row()]))

    assert raised.value.message == "文件无法读取：处理超时，请减少行数或拆分文件后重试。"


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "名单.xls",
            b"PK\x03\x04rest",
            "文件无法读取：只接受 .xlsx 格式的 Excel 文件，请用“另存为”保存为 .xlsx 后再上传。",
        ),
        ("名单.xlsx", b"%PDF-1.7 not a workbook", "文件无法读取：文件不是有效的 .xlsx 文件。"),
        (
            "名单.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "文件无法读取：文件已加密或是旧版 .xls 格式，请取消密码并另存为 .xlsx。",
        ),
        ("名单.xlsx", b"PK\x03\x04" + b"\0" * 100, "文件无法读取：文件已损坏，不是有效的 .xlsx 文件。"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(world, plan, filename, content, message):
    with pytest.raises(ImportRejected) as raised:
        application_import(
            plan=plan, content=content, filename=filename, source="body", actor=world.body_y_admin
        )
    assert raised.value.message == message


def test_macro_workbooks_are_refused():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook_bytes_plain())) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/vbaProject.bin", b"macro")

    with pytest.raises(reader.SpreadsheetRejected) as raised:
        reader.workbook_check(buffer.getvalue(), filename="a.xlsx")

    assert raised.value.code == "macro"
