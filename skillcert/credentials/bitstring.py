"""The Bitstring Status List encoding (W3C REC 2025, credentials.md §3).

Index 0 is the most significant bit of byte 0. ``encodedList`` = "u" + base64url(GZIP(bits)), no padding.
"""

import base64
import gzip
import io

MIN_ENTRIES = 131_072  # 16 KB uncompressed: the spec's minimum, for herd privacy


class BitstringError(ValueError):
    pass


def bit_set(bits: bytearray, index: int) -> None:
    bits[index // 8] |= 0x80 >> (index % 8)


def bit_get(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def bitstring_encode(bits: bytes) -> str:
    # mtime=0: the same list always encodes to the same text (re-signing an unchanged list is a no-op).
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as stream:
        stream.write(bits)
    return "u" + base64.urlsafe_b64encode(buffer.getvalue()).decode().rstrip("=")


def bitstring_decode(encoded: str, *, max_bytes: int = 16 * 1024 * 1024) -> bytes:
    """The raw bits of an ``encodedList``; BitstringError when it is not multibase base64url GZIP."""
    if not encoded.startswith("u"):
        raise BitstringError("encodedList is not multibase base64url")
    text = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            bits = stream.read(max_bytes + 1)
    except (ValueError, OSError, EOFError) as error:
        raise BitstringError("encodedList cannot be decoded") from error
    if len(bits) > max_bytes:
        raise BitstringError("encodedList is too large")
    return bits
