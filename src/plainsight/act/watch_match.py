"""Matching the watchlist against the adverts in the lake, kind by kind.

Each matcher reads what extraction and linking already wrote (``facts``, ``captures``,
``image_fingerprints``, ``personas``, ``networks``), so a number is matched in its E.164 form
however the advert wrote it, and a picture by its perceptual hashes, so a re-encoded or
resized copy still matches. The SQL is built by pure functions; :func:`find_matches` runs
them on the engine it is given and returns one :class:`Match` per (watch, advert): the
earliest capture that showed it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from plainsight.extract.fingerprints import Fingerprint, match
from plainsight.lake.engine import Engine
from plainsight.ops.watch import Watch

AGE_TOLERANCE = 2
"""A stated age within this many years of the expected age matches (adverts round ages)."""


@dataclass(frozen=True)
class Match:
    """One watched thing seen in one advert, in words an analyst can check."""

    watch_id: int
    advert_id: str
    capture_id: str
    matched: str
    closeness: str


def facts_sql(kind: str, count: int) -> str:
    """Facts of one kind whose normal form is one of ``count`` values, earliest capture first."""
    marks = ", ".join("?" for _ in range(count))
    return (
        "SELECT f.advert_id, f.capture_id, f.value, f.written, f.spans, f.detail "
        "FROM facts AS f JOIN captures AS c ON c.capture_id = f.capture_id "
        f"WHERE f.kind = '{kind}' AND f.value IN ({marks}) "
        "ORDER BY c.captured_at, f.capture_id"
    )


def names_sql(count: int) -> str:
    """Captures naming one of ``count`` lower-case names, with the stated age and the date."""
    marks = ", ".join("?" for _ in range(count))
    return (
        "SELECT n.advert_id, n.capture_id, n.value AS name, a.value AS age, "
        "coalesce(c.posted_at, c.captured_at) AS said_at "
        "FROM facts AS n JOIN captures AS c ON c.capture_id = n.capture_id "
        "LEFT JOIN facts AS a ON a.capture_id = n.capture_id AND a.kind = 'age' "
        f"WHERE n.kind = 'name' AND lower(n.value) IN ({marks}) "
        "ORDER BY c.captured_at, n.capture_id"
    )


FINGERPRINTS_SQL = "SELECT * FROM image_fingerprints WHERE coalesce(error, '') = ''"
"""Every picture that could be fingerprinted, once each (by SHA-256)."""


def pictures_sql(count: int) -> str:
    """Captures carrying any of ``count`` pictures (by SHA-256), earliest capture first."""
    marks = ", ".join("?" for _ in range(count))
    return (
        "SELECT advert_id, capture_id, sha256 FROM ("
        "SELECT advert_id, capture_id, captured_at, unnest(image_sha256) AS sha256 "
        f"FROM captures) AS p WHERE sha256 IN ({marks}) ORDER BY captured_at, capture_id"
    )


def network_sql(count: int) -> str:
    """Adverts of ``count`` networks, with their persona and latest capture."""
    marks = ", ".join("?" for _ in range(count))
    return (
        "SELECT n.network_id, p.persona_id, p.advert_id, a.latest_capture_id AS capture_id "
        "FROM networks AS n JOIN personas AS p ON p.persona_id = n.persona_id "
        "JOIN adverts AS a ON a.advert_id = p.advert_id "
        f"WHERE n.network_id IN ({marks}) ORDER BY p.advert_id"
    )


NEW_IN_NETWORK_SQL = """
WITH watched AS (
    SELECT DISTINCT b.watch_id, n.network_id
    FROM watch_baseline AS b
    JOIN personas AS p ON p.advert_id = b.advert_id
    JOIN networks AS n ON n.persona_id = p.persona_id
)
SELECT w.watch_id, n.network_id, p.persona_id, p.advert_id, a.latest_capture_id AS capture_id
FROM watched AS w
JOIN networks AS n ON n.network_id = w.network_id
JOIN personas AS p ON p.persona_id = n.persona_id
JOIN adverts AS a ON a.advert_id = p.advert_id
WHERE NOT EXISTS (
    SELECT 1 FROM watch_baseline AS b WHERE b.watch_id = w.watch_id AND b.advert_id = p.advert_id
)
ORDER BY w.watch_id, p.advert_id
"""
"""Adverts now in a network with any of a watch's baseline adverts, and not among them.

