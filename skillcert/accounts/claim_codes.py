"""Claim codes (认领码): how a person registered by a body takes over their candidate record.

A body registers candidates without accounts and checks each person's identity in person at the exam;
the code it hands over (printed on the admission ticket, or issued anew by the body's staff) is what
lets that person, and nobody else who merely knows their name and ID number, attach an account to the
record when they register.

The code is not stored. It is recomputed from the candidate's row:
``HMAC-SHA256(claim key, "candidate-claim:{pk}:{claim_nonce}")`` read as a number and written as 10
characters of the recovery-code alphabet (no 0/o, 1/l/i: it is copied from paper), shown in two groups
of five. About 49 bits: unguessable online under the per-address throttling of ``candidate_register``.

- The claim key is derived with HKDF (purpose ``candidate-claim``) from the blind index key, never taken
  from ``SECRET_KEY``. Django's secret key signs sessions and is rotated after any leak, which would
  silently void every code already printed; the blind index key lives as long as the candidate data
  does (changing it means re-indexing every ID number) and production must set it. HKDF gives the claim
  codes a key of their own, so no blind index value is ever a claim code or the other way round.
  Changing ``SKILLCERT_BLIND_INDEX_KEY`` therefore changes every outstanding code: reprint the tickets.
- ``Candidate.claim_nonce`` (128 random bits) makes codes unpredictable from the primary key and lets a
  code be revoked: a new nonce is a new code and the old one stops working.
- A database copy alone yields no code (the key is not in the database); the key alone yields none
  either (the nonce is not in the key).
- Only the body that registered the person hands out their code (``claim_code_bodies``: the body of
  their first application). Another body that later registers the same name and ID number, as any body
  can, neither prints the code on its tickets nor may issue a new one: otherwise whoever knows a
  person's name and ID number could take over their record through a plan of their own.
"""

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from skillcert.accounts.models import Candidate
from skillcert.core.id_lookup import blind_index_key

# As skillcert.accounts.two_factor's recovery codes: no 0/o, 1/l/i.
CLAIM_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CLAIM_CODE_LENGTH = 10
_KEY_PURPOSE = b"candidate-claim"
# Dashes and spaces people type between the groups, in any width (a Chinese input method types "－").
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]")


def _claim_key() -> bytes:
    """The HMAC key of claim codes: HKDF over the blind index key, bound to the purpose."""
    root = blind_index_key(index_key=settings.SKILLCERT_BLIND_INDEX_KEY, secret_key=settings.SECRET_KEY)
    return HKDF(algorithm=SHA256(), length=32, salt=b"skillcert", info=_KEY_PURPOSE).derive(root)


def claim_code(candidate: Candidate) -> str:
    """The candidate's current claim code, normalised (10 lower-case characters, no dash)."""
    message = f"candidate-claim:{candidate.pk}:{candidate.claim_nonce}".encode()
    number = int.from_bytes(hmac.new(_claim_key(), message, hashlib.sha256).digest(), "big")
    characters = []
    for _position in range(CLAIM_CODE_LENGTH):
        number, index = divmod(number, len(CLAIM_CODE_ALPHABET))
        characters.append(CLAIM_CODE_ALPHABET[index])
    return "".join(characters)


def claim_code_display(code: str) -> str:
    """A normalised code in the two groups people read and type: ``abcde-fghjk``."""
    return f"{code[:5]}-{code[5:]}"


def claim_code_normalise(text: str) -> str:
    """A code as typed (any case, full-width, with or without the dash or spaces) in normalised form."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).lower()


def claim_code_bodies(candidate_ids: Iterable[int]) -> dict[int, int]:
    """For each candidate, the body that hands out their claim code: the body of their first application.

    Candidates without any application are absent (no body registered them).
    """
    rows = (
        Candidate.objects.filter(pk__in=list(candidate_ids), applications__isnull=False)
        .order_by("pk", "applications__pk")
        .values_list("pk", "applications__tenant_id")
    )
    bodies: dict[int, int] = {}
    for candidate_id, body_id in rows:
        bodies.setdefault(candidate_id, body_id)
    return bodies


def claim_code_matches(*, candidate: Candidate, typed: str) -> bool:
    """Whether ``typed`` is the candidate's current code, compared in constant time."""
    return hmac.compare_digest(claim_code_normalise(typed).encode(), claim_code(candidate).encode())
