"""Client addresses as throttling counts them: an IPv4 address, or an IPv6 address's /64.

A subscriber is given a /64 (at least) and may send from any of its 2⁶⁴ addresses: counting IPv6 addresses
one by one would let one client step past every per-address limit by changing address. Django-free: the
public verification app uses it too.
"""

import ipaddress


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
