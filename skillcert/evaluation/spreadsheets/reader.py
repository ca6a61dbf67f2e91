"""Reading an uploaded .xlsx safely (security.md §5, requirements I3 and I4).

1. In this process, before anything is decompressed: the size of the upload, the ZIP magic bytes and the
   central directory: entry count, each entry's declared uncompressed size, their sum, the compression
   ratio of large entries, entry names, macros, the OOXML parts that must exist. zipfile and calamine
   both stop at the declared size, so declared sizes bound the work.
2. In a child process (a fresh interpreter running ``sandbox.py``: nothing inherited from the web process,
   no fork of a threaded server) that limits its own address space and CPU time, under a wall-clock
   timeout here: the sheet's extent and formula cells are scanned, then python-calamine parses it and
   the child sends back plain rows as JSON.
A child that is killed, aborts (calamine aborts on some allocation failures) or times out gives a clear
"文件无法读取" refusal, never an exception that the web process cannot handle.
"""

import io
import json
import logging
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from skillcert.evaluation.spreadsheets import sandbox

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 200
MAX_ENTRY_BYTES = 100 * 1024 * 1024  # declared uncompressed size of any one entry
MAX_TOTAL_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for entries above RATIO_FLOOR_BYTES only
RATIO_FLOOR_BYTES = 1024 * 1024  # small parts compress wildly (styles.xml); absolute caps cover them
MAX_ROWS = 100_001  # a header and 100,000 candidates
MAX_COLUMNS = 50
CHILD_ADDRESS_SPACE_BYTES = 2 * 1024 * 1024 * 1024
CHILD_CPU_SECONDS = 60
WALL_TIMEOUT_SECONDS = 90.0
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and encrypted OOXML files

logger = logging.getLogger("skillcert.evaluation.import")


@dataclass(frozen=True, slots=True)
class SheetRows:
    """The chosen sheet's rows (index 0 = Excel row 1, index 0 of a row = column A) as plain values."""

    sheet_name: str
    rows: list[list[Any]]
    formula_cells: list[str]  # references such as "C5" of cells holding a formula


