"""Import benchmark: adverts per second at scale 1 and 10 of the synthetic world.

Each scale is imported into a fresh workspace by plainsight (validation, pictures into
evidence, atomic commits) and, side by side on the same file, by a baseline that does the
least any importer must (parse each line, write Parquet). Reported: wall time, captures per
second, plainsight's cost over the baseline, and how cost grows with size (linear growth
means the time ratio equals the size ratio).

    .venv/bin/python benchmarks/import_adverts.py [--scales 1 10] [--seed 7] [--work DIR]

Writes benchmarks/results/import_adverts.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from plainsight.capture.importer import AdvertImport
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace

RESULTS = Path(__file__).parent / "results" / "import_adverts.json"


def baseline(path: Path, out: Path) -> int:
    """Parse every line and write the fields as Parquet: no checks, no evidence, no pictures."""
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    columns = ("source", "ad_id", "captured_at", "title", "body", "phone", "location_text")
    table = pa.table({c: [r.get(c) for r in rows] for c in columns})
    pq.write_table(table, out, compression="zstd")
    return len(rows)


def measure(scale: float, seed: int, work: Path) -> dict[str, Any]:
    world = work / f"world-{scale:g}"
    if not (world / "world.json").is_file():
        generate_adverts(world, scale=scale, seed=seed)
    interchange = world / "adverts.jsonl"
    lines = sum(1 for _ in interchange.open("rb"))

    t0 = time.perf_counter()
    baseline(interchange, work / f"baseline-{scale:g}.parquet")
    base_s = time.perf_counter() - t0

    home = work / f"ws-{scale:g}"
    shutil.rmtree(home, ignore_errors=True)
    workspace = Workspace.open(load_settings(home, operator="bench"))
    t0 = time.perf_counter()
    result = AdvertImport(workspace).run([interchange])
    import_s = time.perf_counter() - t0
    pictures = len(list((world / "images").rglob("*"))) if (world / "images").is_dir() else 0
    return {
        "scale": scale,
        "lines": lines,
        "captures": result.new,
        "rejected": result.rejected,
        "pictures": pictures,
        "import_seconds": round(import_s, 3),
        "captures_per_second": round(result.new / import_s),
        "baseline_seconds": round(base_s, 3),
        "baseline_lines_per_second": round(lines / base_s),
        "cost_over_baseline": round(import_s / base_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None, help="keep worlds here between runs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="plainsight-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = [measure(s, args.seed, work) for s in args.scales]
    first, last = runs[0], runs[-1]
    growth = {
        "size_ratio": round(last["lines"] / first["lines"], 2),
        "time_ratio": round(last["import_seconds"] / first["import_seconds"], 2),
    }
    report = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
        },
        "runs": runs,
        "growth": growth,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    heads = ("scale", "lines", "pictures", "import s", "captures/s", "baseline s", "x baseline")
    print(" ".join(f"{h:>10}" for h in heads))
    keys = ("scale", "lines", "pictures", "import_seconds", "captures_per_second")
    keys += ("baseline_seconds", "cost_over_baseline")
    for r in runs:
        print(" ".join(f"{r[k]:>10}" for k in keys))
    print(f"growth: size x{growth['size_ratio']}, time x{growth['time_ratio']} (linear: equal)")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
