"""The W3C eddsa-rdfc-2022 vectors reproduced byte for byte; the 1EdTech OB 3.0 vector verified; the
canonicalisation pitfalls of credentials.md §4.2 (base IRI, RDFC escaping, unmapped terms) handled."""

import functools
import hashlib
import json
from pathlib import Path

import pytest

from skillcert.credentials.linked_data import LinkedDataError, UnmappedTermsError, canonical_nquads
from skillcert.credentials.multikey import (
    MultikeyError,
    private_key_from_multibase,
    public_key_from_multibase,
    public_key_multibase,
)
from skillcert.credentials.proofs import hash_data, proof_add, proof_configuration, proof_verify
from skillcert.credentials.trust import TrustStore
from skillcert.credentials.verify import TAMPERED, VALID, credential_verify

VECTORS = Path(__file__).resolve().parent / "vectors"
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_METHOD = f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}"
W3C_SIGNATURE_HEX = (
    "4d8e53c2d5b3f2a7891753eb16ca993325bdb0d3cfc5be1093d0a18426f5ef85"
    "78cadc0fd4b5f4dd0d1ce0aefd15ab120b7a894d0eb094ffda4e6553cd1ed50d"
)
OB_KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def load(name: str):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


EXAMPLES = {"https://www.w3.org/ns/credentials/examples/v2": load("w3c-examples-v2-context.json")}
canonical = functools.partial(canonical_nquads, documents=EXAMPLES)


def test_w3c_key_pair_is_read_as_multikey():
    # given the vector's secret key / when we derive its public key / then it is the vector's
    assert public_key_multibase(private_key_from_multibase(W3C_SECRET).public_key()) == W3C_PUBLIC


def test_w3c_document_canonicalises_to_the_vector_bytes():
    # given the unsigned vector document / when canonicalised with RDFC-1.0
    result = canonical(load("w3c-unsigned.json"))

    # then: the vector's canonical N-Quads, byte for byte, and its hash
    assert result == (VECTORS / "w3c-canon-document.nq").read_text(encoding="utf-8")
    assert hashlib.sha256(result.encode()).hexdigest() == (
        "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
    )


def test_w3c_proof_configuration_canonicalises_to_the_vector_bytes():
    # given the vector's proof options with the document's context
    configuration = proof_configuration(
        document=load("w3c-unsigned.json"), verification_method=W3C_METHOD, created="2023-02-24T23:36:38Z"
    )

    # when
    result = canonical(configuration)

    # then
    assert result == (VECTORS / "w3c-canon-proof.nq").read_text(encoding="utf-8")
    assert hashlib.sha256(result.encode()).hexdigest() == (
        "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0"
    )


def test_w3c_signature_and_proof_value_are_reproduced():
    # given the vector key and the vector's `created`
    document = load("w3c-unsigned.json")
    key = private_key_from_multibase(W3C_SECRET)

    # when we sign
    signed = proof_add(
        document=document,
        private_key=key,
        verification_method=W3C_METHOD,
        created="2023-02-24T23:36:38Z",
        canonicalize=canonical,
    )

    # then: the same signature bytes and the same proofValue as the vector, and the same signed document
    configuration = proof_configuration(
        document=document, verification_method=W3C_METHOD, created="2023-02-24T23:36:38Z"
    )
    data = hash_data(unsecured=document, configuration=configuration, canonicalize=canonical)
    assert key.sign(data).hex() == W3C_SIGNATURE_HEX
    assert signed == load("w3c-eddsa-rdfc-2022-signed.json")


def test_w3c_signed_vector_verifies_and_a_changed_one_does_not():
    # given the signed vector and its public key
    signed = load("w3c-eddsa-rdfc-2022-signed.json")
    public_key = public_key_from_multibase(W3C_PUBLIC)

    # when / then
    assert proof_verify(document=signed, public_key=public_key, canonicalize=canonical) is True
    signed["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    assert proof_verify(document=signed, public_key=public_key, canonicalize=canonical) is False


def test_1edtech_open_badge_vector_verifies_with_its_issuer_document():
    # given the 1EdTech OB 3.0 vector and its issuer's controller document as the trust store
    (controller,) = load("ob3-issuer-keys.json")
    trust = TrustStore(controllers={controller["id"]: controller})

    # when
    verdict = credential_verify(load("ob3-eddsa-rdfc-2022.json"), trust=trust)

    # then
    assert verdict.code == VALID


def test_1edtech_vector_with_a_changed_name_is_reported_tampered():
    # given the vector with its badge name changed after signing
    (controller,) = load("ob3-issuer-keys.json")
    credential = load("ob3-eddsa-rdfc-2022.json")
    credential["name"] = "Leadership Badge"

    # when
    verdict = credential_verify(credential, trust=TrustStore(controllers={controller["id"]: controller}))

    # then
    assert verdict.code == TAMPERED
    assert verdict.message == "凭证签名验证失败：内容在签发后被改动，或签名无效。"


def test_multikey_with_another_prefix_is_refused():
    # given a secret key (prefix 0x8026) presented as a public key / when decoded / then refused
    with pytest.raises(MultikeyError):
        public_key_from_multibase(W3C_SECRET)


def test_undefined_type_is_refused_not_resolved_against_a_default_base():
    # given credentialSchema with a type no context defines (credentials.md §1.4)
    document = load("ob3-eddsa-rdfc-2022.json")
    document.pop("proof")
    document["credentialSchema"] = [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/x.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]

    # when / then: refused (pyld would otherwise sign <http://example.org/base/1EdTech…>)
    with pytest.raises(UnmappedTermsError) as error:
        canonical_nquads(document)
    assert error.value.terms == ["1EdTechJsonSchemaValidator2019"]


def test_undefined_property_is_refused_instead_of_silently_dropped():
    # given a property no context defines
    document = load("ob3-eddsa-rdfc-2022.json")
    document.pop("proof")
    document["holderIdNumber"] = "310115199001010011"

    # when / then
    with pytest.raises(UnmappedTermsError) as error:
        canonical_nquads(document)
    assert error.value.terms == ["holderIdNumber"]


def test_control_characters_get_rdfc_1_0_escapes():
    # given a name with the control characters on which URDNA2015 and RDFC-1.0 differ
    document = load("ob3-eddsa-rdfc-2022.json")
    document.pop("proof")
    document["name"] = 'a\u0001b\u0008c\u000cd\u001fe\u007ff\tg"h\\i\nj'

    # when
    result = canonical_nquads(document)

    # then: RDFC-1.0 (canonical N-Triples) escaping
    assert '<https://schema.org/name> "a\\u0001b\\bc\\fd\\u001Fe\\u007Ff\\tg\\"h\\\\i\\nj" .' in result


def test_contexts_are_never_fetched():
    # given a document naming a context that is not vendored
    document = {"@context": ["https://example.org/other-context.json"], "name": "x"}

    # when / then: our offline loader refuses it (pyld reports the failed context load)
    with pytest.raises(LinkedDataError, match="loading remote context failed") as error:
        canonical_nquads(document)
    assert "https://example.org/other-context.json" in str(error.value)
