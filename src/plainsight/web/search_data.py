"""What the search page finds: adverts, personas and networks by what an analyst has in hand.

A query is read every way it can be: an id (advert, persona, network), a phone number
written any way (``07700 9OO 123``, ``+44 7700 900123``), an e-mail address, a name, a place
or postcode (``Liverpool St``, ``EC2M``), and words in the adverts' title and text. A picture
is searched by its perceptual hashes, so a re-encoded or resized copy is found too.

The SQL is built by the small functions below and run on the engine given; every query is
bounded (:data:`SEARCH_LIMIT`, :data:`TEXT_LIMIT`). Each result says why it was found.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from plainsight.act.watch_match import FINGERPRINTS_SQL, fingerprint_of, pictures_sql
from plainsight.extract.facts import AdvertText
from plainsight.extract.fingerprints import fingerprint, match
from plainsight.extract.phones import PhoneExtractor
from plainsight.extract.places import PlaceExtractor
from plainsight.lake.engine import Engine
from plainsight.lake.serving import WORD_SPLIT
from plainsight.web.pictures import safe_picture

SEARCH_LIMIT = 200
"""Most results listed for one query."""
TEXT_LIMIT = 50
"""Most adverts listed for words in their text."""
WORDS = 8
"""Most words of a free-text query used (all must appear)."""
SNIPPET = 60
"""Characters shown either side of the first word found."""
MAX_UPLOAD = 20 * 1024 * 1024
"""Largest picture accepted for "find this picture" (bytes)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
"""A word: letters and digits (any script), as the serving copy's ``advert_words`` cuts them."""
_HREF = {"advert": "/advert/", "persona": "/persona/", "network": "/network/"}


def normalise_phone(text: str) -> str | None:
    """The E.164 form of a phone number written in any way, or None if it is not one.

    Letters written for digits count (``"07700 9OO 123"`` is ``+447700900123``).
    """
    facts = PhoneExtractor().extract(AdvertText("search", "query", {"body": text}))
    return facts[0].value if facts else None


@functools.cache
def _places() -> PlaceExtractor:
    return PlaceExtractor()


def place_terms(text: str) -> list[tuple[str, str]]:
    """The places and postcodes a query names, as ``(kind, value)`` in the facts' form.

    ``"Liverpool St"`` gives ``[("place", "Liverpool Street station")]``; ``"ec2m"`` gives
    ``[("postcode", "EC2M")]``.
    """
    found = _places().extract(AdvertText("search", "query", {"location_text": text}))
    return [(f.kind, f.value) for f in found]


