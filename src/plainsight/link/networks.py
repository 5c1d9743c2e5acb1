"""Networks: personas controlled together, found through what they share.

A network is a group of personas (each the same person across adverts) that one controller
appears to run. :func:`build_networks` draws a graph with one node per persona and an edge
wherever two personas share evidence, each kind written as a link with its reason:

* **contacts**: the same phone number, e-mail or messaging handle (a WhatsApp handle read
  from "WhatsApp same number" only repeats the phone, so it is not counted twice);
* **pictures**: the same picture (SHA-256) or a near copy of it (re-encoded, resized,
  mirrored, cropped or captioned), judged by :func:`plainsight.extract.fingerprints.match`
  on candidates that share one 16-bit band of a 64-bit pHash;
* **text**: the same slot template, from a MinHash of the persona's wording with names,
  ages, places, numbers, prices and site boilerplate masked out, candidates from LSH bands
  and kept when the estimated Jaccard similarity of word 3-shingles is at least
  :data:`TEXT_THRESHOLD`.

Generic identifiers (site footers, helplines, stock pictures and their near copies,
boilerplate sentences) are removed first, and so is any value on more than
:data:`MAX_SHARE` personas: the largest agencies seen run 30, so a value on more is
boilerplate the generic list missed, and cannot be evidence of common control.

Connected components of that graph are the first cut. One busy number, or two templates
that read alike, can still chain unrelated groups together, so inside a component of more
than :data:`LEIDEN_FROM` personas communities are found with Leiden (modularity, weighted
edges, fixed seed); a component that is one dense group stays whole. Each final group gets
a stable id: ``N-`` and 12 hex digits of the SHA-256 of its earliest persona's id (first
seen, then id). A persona with no links is a network of its own.

Everything is linear in adverts: values, picture bands and text bands are grouped by key,
never compared all against all.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import igraph
import pyarrow as pa

from plainsight.assess.schemas import NETWORK_LINKS, NETWORKS
from plainsight.lake.engine import Engine
from plainsight.link.network_evidence import (
    MAX_SHARE,
    TEXT_THRESHOLD,
    Link,
    contact_links,
    picture_links,
    text_links,
)

__all__ = [
    "DEFAULT_KINDS",
    "KINDS",
    "LEIDEN_FROM",
    "LEIDEN_SEED",
    "MAX_SHARE",
    "TEXT_THRESHOLD",
    "GenericSet",
    "build_networks",
    "network_id",
]

KINDS = ("contacts", "pictures", "text")
"""The kinds of evidence :func:`build_networks` can use."""
DEFAULT_KINDS = ("contacts", "pictures")
"""What it uses by default. Shared text templates are left out: measured on the synthetic
world at ~96,000 adverts (scale 30), text links chained unrelated networks (network F1 0.71
with them, 0.97 without) and took 95% of the stage's time (152 s against 8.5 s); at scale 1
they added nothing contacts and pictures did not already find."""
LEIDEN_FROM = 15
"""Components of more personas than this are split into communities (the largest
controlled networks seen have 15 personas; agencies up to 30, but an agency is one dense
group around its booking number and stays whole)."""
LEIDEN_SEED = 4
"""Seed of the random numbers Leiden uses, so a run gives the same networks every time."""
MERGE_SHARE = 0.25
"""Two Leiden communities whose shared weight is at least this share of the smaller one's
total weight are one network after all (see :func:`_leiden`)."""
PERSONAS_VIEW = "__network_personas"


@dataclass(frozen=True)
class GenericSet:
    """Identifiers too common to link on: phones (E.164), e-mails, handles, picture SHA-256s,
    sentences (as written)."""

    phones: frozenset[str] = field(default_factory=frozenset)
    emails: frozenset[str] = field(default_factory=frozenset)
    handles: frozenset[str] = field(default_factory=frozenset)
    images: frozenset[str] = field(default_factory=frozenset)
    sentences: frozenset[str] = field(default_factory=frozenset)

    _KINDS: ClassVar[dict[str, str]] = {
        "phone": "phones",
        "email": "emails",
        "handle": "handles",
        "image": "images",
        "picture": "images",
        "sentence": "sentences",
        "text": "sentences",
    }

    @classmethod
    def from_table(cls, table: pa.Table) -> GenericSet:
        """From rows of ``kind`` (phone, email, handle, image/picture, sentence/text) and
        ``value``; rows whose ``generic`` (or ``is_generic``) column is False (an analyst's
        "not generic") are left out, and so are ``image_phash`` rows (networks link on
        identical pictures only). Other unknown kinds are refused with a ``ValueError``."""
        found: dict[str, set[str]] = defaultdict(set)
        for row in table.to_pylist():
            if row.get("is_generic") is False or row.get("generic") is False:
                continue
            kind = str(row["kind"])
            if kind == "image_phash":  # networks link on identical pictures only
                continue
            if kind not in cls._KINDS:
                raise ValueError(f"unknown kind of generic identifier: {kind!r}")
            found[cls._KINDS[kind]].add(str(row["value"]))
        return cls(**{name: frozenset(values) for name, values in found.items()})

    @classmethod
    def coerce(cls, generic: object) -> GenericSet:
        """A GenericSet from a table, a GenericSet, or any object with the same attributes."""
        if isinstance(generic, GenericSet):
            return generic
        if isinstance(generic, pa.Table):
            return cls.from_table(generic)
        names = ("phones", "emails", "handles", "images", "sentences")
        return cls(**{n: frozenset(getattr(generic, n, ()) or ()) for n in names})

    def of(self, kind: str) -> frozenset[str]:
        """The generic values of one contact kind (phone, email, handle)."""
        return {"phone": self.phones, "email": self.emails, "handle": self.handles}.get(
            kind, frozenset()
        )


def network_id(persona_id: str) -> str:
    """The id of the network whose earliest persona is ``persona_id``.

    >>> network_id("P-0000001")
    'N-...'
    """
    return "N-" + hashlib.sha256(persona_id.encode()).hexdigest()[:12]


def first_seen_sql(view: str) -> str:
    """Each persona's first capture instant (null when its adverts are not in the lake)."""
    return (
        f"SELECT p.persona_id, min(a.first_captured_at) AS first_seen "
        f'FROM (SELECT DISTINCT advert_id, persona_id FROM "{view}") p '
        "LEFT JOIN adverts a ON a.advert_id = p.advert_id GROUP BY p.persona_id"
    )


