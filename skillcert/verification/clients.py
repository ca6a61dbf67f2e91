"""Who asked, as the public app keeps it: keyed hashes, never an address, a number or a name in clear.

The rate-limit counters (limits.py) and the event log (events.py) both need the client's address and its
network. Each request hashes them once (``KeyedHash.client``) and hands the same ``Client`` to both.
``Client`` is a plain tuple (a NamedTuple costs ten times as much to make, on every request).

A hash is 64 bits of BLAKE2b keyed with the deployment's secret over ``kind NUL value``: the kind keeps equal
text in two roles (an address, a network, a number) from hashing alike.

An IPv6 client is its /64 (core/addresses.py): counting single addresses would let one subscriber step
past every per-address limit and the proof-of-work challenge, which follows its misses.
"""

import hashlib

from skillcert.core.addresses import client_of, network_of

Client = tuple[int, int]  # keyed hashes of (client_of the peer address as the server saw it, its network_of)


class KeyedHash:
    """64-bit keyed BLAKE2b hashes of (kind, value) pairs under one secret."""

    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("keyed hashes need a secret")
        # BLAKE2b keys are at most 64 bytes; a longer secret is reduced to 64 first.
        key = secret if len(secret) <= 64 else hashlib.blake2b(secret).digest()
        self._keyed = hashlib.blake2b(key=key, digest_size=8)

    def __call__(self, kind: str, value: str) -> int:
        hasher = self._keyed.copy()  # keyed once: copying the keyed state is cheaper than keying again
        hasher.update(f"{kind}\x00{value}".encode("utf-8", "surrogateescape"))
        return int.from_bytes(hasher.digest(), "big")

    def client(self, address: str) -> Client:
        return self("client", client_of(address)), self("net", network_of(address))
