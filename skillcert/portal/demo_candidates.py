"""The demo's candidates: made-up people with valid resident ID numbers (GB 11643, their MOD 11-2 check
character computed here), shared by the demo's loading (demo.py) and its evaluation (demo_evaluation.py)."""

from dataclasses import dataclass

from skillcert.core.identifiers.resident_id import resident_id_check_character


def resident_id(*, address_code: str, birth: str, sequence: str) -> str:
    """An 18-digit resident ID number (GB 11643): address, birth date, sequence and check character."""
    first17 = address_code + birth + sequence
    return first17 + resident_id_check_character(first17)


@dataclass(frozen=True, slots=True)
class DemoCandidate:
    name: str
    id_number: str
    mobile: str = ""
    username: str | None = None  # with a candidate account when set


# name, address code (Shanghai districts), birth date, sequence (odd: man, even: woman), mobile, account.
_CANDIDATE_ROWS = (
    ("张伟", "310115", "19880312", "151", "13700000101", "ks_zhangwei"),
    ("王芳", "310112", "19920607", "224", "13700000102", "ks_wangfang"),
    ("李强", "310104", "19850921", "035", "13700000103", "ks_liqiang"),
    # A candidate account without a mobile number: its dashboard asks for one.
    ("刘洁", "310110", "20010115", "046", "", "ks_liujie"),
    ("陈浩", "310115", "19790430", "317", "13700000105", None),
    ("杨秀英", "310107", "19830808", "128", "13700000106", None),
    ("黄志明", "310112", "19960219", "093", "13700000107", None),
    ("周婷", "310113", "19991103", "262", "13700000108", None),
    ("吴俊杰", "310101", "19900726", "471", "13700000109", None),
    ("徐丽娟", "310120", "19870114", "386", "13700000110", None),
    # 缺考 (absent) from the theory exam of the plan in publicity (demo_evaluation.PLANS).
    ("孙丽萍", "310104", "19760925", "352", "13700000111", None),
)
CANDIDATES = tuple(
    DemoCandidate(name, resident_id(address_code=address, birth=birth, sequence=sequence), mobile, username)
    for name, address, birth, sequence, mobile, username in _CANDIDATE_ROWS
)
