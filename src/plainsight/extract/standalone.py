"""``plainsight extract --input FILE --output OUT``: extraction without a workspace.

For pipelines and tests: reads an interchange file, extracts every advert's latest capture
(the copy the site showed last), fingerprints its pictures, and writes one JSON line per
advert (sorted by source and ad_id). Bad lines are reported, never fatal. The output's
fields are documented in ``docs/extract.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from plainsight.capture.interchange import Record, parse_line
from plainsight.capture.lines import LineReader
from plainsight.capture.pictures import inspect, locate
from plainsight.errors import Rejected
from plainsight.extract.facts import TEXT_FIELDS, AdvertText, Fact, Hit
from plainsight.extract.fingerprints import Fingerprint, fingerprint
from plainsight.extract.pipeline import AdvertExtraction, ExtractionConfig, values
from plainsight.extract.prices import PriceIndicator, area_of, hourly_prices, medians
from plainsight.extract.rows import span_rows

OnReject = Callable[[str, int, str], None]


@dataclass
class StandaloneReport:
    lines: int = 0
    adverts: int = 0
    rejected: int = 0


def _text(record: Record) -> AdvertText:
    fields = {name: getattr(record, name) or "" for name in TEXT_FIELDS}
    return AdvertText(record.source, record.ad_id, fields, record.age)


def _hit(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.indicator,
        "level": hit.level,
        "weight": hit.weight,
        "note": hit.note,
        "evidence": span_rows(hit.evidence),
    }


def _fact(fact: Fact) -> dict[str, Any]:
    return {
        "kind": fact.kind,
        "value": fact.value,
        "written": fact.written,
        "spans": span_rows(fact.spans),
        "detail": dict(fact.detail),
    }


def _place(fact: Fact) -> dict[str, Any]:
    keys = ("kind", "lat", "lon", "easting", "northing", "in_city")
    return {"name": fact.value, **{k: fact.detail.get(k) for k in keys}}


def _picture(fp: Fingerprint | str, path: str) -> dict[str, Any]:
    if isinstance(fp, str):
        return {"path": path, "error": fp}
    return {
        "path": path,
        "sha256": fp.sha256,
        "phash": fp.phash,
        "dhash": fp.dhash,
        "phash_mirror": fp.phash_mirror,
        "phash_centre": fp.phash_centre,
        "pdq": fp.pdq,
        "width": fp.width,
        "height": fp.height,
    }


def extract_file(
    source: Path,
    output: Path,
    *,
    config: ExtractionConfig | None = None,
    on_reject: OnReject | None = None,
) -> StandaloneReport:
    """Extract every advert of an interchange file into a JSON Lines file."""
    report = StandaloneReport()
    latest: dict[tuple[str, str], tuple[Record, int]] = {}
    for line in LineReader(source):
        report.lines = line.number
        if line.fault is None and not line.raw.strip():
            continue
        try:
            if line.fault is not None:
                raise Rejected(line.fault)
            record = parse_line(line.raw)
        except Rejected as rejected:
            report.rejected += 1
            if on_reject:
                on_reject(str(source), line.number, rejected.reason)
            continue
        key = (record.source, record.ad_id)
        seen = latest.get(key)
        if seen is None or (record.captured_at, line.number) >= (seen[0].captured_at, seen[1]):
            latest[key] = (record, line.number)

    extraction = AdvertExtraction(config)
    done: list[tuple[Record, AdvertText, Any]] = []
    for key in sorted(latest):
        record = latest[key][0]
        text = _text(record)
        done.append((record, text, extraction.run(text)))
    found = medians((area_of(r.facts), hourly_prices(r.facts)) for _, _, r in done)
    prices = PriceIndicator(extraction.indicators, found)

    pictures: dict[str, Fingerprint | str] = {}
    with output.open("wb") as out:
        for record, text, result in done:
            hits = [*result.hits, *prices.hits(text, result.facts)]
            images = []
            for rel in record.images:
                if rel not in pictures:
                    try:
                        pictures[rel] = fingerprint(inspect(locate(source.parent, rel), rel).data)
                    except Rejected as rejected:
                        pictures[rel] = rejected.reason
                images.append(_picture(pictures[rel], rel))
            entry = {
                "source": record.source,
                "ad_id": record.ad_id,
                "captured_at": record.captured_at.isoformat(),
                "phones": values(result.facts, "phone"),
                "emails": values(result.facts, "email"),
                "urls": values(result.facts, "url"),
                "handles": values(result.facts, "handle"),
                "names": values(result.facts, "name"),
                "ages": sorted({int(v) for v in values(result.facts, "age") if v.isdigit()}),
                "postcodes": values(result.facts, "postcode"),
                "places": [_place(f) for f in result.facts if f.kind == "place"],
                "images": images,
                "indicators": [_hit(h) for h in hits],
                "facts": [_fact(f) for f in result.facts],
                "errors": result.errors,
            }
            out.write(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS) + b"\n")
            report.adverts += 1
    return report
