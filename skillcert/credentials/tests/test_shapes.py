"""The template fast path canonicalises exactly like the reference path (pyld + pyoxigraph), or steps
aside."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillcert.credentials.linked_data import UnmappedTermsError, canonical_nquads
from skillcert.credentials.shapes import ShapeCanonicalizer

# Any text, including the characters N-Quads escapes and the control characters RDFC-1.0 escapes.
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=40)
iri = st.builds(
    lambda host, path, tail: f"https://{host}.example.gov.cn/{path}{quote(tail)}",
    st.from_regex(r"[a-z]{1,12}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9/_-]{0,30}", fullmatch=True),
    text,
)
shared = ShapeCanonicalizer()  # one template for the shape, as in production


def credential(
    *, name: str, holder: str, number: str, issuer: str, achievement: str, valid_from: str
) -> dict:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2f1c8f0e-5b7a-4c1e-9a3e-0c8d7b6a5f41",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": issuer, "type": ["Profile"], "name": holder, "url": issuer},
        "validFrom": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": holder}
            ],
            "licenseNumber": number,
            "achievement": {
                "id": achievement,
                "type": ["Achievement"],
                "name": name,
                "description": number,
                "criteria": {"narrative": name + holder},
            },
        },
        "credentialStatus": {
            "id": f"{issuer}/status/1#7",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": f"{issuer}/status/1",
        },
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=text, holder=text, number=text, issuer=iri, achievement=iri, valid_from=text)
def test_fast_path_equals_reference_path(name, holder, number, issuer, achievement, valid_from):
    # given a credential of our shape with arbitrary strings / when canonicalised both ways / then equal
    document = credential(
        name=name, holder=holder, number=number, issuer=issuer, achievement=achievement, valid_from=valid_from
    )
    assert shared(document) == canonical_nquads(document)


def test_second_document_of_a_shape_takes_the_template():
    # given a canonicaliser that has seen one document of the shape
    canonicalizer = ShapeCanonicalizer()
    first = credential(
        name="电工 三级",
        holder="张三",
        number="1",
        issuer="https://a.example/i",
        achievement="https://a.example/a",
        valid_from="2025-01-01T00:00:00Z",
    )
    second = credential(
        name='焊工 "四级"\n',
        holder="李四\\",
        number="2",
        issuer="https://b.example/i",
        achievement="https://b.example/a",
        valid_from="2025-02-01T00:00:00Z",
    )

    # when
    canonicalizer(first)
    result = canonicalizer(second)

    # then: both went through the template, and the output is the reference output
    assert (canonicalizer.fast, canonicalizer.slow) == (2, 0)
    assert result == canonical_nquads(second)


def test_value_that_is_not_an_absolute_iri_takes_the_reference_path():
    # given a document of a known shape whose IRI slot holds something that is not an absolute IRI
    canonicalizer = ShapeCanonicalizer()
    good = credential(
        name="a",
        holder="b",
        number="c",
        issuer="https://a.example/i",
        achievement="https://a.example/a",
        valid_from="2025-01-01T00:00:00Z",
    )
    canonicalizer(good)
    odd = credential(
        name="a",
        holder="b",
        number="c",
        issuer="https://a.example/i",
        achievement="https://a.example/a b",
        valid_from="2025-01-01T00:00:00Z",
    )

    # when / then: not templated; the reference path refuses the relative IRI as an unmapped term
    with pytest.raises(UnmappedTermsError):
        canonicalizer(odd)
    assert (canonicalizer.fast, canonicalizer.slow) == (1, 1)
