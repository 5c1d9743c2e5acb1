"""Networks as entities and links, and their i2 Analyst's Notebook import file (CSV).

The graph is built once here (:func:`build_graph`) and written two ways: as i2's tabular
import layout (one row per link, carrying the type, identity, label and description of both
ends) and as GraphML (:mod:`plainsight.act.graphml`). Its entities are networks, personas,
adverts and the phone numbers, e-mail addresses and handles the adverts show; identifiers
judged generic are left out, as linking leaves them out. Every link is a lead for review:
the strength column says which were read from an advert and which the linker inferred.
The columns are documented in ``docs/exports.md`` so an analyst can map them in i2's import
specification.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from plainsight.lake.engine import Engine

I2_COLUMNS = (
    "Entity 1 Type",
    "Entity 1 Identity",
    "Entity 1 Label",
    "Entity 1 Date",
    "Entity 1 Description",
    "Entity 2 Type",
    "Entity 2 Identity",
    "Entity 2 Label",
    "Entity 2 Date",
    "Entity 2 Description",
    "Link Type",
    "Link Label",
    "Link Direction",
    "Link Strength",
    "Link Date",
    "Link Description",
    "Network",
)
"""The CSV's header row, in order (``docs/exports.md`` says what each holds)."""

IDENTIFIERS = (
    ("phones", "Phone", "phone"),
    ("emails", "Email", "email"),
    ("handles", "Handle", "handle"),
)
"""advert_features column, i2 entity type, and the kind ``ignored`` names it by."""


@dataclass(frozen=True)
class Node:
    """One entity: its type (Network, Persona, Advert, Phone...), identity and label."""

    type: str
    identity: str
    label: str
    date: datetime | None = None
    description: str = ""
    network: str = ""


@dataclass(frozen=True)
class Edge:
    """One link from ``source`` to ``target`` (identities), with why it is there."""

    source: str
    target: str
    type: str
    label: str
    directed: bool
    strength: str  # Confirmed: read from an advert; Unconfirmed/Tentative: inferred
    description: str = ""
    weight: float = 1.0
    date: datetime | None = None
    network: str = ""


@dataclass
class Graph:
    """Entities by identity and the links between them."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def add(self, node: Node) -> None:
        self.nodes.setdefault(node.identity, node)


def choose_networks(engine: Engine, ids: Sequence[str], top: int | None) -> list[str]:
    """The networks named, then the ``top`` highest ranked, without repeats.

    Raises:
        KeyError: linking has not run, or a named network does not exist (a message).
    """
    if not engine.table_exists("networks") or not engine.table_exists("network_scores"):
        raise KeyError("no networks yet: run `plainsight run` after importing adverts")
    known = {
        r["network_id"] for r in engine.run("SELECT DISTINCT network_id FROM networks").to_pylist()
    }
    for network_id in ids:
        if network_id not in known:
            raise KeyError(f"no network {network_id}")
    chosen = list(dict.fromkeys(ids))
    if top:
        ranked = engine.run(
            "SELECT network_id FROM network_scores WHERE personas > 1 ORDER BY rank LIMIT ?", [top]
        ).to_pylist()
        chosen += [r["network_id"] for r in ranked if r["network_id"] not in chosen]
    return chosen


def _rows(engine: Engine, sql: str, chosen: list[str]) -> list[dict[str, Any]]:
    engine.register("export_chosen", pa.table({"network_id": pa.array(chosen, pa.string())}))
    rows: list[dict[str, Any]] = engine.run(sql).to_pylist()
    return rows


ADVERTS_SQL = """
SELECT n.network_id, n.persona_id, p.advert_id, f.source, f.ad_id, f.first_captured_at,
       f.last_captured_at, f.names, f.phones, f.emails, f.handles, f.towns, f.ignored
