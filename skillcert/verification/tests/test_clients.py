"""Who a request comes from, as the limits count it and the event log records it."""

import pytest

from skillcert.verification.clients import KeyedHash


def test_two_addresses_of_one_64_hash_as_one_client_and_other_64s_as_others():
    keyed = KeyedHash(b"k" * 32)

    one, same, other = (keyed.client(a) for a in ("2001:db8::1", "2001:db8::ffff:2", "2001:db8:0:1::1"))

    assert one == same and one != other
    assert keyed.client("198.51.100.7") != keyed.client("198.51.100.8")
    assert keyed.client("198.51.100.7")[1] == keyed.client("198.51.100.8")[1]  # one /24


def test_another_secret_gives_other_hashes():
    assert KeyedHash(b"a" * 32).client("198.51.100.7") != KeyedHash(b"b" * 32).client("198.51.100.7")


def test_hashes_without_a_secret_are_refused():
    with pytest.raises(ValueError, match="secret"):
        KeyedHash(b"")
