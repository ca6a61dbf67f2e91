"""Client addresses as throttling counts them."""

import pytest

from skillcert.core.addresses import client_of, network_of


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
