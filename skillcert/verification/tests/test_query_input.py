"""Reading the query's form: percent-escapes decode exactly as the standard library decodes them."""

import itertools
from urllib.parse import quote, unquote_to_bytes

import pytest

from skillcert.verification.query_input import _form_pairs, _unescaped

PIECES = [
    b"",
    b"%",
    b"%4",
    b"%41",
    b"%zz",
    b"%e8%80%83",
    b"%E7%94%9F",
    b"%C3",
    b"%%",
    b"+",
    b"a",
    b"\xff",
    b"7",
]


@pytest.mark.parametrize("length", [1, 2, 3])
def test_every_mix_of_escapes_decodes_as_the_standard_library_decodes_it(length):
    # given every sequence of `length` pieces: good escapes, cut-off and non-hex ones, lone '%', raw bytes
    for pieces in itertools.product(PIECES, repeat=length):
        value = b"".join(pieces)

        # then
        assert _unescaped(value) == unquote_to_bytes(value), value


def test_a_form_as_a_browser_sends_it_gives_the_typed_chinese_name_and_number():
    body = f"number=S000031000101253000123&name={quote('考生 张三')}&other={quote('不读')}".encode()

    assert _form_pairs(body) == [("number", "S000031000101253000123"), ("name", "考生 张三")]


def test_a_plus_is_a_space_and_an_escaped_plus_is_a_plus():
    assert _form_pairs(b"name=Maria+Jos%C3%A9&number=A%2B1") == [("name", "Maria José"), ("number", "A+1")]
