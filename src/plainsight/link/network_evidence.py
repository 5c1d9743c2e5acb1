"""The evidence that joins personas into networks: shared contacts, pictures and templates.

Each function reads the lake through the engine and returns :class:`Link` s, one per pair
of personas and piece of evidence, each with a reason in plain English. Generic values and
values on more than :data:`MAX_SHARE` personas are never links. See
:mod:`plainsight.link.networks` for how the links become networks.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import Any

import numpy as np
import rensa

from plainsight.extract.fingerprints import Fingerprint, match
from plainsight.lake.engine import Engine

MAX_SHARE = 50
"""A value (number, e-mail, handle, picture) on more personas than this is not a link."""
CONTACT_WEIGHT = 1.0
"""Graph weight of one shared phone number, e-mail or handle."""
PICTURE_WEIGHT = 1.0
"""Graph weight of a pair of personas sharing one or more pictures."""
PICTURE_BUCKET = 100
"""A pHash band shared by more pictures than this is featureless and gives no candidates."""
NEAR_COPIES = False
"""Whether near copies (not the identical file) link personas into networks. Off: on the
scale-10 world, 55% of near-copy matches between different personas were unrelated people
(pictures of similar rooms); identical files were never wrong. Near copies of a generic
picture are still treated as generic."""
CENTRE_LIMIT = 2
"""Largest pHash-of-the-centre distance (bits) taken as one picture between personas."""
TEXT_THRESHOLD = 0.65
"""Least estimated Jaccard similarity of two personas' masked word 3-shingles for a text
link; its graph weight is the similarity itself (0.65 to 1), so a template counts less
than a shared number. Measured on the scale-10 world: of pairs at 0.5-0.6 a third were
unrelated personas, at 0.7 and above 2%."""
TEXT_PERM, TEXT_BANDS, TEXT_SEED = 128, 32, 11
"""MinHash permutations, LSH bands (rows per band = 128 / 32 = 4) and seed."""
TEXT_BUCKET = 200
"""In a text band shared by more personas than this, each is compared with its neighbours
in the bucket only (keeps the work linear for boilerplate-heavy copy)."""
MASKED = ("name", "age", "place", "postcode", "phone", "email", "handle", "url", "price",
          "nationality", "ethnicity", "language")  # fmt: skip
"""Facts masked out of the text before comparing templates: what a controller fills in."""
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Link:
    """One piece of evidence joining two personas (``persona_a`` < ``persona_b``)."""

    persona_a: str
    persona_b: str
    kind: str
    value: str
    advert_a: str
    advert_b: str
    weight: float
    reason: str


def _pairs(holders: dict[str, str]) -> Iterator[tuple[str, str, str, str]]:
    """(persona_a, advert_a, persona_b, advert_b) for every pair of holders."""
    for a, b in combinations(sorted(holders), 2):
        yield a, holders[a], b, holders[b]


def contacts_sql(view: str) -> str:
    """Each persona's contacts: kind, value and one advert showing it."""
    return (
        "SELECT f.kind, f.value, p.persona_id, min(f.advert_id) AS advert_id, "
        "count(DISTINCT f.advert_id) AS adverts "
        f'FROM facts f JOIN "{view}" p ON p.advert_id = f.advert_id '
        "WHERE f.kind IN ('phone', 'email', 'handle') "
        "AND NOT (f.kind = 'handle' AND coalesce(f.detail, '') LIKE '%\"inferred\":true%') "
        "GROUP BY f.kind, f.value, p.persona_id"
    )


def contact_links(engine: Engine, view: str, generic: Any) -> list[Link]:
    """A link for every pair of personas sharing a phone, e-mail or handle."""
    holders: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in engine.run(contacts_sql(view)).to_pylist():
        if row["value"] not in generic.of(row["kind"]):
            holders[(row["kind"], row["value"])][row["persona_id"]] = row["advert_id"]
    links: list[Link] = []
    words = {"phone": "phone number", "email": "e-mail address", "handle": "messaging handle"}
    for (kind, value), who in sorted(holders.items()):
        if not 2 <= len(who) <= MAX_SHARE:
            continue
        for a, ad_a, b, ad_b in _pairs(who):
            reason = (
                f"Both advertise the {words[kind]} {value} (adverts {ad_a} and {ad_b}); "
                f"it appears on {len(who)} personas."
            )
            links.append(Link(a, b, kind, value, ad_a, ad_b, CONTACT_WEIGHT, reason))
    return links


def pictures_sql(view: str) -> str:
    """Each persona's pictures with their fingerprints (pictures that could not be read are
    left out)."""
    return (
        "SELECT DISTINCT p.persona_id, c.advert_id, c.sha256, g.phash, g.dhash, "
        "g.phash_mirror, g.phash_centre, g.pdq, g.pdq_quality, g.pdq_dihedral, g.width, "
        "g.height FROM (SELECT advert_id, unnest(image_sha256) AS sha256 FROM captures) c "
        f'JOIN "{view}" p ON p.advert_id = c.advert_id '
        "JOIN image_fingerprints g ON g.sha256 = c.sha256 "
        "WHERE g.error IS NULL AND g.phash IS NOT NULL"
    )


