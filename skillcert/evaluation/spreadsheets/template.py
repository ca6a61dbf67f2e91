"""The application template (报名导入模板) that body staff download from the plan page.

Every string is written as an inline string (``data_type = "s"``): openpyxl would otherwise store any
value starting with "=" as a formula (security.md §5.1). The ID, mobile and certificate number columns
are formatted as text so that Excel keeps all 18 digits; drop-down lists come from a hidden sheet.
"""

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from skillcert.evaluation.models import EvaluationPlan
from skillcert.evaluation.spreadsheets.columns import (
    CHOICES_TITLE,
    COLUMNS,
    INSTRUCTIONS_TITLE,
    SHEET_TITLE,
    choice_labels,
)

TEMPLATE_ROWS = 2000  # rows prepared with text format and drop-down lists (more may be added)
CHOICE_KINDS = ("id_type", "education", "title", "yes_no")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_text(cell: Cell, value: str) -> None:
    """Write ``value`` as a string cell, never a formula; leading formula characters get a "'"."""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    cell.value = text
    cell.data_type = "s"


def _write(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        write_text(cell, value)
    else:
        cell.value = value
    return cell


def _choices_sheet(workbook: Workbook) -> dict[str, str]:
    """A hidden sheet holding one column per drop-down list; returns the formula of each list."""
    sheet = workbook.create_sheet(str(CHOICES_TITLE))
    sheet.sheet_state = "hidden"
    formulas = {}
    for index, kind in enumerate(CHOICE_KINDS, start=1):
        labels = choice_labels(kind)
        for row, label in enumerate(labels, start=1):
            _write(sheet, row, index, label)
        letter = get_column_letter(index)
        formulas[kind] = f"{quote_sheetname(sheet.title)}!${letter}$1:${letter}${len(labels)}"
    return formulas


def _data_sheet(sheet: Worksheet, formulas: dict[str, str]) -> None:
    sheet.title = str(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        cell = _write(sheet, 1, index, str(column.header))
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if column.text or column.date:
            number_format = "@" if column.text else "yyyy-mm-dd"
            for (data_cell,) in sheet[cells]:
                data_cell.number_format = number_format
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1=formulas[column.choices],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("取值无效"),
                error=_("请从下拉列表中选择%(header)s。") % {"header": column.header},
            )
            validation.add(cells)
            sheet.add_data_validation(validation)
    sheet.row_dimensions[1].height = 30


def _instructions_sheet(workbook: Workbook, plan: EvaluationPlan) -> None:
    sheet = workbook.create_sheet(str(INSTRUCTIONS_TITLE))
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    spec = plan.spec
    job_type = f"（{spec.job_type.name}）" if spec.job_type else ""
    lines: list[tuple[str, str]] = [
        (_("评价计划"), plan.number),
        (_("职业（工种）"), f"{spec.occupation.code} {spec.occupation.name}{job_type}"),
        (_("等级"), spec.level.label),
        (_("评价站点"), plan.site.name),
        (_("计划人数"), str(plan.capacity)),
        ("", ""),
        (
            _("填写要求"),
            _("在“%(sheet)s”工作表中每行填写一名考生，不要修改第一行的列名，不要插入合并单元格。")
            % {"sheet": SHEET_TITLE},
        ),
        (
            "",
            _(
                "红色列名为必填项。整个文件校验通过后才会导入；有任何一行出错时，不导入任何数据，"
                "并列出每个问题所在的行、列和原因。"
            ),
        ),
        ("", _("同一文件重复导入不会重复报名：已报名且信息相同的考生计为“未变化”。")),
        (
            "",
            _(
                "证件号码、手机号码、证书编号列已设为文本格式。如果从其他表格粘贴，请选择“只粘贴数值”；"
                "若号码显示为 1.10105E+17 这样的科学计数法，说明已被 Excel 当作数字，后三位已丢失，"
                "请将该列设置为“文本”格式后重新输入号码，或在号码前加英文单引号 '。"
            ),
        ),
        ("", _("不要填写公式：含公式的单元格会被拒绝。")),
        ("", ""),
    ]
    lines += [(str(column.header), str(column.note)) for column in COLUMNS]
    for row, (label, text) in enumerate(lines, start=1):
        _write(sheet, row, 1, label).font = HEADER_FONT
        _write(sheet, row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")


def application_template_workbook(*, plan: EvaluationPlan) -> bytes:
    """The .xlsx template for registering candidates of ``plan`` in bulk."""
    workbook = Workbook()
    _instructions_sheet(workbook, plan)
    formulas = _choices_sheet(workbook)
    _data_sheet(workbook.worksheets[0], formulas)
    workbook.properties.creator = "skillcert"
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def application_template_filename(*, plan: EvaluationPlan) -> str:
    """An ASCII download name (the plan number only: no user-supplied text in the header)."""
    return f"applications-{plan.number}.xlsx"