A network is followed by its members, not its id: when linking merges two networks the
merged one takes the earlier persona's id, and the watch must still see who joined.
"""


def fingerprint_of(row: dict[str, Any]) -> Fingerprint:
    """A :class:`Fingerprint` from an ``image_fingerprints`` row (or a stored watch's JSON)."""
    return Fingerprint(
        sha256=row["sha256"],
        phash=row["phash"],
        dhash=row["dhash"],
        phash_mirror=row["phash_mirror"],
        phash_centre=row["phash_centre"],
        pdq=row.get("pdq"),
        pdq_quality=row.get("pdq_quality"),
        pdq_dihedral=tuple(row.get("pdq_dihedral") or ()),
        width=int(row["width"]),
        height=int(row["height"]),
    )


def expected_age(watch: Watch, on: date) -> int | None:
    """How old the watched person would be on ``on``, in whole years.

    From the date of birth when given; else the stated age moved on (or back) by the years
    between the day it was stated and ``on``, rounded to the nearest year.
    """
    if watch.dob is not None:
        years = on.year - watch.dob.year
        return years - ((on.month, on.day) < (watch.dob.month, watch.dob.day))
    if watch.age is not None and watch.age_on is not None:
        return round(watch.age + (on - watch.age_on).days / 365.25)
    return None


def _written(spans: Iterable[dict[str, Any]] | None) -> str:
    texts = list(dict.fromkeys(str(s["text"]) for s in spans or ()))
    return ", ".join(repr(t) for t in texts[:3]) or "(no span kept)"


class _Collector:
    """Keeps the first match per (watch, advert), leaving out pairs already alerted."""

    def __init__(self, done: set[tuple[int, str]]) -> None:
        self.done = set(done)
        self.found: list[Match] = []

    def add(self, found: Match) -> None:
        key = (found.watch_id, found.advert_id)
        if key not in self.done:
            self.done.add(key)
            self.found.append(found)


def _contacts(engine: Engine, kind: str, watches: list[Watch], out: _Collector) -> None:
    by_value: dict[str, list[Watch]] = {}
    for w in watches:
        by_value.setdefault(w.value, []).append(w)
    if not by_value:
        return
    values = sorted(by_value)
    for row in engine.run(facts_sql(kind, len(values)), list(values)).to_pylist():
        how = "obfuscated" if row["written"] == "obfuscated" else "plainly"
        styles = json.loads(row["detail"] or "{}").get("style") or []
        extra = f" ({', '.join(styles)})" if styles and how == "obfuscated" else ""
        for w in by_value[row["value"]]:
            out.add(
                Match(
                    w.id,
                    row["advert_id"],
                    row["capture_id"],
                    f"{kind} {row['value']}",
                    f"{kind} {row['value']} written as {_written(row['spans'])}, "
                    f"{how}{extra}: the same {kind} once normalised",
                )
            )


def _said_on(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _names(engine: Engine, watches: list[Watch], out: _Collector) -> None:
    by_name: dict[str, list[Watch]] = {}
    for w in watches:
        by_name.setdefault(w.value.lower(), []).append(w)
    if not by_name:
        return
    names = sorted(by_name)
    for row in engine.run(names_sql(len(names)), list(names)).to_pylist():
        on = _said_on(row["said_at"])
        stated = int(row["age"]) if row["age"] and str(row["age"]).isdigit() else None
        for w in by_name[row["name"].lower()]:
            expected = expected_age(w, on) if on else None
            if expected is None or stated is None:
                continue
            apart = abs(stated - expected)
            if apart > AGE_TOLERANCE:
                continue
            basis = f"date of birth {w.dob}" if w.dob else f"age {w.age} on {w.age_on}"
            out.add(
                Match(
                    w.id,
                    row["advert_id"],
                    row["capture_id"],
                    f"name {row['name']!r}, stated age {stated}",
                    f"name {row['name']!r} and stated age {stated} on {on}; expected about "
                    f"{expected} from {basis} ({apart} years apart, limit "
                    f"{AGE_TOLERANCE})",
                )
            )


def _pictures(engine: Engine, watches: list[Watch], out: _Collector) -> None:
    """Each distinct picture is compared once with each watched one, then found in captures."""
    if not watches:
        return
    wanted = [(w, fingerprint_of(json.loads(w.detail)["fingerprint"])) for w in watches]
    close: dict[str, list[tuple[Watch, str]]] = {}
    for batch in engine.run(FINGERPRINTS_SQL).to_batches():
        for row in batch.to_pylist():
            seen = fingerprint_of(row)
            for w, fp in wanted:
                found = match(fp, seen)
                if found is None:
                    continue
                how = found.reason.replace(
                    f"within {found.distance} bits", f"{found.distance} bits apart", 1
                )
                close.setdefault(seen.sha256, []).append(
                    (
                        w,
                        f"picture {seen.sha256[:16]} matches the watched picture "
                        f"{fp.sha256[:16]}: {how}",
                    )
                )
    if not close:
        return
    shas = sorted(close)
    for row in engine.run(pictures_sql(len(shas)), list(shas)).to_pylist():
        for w, closeness in close[row["sha256"]]:
            out.add(
                Match(
                    w.id,
                    row["advert_id"],
                    row["capture_id"],
                    f"picture {row['sha256'][:16]}",
                    closeness,
                )
            )


def network_members(engine: Engine, network_id: str) -> list[str]:
    """The advert ids of a network now (empty when there is no such network)."""
    if not (engine.table_exists("networks") and engine.table_exists("personas")):
        return []
    rows = engine.run(network_sql(1), [network_id]).to_pylist()
    return sorted({r["advert_id"] for r in rows})


def _networks(engine: Engine, watches: list[Watch], out: _Collector) -> None:
    if not watches or not (engine.table_exists("networks") and engine.table_exists("personas")):
        return
    by_id = {w.id: w for w in watches}
    pairs = [(w.id, advert) for w in watches for advert in json.loads(w.detail)["baseline"]]
    engine.register(
        "watch_baseline",
        pa.table(
            {"watch_id": [p[0] for p in pairs], "advert_id": [p[1] for p in pairs]},
            schema=pa.schema([("watch_id", pa.int64()), ("advert_id", pa.string())]),
        ),
    )
    for row in engine.run(NEW_IN_NETWORK_SQL).to_pylist():
        w = by_id[row["watch_id"]]
        now = row["network_id"]
        named = f"network {w.value}" + (f" (now {now})" if now != w.value else "")
        out.add(
            Match(
                w.id,
                row["advert_id"],
                row["capture_id"],
                f"network {now}",
                f"a new advert in the watched {named}, persona {row['persona_id']}: "
                "not in it when the watch was set",
            )
        )


def find_matches(
    engine: Engine, watches: Sequence[Watch], done: set[tuple[int, str]] | None = None
) -> list[Match]:
    """Every (watch, advert) match in the lake not in ``done``, one per pair."""
    out = _Collector(done or set())
    kinds: dict[str, list[Watch]] = {}
    for w in watches:
        kinds.setdefault(w.kind, []).append(w)
    for kind in ("phone", "email"):
        _contacts(engine, kind, kinds.get(kind, []), out)
    _names(engine, kinds.get("name", []), out)
    _pictures(engine, kinds.get("picture", []), out)
    _networks(engine, kinds.get("network", []), out)
    return out.found
