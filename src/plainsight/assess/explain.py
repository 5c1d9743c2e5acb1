"""Why: a network's score and the link between two adverts or personas, in plain English.

The words are meant to be pasted into an intelligence report: evidence with numbers,
dates and places, never a verdict. They read the tables the linking and scoring stages
registered: ``networks``, ``network_links``, ``network_scores``, the persona assignment
``personas`` (advert_id, persona_id) and, when present, ``persona_links`` (advert_a,
advert_b, match_weight, match_probability, reasons JSON list of {text, weight}).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import orjson

from plainsight.lake.engine import Engine

LEAD = "This is a lead for review, not a finding."


def _one(engine: Engine, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = engine.run(sql, params).to_pylist()
    return rows[0] if rows else None


def explain_network(engine: Engine, network_id: str) -> str:
    """A paragraph on one network: what it is, its score part by part, and the links.

    Raises:
        KeyError: no such network.
    """
    row = _one(engine, "SELECT * FROM network_scores WHERE network_id = ?", [network_id])
    if row is None:
        raise KeyError(f"no network {network_id}")
    seen = ""
    if row["first_seen"] is not None:
        seen = f", first posted {row['first_seen']:%d %b %Y} and last {row['last_seen']:%d %b %Y}"
    lines = [
        f"Network {network_id} (rank {row['rank']}, score {row['score']:.2f}): "
        f"{row['personas']} persona(s) across {row['adverts']} adverts on {row['sites']} "
        f"site(s){seen}. Towns: {', '.join(row['towns']) or 'none stated'}.",
    ]
    if row["movement"]:
        lines.append(f"Movement over time: {row['movement']}.")
    lines.append("The score is the sum of these parts (weight x value = contribution):")
    for part in orjson.loads(row["parts"]):
        lines.append(
            f"- {part['name']}: {part['weight']:g} x {part['value']:g} = "
            f"{part['contribution']:+.2f}. {part['text']}"
        )
    links = engine.run(
        "SELECT l.* FROM network_links l JOIN networks n ON n.persona_id = l.persona_a "
        "WHERE n.network_id = ? AND l.within ORDER BY l.weight DESC, l.persona_a, "
        "l.persona_b LIMIT 10",
        [network_id],
    ).to_pylist()
    if links:
        lines.append("The personas are linked by, among others:")
        lines += [f"- {x['persona_a']} and {x['persona_b']}: {x['reason']}" for x in links]
    lines.append(LEAD)
    return "\n".join(lines)


def _persona_of(engine: Engine, ident: str) -> str:
    if engine.table_exists("personas"):
        row = _one(engine, "SELECT persona_id FROM personas WHERE advert_id = ?", [ident])
        if row is not None:
            return str(row["persona_id"])
    return ident


def _path(engine: Engine, a: str, b: str) -> list[dict[str, Any]] | None:
    """The strongest-first breadth-first path of kept links from persona a to b."""
    row = _one(engine, "SELECT network_id FROM networks WHERE persona_id = ?", [a])
    if row is None:
        return None
    links = engine.run(
        "SELECT l.* FROM network_links l JOIN networks n ON n.persona_id = l.persona_a "
        "WHERE n.network_id = ? AND l.within ORDER BY l.weight DESC",
        [row["network_id"]],
    ).to_pylist()
    edges: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for link in links:
        edges.setdefault(link["persona_a"], []).append((link["persona_b"], link))
        edges.setdefault(link["persona_b"], []).append((link["persona_a"], link))
    back: dict[str, tuple[str, dict[str, Any]] | None] = {a: None}
    queue = deque([a])
    while queue:
        node = queue.popleft()
        for other, link in edges.get(node, []):
            if other not in back:
                back[other] = (node, link)
                queue.append(other)
    if b not in back:
        return None
    path: list[dict[str, Any]] = []
    node = b
    while (step := back[node]) is not None:
        node, link = step
        path.append(link)
    return path[::-1]


def explain_link(engine: Engine, a: str, b: str) -> str:
    """How ``a`` and ``b`` (advert ids or persona ids) are connected, if at all."""
    pa_, pb = _persona_of(engine, a), _persona_of(engine, b)
    if pa_ == pb:
        text = f"{a} and {b} are adverts of the same persona, {pa_}."
        if engine.table_exists("persona_links"):
            row = _one(
                engine,
                "SELECT * FROM persona_links WHERE (advert_a = ? AND advert_b = ?) "
                "OR (advert_a = ? AND advert_b = ?)",
                [a, b, b, a],
            )
            if row is not None:
                reasons = "; ".join(r["text"] for r in orjson.loads(row["reasons"] or "[]"))
                text += (
                    f" The record linkage gave a match probability of "
                    f"{row['match_probability']:.1%} (weight {row['match_weight']:.1f}): "
                    f"{reasons}."
                )
        return f"{text} {LEAD}"
    path = _path(engine, pa_, pb)
    if path:
        steps = [f"- {x['persona_a']} and {x['persona_b']}: {x['reason']}" for x in path]
        head = (
            f"{a} (persona {pa_}) and {b} (persona {pb}) are in the same network, joined "
            f"through {len(path)} link(s):"
        )
        return "\n".join([head, *steps, LEAD])
    cut = engine.run(
        "SELECT * FROM network_links WHERE (persona_a = ? AND persona_b = ?) "
        "OR (persona_a = ? AND persona_b = ?)",
        [pa_, pb, pb, pa_],
    ).to_pylist()
    text = f"{a} (persona {pa_}) and {b} (persona {pb}) are not linked into one network."
    if cut:
        text += (
            " They share evidence, but it is a weak bridge between two groups and community "
            "detection kept them apart: " + " ".join(x["reason"] for x in cut)
        )
    ignored = _ignored(engine, pa_, pb)
    if ignored:
        text += f" What they share was set aside as generic or too common: {ignored}."
    return f"{text} {LEAD}"


def _ignored(engine: Engine, a: str, b: str) -> str:
    if not engine.table_exists("personas"):
        return ""
    rows = engine.run(
        "SELECT f.kind, f.value, count(DISTINCT p2.persona_id) AS personas "
        "FROM facts f JOIN personas p ON p.advert_id = f.advert_id "
        "JOIN facts g ON g.kind = f.kind AND g.value = f.value "
        "JOIN personas q ON q.advert_id = g.advert_id "
        "JOIN facts h ON h.kind = f.kind AND h.value = f.value "
        "JOIN personas p2 ON p2.advert_id = h.advert_id "
        "WHERE p.persona_id = ? AND q.persona_id = ? AND f.kind IN ('phone', 'email', 'handle') "
        "GROUP BY f.kind, f.value ORDER BY f.kind, f.value LIMIT 5",
        [a, b],
    ).to_pylist()
    return "; ".join(f"the {r['kind']} {r['value']} (on {r['personas']} personas)" for r in rows)
