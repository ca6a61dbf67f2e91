"""Turning the rows of an uploaded application template into checked values, with every problem found.

No database access: this checks what a file can show by itself (headers, cells, identifiers, dates,
duplicates within the file). The import service then checks the rows against the database.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from skillcert.accounts.identity import id_number_blind_index, normalise_id_number
from skillcert.accounts.models import Candidate
from skillcert.accounts.services import clean_mobile, clean_name
from skillcert.core.identifiers import CertificateNumber, parse_certificate_number
from skillcert.evaluation.eligibility import Evidence, PriorCertificate
from skillcert.evaluation.models import Education, TitleRank
from skillcert.evaluation.spreadsheets import cells
from skillcert.evaluation.spreadsheets.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    education_choices,
    id_type_choices,
    title_choices,
    yes_no_choices,
)
from skillcert.evaluation.spreadsheets.reader import SheetRows

EDUCATION_SYNONYMS = {
    "初中": Education.NONE,
    "初中及以下": Education.NONE,
    "无": Education.NONE,
    "高中": Education.HIGH_SCHOOL,
    "中专": Education.SECONDARY_VOCATIONAL,
    "职高": Education.SECONDARY_VOCATIONAL,
    "技校": Education.TECHNICAL_SCHOOL,
    "大专": Education.HIGHER_VOCATIONAL,
    "高职": Education.HIGHER_VOCATIONAL,
    "专科": Education.HIGHER_VOCATIONAL,
    "研究生": Education.MASTER,
}
TITLE_SYNONYMS = {
    "无": TitleRank.NONE,
    "初级": TitleRank.JUNIOR,
    "助理级": TitleRank.JUNIOR,
    "中级": TitleRank.INTERMEDIATE,
    "副高级": TitleRank.ASSOCIATE_SENIOR,
    "副高": TitleRank.ASSOCIATE_SENIOR,
    "正高级": TitleRank.SENIOR,
    "正高": TitleRank.SENIOR,
}
ID_TYPE_SYNONYMS = {"身份证": Candidate.IdType.RESIDENT_ID}


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem of an import: Excel row number and column letter when known, and the reason."""

    row: int | None
    column: str | None  # "C"
    header: str  # "证件号码"
    message: str

    def sort_key(self) -> tuple[int, int, str]:
        column = 0
        for letter in self.column or "":
            column = column * 26 + ord(letter) - 64
        return (self.row or 0, column, self.message)

    @property
    def where(self) -> str:
        if self.column:
            return f"{self.column} {self.header}"
        return ""


@dataclass(slots=True)
class ParsedRow:
    number: int  # the Excel row number
    positions: dict[str, int]  # column key → 0-based index
    name: str = ""
    id_type: str = ""
    id_number: str = ""  # normalised
    index: str = ""  # blind index
    birth_date: date | None = None
    sex: str = ""
    mobile: str = ""
    evidence: Evidence = field(default_factory=Evidence)

    def problem(self, key: str | None, message: str) -> ImportProblem:
        if key is None or key not in self.positions:
            return ImportProblem(row=self.number, column=None, header="", message=message)
        return ImportProblem(
            row=self.number,
            column=get_column_letter(self.positions[key] + 1),
            header=str(COLUMN_BY_KEY[key].header),
            message=message,
        )


@dataclass(slots=True)
class ParsedSheet:
    rows: list[ParsedRow]
    problems: list[ImportProblem]
    fatal: bool = False  # the headers are wrong: no row could be read


