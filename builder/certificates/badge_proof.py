"""eddsa-rdfc-2022 proofs for many credentials of one shape, without redoing the JSON-LD work for each.

openbadgeslib signs one credential in about 100 ms, nearly all of it JSON-LD processing of the pinned
contexts (expansion, compaction, RDF conversion), done again for every learner. The credentials of
one run differ only in a few string values (the credential id, the learner's name and hashed
address, the date), so here the JSON-LD to RDF conversion runs once per shape, on a copy that has
placeholders at those places, and each credential's RDF dataset is that one with the placeholders
replaced by its values. Per credential there remain what vc-di-eddsa's eddsa-rdfc-2022 asks
(§3.3: transformation, hashing, proof serialization): RDFC-1.0 canonicalization (pyld's, as
openbadgeslib uses), two SHA-256 and one Ed25519 signature.

Only values at the places named by the caller are replaced, and only where JSON-LD keeps a string
as it is (a literal, or an absolute IRI): anything else raises ShapeMismatch. The caller checks the first credential of
each shape against openbadgeslib's own signing (see badge.py), which also checks that the proof
covers the whole JSON.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openbadgeslib.ob3.contexts import document_loader
from pyld import jsonld
from pyld.canon import URDNA2015

CRYPTOSUITE = "eddsa-rdfc-2022"
PLACEHOLDER = "urn:coursepack:placeholder:{}"  # an absolute IRI, so it stays itself as a literal or as an @id
ABSOLUTE_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*')  # RFC 3987's scheme, no character N-Quads escapes
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

Path = tuple[str | int, ...]  # keys and list indexes from the document's root to one string value
Dataset = dict[str, list[dict[str, dict[str, str]]]]  # pyld's RDF dataset: graph name -> quads


class ShapeMismatch(Exception):
    """A placeholder did not come out of the RDF conversion exactly once: the value at that place
    is not one JSON-LD keeps as it is, so this shortcut cannot be used for it."""


class _Shape:
    """The RDF dataset of one document shape, and where each placeholder sits in it."""

    def __init__(self, dataset: Dataset, count: int) -> None:
        self.dataset = dataset
        self.places: list[list[tuple[str, int, str]]] = []  # per placeholder: (graph, quad index, position)s
        self.iri: list[bool] = []  # per placeholder: whether it became an IRI (a subject, say) rather than a literal
        for number in range(count):
            wanted = PLACEHOLDER.format(number)
            found = [(graph, i, position, term["type"]) for graph, quads in dataset.items() for i, quad in enumerate(quads)
                     for position, term in quad.items() if term["value"] == wanted]
            kinds = {kind for *_, kind in found}
            if not found or kinds not in ({"IRI"}, {"literal"}) or any(position == "predicate" for _, _, position, _ in found):
                raise ShapeMismatch(f"placeholder {number} became {sorted(kinds) or 'nothing'} in the RDF dataset")
            self.places.append([place[:3] for place in found])
            self.iri.append(kinds == {"IRI"})

    def filled(self, values: Sequence[str]) -> Dataset:
        """A fresh dataset (canonicalization relabels blank nodes in place) with the values in."""
        dataset = {graph: [{position: dict(term) for position, term in quad.items()} for quad in quads]
                   for graph, quads in self.dataset.items()}
        for places, iri, value in zip(self.places, self.iri, values, strict=True):
            if iri and not ABSOLUTE_IRI.fullmatch(value):  # JSON-LD would resolve or drop it: not kept as it is
                raise ShapeMismatch(f"'{value}' is not an absolute IRI")
            for graph, index, position in places:
                dataset[graph][index][position]["value"] = value
        return dataset


class TemplateSigner:
    """Signs JSON-LD documents that share a shape: the JSON-LD to RDF conversion once per shape."""

    def __init__(self, key: Ed25519PrivateKey, verification_method: str) -> None:
        self.key, self.verification_method = key, verification_method
        self._loader = document_loader()  # the pinned contexts inside openbadgeslib: never fetched
        self._shapes: dict[str, _Shape] = {}
        self._config_hashes: dict[tuple[str, str], bytes] = {}

    @property
    def shapes(self) -> int:
        """Shapes converted to RDF so far (documents and proof options)."""
        return len(self._shapes)

    def proof(self, document: dict[str, Any], places: Sequence[Path], created: str) -> tuple[dict[str, Any], bool]:
        """The DataIntegrityProof for document, whose values at places are the only ones that differ
        from one credential to the next (every other value is part of the shape), and whether the
        document's shape was new (for the caller to check that one the slow way)."""
        shapes = len(self._shapes)
        document_hash = hashlib.sha256(self._canonical(document, places).encode("utf-8")).digest()
        data = self._config_hash(document["@context"], created) + document_hash  # vc-di-eddsa §3.3.4: config first
        proof = {**self._proof_options(created), "proofValue": "z" + base58btc(self.key.sign(data))}
        return proof, len(self._shapes) > shapes

    def _proof_options(self, created: str) -> dict[str, Any]:
        return {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": created,
                "verificationMethod": self.verification_method, "proofPurpose": "assertionMethod"}

    def _config_hash(self, context: Any, created: str) -> bytes:
        """The proof options are canonicalized in the document's context; they differ only by date."""
        key = (json.dumps(context, sort_keys=True), created)
        if key not in self._config_hashes:
            config = {**self._proof_options(created), "@context": context}
            canonical = self._canonical(config, [("created",)])
            self._config_hashes[key] = hashlib.sha256(canonical.encode("utf-8")).digest()
        return self._config_hashes[key]

    def _canonical(self, document: dict[str, Any], places: Sequence[Path]) -> str:
        values = [_get(document, place) for place in places]
        skeleton = copy.deepcopy(document)
        for number, place in enumerate(places):
            _set(skeleton, place, PLACEHOLDER.format(number))
        key = json.dumps(skeleton, sort_keys=True, ensure_ascii=False)
        shape = self._shapes.get(key)
        if shape is None:
            dataset = jsonld.to_rdf(skeleton, {"documentLoader": self._loader, "produceGeneralizedRdf": False})
            shape = self._shapes[key] = _Shape(dataset, len(places))
        return str(URDNA2015().main(shape.filled(values), {"format": "application/n-quads"}))


def _get(document: Any, place: Path) -> str:
    for step in place:
        document = document[step]
    if not isinstance(document, str):
        raise ShapeMismatch(f"the value at {place} is not a string")
    return document


def _set(document: Any, place: Path, value: str) -> None:
    for step in place[:-1]:
        document = document[step]
    document[place[-1]] = value


def base58btc(data: bytes) -> str:
    """Multibase's base58btc alphabet (Bitcoin's); each leading zero byte is a '1'."""
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text
