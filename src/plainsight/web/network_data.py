"""What the network pages show: the ranked list, one network's score, graph, timeline,
movement between towns and the generic identifiers kept out of its linking.

Plain queries over the lake through an open :class:`~plainsight.lake.engine.Engine`, returning
dictionaries for a template or a JSON endpoint (routes in :mod:`plainsight.web.network_pages`).
The timeline's geometry is worked out here, in a pure function, so the page draws it as plain
SVG without a script.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import orjson

from plainsight.assess.explain import explain_network
from plainsight.lake.engine import Engine
from plainsight.link.sql import identifier_occurrences_sql

TIMELINE_WIDTH = 900
"""Width of the timeline's drawing area in SVG user units (the axis labels sit beside it)."""
TIMELINE_LABEL = 130
"""Room on the left for each persona's id."""
TIMELINE_ROW = 22
TIMELINE_AXIS = 34
GENERIC_LABEL = 40
"""Longest shown value (characters) of a generic identifier: sentences are cut short."""

_MEMBERS_SQL = """
SELECT p.persona_id, p.advert_id FROM networks n JOIN personas p USING (persona_id)
WHERE n.network_id = ?
"""


def _rows(engine: Engine, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return list(engine.run(sql, params or None).to_pylist())


def _have(engine: Engine, *tables: str) -> bool:
    return all(engine.table_exists(t) for t in tables)


def networks(engine: Engine, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Networks ranked by score, highest first (``limit`` of them from ``offset``: all if
    None)."""
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    return _rows(
        engine,
        "SELECT network_id, rank, score, personas, adverts, numbers, sites, "
        "towns, summary, first_seen, last_seen FROM network_scores ORDER BY rank" + page,
    )


def network_count(engine: Engine) -> int:
    """How many networks are scored."""
    return int(_rows(engine, "SELECT count(*) AS n FROM network_scores")[0]["n"])


def network(engine: Engine, network_id: str) -> dict[str, Any] | None:
    """A network's score parts, its explanation and its personas."""
    rows = _rows(engine, "SELECT * FROM network_scores WHERE network_id = ?", [network_id])
    personas = _rows(
        engine,
        "SELECT n.persona_id, count(p.advert_id) AS adverts FROM networks n "
        "LEFT JOIN personas p USING (persona_id) WHERE n.network_id = ? "
        "GROUP BY n.persona_id ORDER BY n.persona_id",
        [network_id],
    )
    if not rows and not personas:
        return None
    score = rows[0] if rows else None
    parts = orjson.loads(score["parts"]) if score and score.get("parts") else []
    explanation = explain_network(engine, network_id) if score else ""
    return {
        "network_id": network_id,
        "score": score,
        "parts": parts,
        "explanation": explanation,
        "personas": personas,
    }


def network_graph(engine: Engine, network_id: str) -> dict[str, Any]:
    """Cytoscape elements: personas as nodes; one edge per linked pair, all its reasons.

    ``generic`` holds extra elements, not used for linking: a node per generic identifier
    the network's adverts carry and an edge to each persona carrying it (the page shows
    them only when asked).
    """
    personas = _rows(
        engine,
        "SELECT n.persona_id, count(p.advert_id) AS adverts FROM networks n "
        "LEFT JOIN personas p USING (persona_id) WHERE n.network_id = ? "
        "GROUP BY n.persona_id ORDER BY n.persona_id",
        [network_id],
    )
    ids = {p["persona_id"] for p in personas}
    links = _rows(
        engine,
        "SELECT l.* FROM network_links l JOIN networks n "
        "ON n.persona_id = l.persona_a WHERE n.network_id = ? "
        "ORDER BY l.persona_a, l.persona_b, l.kind, l.value",
        [network_id],
    )
    nodes = [
        {
            "data": {
                "id": p["persona_id"],
                "label": f"{p['persona_id']} ({p['adverts']})",
                "href": f"/persona/{p['persona_id']}",
            }
        }
        for p in personas
    ]
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for link in links:
        if link["persona_a"] not in ids or link["persona_b"] not in ids:
            continue
        key = (link["persona_a"], link["persona_b"])
        edge = pairs.setdefault(
            key,
            {
                "id": f"e{len(pairs)}",
                "source": key[0],
                "target": key[1],
                "kinds": [],
                "weight": 0.0,
                "reasons": [],
                "within": False,
            },
        )
        if link["kind"] not in edge["kinds"]:
            edge["kinds"].append(link["kind"])
        edge["weight"] += float(link["weight"] or 0.0)
        edge["reasons"].append(str(link["reason"]))
        edge["within"] = edge["within"] or bool(link["within"])
    edges = []
    for edge in pairs.values():
        edge["kind"] = ", ".join(edge.pop("kinds"))
        edge["reason"] = "; ".join(edge.pop("reasons"))
        edges.append({"data": edge})
    return {
        "network_id": network_id,
        "elements": nodes + edges,
        "generic": generic_elements(generic_identifiers(engine, network_id)),
    }


# -- generic identifiers ------------------------------------------------------------------


def generic_identifiers(engine: Engine, network_id: str) -> list[dict[str, Any]]:
    """Identifiers judged generic (kept out of linking) that the network's adverts carry.

    Each row: ``kind``, ``value``, ``reason`` (why it was judged generic), ``decided_by``,
    ``adverts`` and ``sites`` (everywhere, as linking counted them), ``here_adverts`` and
    ``personas`` (this network's adverts and personas carrying it). Most widely shared
    first. Empty when the lake has no linking tables yet. Only the network's own adverts are
    read: a helpline on half the lake's adverts costs no more than one on two.
    """
    needed = ("generic_identifiers", "networks", "personas", "adverts", "captures", "facts")
    if not _have(engine, *needed, "image_fingerprints"):
        return []
    rows = _rows(
        engine,
        f"""
        WITH generic AS (
            SELECT kind, value, adverts, sites, other_phones, decided_by, reason
            FROM generic_identifiers WHERE generic
        ),
        members AS ({_MEMBERS_SQL}),
        occurrences AS ({identifier_occurrences_sql("SELECT advert_id FROM members")}),
        here AS (
            SELECT o.kind, o.value, count(DISTINCT o.advert_id) AS here_adverts,
                list(DISTINCT m.persona_id ORDER BY m.persona_id) AS personas
            FROM occurrences o JOIN members m USING (advert_id)
            SEMI JOIN generic g ON g.kind = o.kind AND g.value = o.value
            GROUP BY o.kind, o.value
        )
        SELECT g.kind, g.value, g.adverts, g.sites, g.other_phones, g.decided_by, g.reason,
            h.here_adverts, h.personas
        FROM here h JOIN generic g USING (kind, value)
        ORDER BY g.adverts DESC, g.kind, g.value
        """,
        [network_id],
    )
    for row in rows:
        row["label"] = _generic_label(str(row["kind"]), str(row["value"]))
    return rows


def _generic_label(kind: str, value: str, longest: int = GENERIC_LABEL) -> str:
    if kind in ("image", "image_phash"):
        shown = value[:12] + "…"
    elif len(value) > longest:
        shown = value[: longest - 1] + "…"
    else:
        shown = value
    return f"{kind}: {shown}"


def generic_elements(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cytoscape nodes and edges for generic identifiers (classes ``generic``)."""
    elements: list[dict[str, Any]] = []
    for n, row in enumerate(rows):
        node = f"g{n}"
        elements.append(
            {
                "group": "nodes",
                "classes": "generic",
                "data": {
                    "id": node,
                    "label": "generic " + _generic_label(row["kind"], row["value"], 18),
                    "title": f"{row['label']} (not used for linking)",
                    "generic": True,
                    "reason": str(row["reason"]),
                },
            }
        )
        for persona_id in row["personas"]:
            elements.append(
                {
                    "group": "edges",
                    "classes": "generic",
                    "data": {
                        "id": f"{node}-{persona_id}",
                        "source": persona_id,
                        "target": node,
                        "generic": True,
                        "kind": f"generic {row['kind']}",
                        "reason": "carries it; not used for linking: " + str(row["reason"]),
                    },
                }
            )
    return elements


# -- timeline -----------------------------------------------------------------------------


def advert_spans(engine: Engine, network_id: str) -> list[dict[str, Any]]:
    """Each advert of the network: persona, first and last capture, site; by persona, time."""
    if not _have(engine, "networks", "personas", "adverts"):
        return []
    return _rows(
        engine,
        f"SELECT m.persona_id, m.advert_id, a.source, a.ad_id, a.first_captured_at AS first, "
        f"a.last_captured_at AS last FROM ({_MEMBERS_SQL}) m JOIN adverts a USING (advert_id) "
        "WHERE a.first_captured_at IS NOT NULL "
        "ORDER BY m.persona_id, a.first_captured_at, m.advert_id",
        [network_id],
    )


def _day(value: datetime) -> date:
    return value.astimezone(UTC).date() if value.tzinfo else value.date()


def _ticks(start: date, end: date) -> list[date]:
    """Dates for the axis, at most about ten: days, weeks, or the first of months."""
    span = (end - start).days
    for step in (1, 2, 7, 14):
        if span / step <= 10:
            return [start + timedelta(days=i) for i in range(0, span + 1, step)]
    months = (end.year - start.year) * 12 + end.month - start.month
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= 10)
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        tick = date(year, month, 1)
        if start <= tick <= end and (year * 12 + month - 1) % step == 0:
            out.append(tick)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def timeline(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """The timeline's geometry from :func:`advert_spans`: one row per persona.

    Returns ``width``, ``height``, ``x0`` and ``x1`` (the drawing area), ``ticks``
    (``x``, ``label``) and ``rows``: ``persona_id``, ``first``, ``last`` (ISO dates),
    ``adverts``, ``y``, ``x1``, ``x2`` (the persona's span) and ``bars`` (one per advert:
    ``x``, ``width``, ``title``). Empty ``rows`` when there is nothing dated.
    """
    x0 = TIMELINE_LABEL
    width = x0 + TIMELINE_WIDTH + 50
    if not spans:
        return {
            "width": width,
            "height": TIMELINE_AXIS,
            "x0": x0,
            "x1": x0,
            "ticks": [],
            "rows": [],
        }
    start = min(_day(s["first"]) for s in spans)
    end = max(_day(s["last"] or s["first"]) for s in spans)
    end = max(end, start + timedelta(days=1))
    days = (end - start).days

    def x(value: date) -> float:
        return round(x0 + TIMELINE_WIDTH * (value - start).days / days, 1)

    grouped: dict[str, list[dict[str, Any]]] = {}
    for span in spans:
        grouped.setdefault(str(span["persona_id"]), []).append(span)
    rows = []
    for n, (persona_id, ads) in enumerate(grouped.items()):
        first = min(_day(a["first"]) for a in ads)
        last = max(_day(a["last"] or a["first"]) for a in ads)
        bars = []
        for ad in ads:
            a, b = _day(ad["first"]), _day(ad["last"] or ad["first"])
            bars.append(
                {
                    "x": x(a),
                    "width": max(round(x(b) - x(a), 1), 3.0),
                    "title": f"{ad['advert_id']} ({ad['source']} {ad['ad_id']}): "
                    f"{a.isoformat()} to {b.isoformat()}",
                }
            )
        rows.append(
            {
                "persona_id": persona_id,
                "first": first.isoformat(),
                "last": last.isoformat(),
                "adverts": len(ads),
                "y": TIMELINE_AXIS + n * TIMELINE_ROW,
                "x1": x(first),
                "x2": x(last),
                "bars": bars,
            }
        )
    ticks = [{"x": x(t), "label": t.isoformat()} for t in _ticks(start, end)]
    return {
        "width": width,
        "height": TIMELINE_AXIS + len(rows) * TIMELINE_ROW + 10,
        "x0": x0,
        "x1": x0 + TIMELINE_WIDTH,
        "ticks": ticks,
        "rows": rows,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }


# -- movement between towns ---------------------------------------------------------------


def town_visits(engine: Engine, network_id: str) -> list[dict[str, Any]]:
    """Each advert of the network that names a town, with that town, by persona then time.

    A town is a ``place`` fact of kind town with coordinates. An advert naming several
    takes the first other than London by name ("Ilford, London" is Ilford), as the scoring
    stage does (:func:`plainsight.assess.features.adverts_sql`), so the moves agree with
    the network's ``movement``.
    """
    if not _have(engine, "networks", "personas", "adverts", "facts"):
        return []
    return _rows(
        engine,
        f"""
        WITH named AS (
            SELECT advert_id, value AS town,
                any_value(TRY_CAST(json_extract_string(detail, '$.lat') AS DOUBLE)) AS lat,
                any_value(TRY_CAST(json_extract_string(detail, '$.lon') AS DOUBLE)) AS lon
            FROM facts
            WHERE kind = 'place' AND json_extract_string(detail, '$.kind') = 'town'
            GROUP BY advert_id, value
            HAVING lat IS NOT NULL AND lon IS NOT NULL
        ),
        chosen AS (
            SELECT advert_id,
                coalesce(min(town) FILTER (WHERE town <> 'London'), min(town)) AS town
            FROM named GROUP BY advert_id
        )
        SELECT m.persona_id, m.advert_id, a.first_captured_at AS at, t.town, t.lat, t.lon
        FROM ({_MEMBERS_SQL}) m JOIN adverts a USING (advert_id)
        JOIN chosen c USING (advert_id) JOIN named t USING (advert_id, town)
        WHERE a.first_captured_at IS NOT NULL
        ORDER BY m.persona_id, a.first_captured_at, m.advert_id
        """,
        [network_id],
    )


def movement(visits: list[dict[str, Any]]) -> dict[str, Any]:
    """Stays and moves from :func:`town_visits`.

    A stay is a run of consecutive visits of one persona to one town (``first`` and
    ``last`` ISO dates, ``adverts``); a move joins one stay to the persona's next.
    Returns ``towns`` (name, lat, lon, adverts), ``personas`` (persona_id, stays) and
    ``moves`` (persona_id, from, to, left, arrived and both ends' coordinates), the moves
    in time order.
    """
    towns: dict[str, dict[str, Any]] = {}
    stays: dict[str, list[dict[str, Any]]] = {}
    for v in visits:
        day = _day(v["at"]).isoformat()
        town = towns.setdefault(
            v["town"], {"name": v["town"], "lat": v["lat"], "lon": v["lon"], "adverts": set()}
        )
        town["adverts"].add(v["advert_id"])
        mine = stays.setdefault(str(v["persona_id"]), [])
        if mine and mine[-1]["town"] == v["town"]:
            mine[-1]["last"] = day
            if v["advert_id"] not in mine[-1]["ids"]:
                mine[-1]["ids"].append(v["advert_id"])
        else:
            mine.append({"town": v["town"], "first": day, "last": day, "ids": [v["advert_id"]]})
    moves = []
    for persona_id, mine in stays.items():
        for stay in mine:
            stay["adverts"] = len(stay.pop("ids"))
        for a, b in pairwise(mine):
            moves.append(
                {
                    "persona_id": persona_id,
                    "from": a["town"],
                    "to": b["town"],
                    "left": a["last"],
                    "arrived": b["first"],
                    "from_lat": towns[a["town"]]["lat"],
                    "from_lon": towns[a["town"]]["lon"],
                    "to_lat": towns[b["town"]]["lat"],
                    "to_lon": towns[b["town"]]["lon"],
                }
            )
    moves.sort(key=lambda m: (m["arrived"], m["left"], m["persona_id"]))
    return {
        "towns": [{**t, "adverts": len(t["adverts"])} for t in towns.values()],
        "personas": [{"persona_id": p, "stays": s} for p, s in stays.items()],
        "moves": moves,
    }
