"""A self-hosted proof-of-work challenge for clients that keep missing (security.md P2).

The server stores nothing to issue one: a challenge is ``v1.<expires>.<random>.<mac>``, the MAC binding it to
the client's address and its expiry. The client finds a ``solution`` (decimal digits) such that
SHA-256("<challenge>:<solution>") starts with ``bits`` zero bits; at 16 bits that is about 65,000 hashes,
a second or so for the page's inline script and nothing for a person, but it makes each further guess by a
scraper cost the same work. A solution is accepted once (the limiter's counters remember spent challenges).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

VERSION = "v1"
LIFETIME = 600  # seconds a challenge stays solvable
MAX_SOLUTION_LENGTH = 20


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str
    bits: int
    expires: int

    def as_json(self) -> dict:
        return {"challenge": self.token, "algorithm": "SHA-256", "bits": self.bits, "expires": self.expires}


def _mac(secret: bytes, body: str, client: str) -> str:
    return hmac.new(secret, f"{body}\x00{client}".encode(), hashlib.sha256).hexdigest()[:32]


def challenge_issue(*, secret: bytes, client: str, bits: int, now: float) -> Challenge:
    """A fresh challenge for ``client``."""
    expires = int(now) + LIFETIME
    body = f"{VERSION}.{expires}.{secrets.token_hex(12)}"
    return Challenge(token=f"{body}.{_mac(secret, body, client)}", bits=bits, expires=expires)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def challenge_solved(
    *, secret: bytes, client: str, bits: int, token: str, solution: str, now: float
) -> int | None:
    """The challenge's expiry when ``solution`` solves a valid, unexpired challenge issued to ``client``."""
    parts = token.split(".")
    # ASCII digits only: int() refuses some characters that isdigit() accepts ("²"). ASCII for the MAC too:
    # compare_digest refuses to compare other text, and a client may send anything.
    if len(parts) != 4 or parts[0] != VERSION or not (parts[1].isascii() and parts[1].isdigit()):
        return None
    body, mac = ".".join(parts[:3]), parts[3]
    if not (mac.isascii() and hmac.compare_digest(mac, _mac(secret, body, client))):
        return None
    expires = int(parts[1])
    if expires < now:
        return None
    if not (0 < len(solution) <= MAX_SOLUTION_LENGTH and solution.isascii() and solution.isdigit()):
        return None
    digest = hashlib.sha256(f"{token}:{solution}".encode()).digest()
    return expires if leading_zero_bits(digest) >= bits else None


def challenge_solve(*, token: str, bits: int) -> str:
    """Find a solution (for tests and API clients written in Python)."""
    counter = 0
    while True:
        solution = str(counter)
        if leading_zero_bits(hashlib.sha256(f"{token}:{solution}".encode()).digest()) >= bits:
            return solution
        counter += 1
