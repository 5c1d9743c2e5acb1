"""The threat profile: the six intelligence requirements, answered from what plainsight holds.

The seed committee report lists six strategic intelligence requirements (the true scale of
MSHT; the pathways into exploitation; who is targeted; who the perpetrators are; the methods
and modes of transport; the locations of exploitation by industry and place). This module
gathers the figures each answer rests on, from four places, and hands them to
:mod:`plainsight.act.threat_answers`, which words the answers:

- the lake: adverts, their facts and indicator hits, personas, networks and their movement
  between towns (:class:`LakeFigures`, counted by the SQL in :func:`lake_queries`);
- the force's crime records (:func:`plainsight.stats.counts.crime_stats`, plus the
  exploitation types and places of the same crimes);
- welfare checks (:func:`plainsight.act.checks.check_summary`) and the disruptions register
  (``disruption_figures``), read lazily so the profile works before either exists.

Every answer carries its evidence (counts, tables, the definition used) and says what the
data cannot say. Figures are leads for review, never findings about a person.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from plainsight.lake.engine import Engine

TOP = 10
"""How many rows a "most common" table shows."""

# What each source holds, defines and cannot say, in the words every answer uses.
NO_ADVERTS = "No adverts are held for the period, so the advert side says nothing here."
NO_CRIMES = "No crime records are imported for the period (plainsight crime import)."
NOT_LINKED = (
    "Linking has not run on these adverts (plainsight run), so no personas or networks are counted."
)
NO_CHECKS = "No welfare checks recorded for the period."
NO_DISRUPTIONS = "No disruptions recorded in the register."

ADVERTS_LIMIT = (
    "Adverts show only the sex work advertised online on the sites captured; exploitation "
    "that is not advertised, or advertised elsewhere, is not seen."
)
CRIME_LIMIT = (
    "Crime records show only what was reported to and recorded by the force; MSHT is "
    "under-reported, so recorded crime is a floor, not the scale."
)
INDICATOR_LIMIT = (
    "An indicator hit is a lead for review, not a finding: many hits have innocent "
    "explanations, and most indicators are screening signals not validated against outcomes "
    "(docs/indicators.md)."
)
ADVERTS_DEF = (
    "Adverts in the period: adverts first captured from the period's first day to its last "
    "(UTC), each counted once however often captured."
)


@dataclass(frozen=True)
class EvidenceTable:
    """A table of evidence behind an answer: a title, column headings and rows of text."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Answer:
    """One intelligence requirement answered: statements, figures, evidence and limits."""

    key: str
    question: str
    statements: tuple[str, ...]
    figures: Mapping[str, int]
    tables: tuple[EvidenceTable, ...]
    definitions: tuple[str, ...]
    limits: tuple[str, ...]


@dataclass(frozen=True)
class ThreatProfile:
    """The threat profile: when it was made, for which period, from what, and its answers."""

    produced_at: datetime
    start: date | None
    end: date | None
    sources: tuple[str, ...]
    answers: tuple[Answer, ...]

    def answer(self, key: str) -> Answer:
        """The answer to requirement ``key`` (``scale``, ``pathways``, ``targeted``, ...)."""
        for answer in self.answers:
            if answer.key == key:
                return answer
        raise KeyError(key)

    @property
    def period_words(self) -> str:
        """The period in words: "1 Jan 2023 to 31 Dec 2023", or "all the data held"."""
        if self.start is None and self.end is None:
            return "all the data held"
        first = f"{self.start:%-d %b %Y}" if self.start else "the start of the data"
        last = f"{self.end:%-d %b %Y}" if self.end else "the latest data"
        return f"{first} to {last}"


