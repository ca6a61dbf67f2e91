"""Who asked, as the public app keeps it: keyed hashes, never an address, a number or a name in clear.

The rate-limit counters (limits.py) and the event log (events.py) both need the client's address and its
network. Each request hashes them once (``KeyedHash.client``) and hands the same ``Client`` to both.
``Client`` is a plain tuple (a NamedTuple costs ten times as much to make, on every request).

A hash is 64 bits of BLAKE2b keyed with the deployment's secret over ``kind NUL value``: the kind keeps equal
text in two roles (an address, a network, a number) from hashing alike.

An IPv6 client is its /64, not its address: a subscriber is given a /64 (at least) and may send from any
of its 2⁶⁴ addresses, so counting single addresses would let one client step past every per-address limit
and the proof-of-work challenge, which follows its misses. An IPv4 client is its address.
"""

import hashlib
import ipaddress

Client = tuple[int, int]  # keyed hashes of (client_of the peer address as the server saw it, its network_of)


def client_of(address: str) -> str:
    """The client an address belongs to, as the limits count it: an IPv4 address itself, an IPv6 address's
    /64 (an IPv4-mapped one is its IPv4 address); any other text as it is."""
    if ":" not in address:  # IPv4, the usual case, without ipaddress's cost
        return address
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))


def network_of(address: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) network of an address; the address itself when it is not one."""
    head, dot, last = address.rpartition(".")
    if dot and ":" not in address and last.isdigit():  # IPv4, the usual case, without ipaddress's cost
        return f"{head}.0/24"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


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
