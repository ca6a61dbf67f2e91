"""The level ranges as an Excel sheet: download the table, and import it back all or nothing.

Columns 职业编码, 工种 (optional), 最低等级, 最高等级; a level is written 五级 … 一级 or 5 … 1 (the printed
label "四级/中级工" is read too). Other columns, such as the 职业名称 of the download, are not read. An upload
goes through the applications' bounded, sandboxed reader (security.md §5); then every row is checked and
every problem reported with its Excel row number and column, as the application and score imports do. If
there is any problem, nothing is written. Rows create or update ranges and never delete one: a range
missing from the file stays (deleting is done on the page, one range at a time, with a confirmation).
The download is exactly what the import reads, so importing it again changes nothing.
"""

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.spreadsheets import cells
from skillcert.evaluation.spreadsheets.import_rows import ImportProblem
from skillcert.evaluation.spreadsheets.reader import SpreadsheetRejected, workbook_read
from skillcert.reference.models import JobType, LevelRange, Occupation, SkillLevel
from skillcert.reference.selectors import certificate_levels, level_range_list
from skillcert.reference.services import MSG_LOWEST_ABOVE_HIGHEST

SHEET_TITLE = gettext_lazy("等级范围")
NOTES_TITLE = gettext_lazy("填写说明")
CODE, NAME, JOB_TYPE, LOWEST, HIGHEST = "code", "name", "job_type", "lowest", "highest"
HEADERS = {
    CODE: gettext_lazy("职业编码"),
    NAME: gettext_lazy("职业名称"),  # written for reading; the import ignores it
    JOB_TYPE: gettext_lazy("工种"),
    LOWEST: gettext_lazy("最低等级"),
    HIGHEST: gettext_lazy("最高等级"),
}
REQUIRED = (CODE, LOWEST, HIGHEST)
# The words a level is written as; the certificate digit is what the range stores.
LEVEL_WORDS = {"五级": 5, "四级": 4, "三级": 3, "二级": 2, "一级": 1}
WORD_BY_DIGIT = {digit: word for word, digit in LEVEL_WORDS.items()}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BLANK_ROWS = 500  # empty rows below the table prepared with text format and the level lists
MSG_FORMULA = gettext_lazy("单元格含有公式，请改为直接填写内容（复制后用“选择性粘贴 → 数值”）。")


class LevelRangeImportRejected(ApplicationError):
    """The file was not imported; ``problems`` lists every reason (row and column where known)."""

    def __init__(self, message: str, *, problems: list[ImportProblem]) -> None:
        super().__init__(message, extra={"status": 422})
        self.problems = problems


@dataclass(frozen=True, slots=True)
class LevelRangeImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    sha256: str


# --- download ---------------------------------------------------------------------------------------------


def _text(cell: Cell, value: str) -> None:
    """A string cell, never a formula: a leading formula character gets a "'" (security.md §5.1)."""
    text = str(value)
    cell.value = "'" + text if text.startswith(FORMULA_PREFIXES) else text
    cell.data_type = "s"
    cell.number_format = "@"