@dataclass
class LakeFigures:
    """What the advert side of the lake says, counted over the adverts in the period."""

    adverts: int = 0
    linked: bool = False
    personas: int = 0
    networks: int = 0
    adverts_with_hits: int = 0
    sites: list[tuple[str, int]] = field(default_factory=list)
    hits: list[tuple[str, int]] = field(default_factory=list)
    stated_ages: list[tuple[str, int]] = field(default_factory=list)
    nationalities: list[tuple[str, int]] = field(default_factory=list)
    network_sizes: list[tuple[str, int]] = field(default_factory=list)
    top_networks: list[dict[str, Any]] = field(default_factory=list)
    multi_town_personas: int = 0
    moving_networks: int = 0
    movements: list[tuple[str, str]] = field(default_factory=list)
    towns: list[tuple[str, int]] = field(default_factory=list)
    in_city_adverts: int = 0
    incall_adverts: int = 0
    outcall_adverts: int = 0

    def hit(self, indicator: str) -> int:
        """Adverts in the period with a hit on ``indicator`` (0 when none)."""
        return dict(self.hits).get(indicator, 0)


@dataclass
class CrimeFigures:
    """What the crime records say for the period: ``crime_stats`` and two extra counts."""

    stats: dict[str, Any]
    exploitation_by_sex: dict[str, Counter[str]]
    places: list[tuple[str, int]]
    rejects: int


@dataclass
class Sources:
    """Everything the answers are worded from; None where a source holds nothing."""

    lake: LakeFigures | None
    crime: CrimeFigures | None
    checks: dict[str, Any] | None
    disruptions: dict[str, Any] | None


def _scope_sql(start: date | None, end: date | None) -> str:
    """The adverts in the period: first captured from ``start`` to ``end`` (both included)."""
    where = []
    if start is not None:
        where.append(f"first_captured_at >= TIMESTAMPTZ '{start.isoformat()} 00:00:00+00'")
    if end is not None:
        after = (end + timedelta(days=1)).isoformat()
        where.append(f"first_captured_at < TIMESTAMPTZ '{after} 00:00:00+00'")
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT advert_id FROM adverts{condition}"


AGE_BANDS_SQL = (
    "CASE WHEN a < 18 THEN 'under 18' WHEN a < 20 THEN '18-19' WHEN a < 25 THEN '20-24' "
    "WHEN a < 30 THEN '25-29' ELSE '30 and over' END"
)


