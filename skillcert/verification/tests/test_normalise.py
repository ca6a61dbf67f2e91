"""Names and certificate numbers are matched as typed, after one normalisation shared by writer and reader."""

import re
import sys

import pytest

from skillcert.verification.normalise import certificate_number_key, holder_name_key


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("张三", "张三"),
        ("  张三 ", "张三"),  # trimmed
        ("Maria   José", "Maria José"),  # inner runs of spaces become one
        ("阿卜杜\u3000热合曼", "阿卜杜 热合曼"),  # an ideographic space, as Chinese input methods type it
        ("Ｍａｒｉａ\tＪｏｓé", "Maria José"),  # full-width letters (NFKC) and a tab
        ("李\u00a0四", "李 四"),  # a no-break space pasted from a web page
        ("", ""),
    ],
)
def test_a_name_is_matched_after_width_and_spaces_are_made_uniform(typed, stored):
    assert holder_name_key(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Z000031000101253000123", "Z000031000101253000123"),
        ("z000031000101253000123", "Z000031000101253000123"),  # upper-case
        (" Z0000 3100 0101 2530 00123 ", "Z000031000101253000123"),  # spaces anywhere are dropped
        ("Ｚ０００\u3000０３１", "Z000031"),  # full-width digits and an ideographic space
    ],
)
def test_a_certificate_number_is_matched_without_spaces_and_in_upper_case(typed, stored):
    assert certificate_number_key(typed) == stored


def test_the_spaces_removed_are_exactly_those_a_regular_expression_calls_white_space():
    # The functions split with str.split(); the read model was written with re's \s before. Both must
    # agree on every character, or a name stored once would no longer match as typed.
    by_expression = {c for c in map(chr, range(sys.maxunicode + 1)) if re.fullmatch(r"\s", c)}
    by_split = {c for c in map(chr, range(sys.maxunicode + 1)) if len(f"a{c}b".split()) == 2}
    assert by_split == by_expression
    assert "\u3000" in by_split and "\u200b" not in by_split  # a zero-width space is not white space