def build_networks(
    engine: Engine,
    personas: pa.Table,
    generic: GenericSet | pa.Table | Any,
    *,
    kinds: Iterable[str] = DEFAULT_KINDS,
    leiden: bool = True,
) -> tuple[pa.Table, pa.Table]:
    """Group personas into networks; return ``(networks, network_links)``.

    ``personas`` has ``advert_id`` and ``persona_id``; ``generic`` is a :class:`GenericSet`
    or a table of ``kind``, ``value``. ``kinds`` and ``leiden`` switch evidence and
    community detection off, to measure what each adds. The tables follow
    :data:`plainsight.assess.schemas.NETWORKS` and ``NETWORK_LINKS``; every persona in
    ``personas`` gets a network.

    Raises:
        ValueError: an unknown kind of evidence.
    """
    chosen = set(kinds)
    if chosen - set(KINDS):
        raise ValueError(f"unknown kinds of evidence: {sorted(chosen - set(KINDS))}")
    generics = GenericSet.coerce(generic)
    engine.register(PERSONAS_VIEW, personas.select(["advert_id", "persona_id"]))
    links: list[Link] = []
    if "contacts" in chosen:
        links += contact_links(engine, PERSONAS_VIEW, generics)
    if "pictures" in chosen:
        links += picture_links(engine, PERSONAS_VIEW, generics.images)
    if "text" in chosen:
        links += text_links(engine, PERSONAS_VIEW, generics.sentences)
    first = {
        r["persona_id"]: r["first_seen"]
        for r in engine.run(first_seen_sql(PERSONAS_VIEW)).to_pylist()
    }
    groups = _group(sorted(first, key=lambda p: _earliest_key(p, first)), links, leiden)
    networks = _networks_table(groups)
    member = dict(
        zip(networks["persona_id"].to_pylist(), networks["network_id"].to_pylist(), strict=True)
    )
    return networks, _links_table(links, member)


