"""What a network looks like: the measurable features its score and explanation rest on.

:func:`network_features` reads the lake through the engine, for a given assignment of
adverts to personas and personas to networks, and returns one :class:`NetworkFeatures` per
network: size, numbers, sites, towns over time (runs of consecutive adverts in one town,
ordered by posting time), stated ages, and the advert-level indicator hits
(``indicator_hits`` and ``price_hits``), with how many hits the same towns' adverts carry
on average, for comparison.

A phone number on more than :data:`plainsight.link.network_evidence.MAX_SHARE` personas
(a site footer or helpline the generic list missed) is never counted as a network's number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from plainsight.extract.prices import LONDON_BOX
from plainsight.lake.engine import Engine
from plainsight.link.network_evidence import MAX_SHARE

MEMBERS_VIEW = "__assess_members"
UNKNOWN = "unknown"
AGE_SPREAD_YEARS = 4
"""Stated ages of one persona differing by at least this many years count as a spread."""


@dataclass
class Stay:
    """A run of a persona's or network's adverts in one town."""

    town: str
    first: datetime
    last: datetime
    adverts: int = 1


@dataclass
class NetworkFeatures:
    network_id: str
    personas: list[str] = field(default_factory=list)
    adverts: int = 0
    sites: set[str] = field(default_factory=set)
    numbers: dict[str, set[str]] = field(default_factory=dict)  # number -> personas
    stays: list[Stay] = field(default_factory=list)
    moved: dict[str, list[Stay]] = field(default_factory=dict)  # persona -> its stays (>1)
    ages: dict[str, list[int]] = field(default_factory=dict)  # persona -> stated ages
    hits: Counter[str] = field(default_factory=Counter)  # indicator -> adverts with a hit
    hit_weight: dict[str, float] = field(default_factory=dict)  # indicator -> signed weight
    raising_hits: int = 0  # advert x indicator hits that raise concern
    expected_hits: float = 0.0  # what adverts of the same towns carry on average
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    picture_pairs: int = 0  # pairs of personas sharing a picture
    personas_with_pictures: set[str] = field(default_factory=set)

    @property
    def towns(self) -> list[str]:
        return list(dict.fromkeys(s.town for s in self.stays))

    @property
    def shared_numbers(self) -> dict[str, set[str]]:
        return {n: ps for n, ps in self.numbers.items() if len(ps) > 1}


def adverts_sql(view: str) -> str:
    """One row per advert of the members: network, persona, site, first posting, town."""
    south, north, west, east = LONDON_BOX
    return f"""
WITH places AS (
  SELECT advert_id, value,
         json_extract_string(detail, '$.kind') AS place_kind,
         TRY_CAST(json_extract_string(detail, '$.lat') AS DOUBLE) AS lat,
         TRY_CAST(json_extract_string(detail, '$.lon') AS DOUBLE) AS lon
  FROM facts WHERE kind IN ('place', 'postcode')
), towns AS (
  SELECT advert_id, coalesce(
    min(CASE WHEN place_kind = 'town' AND value <> 'London' THEN value END),
    CASE WHEN bool_or(lat BETWEEN {south} AND {north} AND lon BETWEEN {west} AND {east})
         THEN 'London' END) AS town
  FROM places GROUP BY advert_id
), posted AS (
  SELECT advert_id, min(source) AS source, min(coalesce(posted_at, captured_at)) AS posted
  FROM captures GROUP BY advert_id
)
SELECT m.network_id, m.persona_id, m.advert_id, p.source, p.posted,
       coalesce(t.town, 'unknown') AS town
FROM "{view}" m JOIN posted p ON p.advert_id = m.advert_id
LEFT JOIN towns t ON t.advert_id = m.advert_id
ORDER BY m.network_id, p.posted, m.advert_id"""


def facts_sql(view: str) -> str:
    """Phones and ages of the members' adverts, with each phone's persona count."""
    return f"""
