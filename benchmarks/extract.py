"""Extraction benchmark: adverts per second at scale 1 and 10 of the synthetic world.

Runs the whole text extraction (phones, contacts, persona details, places, advert-level
indicators) side by side with a baseline of plain ``phonenumbers.PhoneNumberMatcher`` over
the same text, in one process and in a pool of two (as ``plainsight run`` does), and
profiles where the time goes. Pictures are measured separately by ``extract_images.py``.

    .venv/bin/python benchmarks/extract.py [--scales 1 10] [--seed 7] [--work DIR]

Writes benchmarks/results/extract.json and prints a table and the profile's top lines.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import phonenumbers

from plainsight.extract.stage import advert_text, extract_rows
from plainsight.synth.adverts import generate_adverts

RESULTS = Path(__file__).parent / "results" / "extract.json"
FIELDS = ("title", "body", "name", "location_text", "phone", "email")


def load(scale: float, seed: int, work: Path) -> list[dict[str, Any]]:
    world = work / f"world-{scale:g}"
    if not (world / "world.json").is_file():
        generate_adverts(world, scale=scale, seed=seed, images=False)
    rows = []
    for n, line in enumerate((world / "adverts.jsonl").read_bytes().splitlines()):
        record = orjson.loads(line)
        rows.append({"capture_id": str(n), "advert_id": str(n), **record})
    return rows


def baseline(rows: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for row in rows:
        for name in ("title", "body", "phone"):
            for _ in phonenumbers.PhoneNumberMatcher(row.get(name) or "", "GB"):
                pass
    return time.perf_counter() - start


def one_process(rows: list[dict[str, Any]]) -> float:
    extract_rows(rows[:50])  # build the extractors outside the timing
    start = time.perf_counter()
    extract_rows(rows)
    return time.perf_counter() - start


def two_processes(rows: list[dict[str, Any]]) -> float:
    tasks = [rows[i : i + 1000] for i in range(0, len(rows), 1000)]
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(extract_rows, [rows[:50], rows[:50]]))  # warm both workers
        start = time.perf_counter()
        list(pool.map(extract_rows, tasks))
        return time.perf_counter() - start


def profile(rows: list[dict[str, Any]]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    extract_rows(rows)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="plainsight-bench-"))
    runs = []
    for scale in args.scales:
        rows = load(scale, args.seed, work)
        chars = sum(len(advert_text(r).text(f)) for r in rows for f in FIELDS) / len(rows)
        base, one, two = baseline(rows), one_process(rows), two_processes(rows)
        runs.append(
            {
                "scale": scale,
                "adverts": len(rows),
                "mean_chars": round(chars),
                "baseline_phonenumbers_per_s": round(len(rows) / base),
                "plainsight_1_process_per_s": round(len(rows) / one),
                "plainsight_2_processes_per_s": round(len(rows) / two),
            }
        )
    top = profile(load(args.scales[0], args.seed, work)[:3000])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"runs": runs, "profile_top": top.splitlines()[:40]}, indent=2))
    heads = list(runs[0])
    print(" ".join(f"{h[:24]:>24}" for h in heads))
    for run in runs:
        print(" ".join(f"{run[h]!s:>24}" for h in heads))
    print(top)


if __name__ == "__main__":
    main()