def words(text: str) -> list[str]:
    """The lower-case words of a free-text query, at most :data:`WORDS`, each once."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) >= 2 and word not in out:
            out.append(word)
    return out[:WORDS]


# -- SQL -------------------------------------------------------------------------------


def facts_sql(kind: str) -> str:
    """Adverts with a fact of one kind (a constant) equal to one value, the first
    :data:`SEARCH_LIMIT` by id (found before the join: a shared number is on many)."""
    return (
        "SELECT f.advert_id, a.source, a.ad_id, f.value "
        "FROM (SELECT DISTINCT advert_id, value FROM facts "
        f"WHERE kind = '{kind}' AND value = ? ORDER BY advert_id LIMIT {SEARCH_LIMIT}) AS f "
        "LEFT JOIN adverts AS a USING (advert_id) ORDER BY f.advert_id"
    )


PLACE_SQL = (
    "SELECT DISTINCT f.advert_id, a.source, a.ad_id, f.kind, f.value "
    "FROM facts AS f LEFT JOIN adverts AS a USING (advert_id) "
    "WHERE (f.kind = 'place' AND lower(f.value) = lower(?)) "
    "OR (f.kind = 'postcode' AND (f.value = ? OR f.value LIKE ? || ' %')) "
    "ORDER BY f.advert_id LIMIT ?"
)
"""Adverts naming a place, or a postcode (a district finds its full postcodes too)."""

NAME_SQL = (
    "SELECT f.advert_id, a.source, a.ad_id, f.value "
    "FROM (SELECT DISTINCT advert_id, value FROM facts "
    f"WHERE kind = 'name' AND lower(value) = lower(?) ORDER BY advert_id LIMIT {SEARCH_LIMIT}) "
    "AS f LEFT JOIN adverts AS a USING (advert_id) ORDER BY f.advert_id"
)
"""Adverts giving a name, as extracted (the site's name field is extracted too)."""

KEYED_PLACE_SQL = (
    "SELECT DISTINCT f.advert_id, a.source, a.ad_id, f.kind, f.value "
    "FROM fact_keys AS f LEFT JOIN adverts AS a USING (advert_id) "
    "WHERE (f.key = lower(?) AND f.kind = 'place') "
    "OR (f.kind = 'postcode' AND (f.key = lower(?) OR starts_with(f.key, lower(?) || ' '))) "
    "ORDER BY f.advert_id LIMIT ?"
)
""":data:`PLACE_SQL` through the serving copy's ``fact_keys`` (sorted by lower-case value)."""

KEYED_NAME_SQL = (
    "SELECT f.advert_id, a.source, a.ad_id, f.value "
    "FROM (SELECT DISTINCT advert_id, value FROM fact_keys "
    f"WHERE key = lower(?) AND kind = 'name' ORDER BY advert_id LIMIT {SEARCH_LIMIT}) "
    "AS f LEFT JOIN adverts AS a USING (advert_id) ORDER BY f.advert_id"
)
""":data:`NAME_SQL` through the serving copy's ``fact_keys``."""


def scanned_words_sql(count: int) -> str:
    """The adverts whose captures (any of them) carry every one of ``count`` words, the newest
    first, at most ``?`` (the last parameter): each capture's title and text cut into words
    as the serving copy's ``advert_words`` cuts them (read when there is no serving copy)."""
    tokens = (
        "regexp_split_to_array(lower(coalesce(c.title, '') || ' ' || coalesce(c.body, '')), "
        f"'{WORD_SPLIT}')"
    )
    having = " AND ".join(f"bool_or(list_contains({tokens}, ?))" for _ in range(count))
    return (
        "SELECT a.advert_id FROM (SELECT advert_id FROM captures AS c GROUP BY advert_id "
        f"HAVING {having}) AS w JOIN adverts AS a USING (advert_id) "
        "ORDER BY a.last_captured_at DESC, a.advert_id LIMIT ?"
    )


def indexed_words_sql(count: int) -> str:
    """Through the serving copy's word index: the adverts carrying every one of ``count``
    words (whole words), the newest first, at most ``?`` (the last parameter)."""
    having = " INTERSECT ".join(
        "SELECT advert_id FROM advert_words WHERE word = ?" for _ in range(count)
    )
    return (
        f"SELECT a.advert_id FROM ({having}) AS w JOIN adverts AS a USING (advert_id) "
        "ORDER BY a.last_captured_at DESC, a.advert_id LIMIT ?"
    )


LATEST_TEXT_SQL = (
    "SELECT c.advert_id, any_value(c.source) AS source, any_value(c.ad_id) AS ad_id, "
    "arg_max(c.title, c.captured_at) AS title, arg_max(c.body, c.captured_at) AS body, "
    "max(c.captured_at) AS last_seen "
    "FROM captures AS c WHERE list_contains(?, c.advert_id) "
    "GROUP BY c.advert_id ORDER BY last_seen DESC, c.advert_id"
)
"""The latest title and text of the adverts listed (found through the word index)."""


# -- running ---------------------------------------------------------------------------


@dataclass
class Results:
    """Results listed once each, in the order found, up to :data:`SEARCH_LIMIT`."""

    rows: list[dict[str, str]] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)

    def add(self, kind: str, ident: str, label: str, why: str) -> None:
        if (kind, ident) in self.seen or len(self.rows) >= SEARCH_LIMIT:
            return
        self.seen.add((kind, ident))
        self.rows.append(
            {"kind": kind, "id": ident, "label": label, "why": why, "href": _HREF[kind] + ident}
        )

    def advert(self, row: dict[str, Any], why: str) -> None:
        self.add("advert", row["advert_id"], f"{row['source']} {row['ad_id']}", why)


