"""What the analyst pages show: plain queries over the lake and the operational database.

Each function takes an open :class:`~plainsight.lake.engine.Engine` (or an ops session) and
returns plain dictionaries for a template or a JSON endpoint, so the routes in
:mod:`plainsight.web.pages` stay thin and these can be tested without a browser.
"""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from plainsight.assess.explain import explain_network
from plainsight.extract.facts import AdvertText
from plainsight.extract.phones import PhoneExtractor
from plainsight.lake.engine import Engine
from plainsight.ops.checks import WelfareCheck
from plainsight.ops.watch import Alert, Watch

SEARCH_LIMIT = 200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_FIELDS = ("title", "body", "location_text", "name", "phone", "email")


def _rows(engine: Engine, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    if params:
        return list(engine.run(sql, params).to_pylist())
    return list(engine.run(sql).to_pylist())


def _has(engine: Engine, table: str) -> bool:
    return engine.table_exists(table)


def normalise_phone(text: str) -> str | None:
    """The E.164 form of a phone number written in any way, or None if it is not one."""
    facts = PhoneExtractor().extract(AdvertText("search", "query", {"body": text}))
    return facts[0].value if facts else None


def search(engine: Engine, query: str) -> list[dict[str, str]]:
    """Adverts, personas and networks matching a phone, e-mail, name or id.

    Each result is ``{kind, id, label, why, href}``; the same thing is listed once.
    """
    q = query.strip()
    if not q:
        return []
    results: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, ident: str, label: str, why: str) -> None:
        if (kind, ident) in seen or len(results) >= SEARCH_LIMIT:
            return
        seen.add((kind, ident))
        href = {"advert": "/advert/", "persona": "/persona/", "network": "/network/"}[kind]
        results.append(
            {"kind": kind, "id": ident, "label": label, "why": why, "href": href + ident}
        )

    upper = q.upper()
    if upper.startswith("N-"):
        for row in _rows(
            engine, "SELECT network_id, summary FROM network_scores WHERE network_id = ?", [upper]
        ):
            add("network", row["network_id"], row["summary"] or "", "network id")
        for row in _rows(
            engine, "SELECT DISTINCT network_id FROM networks WHERE network_id = ?", [upper]
        ):
            add("network", row["network_id"], "", "network id")
    if upper.startswith("P-"):
        for row in _rows(
            engine,
            "SELECT persona_id, count(*) AS n FROM personas "
            "WHERE persona_id = ? GROUP BY persona_id",
            [upper],
        ):
            add("persona", row["persona_id"], f"{row['n']} advert(s)", "persona id")
    for row in _rows(
        engine,
        "SELECT advert_id, source, ad_id FROM adverts "
        "WHERE advert_id = ? OR ad_id = ? ORDER BY advert_id",
        [q, q],
    ):
        add("advert", row["advert_id"], f"{row['source']} {row['ad_id']}", "advert id")
    phone = normalise_phone(q) if any(c.isdigit() for c in q) or len(q) >= 7 else None
    if phone:
        for row in _rows(
            engine,
            "SELECT DISTINCT f.advert_id, a.source, a.ad_id FROM facts f "
            "LEFT JOIN adverts a USING (advert_id) WHERE f.kind = 'phone' "
            "AND f.value = ? ORDER BY f.advert_id",
            [phone],
        ):
            add("advert", row["advert_id"], f"{row['source']} {row['ad_id']}", f"phone {phone}")
    if _EMAIL.match(q):
        email = q.lower()
        for row in _rows(
            engine,
            "SELECT DISTINCT f.advert_id, a.source, a.ad_id FROM facts f "
            "LEFT JOIN adverts a USING (advert_id) WHERE f.kind = 'email' "
            "AND f.value = ? ORDER BY f.advert_id",
            [email],
        ):
            add("advert", row["advert_id"], f"{row['source']} {row['ad_id']}", f"e-mail {email}")
    if not phone and not _EMAIL.match(q) and len(q) >= 2:
        for row in _rows(
            engine,
            "SELECT DISTINCT f.advert_id, a.source, a.ad_id, f.value "
            "FROM facts f LEFT JOIN adverts a USING (advert_id) "
            "WHERE f.kind = 'name' AND lower(f.value) = lower(?) "
            "ORDER BY f.advert_id",
            [q],
        ):
            add(
                "advert",
                row["advert_id"],
                f"{row['source']} {row['ad_id']}",
                f"name {row['value']}",
            )
        for row in _rows(
            engine,
            "SELECT DISTINCT c.advert_id, c.source, c.ad_id, c.name "
            "FROM captures c WHERE lower(c.name) = lower(?) "
            "ORDER BY c.advert_id",
            [q],
        ):
            add(
                "advert", row["advert_id"], f"{row['source']} {row['ad_id']}", f"name {row['name']}"
            )
    return results