def column_index(letters: str) -> int:
    """0-based index of a column letter ("A" → 0)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def _headers(header_row: list[Any]) -> tuple[dict[str, int], list[ImportProblem]]:
    by_text = {"".join(str(column.header).split()): column.key for column in COLUMNS}
    positions: dict[str, int] = {}
    for index, value in enumerate(header_row):
        key = by_text.get("".join(cells.cell_text(value).split()).rstrip("*"))
        if key and key not in positions:
            positions[key] = index
    problems = [
        ImportProblem(
            row=1,
            column=None,
            header="",
            message=_("缺少“%(header)s”列：请使用本计划的报名模板，不要修改第一行的列名。")
            % {"header": column.header},
        )
        for column in COLUMNS
        if column.key not in positions
    ]
    return positions, problems


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """Translated headers and drop-down labels, computed once per file rather than once per row."""

    headers: dict[str, str]
    id_types: dict[str, str]
    education: dict[str, str]
    titles: dict[str, str]
    yes_no: dict[str, bool]

    @classmethod
    def current(cls) -> "_Vocabulary":
        return cls(
            headers={column.key: str(column.header) for column in COLUMNS},
            id_types=id_type_choices(),
            education=education_choices(),
            titles=title_choices(),
            yes_no=yes_no_choices(),
        )


class _RowReader:
    """Reads one row's cells, collecting a problem for each bad cell instead of stopping at the first."""

    def __init__(
        self,
        row: ParsedRow,
        values: list[Any],
        problems: list[ImportProblem],
        today: date,
        words: _Vocabulary,
        formula_columns: frozenset[int] = frozenset(),
    ) -> None:
        self.row, self.values, self.problems, self.today, self.words = row, values, problems, today, words
        self.formula_columns = formula_columns  # already reported as formulas: say nothing more about them
        self.failed = False

    def raw(self, key: str) -> Any:
        index = self.row.positions[key]
        return self.values[index] if index < len(self.values) else None

    def fail(self, key: str | None, message: str) -> None:
        self.failed = True
        if key is None or self.row.positions.get(key) not in self.formula_columns:
            self.problems.append(self.row.problem(key, message))

    def read(self, key: str, parser, *args: Any, **kwargs: Any) -> Any:
        try:
            return parser(self.raw(key), *args, **kwargs)
        except cells.CellError as error:
            self.fail(key, error.message)
        except ValidationError as error:
            self.fail(key, error.messages[0])
        return None


def _name(value: Any) -> str:
    text = cells.cell_text(value)
    if cells.has_control_characters(text):
        raise cells.CellError(_("姓名含有不可见的控制字符，请重新输入。"))
    return clean_name(text)


def _certificates(reader: _RowReader) -> list[PriorCertificate]:
    raw_numbers = reader.raw("certificate_number")
    header = reader.words.headers["certificate_number"]
    if isinstance(raw_numbers, int | float) and not isinstance(raw_numbers, bool):
        reader.fail("certificate_number", cells.number_damage_message(header))
        return []
    numbers = cells.split_list(raw_numbers)
    raw_dates = reader.raw("certificate_issued_on")
    date_values = [raw_dates] if isinstance(raw_dates, date) else cells.split_list(raw_dates)
    parsed_numbers = []
    for position, text in enumerate(numbers, start=1):
        if cells.SCIENTIFIC.match(text) or cells.FLOAT_TEXT.match(text):
            reader.fail("certificate_number", cells.number_damage_message(header))
            return []
        try:
            parsed_numbers.append(parse_certificate_number(text, today=reader.today))
        except ValidationError as error:
            prefix = _("第 %(n)d 个证书编号：") % {"n": position} if len(numbers) > 1 else ""
            reader.fail("certificate_number", prefix + error.messages[0])
    dates = []
    for value in date_values:
        try:
            dates.append(cells.parse_date(value, today=reader.today))
        except cells.CellError as error:
            reader.fail("certificate_issued_on", error.message)
    if len(numbers) != len(date_values):
        reader.fail(
            "certificate_issued_on",
            _("证书编号 %(numbers)d 个、发证日期 %(dates)d 个，应一一对应（每本证书都要填写发证日期）。")
            % {"numbers": len(numbers), "dates": len(date_values)},
        )
    if reader.failed or len(parsed_numbers) != len(numbers):
        return []
    return [
        PriorCertificate(
            number=parsed.number if isinstance(parsed, CertificateNumber) else parsed.original,
            level_digit=parsed.level,
            issued_on=issued_on,
        )
        for parsed, issued_on in zip(parsed_numbers, dates, strict=True)
    ]