def _rows(engine: Engine, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(engine.run(sql, params).to_pylist())


def _have(engine: Engine, *tables: str) -> bool:
    return all(engine.table_exists(t) for t in tables)


def search(engine: Engine, query: str) -> list[dict[str, str]]:
    """Adverts, personas and networks matching a query read every way it can be.

    Each result is ``{kind, id, label, why, href}``; the same thing is listed once, by the
    first reason found (ids, then phone, e-mail, name, place, words in the text).
    """
    q = query.strip()
    if not q:
        return []
    found = Results()
    _ids(engine, q, found)
    phone = normalise_phone(q) if any(c.isdigit() for c in q) or len(q) >= 7 else None
    email = q.lower() if _EMAIL.match(q) else None
    facts = _have(engine, "facts", "adverts")
    if phone and facts:
        for row in _rows(engine, facts_sql("phone"), [phone]):
            found.advert(row, f"phone {phone}")
    if email and facts:
        for row in _rows(engine, facts_sql("email"), [email]):
            found.advert(row, f"e-mail {email}")
    if phone or email or len(q) < 2 or not _have(engine, "captures"):
        return found.rows
    if facts:
        keyed = _have(engine, "fact_keys")  # the serving copy's facts by lower-case value
        for row in _rows(engine, KEYED_NAME_SQL if keyed else NAME_SQL, [q]):
            found.advert(row, f"name {row['value']}")
        places = [value for _, value in place_terms(q)]
        place_sql = KEYED_PLACE_SQL if keyed else PLACE_SQL
        for value in [*places, *([q] if q not in places else [])]:
            for row in _rows(engine, place_sql, [value, value, value, SEARCH_LIMIT]):
                found.advert(row, f"{row['kind']} {row['value']}")
    terms = words(q)
    if terms:
        indexed = _have(engine, "advert_words")  # the serving copy's word index
        sql = indexed_words_sql if indexed else scanned_words_sql
        hits = _rows(engine, sql(len(terms)), [*terms, TEXT_LIMIT])
        ids = [row["advert_id"] for row in hits]
        for row in _rows(engine, LATEST_TEXT_SQL, [ids]) if ids else []:
            found.advert(row, f"text: {snippet(row, terms)}")
    return found.rows


def _ids(engine: Engine, q: str, found: Results) -> None:
    upper = q[:2].upper() + q[2:].lower()  # ids are N- or P- and lower-case hex
    if upper.startswith("N-") and _have(engine, "network_scores", "networks"):
        for row in _rows(
            engine, "SELECT network_id, summary FROM network_scores WHERE network_id = ?", [upper]
        ):
            found.add("network", row["network_id"], row["summary"] or "", "network id")
        for row in _rows(
            engine, "SELECT DISTINCT network_id FROM networks WHERE network_id = ?", [upper]
        ):
            found.add("network", row["network_id"], "", "network id")
    if upper.startswith("P-") and _have(engine, "personas"):
        for row in _rows(
            engine,
            "SELECT persona_id, count(*) AS n FROM personas "
            "WHERE persona_id = ? GROUP BY persona_id",
            [upper],
        ):
            found.add("persona", row["persona_id"], f"{row['n']} advert(s)", "persona id")
    if not _have(engine, "adverts"):
        return
    for row in _rows(
        engine,
        "SELECT advert_id, source, ad_id FROM adverts "
        "WHERE advert_id = ? OR ad_id = ? ORDER BY advert_id",
        [q, q],
    ):
        found.advert(row, "advert id")


def snippet(row: dict[str, Any], terms: list[str]) -> str:
    """The words around the first query word in the title or text, for "why"."""
    for text in (str(row.get("title") or ""), str(row.get("body") or "")):
        at = text.lower().find(terms[0])
        if at < 0:
            continue
        start, end = max(0, at - SNIPPET), min(len(text), at + len(terms[0]) + SNIPPET)
        cut = " ".join(text[start:end].split())
        return ("…" if start else "") + cut + ("…" if end < len(text) else "")
    return " ".join(terms)


# -- "find this picture" ----------------------------------------------------------------


@dataclass(frozen=True)
class PictureSearch:
    """What a picture search found: the upload's SHA-256 and the adverts, closest first."""

    sha256: str
    results: list[dict[str, str]]


def search_picture(engine: Engine, data: bytes) -> PictureSearch:
    """Adverts carrying a picture the same as ``data`` (same file, or near-identical).

    The upload is checked as shown pictures are (:func:`~plainsight.web.pictures.safe_picture`)
    and fingerprinted as captured ones are; each fingerprinted picture in the lake is held
    against it with :func:`~plainsight.extract.fingerprints.match`.

    Raises:
        UnsafePictureError: not a picture, or too large to decode safely.
        Rejected: a picture too small to fingerprint.
    """
    safe_picture(data)  # refuses non-pictures and decompression bombs before hashing
    sha = hashlib.sha256(data).hexdigest()
    wanted = fingerprint(data, sha)
    close: dict[str, tuple[float, str]] = {}
    if engine.table_exists("image_fingerprints"):
        for batch in engine.run(FINGERPRINTS_SQL).to_batches():
            for row in batch.to_pylist():
                seen = fingerprint_of(row)
                same = match(wanted, seen)
                if same is None:
                    continue
                how = same.reason.replace(
                    f"within {same.distance} bits", f"{same.distance} bits apart", 1
                )
                rank = same.distance / (same.threshold + 1)
                close[seen.sha256] = (rank, f"picture {seen.sha256[:16]}: {how}")
    if not close or not _have(engine, "captures", "adverts"):
        return PictureSearch(sha, [])
    shas = sorted(close, key=lambda s: (close[s][0], s))
    best: dict[str, tuple[float, str]] = {}
    for row in _rows(engine, pictures_sql(len(shas)), shas):
        rank, why = close[row["sha256"]]
        if row["advert_id"] not in best or rank < best[row["advert_id"]][0]:
            best[row["advert_id"]] = (rank, why)
    found = Results()
    heads = {
        r["advert_id"]: r
        for r in _rows(
            engine,
            "SELECT advert_id, source, ad_id FROM adverts WHERE list_contains(?, advert_id)",
            [sorted(best)],
        )
    }
    for advert_id in sorted(best, key=lambda a: (best[a][0], a)):
        head = heads.get(advert_id, {"advert_id": advert_id, "source": "", "ad_id": ""})
        found.advert(head, best[advert_id][1])
    return PictureSearch(sha, found.rows)