def highlight(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """``text`` cut into pieces, each with the note of the hit covering it (or None).

    Overlapping spans are merged into the first one; spans outside the text are dropped.
    """
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for start, end, note in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], note))
        at = end
    if at < len(text) or not pieces:
        pieces.append((text[at:], None))
    return pieces


def advert(engine: Engine, advert_id: str) -> dict[str, Any] | None:
    """An advert's evidence: captures with highlighted text, facts, persona and network."""
    heads = _rows(engine, "SELECT * FROM adverts WHERE advert_id = ?", [advert_id])
    captures = _rows(
        engine,
        "SELECT * FROM captures WHERE advert_id = ? ORDER BY captured_at, capture_id",
        [advert_id],
    )
    if not heads and not captures:
        return None
    hits = _rows(
        engine, "SELECT * FROM indicator_hits WHERE advert_id = ? ORDER BY indicator", [advert_id]
    )
    for capture in captures:
        mine = [h for h in hits if h["capture_id"] == capture["capture_id"]]
        fields = []
        for field in _TEXT_FIELDS:
            value = capture.get(field)
            if not value:
                continue
            spans = [
                (int(s["start"]), int(s["end"]), f"{h['indicator']}: {h['note']}")
                for h in mine
                for s in (h["evidence"] or [])
                if s["field"] == field and s["start"] is not None and s["end"] is not None
            ]
            fields.append({"field": field, "pieces": highlight(str(value), spans)})
        capture["fields"] = fields
        capture["hits"] = mine
    facts = _rows(
        engine,
        "SELECT DISTINCT kind, value, written FROM facts WHERE advert_id = ? ORDER BY kind, value",
        [advert_id],
    )
    persona = _rows(engine, "SELECT persona_id FROM personas WHERE advert_id = ?", [advert_id])
    persona_id = persona[0]["persona_id"] if persona else None
    network_id = None
    if persona_id:
        nets = _rows(engine, "SELECT network_id FROM networks WHERE persona_id = ?", [persona_id])
        network_id = nets[0]["network_id"] if nets else None
    head = (
        heads[0]
        if heads
        else {
            "advert_id": advert_id,
            "source": captures[0]["source"],
            "ad_id": captures[0]["ad_id"],
        }
    )
    return {
        "advert": head,
        "captures": captures,
        "hits": hits,
        "facts": facts,
        "persona_id": persona_id,
        "network_id": network_id,
    }


def picture_referenced(engine: Engine, sha256: str) -> bool:
    """Whether some capture carries the picture with this SHA-256."""
    if not _SHA256.match(sha256):
        return False
    rows = _rows(
        engine, "SELECT 1 AS x FROM captures WHERE list_contains(image_sha256, ?) LIMIT 1", [sha256]
    )
    return bool(rows)