def _parse_row(
    row: ParsedRow,
    values: list[Any],
    problems: list[ImportProblem],
    today: date,
    words: _Vocabulary,
    formula_columns: frozenset[int],
) -> bool:
    reader = _RowReader(row, values, problems, today, words, formula_columns)
    headers = words.headers
    row.name = reader.read("name", _name) or ""
    id_type = reader.read(
        "id_type",
        cells.parse_choice,
        choices=words.id_types,
        synonyms=ID_TYPE_SYNONYMS,
        default=Candidate.IdType.RESIDENT_ID,
        header=headers["id_type"],
    )
    id_text = reader.read("id_number", cells.identifier_text, header=headers["id_number"])
    if id_type and id_text is not None:
        if not id_text:
            reader.fail("id_number", _("请填写证件号码。"))
        else:
            identity = reader.read(
                "id_number", lambda _raw: normalise_id_number(id_type=id_type, id_number=id_text)
            )
            if identity is not None:
                row.id_type, row.id_number = id_type, identity.number
                row.birth_date, row.sex = identity.birth_date, identity.sex
                row.index = id_number_blind_index(id_type=id_type, number=identity.number)
    row.mobile = reader.read("mobile", lambda raw: clean_mobile(cells.mobile_text(raw), required=False)) or ""
    work_years = reader.read("work_years", cells.parse_work_years)
    education = reader.read(
        "education",
        cells.parse_choice,
        choices=words.education,
        synonyms=EDUCATION_SYNONYMS,
        default=Education.NONE,
        header=headers["education"],
    )
    related = reader.read(
        "education_related",
        cells.parse_choice,
        choices=words.yes_no,
        default=False,
        header=headers["education_related"],
    )
    title = reader.read(
        "title_rank",
        cells.parse_choice,
        choices=words.titles,
        synonyms=TITLE_SYNONYMS,
        default=TitleRank.NONE,
        header=headers["title_rank"],
    )
    title_on = reader.read("title_obtained_on", cells.parse_date, today=today)
    title_date_empty = cells.is_empty(reader.raw("title_obtained_on"))
    if title and title != TitleRank.NONE and title_date_empty:
        reader.fail("title_obtained_on", _("填写了职称，请同时填写取得职称的时间。"))
    if title == TitleRank.NONE and title_on is not None:
        reader.fail("title_rank", _("填写了取得职称时间，但未选择职称。"))
    certificates = _certificates(reader)
    if reader.failed:
        return False
    row.evidence = Evidence(
        work_years=work_years,
        education=education,
        education_related=bool(related),
        title_rank=title,
        title_obtained_on=title_on,
        prior_certificates=tuple(certificates),
    )
    return True


def parse_sheet(
    sheet: SheetRows, *, today: date, progress: Callable[[int, int], None] | None = None
) -> ParsedSheet:
    """Check the header row and every data row; rows with a problem are left out of ``rows``.

    ``progress(done, total)`` is called after each data row (the caller decides how often to report).
    """
    if not sheet.rows:
        return ParsedSheet(rows=[], problems=[], fatal=False)
    positions, problems = _headers(sheet.rows[0])
    if problems:
        return ParsedSheet(rows=[], problems=problems, fatal=True)
    for reference in sheet.formula_cells:
        letters = "".join(character for character in reference if character.isalpha())
        digits = "".join(character for character in reference if character.isdigit())
        key = next((k for k, index in positions.items() if get_column_letter(index + 1) == letters), None)
        problems.append(
            ImportProblem(
                row=int(digits) if digits else None,
                column=letters or None,
                header=str(COLUMN_BY_KEY[key].header) if key else "",
                message=_("单元格含有公式，请改为直接填写内容（复制后用“选择性粘贴 → 数值”）。"),
            )
        )
    formulas: dict[int, set[int]] = {}
    for problem in problems:
        if problem.row is not None and problem.column:
            formulas.setdefault(problem.row, set()).add(column_index(problem.column))
    words = _Vocabulary.current()
    rows: list[ParsedRow] = []
    first_seen: dict[tuple[str, str], int] = {}
    total = len(sheet.rows) - 1
    for offset, values in enumerate(sheet.rows[1:], start=2):
        if progress is not None:
            progress(offset - 2, total)
        if all(cells.is_empty(values[index]) for index in positions.values() if index < len(values)):
            continue
        row = ParsedRow(number=offset, positions=positions)
        formula_columns = frozenset(formulas.get(offset, ()))
        if not _parse_row(row, values, problems, today, words, formula_columns) or formula_columns:
            continue
        identity = (row.id_type, row.id_number)
        if identity in first_seen:
            problems.append(
                row.problem(
                    "id_number",
                    _("与第 %(row)d 行的证件号码重复，同一考生只能填写一行。")
                    % {"row": first_seen[identity]},
                )
            )
            continue
        first_seen[identity] = offset
        rows.append(row)
    if progress is not None:
        progress(total, total)
    return ParsedSheet(rows=rows, problems=problems)
