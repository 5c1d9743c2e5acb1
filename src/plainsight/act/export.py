"""The adverts export: one JSON line per advert with its persona, network, score and indicators.

A public interface other tools read; its fields, types and ordering are documented in
``docs/contracts/adverts-export.md`` (a test holds the two together). The engine writes the
file itself (``COPY ... TO ... (FORMAT JSON)``), streaming, so a million adverts never become
a million Python objects. The statement is built here as a pure function of which linking
and assessment tables the workspace holds: before linking has run, the persona and network
fields are null and the indicators are the advert's own.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pyarrow as pa

from plainsight.lake.engine import Engine

FIELDS = ("source", "ad_id", "persona_id", "network_id", "network_score", "indicators")
"""The exported fields, in the order each line gives them."""

VERSION = 1
"""The contract's version; it only grows by optional fields."""

ADVERT_HITS = ("indicator_hits", "price_hits")
"""Tables of advert-level hits (``advert_id``, ``indicator``), per capture."""

GROUP_HITS = {"persona_hits": "persona_id", "network_hits": "network_id"}
"""Tables of persona- and network-level hits, by the key that joins them to an advert."""

OPTIONAL_TABLES = ("personas", "networks", "network_scores", *GROUP_HITS)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def hits_sql(present: Collection[str]) -> str:
    """Each advert's indicator ids, sorted and unique, over every hit table present."""
    parts = [f"SELECT advert_id, indicator FROM {table}" for table in ADVERT_HITS]
    if "personas" in present and "persona_hits" in present:
        parts.append(
            "SELECT p.advert_id, h.indicator FROM persona_hits AS h "
            "JOIN personas AS p ON p.persona_id = h.persona_id"
        )
    if {"personas", "networks", "network_hits"} <= set(present):
        parts.append(
            "SELECT p.advert_id, h.indicator FROM network_hits AS h "
            "JOIN networks AS n ON n.network_id = h.network_id "
            "JOIN personas AS p ON p.persona_id = n.persona_id"
        )
    union = " UNION ALL ".join(parts)
    return (
        "SELECT advert_id, list_sort(list_distinct(list(indicator))) AS indicators "
        f"FROM ({union}) AS hit WHERE indicator IS NOT NULL GROUP BY advert_id"
    )


def adverts_sql(present: Collection[str]) -> str:
    """The export's rows, in the contract's order, given which optional tables are present."""
    have = set(present)
    persona = "p.persona_id" if "personas" in have else "CAST(NULL AS VARCHAR)"
    joins = ["LEFT JOIN hits AS h ON h.advert_id = a.advert_id"]
    if "personas" in have:
        joins.append("LEFT JOIN personas AS p ON p.advert_id = a.advert_id")
    network = "CAST(NULL AS VARCHAR)"
    score = "CAST(NULL AS DOUBLE)"
    if {"personas", "networks"} <= have:
        network = "n.network_id"
        joins.append("LEFT JOIN networks AS n ON n.persona_id = p.persona_id")
        if "network_scores" in have:
            score = "CAST(s.score AS DOUBLE)"
            joins.append("LEFT JOIN network_scores AS s ON s.network_id = n.network_id")
    return (
        f"WITH hits AS ({hits_sql(have)}) "
        f"SELECT CAST(a.source AS VARCHAR) AS source, CAST(a.ad_id AS VARCHAR) AS ad_id, "
        f"{persona} AS persona_id, {network} AS network_id, {score} AS network_score, "
        "coalesce(h.indicators, CAST([] AS VARCHAR[])) AS indicators "
        f"FROM adverts AS a {' '.join(joins)} "
        "ORDER BY a.source, a.ad_id"
    )


def copy_sql(select: str, target: Path) -> str:
    """Write a query's rows to ``target`` as JSON Lines, in the query's order."""
    return f"COPY ({select}) TO {_quote(target)} (FORMAT JSON)"


def _present(engine: Engine) -> set[str]:
    """The optional tables the workspace holds, with the columns the export reads."""
    needs = {
        "personas": {"advert_id", "persona_id"},
        "networks": {"persona_id", "network_id"},
        "network_scores": {"network_id", "score"},
        "persona_hits": {"persona_id", "indicator"},
        "network_hits": {"network_id", "indicator"},
    }
    present = set()
    for table in OPTIONAL_TABLES:
        if engine.table_exists(table):
            columns = set(engine.run(f'SELECT * FROM "{table}" LIMIT 0').schema.names)
            if needs[table] <= columns:
                present.add(table)
    return present


def export_adverts(engine: Engine, output: Path) -> int:
    """Write every advert of the workspace to ``output`` (JSON Lines) and return how many.

    The file appears whole or not at all: it is written beside ``output`` and renamed into
    place. Lines are sorted by ``source`` then ``ad_id``; the same lake gives the same bytes.

    Raises:
        EngineError: the engine could not read the lake or write the file.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    try:
        counted: pa.Table = engine.run(copy_sql(adverts_sql(_present(engine)), partial))
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return int(counted.column(0)[0].as_py()) if counted.num_rows else 0