def _earliest_key(persona: str, first: Mapping[str, Any]) -> tuple[bool, Any, str]:
    seen = first.get(persona)
    return (seen is None, seen if seen is not None else 0, persona)


def _group(
    order: list[str], links: list[Link], leiden: bool
) -> list[tuple[list[str], bool, list[str]]]:
    """(members, split, component) per final group, members in earliest-first order."""
    index = {p: i for i, p in enumerate(order)}
    weights: dict[tuple[int, int], float] = defaultdict(float)
    for link in links:
        a, b = index[link.persona_a], index[link.persona_b]
        weights[(min(a, b), max(a, b))] += link.weight
    graph = igraph.Graph(n=len(order), edges=list(weights), directed=False)
    graph.es["weight"] = list(weights.values())
    out: list[tuple[list[str], bool, list[str]]] = []
    for component in graph.connected_components():
        nodes = sorted(component)
        members = [order[i] for i in nodes]
        if not leiden or len(nodes) <= LEIDEN_FROM:
            out.append((members, False, members))
            continue
        communities = _leiden(graph.induced_subgraph(nodes))
        split = len(communities) > 1
        for community in communities:
            out.append(([members[i] for i in sorted(community)], split, members))
    return out


def _leiden(graph: igraph.Graph) -> list[list[int]]:
    """Leiden communities of one component, then any two whose link is strong merged back.

    Modularity splits almost any component that is not uniform, even one agency with a
    few pictures shared inside it. So a split is kept only where the communities hang by a
    thread: two communities merge again when the weight between them is at least
    :data:`MERGE_SHARE` of the smaller one's total weight (a conductance test).
    """
    previous = igraph.set_random_number_generator(random.Random(LEIDEN_SEED))
    try:
        clustering = graph.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=-1
        )
    finally:
        igraph.set_random_number_generator(previous or random)
    membership = list(clustering.membership)
    while True:
        volume: dict[int, float] = defaultdict(float)
        between: dict[tuple[int, int], float] = defaultdict(float)
        for edge in graph.es:
            ca, cb = membership[edge.source], membership[edge.target]
            volume[ca] += edge["weight"]
            volume[cb] += edge["weight"]
            if ca != cb:
                between[(min(ca, cb), max(ca, cb))] += edge["weight"]
        strong = [
            (w / min(volume[a], volume[b]), a, b)
            for (a, b), w in between.items()
            if w >= MERGE_SHARE * min(volume[a], volume[b])
        ]
        if not strong:
            break
        _, keep, gone = max(strong)
        membership = [keep if m == gone else m for m in membership]
    groups: dict[int, list[int]] = defaultdict(list)
    for node, community in enumerate(membership):
        groups[community].append(node)
    return [groups[c] for c in sorted(groups, key=lambda c: groups[c][0])]


def _networks_table(groups: list[tuple[list[str], bool, list[str]]]) -> pa.Table:
    """Members and components come earliest-first (:func:`_group`), so each group's earliest
    persona is its first: no search over a large component for each of its communities
    (that search took 226 of 282 seconds at a million adverts)."""
    rows: list[dict[str, Any]] = []
    for members, split, component in groups:
        nid, cid = network_id(members[0]), network_id(component[0])
        rows += [
            {"persona_id": p, "network_id": nid, "component_id": cid, "split": split}
            for p in members
        ]
    rows.sort(key=lambda r: (r["network_id"], r["persona_id"]))
    return pa.Table.from_pylist(rows, schema=NETWORKS)


def _links_table(links: list[Link], member: Mapping[str, str]) -> pa.Table:
    rows = [
        {
            "persona_a": link.persona_a,
            "persona_b": link.persona_b,
            "kind": link.kind,
            "value": link.value,
            "advert_a": link.advert_a,
            "advert_b": link.advert_b,
            "weight": link.weight,
            "reason": link.reason,
            "within": member[link.persona_a] == member[link.persona_b],
        }
        for link in sorted(links, key=lambda x: (x.persona_a, x.persona_b, x.kind, x.value))
    ]
    return pa.Table.from_pylist(rows, schema=NETWORK_LINKS)
