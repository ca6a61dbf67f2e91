"""Importers of the official catalogues: GB/T 2260 area codes (CSV) and the 2022 occupation catalogue (JSON).

Both follow the same steps: read and validate the whole file first, collecting every problem with its
place (line and column, or record index and field); write nothing if there is any problem; otherwise
create and update rows in one transaction with one audit event that carries the counts and the file's
SHA-256. Running an import twice changes nothing the second time. Nothing is ever deleted: rows missing
from the file are only reported (bodies, filings and ID numbers refer to them).
"""

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.identifiers import clear_address_code_cache
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.reference.models import Occupation, Region

OCCUPATION_CODE_RE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
SMALL_CODE_RE = re.compile(r"^\d-\d{2}-\d{2}$")
# A trailing L (绿色职业), S (数字职业) or L/S marker, sometimes after a space, after a Chinese name.
OCCUPATION_MARKER_RE = re.compile(r"^(?P<name>.*[^\sA-Za-z/])\s*(?P<marker>L/S|S/L|L|S)$")

REGION_COLUMNS = (
    "代码",
    "一级行政区",
    "二级行政区",
    "名称",
    "级别",
    "状态",
    "启用时间",
    "变更/弃用时间",
    "新代码",
)
REGION_LEVELS = {"省级": Region.Level.PROVINCE, "地级": Region.Level.PREFECTURE, "县级": Region.Level.COUNTY}
# 在用 = in use; 弃用 = retired; 变更 = an earlier name or status of a code (its current row is another one).
REGION_STATES = ("在用", "弃用", "变更")
REGION_CODE_RE = re.compile(r"^\d{6}$")
YEAR_RE = re.compile(r"^\d{4}$")
SUCCESSORS_RE = re.compile(r"^\d{6}(\[\d{4}\])?(;\d{6}(\[\d{4}\])?)*$")
REGION_FIELDS = ["name", "level", "in_use", "established_year", "retired_year", "successor_codes"]
OCCUPATION_FIELDS = ["name", "is_green", "is_digital", "small_code", "small_name"]


@dataclass(frozen=True, slots=True)
class ImportProblem:
    where: str  # "第 5 行" or "records[12]"
    field: str  # column or JSON field, "" for the whole file
    message: str

    def __str__(self) -> str:
        return (
            f"{self.where}，{self.field}：{self.message}" if self.field else f"{self.where}：{self.message}"
        )


