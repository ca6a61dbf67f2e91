"""Filled-in application templates (报名名单), shared by the application import tests and its job's tests."""

import io
from datetime import date

from openpyxl import load_workbook

from skillcert.evaluation.spreadsheets.columns import COLUMNS
from skillcert.evaluation.spreadsheets.template import application_template_workbook
from skillcert.evaluation.tests.factories import make_resident_id

KEYS = [column.key for column in COLUMNS]
ID_1 = make_resident_id(date(1990, 3, 7), sequence=1)
ID_2 = make_resident_id(date(1988, 11, 20), sex="F", sequence=2)
ID_3 = make_resident_id(date(1995, 5, 5), sequence=3)


def row(name="张三", id_number=ID_1, **values) -> dict:
    """A row that qualifies for 四级 under the 2018 template (6 years of work)."""
    return {"name": name, "id_type": "居民身份证", "id_number": id_number, "work_years": "6", **values}


def workbook_bytes(plan, rows: list[dict], *, raw: dict[str, object] | None = None) -> bytes:
    """The plan's real template with ``rows`` typed in from row 2 (``raw`` sets cells by reference)."""
    workbook = load_workbook(io.BytesIO(application_template_workbook(plan=plan)))
    sheet = workbook["报名名单"]
    for offset, values in enumerate(rows, start=2):
        for key, value in values.items():
            sheet.cell(row=offset, column=KEYS.index(key) + 1).value = value
    for reference, value in (raw or {}).items():
        sheet[reference].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