WITH phones AS (
  SELECT f.value, count(DISTINCT m.persona_id) AS holders
  FROM facts f JOIN "{view}" m ON m.advert_id = f.advert_id
  WHERE f.kind = 'phone' GROUP BY f.value
)
SELECT DISTINCT m.network_id, m.persona_id, f.kind, f.value, ph.holders
FROM facts f JOIN "{view}" m ON m.advert_id = f.advert_id
LEFT JOIN phones ph ON f.kind = 'phone' AND ph.value = f.value
WHERE f.kind IN ('phone', 'age')"""


def hits_sql(view: str) -> str:
    """Distinct (advert, indicator, signed weight) of the members, advert and price hits."""
    return f"""
SELECT DISTINCT m.network_id, h.advert_id, h.indicator, h.weight
FROM (SELECT advert_id, indicator, weight FROM indicator_hits
      UNION ALL SELECT advert_id, indicator, weight FROM price_hits) h
JOIN "{view}" m ON m.advert_id = h.advert_id"""


def _stays(rows: list[dict[str, Any]]) -> list[Stay]:
    stays: list[Stay] = []
    for row in rows:
        if row["town"] == UNKNOWN:
            continue
        if stays and stays[-1].town == row["town"]:
            stays[-1].last = row["posted"]
            stays[-1].adverts += 1
        else:
            stays.append(Stay(row["town"], row["posted"], row["posted"]))
    return stays


def network_features(
    engine: Engine, networks: pa.Table, personas: pa.Table
) -> dict[str, NetworkFeatures]:
    """The features of every network in ``networks`` (persona_id, network_id), over the
    adverts ``personas`` (advert_id, persona_id) assigns to them."""
    members = pa.table(
        {
            "advert_id": personas["advert_id"],
            "persona_id": personas["persona_id"],
        }
    )
    engine.register("__assess_personas", members)
    engine.register("__assess_networks", networks.select(["persona_id", "network_id"]))
    engine.register(
        MEMBERS_VIEW,
        engine.run(
            "SELECT p.advert_id, p.persona_id, n.network_id FROM __assess_personas p "
            "JOIN __assess_networks n ON n.persona_id = p.persona_id"
        ),
    )
    out: dict[str, NetworkFeatures] = {}
    for row in networks.to_pylist():
        feats = out.setdefault(row["network_id"], NetworkFeatures(row["network_id"]))
        feats.personas.append(row["persona_id"])
    rows = engine.run(adverts_sql(MEMBERS_VIEW)).to_pylist()
    by_network: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_network[row["network_id"]].append(row)
    town_adverts: Counter[str] = Counter(r["town"] for r in rows)
    for nid, ads in by_network.items():
        feats = out[nid]
        feats.adverts = len(ads)
        feats.sites = {r["source"] for r in ads}
        feats.first_seen, feats.last_seen = ads[0]["posted"], ads[-1]["posted"]
        feats.stays = _stays(ads)
        per_persona: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in ads:
            per_persona[r["persona_id"]].append(r)
        for persona, own in per_persona.items():
            stays = _stays(own)
            if len({s.town for s in stays}) > 1:
                feats.moved[persona] = stays
    for row in engine.run(facts_sql(MEMBERS_VIEW)).to_pylist():
        feats = out[row["network_id"]]
        if row["kind"] == "phone" and (row["holders"] or 0) <= MAX_SHARE:
            feats.numbers.setdefault(row["value"], set()).add(row["persona_id"])
        elif row["kind"] == "age" and str(row["value"]).isdigit():
            feats.ages.setdefault(row["persona_id"], []).append(int(row["value"]))
    town_of = {r["advert_id"]: r["town"] for r in rows}
    town_hits: Counter[str] = Counter()
    hit_rows = engine.run(hits_sql(MEMBERS_VIEW)).to_pylist()
    for row in hit_rows:
        feats = out[row["network_id"]]
        feats.hits[row["indicator"]] += 1
        feats.hit_weight[row["indicator"]] = float(row["weight"])
        if row["weight"] > 0:
            feats.raising_hits += 1
            town_hits[town_of.get(row["advert_id"], UNKNOWN)] += 1
    rate = {town: town_hits[town] / n for town, n in town_adverts.items()}
    for nid, ads in by_network.items():
        out[nid].expected_hits = sum(rate[r["town"]] for r in ads)
    return out
