"""Facts and hits to lake rows and back (the ``facts`` and ``indicator_hits`` tables)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from plainsight.extract.facts import Fact, Hit, Span


def span_rows(spans: Iterable[Span]) -> list[dict[str, Any]]:
    return [{"field": s.field, "start": s.start, "end": s.end, "text": s.text} for s in spans]


def spans_from(rows: Iterable[Mapping[str, Any]] | None) -> tuple[Span, ...]:
    return tuple(Span(r["field"], r["start"], r["end"], r["text"]) for r in rows or ())


def fact_row(capture_id: str, advert_id: str, fact: Fact) -> dict[str, Any]:
    return {
        "capture_id": capture_id,
        "advert_id": advert_id,
        "kind": fact.kind,
        "value": fact.value,
        "written": fact.written,
        "spans": span_rows(fact.spans),
        "detail": orjson.dumps(dict(fact.detail), option=orjson.OPT_SORT_KEYS).decode(),
    }


def fact_from(row: Mapping[str, Any]) -> Fact:
    return Fact(
        kind=row["kind"],
        value=row["value"],
        spans=spans_from(row["spans"]),
        written="obfuscated" if row["written"] == "obfuscated" else "plain",
        detail=orjson.loads(row["detail"] or "{}"),
    )


def hit_row(capture_id: str, advert_id: str, hit: Hit) -> dict[str, Any]:
    return {
        "capture_id": capture_id,
        "advert_id": advert_id,
        "indicator": hit.indicator,
        "level": hit.level,
        "weight": hit.weight,
        "evidence": span_rows(hit.evidence),
        "note": hit.note,
    }