class ImportRejected(ValidationError):
    """The file has problems; nothing was written. ``problems`` lists each with its place."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__([str(problem) for problem in problems], code="import_rejected")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    file_sha256: str
    not_in_file: list[str] = field(default_factory=list)  # codes in the database but absent from the file

    @property
    def changed(self) -> int:
        return self.created + self.updated


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _apply(model: Any, key: str, wanted: dict[str, dict], fields: list[str]) -> tuple[int, int, int]:
    """Create missing rows and update differing ones; returns (created, updated, unchanged)."""
    existing = {getattr(row, key): row for row in model.objects.filter(**{f"{key}__in": list(wanted)})}
    to_create, to_update = [], []
    for code, values in wanted.items():
        row = existing.get(code)
        if row is None:
            to_create.append(model(**{key: code}, **values))
        elif any(getattr(row, name) != values[name] for name in fields):
            for name in fields:
                setattr(row, name, values[name])
            to_update.append(row)
    model.objects.bulk_create(to_create, batch_size=500)
    model.objects.bulk_update(to_update, fields, batch_size=500)
    return len(to_create), len(to_update), len(wanted) - len(to_create) - len(to_update)


# --- regions (GB/T 2260 history CSV) ----------------------------------------------------------------------


def _region_row_problems(line: int, row: dict[str, str]) -> list[ImportProblem]:
    where = _("第 %(line)d 行") % {"line": line}
    problems = []

    def bad(column: str, message: str) -> None:
        problems.append(ImportProblem(where, column, message))

    value = row["代码"]
    if not REGION_CODE_RE.match(value):
        bad("代码", _("“%(value)s”不是 6 位数字代码") % {"value": value})
    if not row["名称"]:
        bad("名称", _("不能为空"))
    elif len(row["名称"]) > 60:
        bad("名称", _("超过 60 个字符"))
    if row["级别"] not in REGION_LEVELS:
        bad("级别", _("“%(value)s”不是 省级/地级/县级 之一") % {"value": row["级别"]})
    elif REGION_LEVELS[row["级别"]] == Region.Level.PROVINCE and not value.endswith("0000"):
        bad("级别", _("省级代码应以 0000 结尾"))
    if row["状态"] not in REGION_STATES:
        bad("状态", _("“%(value)s”不是 在用/弃用/变更 之一") % {"value": row["状态"]})
    if not YEAR_RE.match(row["启用时间"]):
        bad("启用时间", _("“%(value)s”不是四位年份") % {"value": row["启用时间"]})
    retired = row["变更/弃用时间"]
    if retired and not YEAR_RE.match(retired):
        bad("变更/弃用时间", _("“%(value)s”不是四位年份") % {"value": retired})
    elif not retired and row["状态"] in ("弃用", "变更"):
        bad("变更/弃用时间", _("弃用或变更的代码须有年份"))
    successors = row["新代码"]
    if successors and (not SUCCESSORS_RE.match(successors) or len(successors) > 200):
        bad("新代码", _("“%(value)s”不是以分号分隔的 6 位代码（可带 [年份]）") % {"value": successors})
    return problems


def _read_region_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [ImportProblem(_("文件"), "", _("不是 UTF-8 编码：%(error)s") % {"error": error})]
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in REGION_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        where = _("第 1 行")
        raise ImportRejected([ImportProblem(where, column, _("缺少这一列")) for column in missing])
    rows = []
    for row in reader:
        # line_num is the file line of the record's end: with no quoted line breaks, its own line.
        rows.append((reader.line_num, {column: (row.get(column) or "").strip() for column in REGION_COLUMNS}))
    if not rows:
        raise ImportRejected([ImportProblem(_("文件"), "", _("没有数据行"))])
    return rows


def _region_values(rows: list[tuple[int, dict[str, str]]]) -> dict[str, dict]:
    """One region per code from the validated rows.

    A code can appear on several rows when it was reused: one current row (在用 or 弃用) and older rows
    marked 变更 (an earlier name or status of the same code). The region takes the in-use row, else the
    row that started latest (the latest identity of the code); its established year is the earliest
    start year of any row, because ID numbers issued under the older identity carry the same code.
    """
    by_code: dict[str, list[dict[str, str]]] = {}
    for _line, row in rows:
        by_code.setdefault(row["代码"], []).append(row)
    values = {}
    for code, code_rows in by_code.items():
        chosen = max(
            code_rows,
            key=lambda r: (r["状态"] == "在用", r["状态"] != "变更", int(r["启用时间"]), r["变更/弃用时间"]),
        )
        in_use = chosen["状态"] == "在用"
        values[code] = {
            "name": chosen["名称"],
            "level": REGION_LEVELS[chosen["级别"]],
            "in_use": in_use,
            "established_year": min(int(r["启用时间"]) for r in code_rows),
            "retired_year": None if in_use else int(chosen["变更/弃用时间"]),
            "successor_codes": chosen["新代码"],
        }
    return values


def region_import(
    *,
    content: bytes,
    actor: User | None = None,
    actor_label: str = "import-regions",
    context: RequestContext = NO_REQUEST,
) -> ImportSummary:
    """Import the GB/T 2260 history CSV (all or nothing); retired codes included."""
    rows = _read_region_rows(content)
    problems = [problem for line, row in rows for problem in _region_row_problems(line, row)]
    in_use_lines: dict[str, int] = {}
    for line, row in rows:
        if row["状态"] == "在用":
            if row["代码"] in in_use_lines:
                message = _("代码 %(code)s 已在第 %(first)d 行标为在用") % {
                    "code": row["代码"],
                    "first": in_use_lines[row["代码"]],
                }
                problems.append(ImportProblem(_("第 %(line)d 行") % {"line": line}, "状态", message))
            in_use_lines.setdefault(row["代码"], line)
    if problems:
        raise ImportRejected(problems)

    wanted = _region_values(rows)
    digest = _sha256(content)
    with transaction.atomic():
        created, updated, unchanged = _apply(Region, "code", wanted, REGION_FIELDS)
        not_in_file = sorted(set(Region.objects.values_list("code", flat=True)) - set(wanted))
        summary = ImportSummary(created, updated, unchanged, digest, not_in_file)
        audit_record(
            actor=actor,
            action="reference.regions_imported",
            data={
                "rows": len(rows),
                "codes": len(wanted),
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "not_in_file": len(not_in_file),
                "file_sha256": digest,
            },
            context=context,
            actor_label=actor_label,
        )
        # Resident ID validation caches the known address codes; forget them once the new table is visible.
        transaction.on_commit(clear_address_code_cache)
    return summary


# --- occupations (osta 2022 catalogue JSON) ---------------------------------------------------------------


def split_occupation_marker(raw_name: str) -> tuple[str, bool, bool]:
    """Split "工业机器人系统运维员S" into ("工业机器人系统运维员", is_green=False, is_digital=True)."""
    name = raw_name.strip()
    match = OCCUPATION_MARKER_RE.match(name)
    if match is None:
        return name, False, False
    marker = match["marker"]
    return match["name"].strip(), "L" in marker, "S" in marker


def _occupation_record_problems(index: int, record: Any) -> list[ImportProblem]:
    where = f"records[{index}]"
    if not isinstance(record, dict):
        return [ImportProblem(where, "", _("不是对象"))]
    problems = []
    code, small_code = record.get("careerCode"), record.get("smallCode")
    if not isinstance(code, str) or not OCCUPATION_CODE_RE.match(code):
        problems.append(
            ImportProblem(where, "careerCode", _("“%(value)s”不是 D-DD-DD-DD 格式") % {"value": code})
        )
    if not isinstance(small_code, str) or not SMALL_CODE_RE.match(small_code):
        message = _("“%(value)s”不是 D-DD-DD 格式") % {"value": small_code}
        problems.append(ImportProblem(where, "smallCode", message))
    elif isinstance(code, str) and OCCUPATION_CODE_RE.match(code) and not code.startswith(small_code + "-"):
        message = _("职业编码 %(code)s 不属于小类 %(small)s") % {"code": code, "small": small_code}
        problems.append(ImportProblem(where, "smallCode", message))
    name = record.get("name")
    if not isinstance(name, str) or not split_occupation_marker(name)[0]:
        problems.append(ImportProblem(where, "name", _("不能为空")))
    elif len(split_occupation_marker(name)[0]) > 80:
        problems.append(ImportProblem(where, "name", _("超过 80 个字符")))
    small_name = record.get("smallName", "")
    if not isinstance(small_name, str) or len(small_name) > 80:
        problems.append(ImportProblem(where, "smallName", _("应为不超过 80 个字符的文本")))
    return problems


def _read_occupation_records(content: bytes) -> list[Any]:
    whole = _("文件")
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRejected(
            [ImportProblem(whole, "", _("不是有效的 UTF-8 JSON：%(error)s") % {"error": error})]
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        raise ImportRejected([ImportProblem(whole, "records", _("缺少记录列表"))])
    records = document["records"]
    if not records:
        raise ImportRejected([ImportProblem(whole, "records", _("记录列表为空"))])
    declared = document.get("occupationCount")
    if declared is not None and declared != len(records):
        message = _("声明 %(declared)s 个职业，实际 %(actual)d 条记录") % {
            "declared": declared,
            "actual": len(records),
        }
        raise ImportRejected([ImportProblem(whole, "occupationCount", message)])
    return records


def occupation_import(
    *,
    content: bytes,
    actor: User | None = None,
    actor_label: str = "import-occupations",
    context: RequestContext = NO_REQUEST,
) -> ImportSummary:
    """Import the national occupation catalogue JSON (all or nothing); never deletes an occupation."""
    records = _read_occupation_records(content)
    problems = [
        problem
        for index, record in enumerate(records)
        for problem in _occupation_record_problems(index, record)
    ]
    first_index: dict[str, int] = {}
    for index, record in enumerate(records):
        code = record.get("careerCode") if isinstance(record, dict) else None
        if isinstance(code, str) and code in first_index:
            message = _("职业编码 %(code)s 与 records[%(first)d] 重复") % {
                "code": code,
                "first": first_index[code],
            }
            problems.append(ImportProblem(f"records[{index}]", "careerCode", message))
        elif isinstance(code, str):
            first_index[code] = index
    if problems:
        raise ImportRejected(problems)

    wanted = {}
    for record in records:
        name, is_green, is_digital = split_occupation_marker(record["name"])
        wanted[record["careerCode"]] = {
            "name": name,
            "is_green": is_green,
            "is_digital": is_digital,
            "small_code": record["smallCode"],
            "small_name": record.get("smallName", "").strip(),
        }
    digest = _sha256(content)
    with transaction.atomic():
        created, updated, unchanged = _apply(Occupation, "code", wanted, OCCUPATION_FIELDS)
        not_in_file = sorted(set(Occupation.objects.values_list("code", flat=True)) - set(wanted))
        summary = ImportSummary(created, updated, unchanged, digest, not_in_file)
        audit_record(
            actor=actor,
            action="reference.occupations_imported",
            data={
                "records": len(records),
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "not_in_file": not_in_file,
                "file_sha256": digest,
            },
            context=context,
            actor_label=actor_label,
        )
    return summary
