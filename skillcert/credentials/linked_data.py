"""JSON-LD to RDF, offline, and RDFC-1.0 canonical N-Quads (credentials.md §2.1, §4.2).

- Contexts come only from the vendored files in ``contexts/`` (plus documents a caller passes in
  explicitly, e.g. a test vector's example context): a credential can never make us fetch anything.
- ``base`` is None, as in jsonld.js: pyld would otherwise resolve relative IRIs against its own
  ``http://example.org/base/`` and sign triples no other verifier produces.
- pyld has no "safe mode": a term the contexts do not define is silently dropped, i.e. left unsigned.
  ``document_dataset`` therefore collects every dropped property and every relative IRI and refuses the
  document (``UnmappedTermsError``).
- Canonicalisation is pyoxigraph's RDFC-1.0: pyld only implements URDNA2015, whose N-Quads escaping of
  control characters differs from RDFC-1.0.
"""

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph
from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.json",
    "https://w3id.org/security/multikey/v1": "multikey-v1.json",
    "https://www.w3.org/ns/credentials/status/v1": "vc-bitstring-status-list-v1.json",
    "https://www.w3.org/ns/did/v1": "did-v1.json",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
# A document with more blank nodes than this is refused before canonicalisation ("dataset poisoning":
# RDFC-1.0 is exponential in the worst case). Our credentials have fewer than ten.
MAX_BLANK_NODES = 200


class LinkedDataError(ValueError):
    """The document is not JSON-LD we can canonicalise (bad syntax, unknown context, too complex)."""


class UnmappedTermsError(LinkedDataError):
    """The document uses terms or IRIs the contexts do not map: they would be dropped, i.e. unsigned."""

    def __init__(self, terms: list[str]) -> None:
        super().__init__("unmapped terms: " + ", ".join(terms))
        self.terms = terms


@cache
def vendored_contexts() -> dict[str, Any]:
    """The vendored context documents, keyed by their URL (read once per process)."""
    return {
        url: json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))
        for url, name in CONTEXT_FILES.items()
    }


def _loader(extra: Mapping[str, Any]):
    contexts = vendored_contexts()

    def load(url: str, options: dict | None = None) -> dict:
        document = extra.get(url) if url in extra else contexts.get(url)
        if document is None:
            raise jsonld.JsonLdError(
                f"offline document loader: refusing to load {url}", "jsonld.LoadDocumentError"
            )
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


@cache
def _default_loader():
    return _loader({})


def _is_node_reference(value: str) -> bool:
    return value.startswith("_:") or value == "@json" or bool(_ABSOLUTE_IRI.match(value))


def _relative_iris(node: Any, found: list[str]) -> None:
    """Collect @id / @type values of an expanded document that are neither absolute IRIs nor blank nodes."""
    if isinstance(node, list):
        for item in node:
            _relative_iris(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("@id", "@type"):
                values = value if isinstance(value, list) else [value]
                found.extend(v for v in values if isinstance(v, str) and not _is_node_reference(v))
            elif key != "@value":
                _relative_iris(value, found)


def document_dataset(document: Mapping[str, Any], *, documents: Mapping[str, Any] | None = None) -> dict:
    """The RDF dataset of a JSON-LD document (pyld's form); refuses unmapped terms and relative IRIs."""
    dropped: list[str] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=lambda term: dropped.append(str(term)))
    options = {
        "base": None,
        "documentLoader": _loader(documents) if documents else _default_loader(),
    }
    try:
        expanded = processor.expand(dict(document), dict(options))
    except jsonld.JsonLdError as error:
        raise LinkedDataError(str(error)) from error
    relative: list[str] = []
    _relative_iris(expanded, relative)
    if dropped or relative:
        raise UnmappedTermsError(sorted(set(dropped) | set(relative)))
    try:
        return processor.to_rdf(expanded, dict(options))
    except jsonld.JsonLdError as error:
        raise LinkedDataError(str(error)) from error


def _escape_literal(value: str) -> str:
    # Enough for the N-Quads parser; pyoxigraph then writes the canonical (RDFC-1.0) escaping itself.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _term(term: dict) -> str:
    kind = term["type"]
    if kind == "IRI":
        return f"<{term['value']}>"
    if kind == "blank node":
        return term["value"]
    text = f'"{_escape_literal(term["value"])}"'
    datatype = term.get("datatype") or XSD_STRING
    if datatype == RDF_LANG_STRING and term.get("language"):
        return f"{text}@{term['language']}"
    if datatype != XSD_STRING:
        return f"{text}^^<{datatype}>"
    return text


def dataset_nquads(dataset: Mapping[str, list[dict]]) -> str:
    """Serialise a pyld dataset as (not yet canonical) N-Quads."""
    lines: list[str] = []
    for graph, triples in dataset.items():
        graph_term = "" if graph == "@default" else (graph if graph.startswith("_:") else f"<{graph}>") + " "
        for triple in triples:
            subject, predicate, obj = triple["subject"], triple["predicate"], triple["object"]
            lines.append(f"{_term(subject)} {_term(predicate)} {_term(obj)} {graph_term}.\n")
    return "".join(lines)


def canonicalize_nquads(nquads: str) -> str:
    """RDFC-1.0 canonical N-Quads of an N-Quads text: canonical blank node labels, escaping and order."""
    try:
        dataset = pyoxigraph.Dataset(pyoxigraph.parse(nquads.encode(), format=pyoxigraph.RdfFormat.N_QUADS))
    except SyntaxError as error:
        raise LinkedDataError(f"invalid RDF: {error}") from error
    # Occurrences of "_:" bound the number of blank nodes from above: count exactly only when needed.
    if nquads.count("_:") > MAX_BLANK_NODES:
        blank_nodes = {
            term
            for quad in dataset
            for term in (quad.subject, quad.object, quad.graph_name)
            if isinstance(term, pyoxigraph.BlankNode)
        }
        if len(blank_nodes) > MAX_BLANK_NODES:
            raise LinkedDataError(f"too many blank nodes ({len(blank_nodes)} > {MAX_BLANK_NODES})")
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    text = (pyoxigraph.serialize(dataset, format=pyoxigraph.RdfFormat.N_QUADS) or b"").decode()
    return "".join(sorted(line + "\n" for line in text.splitlines() if line))


def canonical_nquads(document: Mapping[str, Any], *, documents: Mapping[str, Any] | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (the reference path: any document)."""
    return canonicalize_nquads(dataset_nquads(document_dataset(document, documents=documents)))
