"""parse_resident_id against the bare ISO 7064 MOD 11-2 check on the same numbers."""

import itertools

from bench.timing import rate, result

NUMBERS = ["11010519491231002X", "440524188001010014", "310115199003071234", "310112198512120016"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def bare_checksum(text: str) -> bool:
    total = sum(int(c) * w for c, w in zip(text, WEIGHTS, strict=False))
    return "10X98765432"[total % 11] == text[17].upper()


def run() -> list[dict]:
    from skillcert.core.identifiers import ANY_ADDRESS_CODE, parse_resident_id, resident_id_check_character

    valid = [number[:17] + resident_id_check_character(number[:17]) for number in NUMBERS]
    cycle = itertools.cycle(valid)
    parsed = rate(lambda: parse_resident_id(next(cycle), address_codes=ANY_ADDRESS_CODE), count=20_000)
    cycle = itertools.cycle(valid)
    baseline = rate(lambda: bare_checksum(next(cycle)), count=20_000)
    return [result("parse_resident_id", parsed, "calls/s", baseline, "bare MOD 11-2 checksum")]