def lake_queries(start: date | None, end: date | None) -> dict[str, str]:
    """The SQL behind :class:`LakeFigures`, one statement per figure (pure; for the record).

    Every statement counts distinct adverts (or personas, networks) among those first
    captured in the period, so an advert captured many times counts once.
    """
    scope = f"WITH scope AS ({_scope_sql(start, end)})"
    hits = (
        "SELECT advert_id, indicator FROM indicator_hits UNION ALL "
        "SELECT advert_id, indicator FROM price_hits"
    )
    in_scope = "advert_id IN (SELECT advert_id FROM scope)"
    personas = f"SELECT * FROM personas WHERE {in_scope}"
    return {
        "adverts": f"{scope} SELECT count(*) AS n FROM scope",
        "personas": f"{scope} SELECT count(DISTINCT persona_id) AS n FROM personas "
        f"WHERE {in_scope}",
        "networks": f"{scope} SELECT count(DISTINCT n.network_id) AS n FROM ({personas}) AS p "
        "JOIN networks AS n USING (persona_id)",
        "adverts_with_hits": f"{scope} SELECT count(DISTINCT advert_id) AS n FROM ({hits}) AS h "
        f"WHERE {in_scope}",
        "sites": f"{scope} SELECT source AS k, count(*) AS n FROM adverts WHERE {in_scope} "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        "hits": f"{scope} SELECT indicator AS k, count(DISTINCT advert_id) AS n FROM ({hits}) AS h "
        f"WHERE {in_scope} GROUP BY 1 ORDER BY 2 DESC, 1",
        "stated_ages": f"{scope} SELECT {AGE_BANDS_SQL} AS k, count(DISTINCT advert_id) AS n FROM "
        "(SELECT advert_id, TRY_CAST(value AS INTEGER) AS a FROM facts WHERE kind = 'age') AS f "
        f"WHERE a IS NOT NULL AND {in_scope} GROUP BY 1 ORDER BY 1",
        "nationalities": f"{scope} SELECT value AS k, count(DISTINCT advert_id) AS n FROM facts "
        f"WHERE kind IN ('nationality', 'ethnicity') AND {in_scope} "
        f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}",
        "network_sizes": f"{scope} SELECT CASE WHEN c = 1 THEN '1 persona' WHEN c < 5 THEN "
        "'2-4 personas' WHEN c < 10 THEN '5-9 personas' ELSE '10 or more personas' END AS k, "
        "count(*) AS n FROM (SELECT n.network_id, count(DISTINCT n.persona_id) AS c "
        f"FROM ({personas}) AS p JOIN networks AS n USING (persona_id) GROUP BY 1) AS s "
        "GROUP BY 1 ORDER BY min(c)",
        "top_networks": f"{scope} SELECT s.network_id, s.rank, s.score, s.personas, s.adverts, "
        "s.numbers, s.sites, s.towns, s.summary FROM network_scores AS s WHERE s.network_id IN "
        f"(SELECT n.network_id FROM ({personas}) AS p JOIN networks AS n USING (persona_id)) "
        f"ORDER BY s.rank LIMIT {TOP}",
        "multi_town_personas": f"{scope} SELECT count(*) AS n FROM (SELECT p.persona_id FROM "
        f"({personas}) AS p JOIN (SELECT advert_id, unnest(towns) AS town FROM advert_features) "
        "AS t USING (advert_id) GROUP BY 1 HAVING count(DISTINCT t.town) > 1) AS m",
        "movements": f"{scope} SELECT s.network_id AS k, s.movement AS n FROM network_scores AS s "
        "WHERE s.movement <> '' AND s.network_id IN (SELECT n.network_id FROM "
        f"({personas}) AS p JOIN networks AS n USING (persona_id)) ORDER BY s.rank",
        "towns": f"{scope} SELECT town AS k, count(DISTINCT advert_id) AS n FROM (SELECT "
        "advert_id, unnest(towns) AS town FROM advert_features) AS t "
        f"WHERE {in_scope} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}",
        "in_city_adverts": f"{scope} SELECT count(DISTINCT advert_id) AS n FROM facts WHERE "
        "kind = 'place' AND json_extract(detail, '$.in_city')::BOOLEAN "
        f"AND {in_scope}",
        "incall_adverts": f"{scope} SELECT count(DISTINCT advert_id) AS n FROM facts "
        f"WHERE kind = 'incall' AND {in_scope}",
        "outcall_adverts": f"{scope} SELECT count(DISTINCT advert_id) AS n FROM facts "
        f"WHERE kind = 'outcall' AND {in_scope}",
    }


_NEEDS = {
    "personas": {"personas"},
    "networks": {"personas", "networks"},
    "network_sizes": {"personas", "networks"},
    "top_networks": {"personas", "networks", "network_scores"},
    "movements": {"personas", "networks", "network_scores"},
    "multi_town_personas": {"personas", "advert_features"},
    "towns": {"advert_features"},
    "adverts_with_hits": {"indicator_hits", "price_hits"},
    "hits": {"indicator_hits", "price_hits"},
    "stated_ages": {"facts"},
    "nationalities": {"facts"},
    "in_city_adverts": {"facts"},
    "incall_adverts": {"facts"},
    "outcall_adverts": {"facts"},
}


def lake_figures(engine: Engine, start: date | None, end: date | None) -> LakeFigures | None:
    """The advert side's figures for the period; None when the lake holds no adverts."""
    if not engine.table_exists("adverts"):
        return None
    linked = all(engine.table_exists(t) for t in _NEEDS["top_networks"]) and bool(
        engine.run("SELECT count(*) AS n FROM personas").to_pylist()[0]["n"]
    )
    figures = LakeFigures(linked=linked)
    for name, sql in lake_queries(start, end).items():
        needs = _NEEDS.get(name, set())
        if not all(engine.table_exists(t) for t in needs) or (not linked and "personas" in needs):
            continue
        rows = engine.run(sql).to_pylist()
        if name == "top_networks":
            figures.top_networks = rows
        elif name == "movements":
            figures.movements = [(str(r["k"]), str(r["n"])) for r in rows]
            figures.moving_networks = len(rows)
        elif isinstance(getattr(figures, name), int):
            setattr(figures, name, int(rows[0]["n"]))
        else:
            setattr(figures, name, [(str(r["k"]), int(r["n"])) for r in rows])
    return figures if figures.adverts else None


