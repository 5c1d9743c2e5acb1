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

from plainsight.lake.engine import Engine
from plainsight.ops.checks import WelfareCheck
from plainsight.ops.watch import Alert, Watch
from plainsight.web.advert_data import advert as advert  # for web.api; it should read advert_data

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _rows(engine: Engine, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    if params:
        return list(engine.run(sql, params).to_pylist())
    return list(engine.run(sql).to_pylist())


def _has(engine: Engine, table: str) -> bool:
    return engine.table_exists(table)


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