def _fingerprint(row: dict[str, Any]) -> Fingerprint:
    return Fingerprint(
        sha256=row["sha256"],
        phash=row["phash"],
        dhash=row["dhash"],
        phash_mirror=row["phash_mirror"],
        phash_centre=row["phash_centre"],
        pdq=row["pdq"],
        pdq_quality=row["pdq_quality"],
        pdq_dihedral=tuple(row["pdq_dihedral"] or ()),
        width=row["width"],
        height=row["height"],
    )


def _bands(print_: Fingerprint) -> Iterator[str]:
    """LSH keys: each 16-bit quarter of the pHash, its mirror and its centre, in one space,
    so a mirrored or cropped copy meets the original in a bucket."""
    for value in {print_.phash, print_.phash_mirror, print_.phash_centre}:
        for i in range(4):
            yield f"{i}:{value[4 * i : 4 * i + 4]}"


def _same_picture(a: Fingerprint, b: Fingerprint) -> str | None:
    """Why ``a`` and ``b`` are taken for one picture, or None. A match on the centre alone
    must be within :data:`CENTRE_LIMIT` bits: pictures of one room with different people
    in it come closer than :func:`match`'s limit on the centre."""
    found = match(a, b)
    if found is None or (found.hash == "phash_centre" and found.distance > CENTRE_LIMIT):
        return None
    return found.reason


def _near_pairs(
    prints: dict[str, Fingerprint], only: set[str] | None = None
) -> dict[tuple[str, str], str]:
    """Pairs of different pictures shown to be copies of one picture, with the reason
    (``only``: pairs with one of these pictures in them)."""
    buckets: dict[str, list[str]] = defaultdict(list)
    for sha, print_ in prints.items():
        for key in _bands(print_):
            buckets[key].append(sha)
    tried: set[tuple[str, str]] = set()
    found: dict[tuple[str, str], str] = {}
    for members in buckets.values():
        if not 2 <= len(members) <= PICTURE_BUCKET:
            continue
        for pair in combinations(sorted(members), 2):
            if pair in tried or (only is not None and not only.intersection(pair)):
                continue
            tried.add(pair)
            reason = _same_picture(prints[pair[0]], prints[pair[1]])
            if reason is not None:
                found[pair] = reason
    return found


def picture_links(engine: Engine, view: str, generic_images: Iterable[str]) -> list[Link]:
    """A link for every pair of personas whose adverts show the same picture or a copy.

    The same SHA-256 on two personas' adverts, or two pictures :func:`match` takes for one
    (candidates share a pHash band; never transitively: a copy of a copy is not evidence).
    A generic picture, any copy of one, and a picture on more than :data:`MAX_SHARE`
    personas are left out.
    """
    rows = engine.run(pictures_sql(view)).to_pylist()
    prints = {r["sha256"]: _fingerprint(r) for r in rows}
    holders: dict[str, dict[str, str]] = defaultdict(dict)
    for r in rows:
        owned = holders[r["sha256"]]
        owned[r["persona_id"]] = min(owned.get(r["persona_id"], r["advert_id"]), r["advert_id"])
    stock = set(generic_images)
    near = _near_pairs(prints, None if NEAR_COPIES else stock)
    copies = near if NEAR_COPIES else {}
    stock |= {y for x, y in near if x in stock} | {x for x, y in near if y in stock}
    common = {sha for sha, who in holders.items() if len(who) > MAX_SHARE}
    evidence: list[tuple[str, str, str]] = [(sha, sha, "") for sha in sorted(holders)]
    evidence += [(x, y, reason) for (x, y), reason in sorted(copies.items())]
    best: dict[tuple[str, str], tuple[str, str, str, str, str]] = {}
    shared: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for x, y, why in evidence:
        if {x, y} & (stock | common):
            continue
        for p, ad_p in sorted(holders[x].items()):
            for q, ad_q in sorted(holders[y].items()):
                if p == q:
                    continue
                (a, ad_a, sx), (b, ad_b, sy) = sorted([(p, ad_p, x), (q, ad_q, y)])
                shared[(a, b)].add((sx, sy))
                best.setdefault((a, b), (ad_a, ad_b, sx, sy, why))
    links: list[Link] = []
    for (a, b), (ad_a, ad_b, sha_a, sha_b, why) in sorted(best.items()):
        count = len(shared[(a, b)])
        same = "the same picture" if sha_a == sha_b else f"copies of one picture ({why})"
        reason = (
            f"{count} picture{'s' if count > 1 else ''} shared by their adverts; e.g. "
            f"{same} in adverts {ad_a} and {ad_b}."
        )
        value = sha_a if sha_a == sha_b else f"{sha_a} {sha_b}"
        links.append(Link(a, b, "picture", value, ad_a, ad_b, PICTURE_WEIGHT, reason))
    return links


