"""Normalisation shared by the read model's writer (Django) and the public query (Django-free)."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def holder_name_key(text: str) -> str:
    """A name as stored and as matched: NFKC (full-width to half-width), trimmed, inner spaces single.

    Exact matching after this is still exact: "张三" never matches "张" or "张三丰".
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text))).strip()


def certificate_number_key(text: str) -> str:
    """A typed certificate number as stored: NFKC, without any white space, upper-case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).upper()