def _reasons(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return [raw]
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            weight = item.get("weight")
            text = str(item.get("text") or item.get("comparison") or "")
            out.append(f"{text} ({weight:+.1f})" if isinstance(weight, int | float) else text)
    return out


def persona(engine: Engine, persona_id: str) -> dict[str, Any] | None:
    """A persona's adverts and the reasons its adverts were linked."""
    adverts = _rows(
        engine,
        "SELECT p.advert_id, a.source, a.ad_id, a.first_captured_at, "
        "a.last_captured_at FROM personas p LEFT JOIN adverts a USING (advert_id) "
        "WHERE p.persona_id = ? ORDER BY a.first_captured_at, p.advert_id",
        [persona_id],
    )
    if not adverts:
        return None
    links = _rows(
        engine,
        "SELECT l.* FROM persona_links l JOIN personas p "
        "ON p.advert_id = l.advert_a WHERE p.persona_id = ? AND l.linked "
        "ORDER BY l.match_weight DESC, l.advert_a, l.advert_b",
        [persona_id],
    )
    for link in links:
        link["reason_list"] = _reasons(link.get("reasons"))
    nets = _rows(engine, "SELECT network_id FROM networks WHERE persona_id = ?", [persona_id])
    return {
        "persona_id": persona_id,
        "adverts": adverts,
        "links": links,
        "network_id": nets[0]["network_id"] if nets else None,
    }


def networks(engine: Engine) -> list[dict[str, Any]]:
    """Networks ranked by score, highest first."""
    return _rows(
        engine,
        "SELECT network_id, rank, score, personas, adverts, numbers, sites, "
        "towns, summary, first_seen, last_seen FROM network_scores ORDER BY rank",
    )


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
    """Cytoscape elements: personas as nodes; one edge per linked pair, all its reasons."""
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
    return {"network_id": network_id, "elements": nodes + edges}


def city_boundary() -> dict[str, Any]:
    """The City of London boundary as GeoJSON."""
    data = resources.files("plainsight.extract").joinpath("data/city_of_london.json")
    boundary: dict[str, Any] = orjson.loads(data.read_bytes())
    return boundary


def map_data(engine: Engine) -> dict[str, Any]:
    """The City boundary and each place adverts mention that has coordinates."""
    rows = _rows(
        engine,
        "SELECT kind, value, detail, count(DISTINCT advert_id) AS adverts "
        "FROM facts WHERE kind IN ('place', 'postcode') AND detail IS NOT NULL "
        "GROUP BY kind, value, detail ORDER BY kind, value",
    )
    places: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        try:
            detail = orjson.loads(row["detail"])
        except orjson.JSONDecodeError:
            continue
        lat, lon = detail.get("lat"), detail.get("lon")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            continue
        key = (row["kind"], row["value"])
        if key in places:
            places[key]["adverts"] += int(row["adverts"])
            continue
        places[key] = {
            "kind": row["kind"],
            "name": row["value"],
            "lat": lat,
            "lon": lon,
            "adverts": int(row["adverts"]),
            "in_city": bool(detail.get("in_city")),
        }
    return {"boundary": city_boundary(), "places": list(places.values())}


def alerts(session: Session, *, include_acknowledged: bool = False) -> list[dict[str, Any]]:
    """Alerts, newest first, with the watch that raised them."""
    query = select(Alert, Watch).join(Watch, Watch.id == Alert.watch_id)
    if not include_acknowledged:
        query = query.where(Alert.acknowledged_at.is_(None))
    out = []
    for alert, watch in session.execute(query.order_by(Alert.raised_at.desc(), Alert.id)):
        out.append(
            {
                "id": alert.id,
                "advert_id": alert.advert_id,
                "matched": alert.matched,
                "closeness": alert.closeness,
                "raised_at": alert.raised_at,
                "acknowledged_at": alert.acknowledged_at,
                "acknowledged_by": alert.acknowledged_by,
                "watch_kind": watch.kind,
                "watch_value": watch.value,
                "watch_reason": watch.reason,
            }
        )
    return out


def acknowledge(session: Session, alert_id: int, by: str, at: datetime) -> bool:
    """Mark an alert acknowledged; False when there is no such alert or it already was."""
    alert = session.get(Alert, alert_id)
    if alert is None or alert.acknowledged_at is not None:
        return False
    alert.acknowledged_at = at
    alert.acknowledged_by = by
    return True


def open_checks(session: Session) -> list[dict[str, Any]]:
    """Welfare checks with no outcome recorded yet, soonest due first."""
    query = select(WelfareCheck).where(WelfareCheck.outcome.is_(None))
    return [
        {
            "id": c.id,
            "subject_kind": c.subject_kind,
            "subject_id": c.subject_id,
            "officer": c.officer,
            "due": c.due,
            "tasked_at": c.tasked_at,
            "tasked_by": c.tasked_by,
        }
        for c in session.scalars(query.order_by(WelfareCheck.due, WelfareCheck.id))
    ]