def crime_figures(records: Any, start: date | None, end: date | None) -> CrimeFigures | None:
    """The crime side's figures for the period (default: the records' first to last day)."""
    from plainsight.stats.counts import crime_stats

    recorded = [c.recorded.date() for c in records.crimes if c.status == "recorded"]
    if not recorded:
        return None
    first, last = start or min(recorded), end or max(recorded)
    stats = crime_stats(records, first, last)
    since, before = datetime.combine(first, time()), datetime.combine(last, time()) + timedelta(1)
    crimes = {
        c.crime_ref: c
        for c in records.crimes
        if c.status == "recorded" and since <= c.recorded < before and records.is_mdsht(c)
    }
    by_sex: dict[str, Counter[str]] = {}
    for victim in records.victims:
        if victim.crime_ref in crimes:
            kind = victim.exploitation_type or "not recorded"
            by_sex.setdefault(kind, Counter())[victim.sex] += 1
    places = Counter(c.lsoa_code or "not recorded" for c in crimes.values())
    return CrimeFigures(
        stats=stats,
        exploitation_by_sex=dict(sorted(by_sex.items(), key=lambda kv: -kv[1].total())),
        places=sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP],
        rejects=len(records.rejects),
    )


def _optional(modules: Sequence[str], name: str) -> Callable[..., dict[str, Any]] | None:
    """The function ``name`` from the first of ``modules`` that has it; None when none does."""
    for module in modules:
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if callable(found):
            return found  # type: ignore[no-any-return]
    return None


def checks_figures(session: Session, start: date | None, end: date | None) -> dict[str, Any] | None:
    """Welfare checks tasked in the period; None when none are recorded (or no register)."""
    summary = _optional(["plainsight.act.checks"], "check_summary")
    if summary is None:
        return None
    figures = summary(session, start=start, end=end)
    return figures if figures.get("tasked") else None


def disruptions_figures(session: Session) -> dict[str, Any] | None:
    """The disruptions register's figures (every year); None when it holds nothing."""
    figures_of = _optional(
        ["plainsight.act.disruptions", "plainsight.act.disruption_figures"], "disruption_figures"
    )
    if figures_of is None:
        return None
    figures = figures_of(session)
    claims = figures.get("claims", {})
    held = sum(claims.values()) + figures.get("live_operations", {}).get("total", 0)
    return figures if held else None


def _from_ops(
    workspace: Any, table: str, figures: Callable[[Session], dict[str, Any] | None]
) -> dict[str, Any] | None:
    """``figures`` read in a session of its own; None when ``table`` is not there yet.

    A register whose migration has not run holds nothing to report, so it is said to hold
    nothing rather than stopping the whole profile; any other database error still stops it.
    """
    with workspace.ops.session() as session:
        if not inspect(session.connection()).has_table(table):
            return None
        return figures(session)


def build_threat_profile(
    workspace: Any,
    *,
    start: date | None = None,
    end: date | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ThreatProfile:
    """The threat profile for ``start``..``end`` (either may be None: open-ended).

    Reads the workspace's lake, imported crime records and operational database; a source
    that holds nothing is said to hold nothing, never guessed at.

    Raises:
        ValueError: the period ends before it starts.
    """
    from plainsight.act.threat_answers import answer_all
    from plainsight.crime.store import NoCrimeRecords, load_workspace_records

    if start is not None and end is not None and end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    with workspace.reading() as engine:
        lake = lake_figures(engine, start, end)
    try:
        crime = crime_figures(load_workspace_records(workspace), start, end)
    except NoCrimeRecords:
        crime = None
    checks = _from_ops(
        workspace, "welfare_checks", lambda session: checks_figures(session, start, end)
    )
    disruptions = _from_ops(workspace, "disruption_claims", disruptions_figures)
    sources = Sources(lake, crime, checks, disruptions)
    held = [
        label
        for label, value in (
            ("adverts, personas and networks (the lake)", lake),
            ("crime records", crime),
            ("welfare checks", checks),
            ("the disruptions register", disruptions),
        )
        if value is not None
    ]
    return ThreatProfile(clock(), start, end, tuple(held), answer_all(sources))