def level_range_workbook() -> bytes:
    """The .xlsx of every recorded range, in the columns the import reads, with a notes sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    for index, (key, header) in enumerate(HEADERS.items(), start=1):
        cell = sheet.cell(row=1, column=index)
        _text(cell, str(header))
        cell.font = Font(bold=True, color="C00000" if key in REQUIRED else "000000")
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = 28 if key == NAME else 16
    ranges = list(level_range_list())
    for row, level_range in enumerate(ranges, start=2):
        values = (
            level_range.occupation.code,
            level_range.occupation.name,
            level_range.job_type.name if level_range.job_type else "",
            WORD_BY_DIGIT[level_range.lowest_id],
            WORD_BY_DIGIT[level_range.highest_id],
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            if value:
                _text(cell, value)
            else:  # an occupation's own range: the 工种 cell stays empty
                cell.number_format = "@"
    last = len(ranges) + 1 + BLANK_ROWS
    for row in range(len(ranges) + 2, last + 1):
        sheet.cell(row=row, column=1).number_format = "@"
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(LEVEL_WORDS) + '"',
        allow_blank=True,
        error=_("请选择五级至一级，或填写 5 至 1。"),
    )
    choices.showErrorMessage = False  # 5 … 1 typed by hand are valid too
    choices.add(f"D2:E{last}")
    sheet.add_data_validation(choices)
    notes = workbook.create_sheet(str(NOTES_TITLE))
    notes.column_dimensions["A"].width = 100
    lines = (
        _("每行一个职业（或职业下的一个工种）可评价的等级范围。第一行的列名不要修改。"),
        _(
            "职业编码：国家职业分类大典编码，如 4-10-01-01。"
            "工种：留空表示整个职业；填写时须是该职业下已有的工种。"
        ),
        _(
            "最低等级、最高等级：填写五级、四级、三级、二级、一级，"
            "或 5 至 1（5 为五级/初级工，1 为一级/高级技师）。"
        ),
        _("工种设定的范围优先于其所属职业的范围；没有设定范围的职业（工种）五级至一级均可评价。"),
        _("职业名称列仅供核对，导入时不读取。文件中没有的已设定范围保持不变；删除范围请在平台页面上操作。"),
        _(
            "整个文件校验通过后才会导入；有任何问题时不导入任何数据，并列出问题所在的行、列和原因。"
            "修改等级范围不影响已经备案生效的范围，只约束今后新增的备案申请。"
        ),
        _("下载时间：%(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    )
    for row, line in enumerate(lines, start=1):
        _text(notes.cell(row=row, column=1), line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def level_range_filename() -> str:
    return f"level-ranges-{timezone.localdate():%Y%m%d}.xlsx"


# --- import -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    number: int  # the Excel row number
    occupation: Occupation
    job_type: JobType | None
    lowest: SkillLevel
    highest: SkillLevel


def _header_key(value: Any) -> str | None:
    """The column a header names; a note in brackets ("工种（可空）") and a trailing "*" are ignored."""
    text = "".join(cells.cell_text(value).split()).rstrip("*")
    for bracket in ("（", "("):
        text = text.split(bracket, 1)[0]
    return next((key for key, header in HEADERS.items() if text == str(header)), None)


def _positions(header_row: list[Any], problems: list[ImportProblem]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, value in enumerate(header_row):
        key = _header_key(value)
        if key is not None and key not in positions:
            positions[key] = index
    for key in REQUIRED:
        if key not in positions:
            message = _("缺少“%(header)s”列：第一行须有 职业编码、最低等级、最高等级 列（工种列可省略）。")
            problems.append(ImportProblem(1, None, "", message % {"header": HEADERS[key]}))
    return positions


def parse_level(value: Any, *, levels: dict[int, SkillLevel]) -> SkillLevel:
    """A level cell: 五级 … 一级, 5 … 1 (number or text), or a printed label such as "四级/中级工"."""
    if isinstance(value, bool):
        digit = None
    elif isinstance(value, int | float):
        digit = int(value) if float(value).is_integer() else None
    else:
        text = "".join(cells.cell_text(value).split())
        by_label = {level.label: digit for digit, level in levels.items()}
        digit = int(text) if text.isdigit() else LEVEL_WORDS.get(text, by_label.get(text))
    if digit not in levels:
        raise cells.CellError(
            _("“%(value)s”不是可识别的等级：请填写五级、四级、三级、二级、一级，或 5 至 1。")
            % {"value": cells.cell_text(value)[:20]}
        )
    return levels[digit]


class _Checker:
    """Checks the data rows against the catalogue, collecting a problem for every bad cell."""

    def __init__(self, rows: list[list[Any]], positions: dict[str, int], problems: list[ImportProblem]):
        self.rows, self.positions, self.problems = rows, positions, problems
        codes = {cells.cell_text(self.raw(values, CODE)) for values in rows[1:]}
        self.occupations = {o.code: o for o in Occupation.objects.filter(code__in=codes)}
        self.job_types = {
            (job_type.occupation_id, job_type.name): job_type
            for job_type in JobType.objects.filter(occupation__in=self.occupations.values())
        }
        self.levels = {
            level.certificate_digit: level for level in certificate_levels() if level.certificate_digit
        }

    def raw(self, values: list[Any], key: str) -> Any:
        index = self.positions.get(key)
        return values[index] if index is not None and index < len(values) else None

    def problem(self, number: int, key: str, message: str) -> None:
        column = get_column_letter(self.positions[key] + 1)
        self.problems.append(ImportProblem(number, column, str(HEADERS[key]), message))

    def _level(self, number: int, values: list[Any], key: str) -> SkillLevel | None:
        raw = self.raw(values, key)
        if cells.is_empty(raw):
            self.problem(number, key, _("请填写%(header)s。") % {"header": HEADERS[key]})
            return None
        try:
            return parse_level(raw, levels=self.levels)
        except cells.CellError as error:
            self.problem(number, key, error.message)
            return None

    def row(self, number: int, values: list[Any]) -> _Row | None:
        code = cells.cell_text(self.raw(values, CODE))
        occupation = self.occupations.get(code)
        if not code:
            self.problem(number, CODE, _("请填写职业编码。"))
        elif occupation is None:
            self.problem(number, CODE, _("职业目录中没有职业编码“%(code)s”。") % {"code": code[:20]})
        name = cells.cell_text(self.raw(values, JOB_TYPE))
        job_type = None
        if occupation is not None and name:
            job_type = self.job_types.get((occupation.pk, name))
            if job_type is None:
                self.problem(
                    number,
                    JOB_TYPE,
                    _("职业“%(occupation)s”下没有工种“%(name)s”。")
                    % {"occupation": occupation.name, "name": name[:40]},
                )
        lowest = self._level(number, values, LOWEST)
        highest = self._level(number, values, HIGHEST)
        if lowest is None or highest is None:
            return None
        if lowest.rank > highest.rank:
            message = MSG_LOWEST_ABOVE_HIGHEST % {"lowest": lowest.label, "highest": highest.label}
            self.problem(number, LOWEST, str(message))
            return None
        if occupation is None or (name and job_type is None):
            return None
        return _Row(number, occupation, job_type, lowest, highest)


def _check(rows: list[list[Any]], formulas: list[str]) -> tuple[list[_Row], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    positions = _positions(rows[0] if rows else [], problems)
    if problems:
        return [], problems
    for reference in formulas:
        letters = "".join(c for c in reference if c.isalpha())
        digits = "".join(c for c in reference if c.isdigit())
        problems.append(ImportProblem(int(digits) if digits else None, letters or None, "", str(MSG_FORMULA)))
    checker = _Checker(rows, positions, problems)
    checked: list[_Row] = []
    first_line: dict[tuple[int, int | None], int] = {}
    for number, values in enumerate(rows[1:], start=2):
        if all(cells.is_empty(checker.raw(values, key)) for key in (CODE, JOB_TYPE, LOWEST, HIGHEST)):
            continue
        row = checker.row(number, values)
        if row is None:
            continue
        key = (row.occupation.pk, row.job_type.pk if row.job_type else None)
        if key in first_line:
            checker.problem(
                number,
                JOB_TYPE if row.job_type else CODE,
                _("与第 %(row)d 行重复：同一职业（工种）只能有一行。") % {"row": first_line[key]},
            )
            continue
        first_line[key] = number
        checked.append(row)
    return checked, problems


def _reject(problems: list[ImportProblem]) -> LevelRangeImportRejected:
    problems.sort(key=ImportProblem.sort_key)
    rows = {problem.row for problem in problems if problem.row is not None}
    return LevelRangeImportRejected(
        _("文件有 %(count)d 处问题（涉及 %(rows)d 行），未导入任何等级范围。请修改后重新上传。")
        % {"count": len(problems), "rows": len(rows)},
        problems=problems,
    )


def _reject_file(message: str) -> LevelRangeImportRejected:
    return LevelRangeImportRejected(message, problems=[ImportProblem(None, None, "", message)])


def _ends(level_range: LevelRange | _Row) -> dict[str, str]:
    return {"lowest": level_range.lowest.code, "highest": level_range.highest.code}


def level_range_import(
    *, content: bytes, filename: str, actor: User, context: RequestContext = NO_REQUEST
) -> LevelRangeImportResult:
    """Create or update the ranges of an uploaded sheet: every row or none; raises the rejection."""
    digest = hashlib.sha256(content).hexdigest()
    try:
        read = workbook_read(content, filename=filename, preferred_sheet=str(SHEET_TITLE))
    except SpreadsheetRejected as error:
        raise _reject_file(error.message) from None
    with transaction.atomic():
        checked, problems = _check(read.rows, read.formula_cells)
        if problems:
            raise _reject(problems)
        if not checked:
            raise _reject_file(_("文件中没有等级范围：请从第 2 行起每行填写一个职业（工种）的等级范围。"))
        existing = {
            (row.occupation_id, row.job_type_id): row
            for row in LevelRange.objects.select_related("lowest", "highest").filter(
                occupation__in={row.occupation.pk for row in checked}
            )
        }
        to_create, to_update, changes = [], [], []
        for row in checked:
            current = existing.get((row.occupation.pk, row.job_type.pk if row.job_type else None))
            before = _ends(current) if current is not None else None
            if before == _ends(row):
                continue
            if current is None:
                to_create.append(
                    LevelRange(
                        occupation=row.occupation,
                        job_type=row.job_type,
                        lowest=row.lowest,
                        highest=row.highest,
                    )
                )
            else:
                current.lowest, current.highest = row.lowest, row.highest
                to_update.append(current)
            changes.append(
                {
                    "occupation": row.occupation.code,
                    "job_type": row.job_type.name if row.job_type else "",
                    "before": before,
                    "after": _ends(row),
                }
            )
        LevelRange.objects.bulk_create(to_create)
        LevelRange.objects.bulk_update(to_update, ["lowest", "highest"])
        result = LevelRangeImportResult(
            rows=len(checked),
            created=len(to_create),
            updated=len(to_update),
            unchanged=len(checked) - len(changes),
            sha256=digest,
        )
        audit_record(
            actor=actor,
            action="level_range.imported",
            data={
                "filename": filename[:200],
                "sha256": digest,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "changes": changes,
            },
            context=context,
        )
    return result
