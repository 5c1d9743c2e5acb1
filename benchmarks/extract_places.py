"""Place extraction benchmark: adverts per second, with a baseline, at two sizes.

Generates the synthetic advert world (no images) at each scale, then reads every capture's
title, body and location field with :class:`PlaceExtractor` (built-in gazetteer) and, side
by side on the same text, with a baseline that does the least a place reader must: one
case-insensitive search for the postcode format. Reported per scale: adverts, seconds,
adverts per second on one core, cost over the baseline, and what was found (so that a
faster run that finds nothing is seen for what it is).

    .venv/bin/python benchmarks/extract_places.py [--scales 1 10] [--seed 7] [--work DIR]

Writes benchmarks/results/extract_places.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from plainsight.extract.facts import AdvertText
from plainsight.extract.gazetteer import Gazetteer
from plainsight.extract.places import PLACE_FIELDS, PlaceExtractor
from plainsight.synth.adverts import generate_adverts

RESULTS = Path(__file__).parent / "results" / "extract_places.json"
BASELINE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)


def load_adverts(path: Path) -> list[AdvertText]:
    adverts = []
    for line in path.read_bytes().splitlines():
        row = orjson.loads(line)
        fields = {f: str(row.get(f) or "") for f in PLACE_FIELDS}
        adverts.append(AdvertText(str(row["source"]), str(row["ad_id"]), fields))
    return adverts


def measure(adverts: list[AdvertText], repeat: int = 3) -> dict[str, Any]:
    extractor = PlaceExtractor(Gazetteer.builtin())
    best = base_best = float("inf")
    found: Counter[str] = Counter()
    in_city = 0
    for _ in range(repeat):
        start = time.perf_counter()
        results = [extractor.extract(a) for a in adverts]
        best = min(best, time.perf_counter() - start)
        start = time.perf_counter()
        for a in adverts:
            for f in PLACE_FIELDS:
                BASELINE.findall(a.text(f))
        base_best = min(base_best, time.perf_counter() - start)
    for facts in results:
        found.update(f.kind for f in facts)
        in_city += any(f.detail["in_city"] for f in facts)
    return {
        "adverts": len(adverts),
        "seconds": round(best, 4),
        "adverts_per_second": round(len(adverts) / best),
        "baseline_seconds": round(base_best, 4),
        "cost_over_baseline": round(best / base_best, 1),
        "facts": dict(found),
        "adverts_with_a_place": sum(bool(r) for r in results),
        "adverts_in_city": in_city,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="place extraction: adverts per second")
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="plainsight-bench-"))
    start = time.perf_counter()
    Gazetteer.builtin()
    PlaceExtractor()
    setup = time.perf_counter() - start
    rows = []
    for scale in args.scales:
        world = work / f"scale-{scale:g}"
        if not (world / "adverts.jsonl").is_file():
            generate_adverts(world, scale=scale, seed=args.seed, images=False)
        row = {"scale": scale, **measure(load_adverts(world / "adverts.jsonl"))}
        rows.append(row)
        print(
            f"scale {scale:>5g}: {row['adverts']:>7} adverts  {row['seconds']:>7.3f} s  "
            f"{row['adverts_per_second']:>8} adverts/s  x{row['cost_over_baseline']} baseline  "
            f"{row['adverts_with_a_place']} with a place, {row['adverts_in_city']} in the City"
        )
    report = {
        "benchmark": "extract_places",
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "setup_seconds": round(setup, 3),
        "note": "one core; best of three runs; built-in gazetteer",
        "runs": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"gazetteer and matcher set up in {setup:.2f} s; results in {RESULTS}")


if __name__ == "__main__":
    main()
