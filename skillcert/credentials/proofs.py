"""The ``eddsa-rdfc-2022`` cryptosuite of W3C VC Data Integrity EdDSA (credentials.md §2.1).

1. proof configuration = the proof without ``proofValue``, with the document's ``@context``;
2. canonicalise it and the document (without ``proof``) with RDFC-1.0;
3. hashData = SHA-256(canonical proof configuration) || SHA-256(canonical document);
4. proofValue = "z" + base58btc(Ed25519 signature of hashData).

Django-free: the offline verifier and the benchmark use it as it is. ``canonicalize`` is pluggable so the
signer can use the template fast path (``shapes.py``) for documents whose shape it knows.
"""

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from skillcert.credentials.linked_data import canonical_nquads
from skillcert.credentials.multikey import MultikeyError, base58btc_decode, base58btc_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

Canonicalize = Callable[[Mapping[str, Any]], str]


class ProofError(ValueError):
    """The proof is missing, of another kind, or malformed (not: "the signature does not match")."""


def proof_configuration(
    *, document: Mapping[str, Any], verification_method: str, created: str
) -> dict[str, Any]:
    """The proof options that are signed (everything but ``proofValue``)."""
    return {
        "@context": document["@context"],
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }


def hash_data(
    *,
    unsecured: Mapping[str, Any],
    configuration: Mapping[str, Any],
    canonicalize: Canonicalize = canonical_nquads,
) -> bytes:
    """SHA-256 of the canonical proof configuration, then SHA-256 of the canonical document: 64 bytes."""
    proof_hash = hashlib.sha256(canonicalize(configuration).encode()).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured).encode()).digest()
    return proof_hash + document_hash


def proof_add(
    *,
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    canonicalize: Canonicalize = canonical_nquads,
) -> dict[str, Any]:
    """The document with an ``eddsa-rdfc-2022`` DataIntegrityProof added."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    configuration = proof_configuration(
        document=unsecured, verification_method=verification_method, created=created
    )
    data = hash_data(unsecured=unsecured, configuration=configuration, canonicalize=canonicalize)
    proof = {key: value for key, value in configuration.items() if key != "@context"}
    proof["proofValue"] = base58btc_encode(private_key.sign(data))
    return {**unsecured, "proof": proof}


def proof_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The single ``eddsa-rdfc-2022`` proof of a secured document; ProofError when there is none or more."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("expected exactly one proof")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("no proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("not a DataIntegrityProof with cryptosuite eddsa-rdfc-2022")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise ProofError("proof purpose is not assertionMethod")
    for name in ("verificationMethod", "proofValue", "created"):
        if not isinstance(proof.get(name), str):
            raise ProofError(f"proof without {name}")
    return proof


def proof_verify(
    *,
    document: Mapping[str, Any],
    public_key: Ed25519PublicKey,
    canonicalize: Canonicalize = canonical_nquads,
) -> bool:
    """Whether the document's proof is a valid signature by ``public_key`` over the document as it is."""
    proof = proof_of(document)
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    configuration = {key: value for key, value in proof.items() if key != "proofValue"}
    configuration["@context"] = unsecured.get("@context")
    try:
        signature = base58btc_decode(proof["proofValue"])
    except MultikeyError as error:
        raise ProofError("proofValue is not base58btc") from error
    data = hash_data(unsecured=unsecured, configuration=configuration, canonicalize=canonicalize)
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
