"""Draft an intelligence report from the evidence: who, what, where, when, links and why.

plainsight writes the first version from the lake (the persona's or network's adverts, what
extraction found in them, the indicators that fired, and :mod:`plainsight.assess.explain`'s
words on the links and the score); the analyst then edits and grades it. The draft states
evidence with counts, dates and advert references, never a verdict, and it records the
names, ad ids, handles and full postcodes it mentions, so the sanitised copy can remove them
even after the analyst has rewritten the text around them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from plainsight.assess.explain import LEAD, explain_network
from plainsight.lake.engine import Engine

SUBJECTS = ("persona", "network")
EVIDENCE_SHOWN = 20
"""Adverts listed under Evidence (the newest first); the count says how many there are."""


class SubjectNotFoundError(LookupError):
    """No persona or network of that id in the lake."""


@dataclass(frozen=True)
class Draft:
    """What plainsight wrote: a title, the text, and the identifying terms it used."""

    subject_kind: str
    subject_id: str
    title: str
    text: str
    terms: dict[str, list[str]] = field(default_factory=dict)


def _rows(engine: Engine, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = engine.run(sql, params).to_pylist()
    return rows


def _personas(engine: Engine, kind: str, ident: str) -> list[str]:
    if kind == "persona":
        found = _rows(engine, "SELECT 1 FROM personas WHERE persona_id = ? LIMIT 1", [ident])
        return [ident] if found else []
    rows = _rows(
        engine,
        "SELECT persona_id FROM networks WHERE network_id = ? ORDER BY persona_id",
        [ident],
    )
    return [r["persona_id"] for r in rows]


def _placeholders(values: list[str]) -> str:
    return ", ".join("?" for _ in values)


def _day(when: datetime | None) -> str:
    return f"{when:%d %b %Y}" if when is not None else "unknown"


def _listing(counts: Counter[str], limit: int = 8) -> str:
    if not counts:
        return "none found"
    shown = [f"{value} ({n})" for value, n in counts.most_common(limit)]
    more = len(counts) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def draft_report(engine: Engine, kind: str, ident: str) -> Draft:
    """Draft the report on persona or network ``ident`` from the lake.

    Raises:
        ValueError: ``kind`` is neither ``persona`` nor ``network``.
        SubjectNotFoundError: no such persona or network (or nothing linked yet).
    """
    if kind not in SUBJECTS:
        raise ValueError(f"unknown subject {kind!r}: use persona or network")
    if not engine.table_exists("personas") or not engine.table_exists("networks"):
        raise SubjectNotFoundError("nothing is linked yet: run `plainsight run` first")
    personas = _personas(engine, kind, ident)
    if not personas:
        raise SubjectNotFoundError(f"no {kind} {ident}")
    marks = _placeholders(personas)
    adverts = _rows(
        engine,
        "SELECT p.persona_id, a.advert_id, a.source, a.ad_id, a.first_captured_at, "
        "a.last_captured_at, c.url, c.posted_at FROM personas p "
        "JOIN adverts a ON a.advert_id = p.advert_id "
        "JOIN captures c ON c.capture_id = a.latest_capture_id "
        f"WHERE p.persona_id IN ({marks}) ORDER BY a.last_captured_at DESC, a.advert_id",
        personas,
    )
    facts = _rows(
        engine,
        "SELECT DISTINCT f.advert_id, f.kind, f.value, "
        "CASE WHEN f.kind = 'place' THEN f.detail END AS detail FROM facts f "
        f"JOIN personas p ON p.advert_id = f.advert_id WHERE p.persona_id IN ({marks})",
        personas,
    )
    hits = _rows(
        engine,
        "SELECT DISTINCT h.advert_id, h.indicator FROM indicator_hits h "
        f"JOIN personas p ON p.advert_id = h.advert_id WHERE p.persona_id IN ({marks})",
        personas,
    )
    network = ident
    if kind == "persona":
        row = _rows(engine, "SELECT network_id FROM networks WHERE persona_id = ?", [ident])
        network = row[0]["network_id"] if row else ""
    return _compose(engine, kind, ident, personas, network, adverts, facts, hits)


def _compose(
    engine: Engine,
    kind: str,
    ident: str,
    personas: list[str],
    network: str,
    adverts: list[dict[str, Any]],
    facts: list[dict[str, Any]],
    hits: list[dict[str, Any]],
) -> Draft:
    by_kind: dict[str, Counter[str]] = {}
    for f in facts:
        label = f["kind"]
        if label == "place":
            label = f"place:{orjson.loads(f['detail'] or '{}').get('kind') or 'town'}"
        by_kind.setdefault(label, Counter())[f["value"]] += 1

    def facts_of(kind: str) -> Counter[str]:
        return by_kind.get(kind, Counter())

    indicators = Counter(h["indicator"] for h in hits)
    first = min((a["first_captured_at"] for a in adverts if a["first_captured_at"]), default=None)
    last = max((a["last_captured_at"] for a in adverts if a["last_captured_at"]), default=None)
    sites = Counter(a["source"] for a in adverts)
    postcodes = facts_of("postcode") + facts_of("place:postcode") + facts_of("place:district")
    ages = sorted(int(v) for v in facts_of("age") if v.isdigit())
    age_words = f"{ages[0]} to {ages[-1]}" if ages else "none stated"
    subject = f"{kind} {ident}"
    title = f"Intelligence report: {subject}"
    lines = [
        title,
        "=" * len(title),
        f"Drafted by plainsight from {len(adverts)} advert(s) in the lake. Every statement "
        "rests on the adverts listed under Evidence; edit before grading.",
        "",
        "WHO",
        f"{len(personas)} persona(s) behind {len(adverts)} advert(s): "
        + ", ".join(personas[:10])
        + (f" and {len(personas) - 10} more" if len(personas) > 10 else "")
        + ".",
        f"Working names: {_listing(facts_of('name'))}.",
        f"Stated ages: {age_words}. Nationality or ethnicity stated: "
        f"{_listing(facts_of('nationality') + facts_of('ethnicity'))}.",
        f"Languages: {_listing(facts_of('language'))}.",
        "",
        "WHAT",
        f"Adverts on {len(sites)} site(s): {_listing(sites)}.",
        f"Services: {_listing(facts_of('service'))}. Prices: {_listing(facts_of('price'), 5)}.",
        f"Indicators that fired (adverts carrying each): {_listing(indicators, 12)}.",
        "",
        "WHERE",
        f"Towns: {_listing(facts_of('place:town'))}.",
        f"Areas and stations: {_listing(facts_of('place:area') + facts_of('place:station'))}.",
        f"Postcodes: {_listing(postcodes)}.",
        "",
        "WHEN",
        f"First captured {_day(first)}, last captured {_day(last)}.",
        "",
        "CONTACTS",
        f"Phone numbers: {_listing(facts_of('phone'))}.",
        f"E-mail addresses: {_listing(facts_of('email'))}.",
        f"Messaging handles: {_listing(facts_of('handle'))}.",
        "",
        "LINKS AND WHY",
    ]
    lines += _links(engine, kind, ident, network)
    lines += ["", "EVIDENCE", f"{len(adverts)} advert(s); the newest {EVIDENCE_SHOWN} are:"]
    for a in adverts[:EVIDENCE_SHOWN]:
        lines.append(
            f"- {a['advert_id']}: {a['source']} ad {a['ad_id']}, last captured "
            f"{_day(a['last_captured_at'])}, {a['url'] or 'no URL'}"
        )
    full_postcodes = [v for v in facts_of("postcode") if " " in v]
    full_postcodes += [v for v in facts_of("place:postcode") if " " in v]
    terms = {
        "name": sorted(facts_of("name")),
        "ad_id": sorted({str(a["ad_id"]) for a in adverts}),
        "handle": sorted(facts_of("handle")),
        "postcode": sorted(set(full_postcodes)),
    }
    return Draft(kind, ident, title, "\n".join(lines) + "\n", terms)


def _links(engine: Engine, kind: str, ident: str, network: str) -> list[str]:
    """The network's explanation (score part by part, links), or why there is none."""
    if not network:
        return [f"The {kind} is in no network. {LEAD}"]
    try:
        words = explain_network(engine, network)
    except KeyError:
        return [f"Network {network} has no score yet. {LEAD}"]
    head = [] if kind == "network" else [f"Persona {ident} is one of network {network}."]
    return [*head, *words.splitlines()]