FROM networks AS n
JOIN export_chosen AS c ON c.network_id = n.network_id
JOIN personas AS p ON p.persona_id = n.persona_id
JOIN advert_features AS f ON f.advert_id = p.advert_id
ORDER BY n.network_id, n.persona_id, p.advert_id
"""

NETWORKS_SQL = """
SELECT c.network_id, s.rank, s.score, s.summary, s.first_seen
FROM export_chosen AS c LEFT JOIN network_scores AS s ON s.network_id = c.network_id
"""

LINKS_SQL = """
SELECT DISTINCT n.network_id, l.persona_a, l.persona_b, l.kind, l.value, l.weight, l.reason
FROM network_links AS l
JOIN networks AS n ON n.persona_id = l.persona_a
JOIN export_chosen AS c ON c.network_id = n.network_id
ORDER BY n.network_id, l.persona_a, l.persona_b, l.kind, l.value
"""


def _day(when: datetime | None) -> str:
    return f"{when:%d %b %Y}" if when else "?"


def build_graph(engine: Engine, chosen: list[str]) -> Graph:
    """The entities and links of the chosen networks."""
    graph = Graph()
    for r in _rows(engine, NETWORKS_SQL, chosen):
        rank = f"rank {r['rank']}, score {r['score']:.2f}" if r["rank"] is not None else "unranked"
        graph.add(
            Node(
                "Network",
                r["network_id"],
                f"{r['network_id']} ({rank})",
                r["first_seen"],
                r["summary"] or "",
                r["network_id"],
            )
        )
    adverts = _rows(engine, ADVERTS_SQL, chosen)
    names: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    first: dict[str, datetime] = {}
    for r in adverts:
        persona, network = r["persona_id"], r["network_id"]
        names.setdefault(persona, Counter()).update(r["names"] or [])
        counts[persona] += 1
        if r["first_captured_at"] and (
            persona not in first or r["first_captured_at"] < first[persona]
        ):
            first[persona] = r["first_captured_at"]
        towns = ", ".join(r["towns"] or [])
        graph.add(
            Node(
                "Advert",
                r["advert_id"],
                f"{r['source']} {r['ad_id']}",
                r["first_captured_at"],
                f"captured {_day(r['first_captured_at'])} to {_day(r['last_captured_at'])}"
                + (f"; {towns}" if towns else ""),
                network,
            )
        )
        graph.edges.append(
            Edge(
                persona,
                r["advert_id"],
                "Advertised in",
                "advertised in",
                True,
                "Unconfirmed",
                "the linker placed this advert in this persona",
                date=r["first_captured_at"],
                network=network,
            )
        )
        ignored = set(r["ignored"] or [])
        for column, kind, word in IDENTIFIERS:
            for value in r[column] or []:
                if f"{word}:{value}" in ignored:
                    continue
                graph.add(Node(kind, value, value, None, f"{word} shown in adverts", network))
                graph.edges.append(
                    Edge(
                        r["advert_id"],
                        value,
                        f"Shows {word}",
                        f"shows {word}",
                        True,
                        "Confirmed",
                        f"the advert shows this {word}",
                        date=r["last_captured_at"],
                        network=network,
                    )
                )
    for r in adverts:
        persona = r["persona_id"]
        if persona in graph.nodes:
            continue
        common = ", ".join(n for n, _ in names[persona].most_common(3))
        graph.add(
            Node(
                "Persona",
                persona,
                f"{common} ({persona})" if common else persona,
                first.get(persona),
                f"{counts[persona]} adverts",
                r["network_id"],
            )
        )
        graph.edges.append(
            Edge(
                persona,
                r["network_id"],
                "Member of",
                "member of",
                True,
                "Unconfirmed",
                "the linker placed this persona in this network",
                network=r["network_id"],
            )
        )
    if engine.table_exists("network_links"):
        for r in _rows(engine, LINKS_SQL, chosen):
            if r["persona_b"] not in graph.nodes or r["persona_a"] not in graph.nodes:
                continue  # a link that leaves the chosen networks
            graph.edges.append(
                Edge(
                    r["persona_a"],
                    r["persona_b"],
                    f"Shares {r['kind']}",
                    f"shares {r['kind']} {r['value']}",
                    False,
                    "Tentative",
                    r["reason"] or "",
                    float(r["weight"] or 0.0),
                    network=r["network_id"],
                )
            )
    return graph


_SAFE = re.compile(r"[+@][\w.\-]*")


def safe_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (an advert's words are untrusted).

    Phone numbers (``+44...``) and handles (``@name``) pass unchanged, so identities match.
    """
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _SAFE.fullmatch(text):
        return "'" + text
    return text


def _date(when: datetime | None) -> str:
    return f"{when:%d/%m/%Y %H:%M:%S}" if when else ""


def _end(node: Node) -> list[str]:
    return [
        node.type,
        node.identity,
        safe_cell(node.label),
        _date(node.date),
        safe_cell(node.description),
    ]


def write_i2(engine: Engine, chosen: list[str], output: Path) -> int:
    """Write the chosen networks as i2 link rows; return how many links were written."""
    graph = build_graph(engine, chosen)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(I2_COLUMNS)
        for edge in graph.edges:
            writer.writerow(
                [
                    *_end(graph.nodes[edge.source]),
                    *_end(graph.nodes[edge.target]),
                    edge.type,
                    safe_cell(edge.label),
                    "Arrow on Head" if edge.directed else "None",
                    edge.strength,
                    _date(edge.date),
                    safe_cell(edge.description),
                    edge.network,
                ]
            )
    return len(graph.edges)
