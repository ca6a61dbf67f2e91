"""Who a request comes from, as the limits count it and the event log records it."""

import pytest

from skillcert.verification.clients import KeyedHash, client_of, network_of


@pytest.mark.parametrize(
    ("address", "client", "network"),
    [
        ("198.51.100.7", "198.51.100.7", "198.51.100.0/24"),
        ("2001:db8:1:2::5", "2001:db8:1:2::/64", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7", "198.51.100.0/24"),  # IPv4 as an IPv6 socket shows it
        ("unknown", "unknown", "unknown"),  # no peer address (a test server, a Unix socket)
    ],
)
def test_an_ipv4_client_is_its_address_and_an_ipv6_client_its_64(address, client, network):
    assert (client_of(address), network_of(address)) == (client, network)


def test_two_addresses_of_one_64_hash_as_one_client_and_other_64s_as_others():
    keyed = KeyedHash(b"k" * 32)

    one, same, other = (keyed.client(a) for a in ("2001:db8::1", "2001:db8::ffff:2", "2001:db8:0:1::1"))

    assert one == same and one != other
    assert keyed.client("198.51.100.7") != keyed.client("198.51.100.8")
    assert keyed.client("198.51.100.7")[1] == keyed.client("198.51.100.8")[1]  # one /24


def test_another_secret_gives_other_hashes():
    assert KeyedHash(b"a" * 32).client("198.51.100.7") != KeyedHash(b"b" * 32).client("198.51.100.7")
