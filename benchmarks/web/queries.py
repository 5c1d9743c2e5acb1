"""Where the web routes' time goes: each page's data function timed alone, no HTTP.

For one workspace: the cost of opening an engine (binding every lake table), then each data
function the routes call, run ``--repeat`` times on a cursor of one shared, already bound
database (:class:`plainsight.lake.reader.SharedReader`), so the figures are the queries'
own. ``--explain`` adds DuckDB's EXPLAIN ANALYZE of the slowest single statements.

    .venv/bin/python benchmarks/web/queries.py --home /tmp/bench-link-1m/ws-300 --label 1M \\
        [--repeat 3] [--skip graph] [--explain]

Merges into benchmarks/web/results.json under ``queries`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

from plainsight.lake.engine import Engine  # noqa: E402
from plainsight.lake.reader import SharedReader  # noqa: E402
from plainsight.settings import load_settings  # noqa: E402
from plainsight.web import advert_data, network_data, pages_data, search_data  # noqa: E402
from plainsight.workspace import Workspace  # noqa: E402


def _first(engine: Engine, sql: str) -> str:
    return str(next(iter(engine.run(sql).to_pylist()[0].values())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--label", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated function names to skip")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    args = parser.parse_args()
    ws = Workspace(load_settings(Path(args.home)))
    label = args.label or Path(args.home).name

    opens = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        with ws.reading():
            pass
        opens.append((time.perf_counter() - began) * 1000)

    reader = SharedReader(ws.lake)
    with reader.reading() as engine:
        phone = _first(
            engine,
            "SELECT value FROM facts WHERE kind = 'phone' AND value LIKE '+447%' GROUP BY value "
            "HAVING count(DISTINCT advert_id) BETWEEN 2 AND 100 ORDER BY hash(value) LIMIT 1",
        )
        shared = _first(
            engine,
            "SELECT value FROM facts WHERE kind = 'phone' GROUP BY value "
            "ORDER BY count(*) DESC LIMIT 1",
        )
        name = _first(engine, "SELECT value FROM facts WHERE kind = 'name' LIMIT 1")
        advert = _first(engine, "SELECT advert_id FROM adverts ORDER BY hash(advert_id) LIMIT 1")
        persona = _first(engine, f"SELECT persona_id FROM personas WHERE advert_id = '{advert}'")
        top = _first(engine, "SELECT network_id FROM network_scores ORDER BY rank LIMIT 1")
    national = "0" + phone[3:]
    calls: dict[str, Callable[[Engine], Any]] = {
        "search phone (a few adverts)": lambda e: search_data.search(e, national),
        "search phone (most shared number)": lambda e: search_data.search(e, "0" + shared[3:]),
        "search name": lambda e: search_data.search(e, name),
        "advert": lambda e: advert_data.advert(e, advert),
        "persona": lambda e: pages_data.persona(e, persona),
        "networks (all)": lambda e: network_data.networks(e),
        "network (top)": lambda e: network_data.network(e, top),
        "map_data": lambda e: pages_data.map_data(e),
        "graph": lambda e: network_data.network_graph(e, top),
    }
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    timings: dict[str, Any] = {}
    for label_, call in calls.items():
        if label_.split(" ")[0] in skip or label_ in skip:
            continue
        times = []
        for _ in range(args.repeat):
            with reader.reading() as engine:
                began = time.perf_counter()
                call(engine)
                times.append((time.perf_counter() - began) * 1000)
        timings[label_] = {
            "median_ms": round(statistics.median(times), 1),
            "runs_ms": [round(t, 1) for t in times],
        }
        print(f"{label_:36s} {timings[label_]['median_ms']:9.1f} ms  {timings[label_]['runs_ms']}")
    explained: dict[str, str] = {}
    if args.explain:
        statements = {
            "advert: facts by advert_id": (
                "SELECT DISTINCT kind, value, written FROM facts WHERE advert_id = ? "
                "ORDER BY kind, value",
                [advert],
            ),
            "search: name in captures": (
                "SELECT DISTINCT advert_id FROM captures WHERE lower(name) = lower(?)",
                [name],
            ),
        }
        with reader.reading() as engine:
            for what, (sql, params) in statements.items():
                plan = engine.run("EXPLAIN ANALYZE " + sql, params).to_pylist()
                explained[what] = str(plan[0].get("explain_value", plan))
                print(f"-- {what}\n{explained[what]}")
    result = {
        "open_engine_ms": {
            "median": round(statistics.median(opens), 1),
            "runs": [round(t, 1) for t in opens],
        },
        "functions": timings,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "explain": explained,
    }
    print(f"open engine (bind the lake): {result['open_engine_ms']}")
    out = Path(args.out)
    everything: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    everything.setdefault("queries", {})[label] = result
    out.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
