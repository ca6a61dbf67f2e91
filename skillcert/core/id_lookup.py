"""The ID-number blind index without Django settings or models, for the public verification app.

``skillcert.accounts.identity.id_number_blind_index`` needs the accounts models and Django settings; the
public verification app may import neither (ARCHITECTURE.md §4). This module computes the same value from
a key that is passed in: ``keyed_blind_index(f"{id_type}:{number}", purpose=BLIND_INDEX_PURPOSE, key=...)``
equals ``id_number_blind_index(id_type=..., number=...)`` when ``key`` is ``blind_index_key(...)`` of the
same settings (a test in the verification app holds the two together).

Only ``django.core.exceptions`` (through the identifier parsers) is imported: no ORM, no settings.
"""

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Container
from datetime import date

from skillcert.core.identifiers import ANY_ADDRESS_CODE, PROVINCE_CODES, parse_resident_id
from skillcert.core.personal_data import _decode_key, _derive

BLIND_INDEX_PURPOSE = "candidate_id"  # as in skillcert.accounts.identity.id_number_blind_index

# The values of skillcert.accounts.models.Candidate.IdType (a test keeps them equal).
RESIDENT_ID = "resident_id"
HMT_RESIDENCE = "hmt_residence"  # 港澳台居民居住证: GB 11643 format, address codes 81/82/83
OTHER_ID_TYPES = ("hmt_residence", "hm_permit", "tw_permit", "foreign_pr", "passport")
ID_TYPES = (RESIDENT_ID, *OTHER_ID_TYPES)

_OTHER_ID_PATTERN = re.compile(r"[A-Z0-9]{6,20}")
_GB11643_HMT_PREFIXES = ("81", "82", "83")


class IdNumberFormatError(ValueError):
    """The typed ID number is not a resident ID number nor any other accepted document number."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # the resident ID parser's error code, or "id_number_format"


def blind_index_key(*, index_key: str, secret_key: str) -> bytes:
    """The HMAC key of the blind index, from the values of SKILLCERT_BLIND_INDEX_KEY and SECRET_KEY."""
    if index_key:
        return _decode_key(index_key, "SKILLCERT_BLIND_INDEX_KEY")
    return _derive(secret_key, b"blind-index")


def keyed_blind_index(normalised: str, *, purpose: str, key: bytes) -> str:
    """``skillcert.core.personal_data.blind_index`` with the key given rather than read from settings."""
    message = purpose.encode() + b"\x00" + normalised.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def id_number_candidates(
    text: str, *, today: date, address_codes: Container[str] = ANY_ADDRESS_CODE
) -> tuple[tuple[str, str], ...]:
    """Every (id_type, normalised number) that ``text`` may be, normalised as accounts.identity does.

    A number that parses as a resident ID number is a 居民身份证 (or, with 81/82/83, a 港澳台居民居住证,
    which uses the same format); anything else of 6–20 letters or digits may be any of the other
    documents. Raises IdNumberFormatError when it can be none of them.
    """
    from django.core.exceptions import ValidationError  # light: no ORM, no settings

    try:
        parsed = parse_resident_id(text, address_codes=address_codes, today=today)
    except ValidationError as error:
        resident_error = str(error.code or "id_number_format")
    else:
        pairs = [(RESIDENT_ID, parsed.number)]
        if parsed.number[:2] in _GB11643_HMT_PREFIXES:
            pairs.append((HMT_RESIDENCE, parsed.number))
        return tuple(pairs)
    number = unicodedata.normalize("NFKC", str(text)).strip().upper()
    # 15 or 18 digits starting with a province code were meant as a resident ID number: say why it
    # failed. (Foreign permanent residence numbers are 18 digits too, but start with 9.)
    if len(number) in (15, 18) and number[:17].isdigit() and number[:2] in PROVINCE_CODES:
        raise IdNumberFormatError(resident_error)
    if not _OTHER_ID_PATTERN.fullmatch(number):
        raise IdNumberFormatError("id_number_format")
    return tuple((id_type, number) for id_type in OTHER_ID_TYPES)


def id_number_lookup_indexes(text: str, *, key: bytes, today: date) -> tuple[str, ...]:
    """The blind indexes under which a typed ID number may be stored (one per possible ID type)."""
    return tuple(
        keyed_blind_index(f"{id_type}:{number}", purpose=BLIND_INDEX_PURPOSE, key=key)
        for id_type, number in id_number_candidates(text, today=today)
    )
