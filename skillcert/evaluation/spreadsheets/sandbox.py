"""The child-process side of the workbook reader: bounded parsing with python-calamine.

Run as a script (``python -I sandbox.py``) by ``reader.workbook_read``, so it imports nothing but the
standard library and calamine: it reads limits and the file on stdin and writes plain rows (str, float,
int, bool, dates) or a refusal code as JSON on stdout (JSON, not pickle: the child parsed hostile input).
The parent has already checked the ZIP central directory (entry count, declared sizes, ratios); here the
process itself is bounded (address space, CPU time), so an allocation failure or an abort inside
calamine kills only this child (security.md §5: calamine's aborts cannot be caught).
"""

import io
import json
import re
import resource
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from python_calamine import CalamineWorkbook

CHUNK_BYTES = 1 << 20
# A cell that holds a formula: <f>, <f t="shared" …/>, or a namespaced <x:f>.
FORMULA_PATTERN = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL_REF_PATTERN = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]+\d+)"')
DIMENSION_PATTERN = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]*)(\d*)(?::([A-Z]+)(\d+))?"')
ROW_PATTERN = re.compile(rb'<(?:\w+:)?row\s[^>]*?r="(\d+)"')
WIDE_CELL_PATTERN = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="[A-Z]{3,}\d+"')
SHEET_PATTERN = re.compile(rb'<(?:\w+:)?sheet\s[^>]*?name="([^"]*)"[^>]*?(?:r:)?id="([^"]+)"')
RELATIONSHIP_PATTERN = re.compile(
    rb'<Relationship\s[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"|'
    rb'<Relationship\s[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"'
)
MAX_FORMULAS_REPORTED = 20
SMALL_PART_BYTES = 4 << 20  # workbook.xml and its relationships are small; refuse huge ones


@dataclass(frozen=True, slots=True)
class Limits:
    address_space_bytes: int
    cpu_seconds: int
    max_rows: int  # including the header row
    max_columns: int


class Refused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - 64)
    return number


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > SMALL_PART_BYTES:
        raise Refused("part_too_large")
    return archive.read(name)


def _sheet_part(archive: zipfile.ZipFile, preferred: str) -> tuple[str, str]:
    """The name and ZIP path of the sheet to read: the one called ``preferred``, else the first."""
    try:
        workbook = _small_part(archive, "xl/workbook.xml")
        relationships = _small_part(archive, "xl/_rels/workbook.xml.rels")
    except KeyError:
        raise Refused("missing_parts") from None
    sheets = [
        (name.decode("utf-8", "replace"), rid.decode()) for name, rid in SHEET_PATTERN.findall(workbook)
    ]
    if not sheets:
        raise Refused("no_sheet")
    targets = {}
    for match in RELATIONSHIP_PATTERN.finditer(relationships):
        rid, target = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        targets[rid.decode()] = target.decode()
    name, rid = next(((n, r) for n, r in sheets if n == preferred), sheets[0])
    target = targets.get(rid, "")
    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
    if path not in archive.namelist():
        raise Refused("missing_parts")
    return name, path


def _scan_sheet(archive: zipfile.ZipFile, path: str, limits: Limits) -> list[str]:
    """Check the sheet's declared and actual extent; return the references of formula cells."""
    formulas: list[str] = []
    tail = b""
    first = True
    max_row = 0
    with archive.open(path) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            window = tail + chunk
            if first:
                first = False
                dimension = DIMENSION_PATTERN.search(window)
                if dimension and dimension.group(4):
                    if int(dimension.group(4)) > limits.max_rows:
                        raise Refused("too_many_rows", rows=int(dimension.group(4)))
                    if column_number(dimension.group(3).decode()) > limits.max_columns:
                        raise Refused("too_many_columns")
            if WIDE_CELL_PATTERN.search(window):
                raise Refused("too_many_columns")
            rows = ROW_PATTERN.findall(window)
            if rows:
                max_row = max(max_row, int(rows[-1]))
                if max_row > limits.max_rows:
                    raise Refused("too_many_rows", rows=max_row)
            if len(formulas) < MAX_FORMULAS_REPORTED:
                for match in FORMULA_PATTERN.finditer(window, max(0, len(tail) - 16)):
                    refs = CELL_REF_PATTERN.findall(window, 0, match.start())
                    reference = refs[-1].decode() if refs else ""
                    if reference not in formulas:
                        formulas.append(reference)
            tail = window[-4096:]
    return formulas[:MAX_FORMULAS_REPORTED]


def _plain(value: Any) -> Any:
    # calamine gives str, float, int, bool, date, datetime, time or timedelta; the last two mean nothing
    # in this template and are passed on as text so that the import can name the cell.
    if value is None or isinstance(value, str | float | int | bool):
        return value
    if isinstance(value, date):  # datetime is a date too
        return value
    return str(value)


def parse_workbook(content: bytes, preferred_sheet: str, limits: Limits) -> dict[str, Any]:
    """The rows of the chosen sheet as plain values, trailing empty rows and cells dropped."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    name, path = _sheet_part(archive, preferred_sheet)
    formulas = _scan_sheet(archive, path, limits)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    sheet = workbook.get_sheet_by_name(name)
    # iter_rows starts at row 1 but at the first used column: pad so that index 0 is column A.
    start = sheet.start
    padding: list[Any] = [""] * (start[1] if start else 0)
    rows: list[list[Any]] = []
    for raw in sheet.iter_rows():
        if len(rows) >= limits.max_rows:
            raise Refused("too_many_rows", rows=len(rows) + 1)
        row = [_plain(value) for value in (padding + raw)[: limits.max_columns]]
        while row and row[-1] in ("", None):
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return {"sheet": name, "rows": rows, "formulas": formulas}


def _encode(value: Any) -> Any:
    # Dates travel as {"date": …} / {"datetime": …}: a cell's text can never be an object.
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def main() -> None:
    """Read limits (one JSON line) and the workbook from stdin; write one JSON message to stdout."""
    header = json.loads(sys.stdin.buffer.readline())
    limits = Limits(**header["limits"])
    resource.setrlimit(resource.RLIMIT_AS, (limits.address_space_bytes, limits.address_space_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    content = sys.stdin.buffer.read()
    try:
        data = parse_workbook(content, header["sheet"], limits)
        message: dict[str, Any] = {"ok": True, **data}
    except Refused as refusal:
        message = {"ok": False, "code": refusal.code, "params": refusal.params}
    except MemoryError:
        message = {"ok": False, "code": "memory", "params": {}}
    except Exception as error:  # calamine's CalamineError, zipfile's BadZipFile, …: the file is unreadable
        message = {"ok": False, "code": "unreadable", "params": {"detail": type(error).__name__}}
    sys.stdout.write(json.dumps(message, default=_encode, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
