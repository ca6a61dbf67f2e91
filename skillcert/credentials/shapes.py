"""Fast canonicalisation for documents of a known shape: JSON-LD → RDF once per shape, not per document.

Every credential we sign has the same JSON shape (keys, nesting, list lengths, ``@context`` and ``type``
values); only string values differ. For such a document the JSON-LD → RDF conversion (pyld, most of the
cost of signing) is the same graph with different strings in it, so we run it once per shape on a
*skeleton* whose string values are placeholders (``urn:x-skillcert-slot:N``: a valid absolute IRI and a
valid literal at once), keep the resulting N-Quads as a template, and for each document substitute its
values into the template and canonicalise the result with pyoxigraph's RDFC-1.0, exactly as the
reference path does after pyld.

Why the output is the reference output:
- a string in a literal position becomes the same literal whatever the string (no @language,
  @direction or @json terms in our contexts), and the substitution escapes it for N-Quads;
- a string in an IRI position (``@id``, ``@type: @id``) is substituted only when it is an absolute
  http(s)/urn/did IRI without characters N-Quads forbids, for which pyld's IRI expansion is the
  identity (no context defines ``http``, ``https``, ``urn`` or ``did`` as a term); anything else takes
  the reference path;
- values whose meaning depends on the context (``type``, ``proofPurpose``: ``@vocab`` mapped) are part of
  the shape, not placeholders;
- canonicalisation (blank node labels, order, escaping) is done afresh for every document.
On top of that, the first document of every shape is canonicalised both ways and the template is used
only if the two agree; the test suite compares both paths on generated documents.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skillcert.credentials.linked_data import (
    canonical_nquads,
    canonicalize_nquads,
    dataset_nquads,
    document_dataset,
)

SLOT_PREFIX = "urn:x-skillcert-slot:"
# Values that select a different graph shape (vocab-mapped terms), kept in the shape key.
FIXED_KEYS = frozenset({"@context", "type", "@type", "proofPurpose"})
_SLOT_PATTERN = re.compile(r'<urn:x-skillcert-slot:(\d+)>|"urn:x-skillcert-slot:(\d+)"')
_IRI_VALUE = re.compile(r"^(?:https?|urn|did):[^\x00-\x20<>\"{}|\\^`]+$")
_MARK = "\x00slot"


@dataclass(frozen=True, slots=True)
class _Template:
    segments: tuple[str, ...]  # text between slots; len(segments) == len(slots) + 1
    slots: tuple[tuple[int, bool], ...]  # (value index, is an IRI)


def _skeleton(node: Any, values: list[str], fixed: bool = False) -> Any:
    """The document with every non-fixed string replaced by a marker; the strings go to ``values``."""
    if isinstance(node, dict):
        return {key: _skeleton(value, values, fixed or key in FIXED_KEYS) for key, value in node.items()}
    if isinstance(node, list):
        return [_skeleton(item, values, fixed) for item in node]
    if isinstance(node, str) and not fixed:
        values.append(node)
        return _MARK
    return node


def _fill(node: Any, counter: list[int]) -> Any:
    if isinstance(node, dict):
        return {key: _fill(value, counter) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(item, counter) for item in node]
    if node == _MARK:
        counter[0] += 1
        return f"{SLOT_PREFIX}{counter[0] - 1}"
    return node


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class ShapeCanonicalizer:
    """Canonical N-Quads of documents, through a per-shape template where that is provably the same."""

    def __init__(self) -> None:
        self._templates: dict[str, _Template | None] = {}
        self.fast = 0  # counters, for the benchmark and tests
        self.slow = 0

    def __call__(self, document: Mapping[str, Any]) -> str:
        values: list[str] = []
        skeleton = _skeleton(document, values)
        # Key order is part of the shape: the values list follows it.
        key = json.dumps(skeleton, ensure_ascii=False)
        if key not in self._templates:
            self._templates[key] = self._build(skeleton=skeleton, document=document, values=values)
        template = self._templates[key]
        rendered = self._render(template, values) if template is not None else None
        if rendered is None:
            self.slow += 1
            return canonical_nquads(document)
        self.fast += 1
        return canonicalize_nquads(rendered)

    def _build(self, *, skeleton: Any, document: Mapping[str, Any], values: list[str]) -> _Template | None:
        placeholders = _fill(skeleton, [0])
        text = dataset_nquads(document_dataset(placeholders))  # raises on unmapped terms, as the reference
        segments: list[str] = []
        slots: list[tuple[int, bool]] = []
        position = 0
        for match in _SLOT_PATTERN.finditer(text):
            segments.append(text[position : match.start()])
            iri_index, literal_index = match.group(1), match.group(2)
            slots.append((int(iri_index), True) if iri_index is not None else (int(literal_index), False))
            position = match.end()
        segments.append(text[position:])
        if SLOT_PREFIX in "".join(segments):  # a placeholder was transformed: no template for this shape
            return None
        template = _Template(segments=tuple(segments), slots=tuple(slots))
        rendered = self._render(template, values)
        # The first document of each shape is also canonicalised the reference way; any difference
        # (which the reasoning above excludes) disables the template for the shape.
        if rendered is None or canonicalize_nquads(rendered) != canonical_nquads(document):
            return None
        return template

    @staticmethod
    def _render(template: _Template, values: list[str]) -> str | None:
        parts = [template.segments[0]]
        for (index, is_iri), segment in zip(template.slots, template.segments[1:], strict=True):
            value = values[index]
            if is_iri:
                if not _IRI_VALUE.match(value):
                    return None
                parts.append(f"<{value}>")
            else:
                parts.append(f'"{_escape(value)}"')
            parts.append(segment)
        return "".join(parts)