def texts_sql(view: str) -> str:
    """The latest capture's title and body of every advert, with its persona."""
    return (
        "SELECT p.persona_id, a.advert_id, c.capture_id, c.title, c.body "
        f'FROM adverts a JOIN "{view}" p ON p.advert_id = a.advert_id '
        "JOIN captures c ON c.capture_id = a.latest_capture_id"
    )


def masked_spans_sql(view: str) -> str:
    """Where the filled-in facts were written in each advert's latest capture."""
    kinds = ", ".join(f"'{k}'" for k in MASKED)
    return (
        "SELECT f.capture_id, f.spans FROM facts f "
        "JOIN adverts a ON a.latest_capture_id = f.capture_id "
        f'JOIN "{view}" p ON p.advert_id = a.advert_id '
        f"WHERE f.kind IN ({kinds})"
    )


def shingles(text: str, cut: Iterable[tuple[int, int]], boilerplate: Iterable[str]) -> set[str]:
    """Word 3-shingles of ``text`` with the ``cut`` character ranges and every occurrence of
    the ``boilerplate`` sentences replaced by a gap marker, lower-cased, digits dropped.

    >>> sorted(shingles("Mia is 23 and lovely here", [(0, 3)], []))
    ['_ is and', 'is and lovely', 'and lovely here']
    """
    ranges = list(cut)
    for sentence in boilerplate:
        start = text.find(sentence)
        while start >= 0:
            ranges.append((start, start + len(sentence)))
            start = text.find(sentence, start + 1)
    pieces: list[str] = []
    at = 0
    for start, end in sorted(ranges):
        if start >= at:
            pieces.append(text[at:start])
            pieces.append(" _ ")
        at = max(at, end)
    pieces.append(text[at:])
    words = _WORD.findall("".join(pieces).lower().replace(" _ ", " zzgap "))
    words = ["_" if w == "zzgap" else w for w in words]
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


def _persona_shingles(
    engine: Engine, view: str, sentences: Iterable[str]
) -> tuple[dict[str, set[str]], dict[str, str]]:
    cuts: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for row in engine.run(masked_spans_sql(view)).to_pylist():
        for span in row["spans"] or ():
            if span["field"] in ("title", "body"):
                cuts[(row["capture_id"], span["field"])].append((span["start"], span["end"]))
    boilerplate = sorted(sentences)
    docs: dict[str, set[str]] = defaultdict(set)
    example: dict[str, str] = {}
    for row in engine.run(texts_sql(view)).to_pylist():
        persona = row["persona_id"]
        example[persona] = min(example.get(persona, row["advert_id"]), row["advert_id"])
        for name in ("title", "body"):
            text = row[name] or ""
            docs[row["persona_id"]] |= shingles(
                text, cuts.get((row["capture_id"], name), ()), boilerplate
            )
    return {p: s for p, s in docs.items() if s}, example


def _band_candidates(digests: np.ndarray) -> set[tuple[int, int]]:
    rows = TEXT_PERM // TEXT_BANDS
    pairs: set[tuple[int, int]] = set()
    for band in range(TEXT_BANDS):
        chunk = np.ascontiguousarray(digests[:, band * rows : (band + 1) * rows])
        buckets: dict[bytes, list[int]] = defaultdict(list)
        for i in range(chunk.shape[0]):
            buckets[chunk[i].tobytes()].append(i)
        for members in buckets.values():
            if len(members) > TEXT_BUCKET:
                pairs.update(pairwise(members))
            elif len(members) > 1:
                pairs.update(combinations(members, 2))
    return pairs


def text_links(engine: Engine, view: str, sentences: Iterable[str]) -> list[Link]:
    """A link for every pair of personas written from one template (see module notes)."""
    docs, example = _persona_shingles(engine, view, sentences)
    order = sorted(docs)
    if len(order) < 2:
        return []
    digests = np.asarray(
        rensa.RMinHash.digests_from_token_sets(
            [sorted(docs[p]) for p in order], num_perm=TEXT_PERM, seed=TEXT_SEED
        ),
        dtype=np.uint32,
    )
    links: list[Link] = []
    for i, j in sorted(_band_candidates(digests)):
        similarity = float(np.mean(digests[i] == digests[j]))
        if similarity < TEXT_THRESHOLD:
            continue
        a, b = order[i], order[j]
        shared = len(docs[a] & docs[b])
        digest = hashlib.sha256("\n".join(sorted(docs[a] & docs[b])).encode()).hexdigest()
        reason = (
            f"Their adverts are written from the same template: with names, ages, places, "
            f"numbers and prices masked out, {similarity:.0%} of their three-word phrases "
            f"agree (estimated; {shared} phrases in common)."
        )
        value = f"template {digest[:12]}"
        links.append(Link(a, b, "text", value, example[a], example[b], similarity, reason))
    return links
