"""Scores from Excel: the plan's template (one row per candidate, a column per component and marker) and
its all-or-nothing import.

The whole file is read (by the applications' sandboxed reader) and checked first; every problem is
reported with its row, column and reason, and if there is any, nothing is written. Imported scores are
entries like those typed on the page (status "待复核"): a second person still confirms each. A cell whose
score was already entered with the same value counts as unchanged, so importing the same file again
changes nothing; a different value is a problem, never an overwrite. A cell may hold "缺考" instead of a
number (the candidate did not sit); anything else that is not a score is reported with its row and column.
"""

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import Component, EvaluationPlan, ScoreEntry
from skillcert.evaluation.selectors.plans import user_manages_plan
from skillcert.evaluation.selectors.scores import ScoreSheet, ScoreSlot, plan_score_sheet
from skillcert.evaluation.services.application_import import ImportRejected
from skillcert.evaluation.services.scores import (
    MSG_PLAN_NOT_SCORING,
    lock_plan_for_scores,
    mark_text,
    score_mark_clean,
)
from skillcert.evaluation.spreadsheets import cells
from skillcert.evaluation.spreadsheets.import_rows import ImportProblem
from skillcert.evaluation.spreadsheets.reader import SpreadsheetRejected, workbook_read
from skillcert.evaluation.spreadsheets.template import write_text

SHEET_TITLE = gettext_lazy("成绩")
TICKET_HEADER = gettext_lazy("准考证号")
NAME_HEADER = gettext_lazy("姓名")
NOT_SAT_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MSG_NOT_MANAGER = gettext_lazy("只有本机构的管理员或考务人员可以导入成绩。")
MSG_IMPORT_DIFFERENT = gettext_lazy(
    "该成绩已录入为 %(old)s（%(status)s），与文件中的 %(new)s 不一致；导入不会覆盖已录入的成绩。"
)


@dataclass(frozen=True, slots=True)
class ScoreColumn:
    header: str
    component: str
    marker: User | None


@dataclass(frozen=True, slots=True)
class ScoreImportResult:
    imported: int  # entries created
    unchanged: int  # cells whose score was already entered with the same value
    rows: int
    sha256: str


def score_columns(*, sheet: ScoreSheet) -> list[ScoreColumn]:
    """The score columns of the plan's template: theory, then one per examiner, then one per reviewer."""
    columns = []
    for component in sheet.components:
        label = str(Component(component).label)
        if component == Component.THEORY:
            columns.append(ScoreColumn(label, component, None))
            continue
        for marker in sheet.markers.get(component, []):
            header = f"{label}-{marker.full_name or marker.username}({marker.username})"
            columns.append(ScoreColumn(header, component, marker))
    return columns


