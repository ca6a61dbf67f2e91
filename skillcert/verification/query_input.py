"""The public query's input: the fields read from a query string, a form or JSON, and the lookup they ask for.

Every message says what is wrong and where (the field), in Chinese; none repeats an ID number.
"""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope

from skillcert.core.id_lookup import IdNumberFormatError, id_number_lookup_indexes
from skillcert.verification.normalise import certificate_number_key, holder_name_key
from skillcert.verification.store import ID_SLOTS

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_BODY = 4096  # bytes of a query body; three short fields need far less

MSG_TWO_FIELDS = "请在姓名、证件号码、证书编号中任意填写两项。"
MSG_TOO_LONG = "{label}过长：最多 {limit} 个字符。"
MSG_BODY_TOO_LARGE = "请求内容过大。"
MSG_NOT_UNICODE = "请求内容含有无效的字符（单独的 UTF-16 代理码）。"
MSG_ID_NUMBER = {
    "resident_id_empty": "请填写证件号码。",
    "resident_id_length": "身份证号码应为 18 位（旧版为 15 位）。",
    "resident_id_character": "身份证号码只能是数字，最后一位可以是 X。",
    "resident_id_province": "身份证号码前两位不是有效的省级行政区划代码。",
    "resident_id_birth_date": "身份证号码中的出生日期不是有效日期。",
    "resident_id_birth_date_future": "身份证号码中的出生日期晚于今天。",
    "resident_id_birth_date_too_early": "身份证号码中的出生日期过早。",
    "resident_id_checksum": "身份证号码校验码错误，请核对最后一位。",
    "resident_id_address_code": "身份证号码前六位不是有效的行政区划代码。",
    "id_number_format": "证件号码格式不正确：身份证号码为 18 位，其他证件号码为 6–20 位英文字母或数字。",
}
QUERY_FIELDS = frozenset({"name", "id_number", "number", "challenge", "solution"})
FIELD_LIMITS = {"name": ("姓名", 60), "id_number": ("证件号码", 30), "number": ("证书编号", 40)}
_ESCAPES = re.compile(rb"(?:%[0-9A-Fa-f]{2})+")  # a run of percent-escapes, such as one Chinese name


class InputError(Exception):
    """``status``: 413 for a body too large to read, else 422 (readable, but not a query)."""

    def __init__(self, errors: dict[str, str], *, status: int = 422) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status = status


async def query_fields(scope: Scope, receive: Receive) -> dict[str, str]:
    """The query's fields from the query string (GET), a form or a JSON body; InputError if unreadable.

    Read from the ASGI scope and messages themselves: the API's POSTs, most of the traffic, build no
    Request object (bench/bench_public_query.py).
    """
    if scope["method"] == "GET":
        pairs = QueryParams(scope["query_string"]).multi_items()
    else:
        content_type, declared = _content_headers(scope)
        body = await _read_body(receive, declared)
        if content_type.startswith(b"application/json"):
            try:
                data = json.loads(body or b"{}")
            except (ValueError, RecursionError):  # RecursionError: "[[[[…", nested deeper than Python goes
                raise InputError({"form": "请求内容不是有效的 JSON。"}) from None
            if not isinstance(data, dict):
                raise InputError({"form": "请求内容应为 JSON 对象。"})
            pairs = [(str(k), v if isinstance(v, str) else "") for k, v in data.items()]
            if not all(_is_unicode(value) for _, value in pairs):
                raise InputError({"form": MSG_NOT_UNICODE})
        else:
            pairs = _form_pairs(body)
    fields: dict[str, str] = {}
    for key, value in pairs:
        key = "number" if key == "certificate_number" else key  # the portal home page's field name
        if key in QUERY_FIELDS and key not in fields:
            fields[key] = value.strip()
    return fields


def lookup_plan(fields: dict[str, str], *, index_key: bytes, now: float) -> tuple[str, list, dict[str, str]]:
    """(query name, parameters, identifiers for the limiter) from the typed fields; InputError if bad."""
    errors: dict[str, str] = {}
    for key, (label, limit) in FIELD_LIMITS.items():
        if len(fields.get(key, "")) > limit:
            errors[key] = MSG_TOO_LONG.format(label=label, limit=limit)
    given = [key for key in FIELD_LIMITS if fields.get(key)]
    if len(given) < 2:
        errors.setdefault("form", MSG_TWO_FIELDS)
    if errors:
        raise InputError(errors)
    identifiers: dict[str, str] = {}
    name = holder_name_key(fields["name"]) if "name" in given else ""
    number = certificate_number_key(fields["number"]) if "number" in given else ""
    indexes: list[str] = []
    if "id_number" in given:
        today = datetime.fromtimestamp(now, SHANGHAI).date()
        try:
            found = id_number_lookup_indexes(fields["id_number"], key=index_key, today=today)
        except IdNumberFormatError as error:
            raise InputError(
                {"id_number": MSG_ID_NUMBER.get(error.code, MSG_ID_NUMBER["id_number_format"])}
            ) from None
        indexes = list(found) + [found[0]] * (ID_SLOTS - len(found))
        identifiers["id"] = "|".join(found)
    if number:
        identifiers["number"] = number
    if name:
        identifiers["name"] = name
    if number and name and not indexes:
        return "number_name", [number, name], identifiers
    if number and indexes and name:  # all three given: the name must match too
        return "number_id_name", [number, *indexes, name], identifiers
    if number and indexes:
        return "number_id", [number, *indexes], identifiers
    return "name_id", [*indexes, name], identifiers


def _content_headers(scope: Scope) -> tuple[bytes, bytes | None]:
    """The request's Content-Type (lower case) and Content-Length, as sent."""
    content_type, length = b"", None
    for name, value in scope["headers"]:  # ASGI servers give header names in lower case
        if name == b"content-type":
            content_type = value.lower()
        elif name == b"content-length":
            length = value
    return content_type, length


async def _read_body(receive: Receive, declared: bytes | None) -> bytes:
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise InputError({"form": MSG_BODY_TOO_LARGE}, status=413)
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientDisconnect
        body += message.get("body", b"")
        if len(body) > MAX_BODY:
            raise InputError({"form": MSG_BODY_TOO_LARGE}, status=413)
        if not message.get("more_body", False):
            return body


def _is_unicode(text: str) -> bool:
    """False for a string holding a lone surrogate, which JSON's \\ud800 escapes can make: no database
    stores it, and SQLite's driver would fail on it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _form_pairs(body: bytes) -> list[tuple[str, str]]:
    """The query's fields from an urlencoded body; other fields are not even decoded."""
    pairs = []
    for part in body.split(b"&"):
        name, _, value = part.partition(b"=")
        key = name.decode("ascii", "replace")
        if key in QUERY_FIELDS or key == "certificate_number":
            # Percent-escapes decoded as bytes first; curl may send UTF-8 unescaped, which passes through.
            text = _unescaped(value.replace(b"+", b" ")).decode("utf-8", "replace")
            pairs.append((key, text))
    return pairs


def _unescaped(value: bytes) -> bytes:
    """``urllib.parse.unquote_to_bytes``, with the same result (a malformed escape stays as it is), at a
    third of its cost for a Chinese name: each run of escapes is decoded in one call, not byte by byte."""
    if b"%" not in value:
        return value
    return _ESCAPES.sub(_escape_run_bytes, value)


def _escape_run_bytes(run: re.Match) -> bytes:
    return bytes.fromhex(run[0].decode("ascii").replace("%", ""))