class SpreadsheetRejected(Exception):
    """The file cannot be read safely or at all; ``message`` says why in Chinese."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _unreadable(reason: str, code: str) -> SpreadsheetRejected:
    return SpreadsheetRejected(_("文件无法读取：%(reason)s") % {"reason": reason}, code=code)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def workbook_check(content: bytes, *, filename: str) -> None:
    """The checks made before any decompression; raises SpreadsheetRejected."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise _unreadable(_("文件大于 %(limit)s。") % {"limit": _mib(MAX_UPLOAD_BYTES)}, "file_too_large")
    if not filename.lower().endswith(".xlsx"):
        raise _unreadable(
            _("只接受 .xlsx 格式的 Excel 文件，请用“另存为”保存为 .xlsx 后再上传。"), "not_xlsx"
        )
    if content.startswith(OLE_MAGIC):
        raise _unreadable(_("文件已加密或是旧版 .xls 格式，请取消密码并另存为 .xlsx。"), "encrypted")
    if not content.startswith(ZIP_MAGIC):
        raise _unreadable(_("文件不是有效的 .xlsx 文件。"), "not_zip")
    try:
        entries = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _unreadable(_("文件已损坏，不是有效的 .xlsx 文件。"), "not_zip") from None
    if len(entries) > MAX_ENTRIES:
        raise _unreadable(
            _("文件内部包含 %(count)d 个部件，超过 %(limit)d 个。")
            % {"count": len(entries), "limit": MAX_ENTRIES},
            "zip_entries",
        )
    names = {entry.filename for entry in entries}
    total = 0
    for entry in entries:
        name = entry.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
            raise _unreadable(_("文件内部路径不合法。"), "zip_path")
        if name.lower().endswith("vbaproject.bin"):
            raise _unreadable(_("文件包含宏，请另存为不含宏的 .xlsx 文件。"), "macro")
        if entry.file_size > MAX_ENTRY_BYTES:
            raise _unreadable(
                _("解压后过大（其中一个部件达 %(size)s，上限 %(limit)s），可能是压缩炸弹。")
                % {"size": _mib(entry.file_size), "limit": _mib(MAX_ENTRY_BYTES)},
                "zip_entry_size",
            )
        if entry.file_size > RATIO_FLOOR_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise _unreadable(
                _("压缩比异常（%(ratio)d 倍，上限 %(limit)d 倍），可能是压缩炸弹。")
                % {"ratio": entry.file_size // max(entry.compress_size, 1), "limit": MAX_RATIO},
                "zip_ratio",
            )
        total += entry.file_size
    if total > MAX_TOTAL_BYTES:
        raise _unreadable(
            _("解压后总大小 %(size)s，超过上限 %(limit)s。")
            % {"size": _mib(total), "limit": _mib(MAX_TOTAL_BYTES)},
            "zip_total_size",
        )
    if any(part not in names for part in REQUIRED_PARTS):
        raise _unreadable(_("文件缺少 Excel 工作簿的必要部件，不是有效的 .xlsx 文件。"), "missing_parts")


REFUSALS = {
    "too_many_rows": lambda params: (
        _("行数过多（%(rows)d 行），一个文件最多 %(limit)d 行。")
        % {"rows": params.get("rows", 0), "limit": MAX_ROWS - 1}
    ),
    "too_many_columns": lambda params: (
        _("使用的列过多（超过 %(limit)d 列），请只保留模板中的列。") % {"limit": MAX_COLUMNS}
    ),
    "no_sheet": lambda params: _("文件中没有工作表。"),
    "missing_parts": lambda params: _("文件缺少 Excel 工作簿的必要部件，不是有效的 .xlsx 文件。"),
    "part_too_large": lambda params: _("工作簿结构部件过大。"),
    "memory": lambda params: _("读取时超出内存限制，请减少行数或拆分文件。"),
    "unreadable": lambda params: _("文件内容已损坏或不是 Excel 工作簿。"),
}


def _decode(value: dict[str, Any]) -> Any:
    if "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if "date" in value:
        return date.fromisoformat(value["date"])
    return value


def workbook_read(content: bytes, *, filename: str, preferred_sheet: str) -> SheetRows:
    """Check ``content`` and read the sheet ``preferred_sheet`` (else the first) in a bounded child."""
    workbook_check(content, filename=filename)
    limits = {
        "address_space_bytes": CHILD_ADDRESS_SPACE_BYTES,
        "cpu_seconds": CHILD_CPU_SECONDS,
        "max_rows": MAX_ROWS,
        "max_columns": MAX_COLUMNS,
    }
    header = json.dumps({"limits": limits, "sheet": preferred_sheet}).encode() + b"\n"
    try:
        # -I: isolated mode, no environment variables or user site; the script imports only the
        # standard library and calamine. The child bounds itself (setrlimit) before reading the file.
        completed = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [sys.executable, "-I", sandbox.__file__],
            input=header + content,
            capture_output=True,
            timeout=WALL_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _unreadable(_("处理超时，请减少行数或拆分文件后重试。"), "timeout") from None
    try:
        message = json.loads(completed.stdout, object_hook=_decode)
    except ValueError:
        # Killed by a limit, or aborted inside calamine (e.g. a huge cell range): no message came back.
        logger.warning(
            "workbook reader child ended with %s: %s", completed.returncode, completed.stderr[-500:]
        )
        raise _unreadable(
            _("读取过程异常终止，文件可能已损坏或内容异常（例如单元格范围过大）。"), "crashed"
        ) from None
    if message.get("ok"):
        return SheetRows(sheet_name=message["sheet"], rows=message["rows"], formula_cells=message["formulas"])
    code, params = message.get("code", "unreadable"), message.get("params", {})
    reason = REFUSALS.get(code, REFUSALS["unreadable"])(params)
    raise _unreadable(reason, code)
