"""A network's score: a sum of named, weighted parts, each with its reason.

:func:`score_networks` ranks networks as leads for review. The score is never a finding:
each part says what was measured, the weight it carries and why, so an analyst can see
(and disagree with) every step. Weights live in ``data/score_weights.toml`` (documented
there); a force passes its own with :meth:`ScoreWeights.load`.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from plainsight.assess.features import AGE_SPREAD_YEARS, NetworkFeatures, Stay, network_features
from plainsight.assess.schemas import NETWORK_SCORES
from plainsight.extract.indicators import Catalogue
from plainsight.lake.engine import Engine

CATALOGUE_PARTS = (
    "movement_between_towns",
    "age_spread",
    "many_personas_per_number",
    "numbers_shared_across_personas",
    "shared_room_pictures",
    "concentrated_hits",
)


@dataclass(frozen=True)
class ScoreWeights:
    """The weight of each part (see ``score_weights.toml``)."""

    weights: Mapping[str, float]

    @classmethod
    def load(cls, path: Path | None = None, weights: Mapping[str, float] | None = None) -> Any:
        """The weights file (the package's by default), with ``weights`` overriding it.

        Raises:
            ValueError: an unknown part, or a weight that is negative or not finite.
        """
        if path is None:
            text = resources.files("plainsight.assess").joinpath("data/score_weights.toml")
            loaded = tomllib.loads(text.read_text(encoding="utf-8"))
        else:
            loaded = tomllib.loads(path.read_text(encoding="utf-8"))
        table = {str(k): float(v) for k, v in loaded.get("weights", {}).items()}
        unknown = sorted(set(weights or {}) - set(table))
        if unknown:
            raise ValueError(f"unknown score parts: {', '.join(unknown)}")
        table.update({k: float(v) for k, v in (weights or {}).items()})
        bad = sorted(k for k, v in table.items() if not math.isfinite(v) or v < 0)
        if bad:
            raise ValueError(f"score weights must be finite and not negative: {', '.join(bad)}")
        return cls(table)


def _day(when: datetime) -> str:
    return f"{when.day} {when:%b %Y}"


def describe_stays(stays: list[Stay], most: int = 6) -> str:
    """``"London (2 Mar 2023 – 16 Mar 2023) → Manchester (17 Mar 2023 – 30 Mar 2023)"``."""
    words = [
        f"{s.town} ({_day(s.first)}"
        + (f" – {_day(s.last)})" if s.last.date() != s.first.date() else ")")
        for s in stays
    ]
    if len(words) > most:
        words = [*words[: most - 1], f"… {len(words) - most} more …", words[-1]]
    return " → ".join(words)


def _part(name: str, weight: float, value: float, text: str) -> dict[str, Any]:
    return {
        "name": name,
        "weight": weight,
        "value": round(value, 4),
        "contribution": round(weight * value, 4),
        "text": text,
    }


def parts_of(f: NetworkFeatures, w: ScoreWeights, catalogue: Catalogue) -> list[dict[str, Any]]:
    """The non-zero parts of one network's score, largest contribution first."""
    sign = {i.id: (-1.0 if i.direction == "lowers" else 1.0) for i in catalogue}
    n = len(f.personas)
    parts: list[dict[str, Any]] = []
    if n > 1:
        parts.append(
            _part(
                "personas",
                w.weights["personas"],
                math.log2(n),
                f"{n} personas advertised together across {f.adverts} adverts.",
            )
        )
    for indicator, count in sorted(f.hits.items()):
        label = catalogue.get(indicator).label if indicator in catalogue else indicator
        weight = f.hit_weight[indicator] * w.weights["advert_indicators"]
        parts.append(
            _part(
                indicator,
                weight,
                count / max(f.adverts, 1),
                f"{label}: {count} of {f.adverts} adverts.",
            )
        )
    if f.moved:
        example = max(f.moved.values(), key=len)
        parts.append(
            _part(
                "movement_between_towns",
                w.weights["movement_between_towns"],
                len(f.moved) / n,
                f"{len(f.moved)} of {n} personas advertised in more than one town "
                f"over time, e.g. {describe_stays(example)}.",
            )
        )
    spread = {p: a for p, a in f.ages.items() if max(a) - min(a) >= AGE_SPREAD_YEARS}
    if spread:
        _, ages = max(spread.items(), key=lambda kv: max(kv[1]) - min(kv[1]))
        parts.append(
            _part(
                "age_spread",
                w.weights["age_spread"],
                len(spread) / n,
                f"{len(spread)} of {n} personas give ages {AGE_SPREAD_YEARS} or more "
                f"years apart, e.g. {min(ages)} to {max(ages)}.",
            )
        )
    shared = f.shared_numbers
    if shared:
        number, holders = max(shared.items(), key=lambda kv: (len(kv[1]), kv[0]))
        parts.append(
            _part(
                "many_personas_per_number",
                w.weights["many_personas_per_number"],
                min(1.0, (len(holders) - 1) / 4),
                f"The number {number} appears on adverts for {len(holders)} personas.",
            )
        )
    if len(shared) >= 2:
        parts.append(
            _part(
                "numbers_shared_across_personas",
                w.weights["numbers_shared_across_personas"],
                min(1.0, len(shared) / 3),
                f"{len(shared)} numbers are each shared by several personas: "
                f"{', '.join(sorted(shared)[:5])}.",
            )
        )
    if f.personas_with_pictures:
        k = len(f.personas_with_pictures)
        parts.append(
            _part(
                "shared_room_pictures",
                w.weights["shared_room_pictures"],
                k / n,
                f"{k} of {n} personas appear in the same pictures as another "
                f"persona ({f.picture_pairs} pairs of personas).",
            )
        )
    if n > 1 and f.expected_hits > 0 and f.raising_hits > f.expected_hits:
        ratio = f.raising_hits / f.expected_hits
        parts.append(
            _part(
                "concentrated_hits",
                w.weights["concentrated_hits"],
                min(1.0, ratio - 1),
                f"{f.raising_hits} indicator hits on {f.adverts} adverts, "
                f"{ratio:.1f} times what adverts in the same towns carry.",
            )
        )
    for part in parts:
        if part["name"] in CATALOGUE_PARTS:
            part["weight"] *= sign.get(part["name"], 1.0)
            part["contribution"] = round(part["weight"] * part["value"], 4)
    parts = [p for p in parts if p["contribution"] != 0]
    parts.sort(key=lambda p: (-abs(p["contribution"]), p["name"]))
    return parts


def _pictures(
    engine: Engine, features: Mapping[str, NetworkFeatures], member: dict[str, str]
) -> None:
    if not engine.table_exists("network_links"):
        return
    sql = "SELECT persona_a, persona_b FROM network_links WHERE kind = 'picture'"
    for row in engine.run(sql).to_pylist():
        a, b = row["persona_a"], row["persona_b"]
        nid = member.get(a)
        if nid is not None and nid == member.get(b):
            features[nid].picture_pairs += 1
            features[nid].personas_with_pictures |= {a, b}


def score_networks(
    engine: Engine,
    networks: pa.Table,
    personas: pa.Table,
    weights: ScoreWeights | None = None,
    catalogue: Catalogue | None = None,
) -> pa.Table:
    """Score and rank every network; a table as :data:`NETWORK_SCORES`, rank 1 first.

    Reads ``facts``, ``captures``, ``indicator_hits``, ``price_hits`` and, when present,
    ``network_links`` (for shared pictures). Ties are broken by network id.
    """
    w = weights or ScoreWeights.load()
    cat = catalogue or Catalogue.load()
    features = network_features(engine, networks, personas)
    member = dict(
        zip(networks["persona_id"].to_pylist(), networks["network_id"].to_pylist(), strict=True)
    )
    _pictures(engine, features, member)
    rows: list[dict[str, Any]] = []
    for nid, f in features.items():
        parts = parts_of(f, w, cat)
        score = round(sum(p["contribution"] for p in parts), 4)
        ages = [a for ages in f.ages.values() for a in ages]
        most = max((len(ps) for ps in f.numbers.values()), default=0)
        movement = describe_stays(f.stays) if len(f.towns) > 1 else ""
        rows.append(
            {
                "network_id": nid,
                "score": score,
                "parts": json.dumps(parts),
                "personas": len(f.personas),
                "adverts": f.adverts,
                "numbers": len(f.numbers),
                "numbers_per_persona": round(
                    sum(len(ps) for ps in f.numbers.values()) / max(len(f.personas), 1), 3
                ),
                "personas_per_number": most,
                "sites": len(f.sites),
                "towns": f.towns,
                "movement": movement,
                "age_min": min(ages, default=None),
                "age_max": max(ages, default=None),
                "hits": sum(f.hits.values()),
                "first_seen": f.first_seen,
                "last_seen": f.last_seen,
                "summary": f"{len(f.personas)} personas, {f.adverts} adverts, "
                f"{len(f.numbers)} numbers, {len(f.sites)} sites, "
                f"{', '.join(f.towns[:4]) or 'no town'}",
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["network_id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return pa.Table.from_pylist(rows, schema=NETWORK_SCORES)


def parts(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The parts of a ``network_scores`` row, decoded."""
    decoded: list[dict[str, Any]] = orjson.loads(row["parts"])
    return decoded