def score_template_workbook(*, plan: EvaluationPlan) -> bytes:
    """The .xlsx for entering the plan's scores offline: grey cells are scores a candidate does not get
    (a recused examiner, or a component a retake keeps)."""
    sheet = plan_score_sheet(plan=plan)
    columns = score_columns(sheet=sheet)
    needed = set(sheet.slots)
    workbook = Workbook()
    data = workbook.active
    data.title = str(SHEET_TITLE)
    data.freeze_panes = "C2"
    headers = [str(TICKET_HEADER), str(NAME_HEADER), *(column.header for column in columns)]
    for index, header in enumerate(headers, start=1):
        cell = data.cell(row=1, column=index)
        write_text(cell, header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
        data.column_dimensions[get_column_letter(index)].width = 18 if index <= 2 else 16
    for row, application in enumerate(sheet.applications, start=2):
        write_text(data.cell(row=row, column=1), application.ticket_number or "")
        write_text(data.cell(row=row, column=2), application.candidate.name)
        for offset, column in enumerate(columns, start=3):
            slot = ScoreSlot(application.pk, column.component, column.marker.pk if column.marker else None)
            if slot not in needed:
                data.cell(row=row, column=offset).fill = NOT_SAT_FILL
    notes = workbook.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 100
    for row, text in enumerate(
        (
            _("评价计划：%(number)s") % {"number": plan.number},
            _("每行一名考生，不要修改准考证号、姓名和第一行的列名。成绩为 0 到 100 的数字，最多两位小数。"),
            _("考生未参加该科目考核的，在成绩单元格填写“缺考”（不要填 0）；缺考的考生不计入实考人数。"),
            _("灰色单元格不填写：该考评人员已回避该考生，或该考生为补考、已保留该科目的合格成绩。"),
            _(
                "留空的单元格不导入。整个文件校验通过后才会导入；有任何问题时不导入任何数据，并列出问题所在的行、列和原因。"
            ),
            _("导入的成绩仍须由另一名工作人员在系统中复核；同一文件重复导入不会改变任何成绩。"),
            _("不要填写公式：含公式的单元格会被拒绝。"),
        ),
        start=1,
    ):
        write_text(notes.cell(row=row, column=1), text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def score_template_filename(*, plan: EvaluationPlan) -> str:
    return f"scores-{plan.number}.xlsx"


def _reject(problems: list[ImportProblem]) -> ImportRejected:
    problems.sort(key=ImportProblem.sort_key)
    rows = {problem.row for problem in problems if problem.row is not None}
    return ImportRejected(
        _("文件有 %(count)d 处问题（涉及 %(rows)d 行），未导入任何成绩。请修改后重新上传。")
        % {"count": len(problems), "rows": len(rows)},
        problems=problems,
    )


def _reject_file(message: str) -> ImportRejected:
    return ImportRejected(
        message, problems=[ImportProblem(row=None, column=None, header="", message=message)]
    )


@dataclass(slots=True)
class _Checked:
    new: list[tuple[ScoreSlot, Any]]  # slot, mark (None = 缺考)
    unchanged: int
    rows: int


def _header_positions(
    header_row: list[Any], columns: list[ScoreColumn], problems: list[ImportProblem]
) -> tuple[int | None, int | None, dict[int, ScoreColumn]]:
    by_text = {"".join(column.header.split()): column for column in columns}
    ticket = name = None
    positions: dict[int, ScoreColumn] = {}
    for index, value in enumerate(header_row):
        text = "".join(cells.cell_text(value).split())
        letter = get_column_letter(index + 1)
        if not text:
            continue
        if text == str(TICKET_HEADER):
            ticket = index
        elif text == str(NAME_HEADER):
            name = index
        elif text in by_text and by_text[text] not in positions.values():
            positions[index] = by_text[text]
        else:
            problems.append(
                ImportProblem(
                    row=1,
                    column=letter,
                    header=cells.cell_text(value)[:40],
                    message=_("无法识别的列“%(header)s”：请使用本计划最新下载的成绩模板，不要修改列名。")
                    % {"header": cells.cell_text(value)[:40]},
                )
            )
    for missing, position in ((TICKET_HEADER, ticket), (NAME_HEADER, name)):
        if position is None:
            problems.append(
                ImportProblem(
                    row=1,
                    column=None,
                    header="",
                    message=_("缺少“%(header)s”列：请使用本计划的成绩模板。") % {"header": missing},
                )
            )
    return ticket, name, positions


def _check(*, plan: EvaluationPlan, rows: list[list[Any]], formulas: list[str]) -> tuple[_Checked, list]:
    sheet = plan_score_sheet(plan=plan)
    columns = score_columns(sheet=sheet)
    problems: list[ImportProblem] = []
    ticket_at, name_at, positions = _header_positions(rows[0] if rows else [], columns, problems)
    outcome = _Checked(new=[], unchanged=0, rows=0)
    if ticket_at is None or name_at is None or not rows:
        return outcome, problems
    for reference in formulas:
        letters = "".join(c for c in reference if c.isalpha())
        digits = "".join(c for c in reference if c.isdigit())
        problems.append(
            ImportProblem(
                row=int(digits) if digits else None,
                column=letters or None,
                header="",
                message=_("单元格含有公式，请改为直接填写成绩（复制后用“选择性粘贴 → 数值”）。"),
            )
        )
    by_ticket = {application.ticket_number: application for application in sheet.applications}
    needed = set(sheet.slots)
    started = _started_components(plan)
    seen: dict[str, int] = {}

    def problem(row: int, index: int | None, header: str, message: str) -> None:
        column = get_column_letter(index + 1) if index is not None else None
        problems.append(ImportProblem(row=row, column=column, header=header, message=message))

    width = max([ticket_at, name_at, *positions]) + 1
    for number, values in enumerate(rows[1:], start=2):
        if all(cells.is_empty(value) for value in values):
            continue
        outcome.rows += 1
        cell = [*values, *([None] * (width - len(values)))]  # short rows: the missing cells are empty
        ticket = cells.cell_text(cell[ticket_at])
        application = by_ticket.get(ticket)
        if application is None:
            problem(
                number,
                ticket_at,
                str(TICKET_HEADER),
                _("准考证号“%(ticket)s”不是本计划参加考核的考生。") % {"ticket": ticket[:30]},
            )
            continue
        if ticket in seen:
            problem(
                number,
                ticket_at,
                str(TICKET_HEADER),
                _("与第 %(row)d 行的准考证号重复，每名考生只能填写一行。") % {"row": seen[ticket]},
            )
            continue
        seen[ticket] = number
        if cells.cell_text(cell[name_at]) != application.candidate.name:
            problem(
                number,
                name_at,
                str(NAME_HEADER),
                _("姓名与准考证号 %(ticket)s 登记的考生姓名不一致。") % {"ticket": ticket},
            )
            continue
        for index, column in positions.items():
            raw = cell[index]
            if cells.is_empty(raw):
                continue
            slot = ScoreSlot(application.pk, column.component, column.marker.pk if column.marker else None)
            if slot not in needed:
                problem(
                    number,
                    index,
                    column.header,
                    _("该考生没有这一项成绩（考评人员已回避，或补考已保留该科目），请留空。"),
                )
                continue
            if column.component not in started:
                problem(
                    number,
                    index,
                    column.header,
                    _("%(component)s尚未开始，不能导入成绩。")
                    % {"component": Component(column.component).label},
                )
                continue
            try:
                value = score_mark_clean(raw)
            except ValidationError as error:
                problem(number, index, column.header, "；".join(error.messages))
                continue
            existing = sheet.entries.get(slot)
            if existing is None:
                outcome.new.append((slot, value))
            elif existing.mark == value:
                outcome.unchanged += 1
            else:
                problem(
                    number,
                    index,
                    column.header,
                    str(MSG_IMPORT_DIFFERENT)
                    % {
                        "old": existing.mark_display,
                        "status": existing.get_status_display(),
                        "new": mark_text(value),
                    },
                )
    return outcome, problems


def _started_components(plan: EvaluationPlan) -> set[str]:
    now = timezone.now()
    sessions = {session.component: session.starts_at for session in plan.sessions.all()}
    return {component for component in plan.spec.components() if sessions.get(component, now) <= now}


def score_import(
    *,
    plan: EvaluationPlan,
    content: bytes,
    filename: str,
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> ScoreImportResult:
    """Enter the scores of an uploaded template for ``plan``: every cell or none; raises ImportRejected."""
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_MANAGER))
    if plan.status != EvaluationPlan.Status.ACKNOWLEDGED:
        raise ApplicationError(str(MSG_PLAN_NOT_SCORING), extra={"status": 409})
    digest = hashlib.sha256(content).hexdigest()
    try:
        read = workbook_read(content, filename=filename, preferred_sheet=str(SHEET_TITLE))
    except SpreadsheetRejected as error:
        raise _reject_file(error.message) from None
    with transaction.atomic():
        plan = lock_plan_for_scores(plan)
        if plan.status != EvaluationPlan.Status.ACKNOWLEDGED:
            raise ApplicationError(str(MSG_PLAN_NOT_SCORING), extra={"status": 409})
        outcome, problems = _check(plan=plan, rows=read.rows, formulas=read.formula_cells)
        if problems:
            raise _reject(problems)
        if outcome.rows == 0:
            raise _reject_file(_("文件中没有成绩：请从第 2 行起每行填写一名考生的成绩。"))
        now = timezone.now()
        ScoreEntry.objects.bulk_create(
            [
                ScoreEntry(
                    application_id=slot.application_id,
                    component=slot.component,
                    marker_id=slot.marker_id,
                    value=value,
                    absent=value is None,
                    entered_by=actor,
                    entered_at=now,
                )
                for slot, value in outcome.new
            ]
        )
        result = ScoreImportResult(
            imported=len(outcome.new), unchanged=outcome.unchanged, rows=outcome.rows, sha256=digest
        )
        audit_record(
            actor=actor,
            action="score.imported",
            target=plan,
            data={
                "plan": plan.number,
                "filename": filename[:200],
                "sha256": digest,
                "rows": result.rows,
                "imported": result.imported,
                "unchanged": result.unchanged,
            },
            context=context,
        )
    return result
