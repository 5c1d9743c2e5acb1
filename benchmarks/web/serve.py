"""Web benchmark: the app served by uvicorn on loopback over a linked workspace, route by route.

The server runs in its own process (``--serve``), over a workspace opened read-only: its
lake is never written, and its operational database is a copy (``database_url`` points at
it), so a bench user can be added without touching the original. A small asyncio + httpx
load generator signs in, names a line of enquiry and drives each route in turn with
``--concurrency`` connections for at most ``--seconds`` (or ``--requests`` requests), then
reports p50/p95/p99 per route and overall, beside the baseline of the same server sending
a static file (``/static/app.css``).

The inputs are drawn from the workspace itself: phone numbers carried by a few adverts
(each written several ways: spaced, +44, letter O for zero, run together, bracketed),
names, adverts, personas and networks (the five top-ranked and five others).

    .venv/bin/python benchmarks/web/serve.py --home /tmp/bench-link-1m/ws-300 --label 1M \\
        [--concurrency 2] [--seconds 20] [--requests 200] [--timeout 120] [--routes a,b]

Merges its run into benchmarks/web/results.json (by label) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = HERE / "results.json"
SECRET = "web-benchmark-secret-not-for-use"
USER = "bench-analyst"
PASSWORD = "bench password not for use"
ENQUIRY = "Benchmark: route latency"
TARGET_P95_MS = 300.0


# -- the server ---------------------------------------------------------------------------


def serve(home: Path, database_url: str, port: int, *, parquet_only: bool = False) -> None:
    """Run the app (one uvicorn process, as ``plainsight serve`` does) until killed.

    The app reads through one shared database per lake version and the serving copy
    (:mod:`plainsight.lake.serving`); ``parquet_only`` is the baseline that ignores the
    serving copy, so every lookup reads the Parquet files as the stages wrote them.
    """
    import uvicorn

    from plainsight.lake import reader
    from plainsight.settings import load_settings
    from plainsight.web.app import create_app
    from plainsight.workspace import Workspace

    ws = Workspace.open(load_settings(home, database_url=database_url))
    if parquet_only:
        reader._attach_serving = lambda *_: frozenset()  # type: ignore[assignment]
    app = create_app(home, secret=SECRET, login_delay=0.0, workspace=ws)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def prepare(home: Path, work: Path) -> str:
    """A copy of the workspace's operational database with the bench user; its URL."""
    from plainsight.settings import load_settings
    from plainsight.web.auth import UserError, add_user
    from plainsight.workspace import Workspace

    work.mkdir(parents=True, exist_ok=True)
    db = work / "ops.db"
    if (home / "ops.db").exists():
        shutil.copyfile(home / "ops.db", db)
    url = f"sqlite:///{db}"
    ws = Workspace.open(load_settings(home, database_url=url))
    with contextlib.suppress(UserError):  # already there (a re-run over the same copy)
        add_user(ws, USER, PASSWORD, "analyst", by="benchmark")
    return url


def samples(home: Path, seed: int = 7) -> dict[str, list[str]]:
    """Phones (several writings each), names, adverts, personas and networks to ask for."""
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    ws = Workspace(load_settings(home))
    with ws.reading() as engine:

        def col(sql: str) -> list[str]:
            return [str(next(iter(r.values()))) for r in engine.run(sql).to_pylist()]

        phones = col(
            "SELECT value FROM facts WHERE kind = 'phone' AND value LIKE '+447%' "
            "GROUP BY value HAVING count(DISTINCT advert_id) BETWEEN 2 AND 100 "
            f"ORDER BY hash(value || '{seed}') LIMIT 8"
        )
        names = col(
            "SELECT value FROM facts WHERE kind = 'name' GROUP BY value "
            f"ORDER BY hash(value || '{seed}') LIMIT 8"
        )
        adverts = col(
            f"SELECT advert_id FROM adverts ORDER BY hash(advert_id || '{seed}') LIMIT 20"
        )
        personas = col(
            "SELECT DISTINCT persona_id FROM personas "
            f"ORDER BY hash(persona_id || '{seed}') LIMIT 20"
        )
        top = col("SELECT network_id FROM network_scores ORDER BY rank LIMIT 5")
        others = col(
            f"SELECT network_id FROM network_scores ORDER BY hash(network_id || '{seed}') LIMIT 5"
        )
    written = []
    for e164 in phones:
        national = "0" + e164[3:]
        written += [
            f"{national[:5]} {national[5:8]} {national[8:]}",
            f"+44 {national[1:5]} {national[5:]}",
            national.replace("0", "O"),
            national,
            f"({national[:5]}) {national[5:]}",
        ]
    return {
        "phones": written,
        "names": names,
        "adverts": adverts,
        "personas": personas,
        "networks": top + [n for n in others if n not in top],
    }


def routes(s: dict[str, list[str]]) -> dict[str, Callable[[int], str]]:
    """Route name to a function of the request number giving the path to ask for."""
    from urllib.parse import quote

    def cycle(key: str, fmt: str) -> Callable[[int], str]:
        values = s[key] or ["none"]
        return lambda i: fmt.format(quote(values[i % len(values)], safe=""))

    return {
        "static /static/app.css": lambda i: "/static/app.css",
        "today /": lambda i: "/",
        "search phone": cycle("phones", "/search?q={}"),
        "search name": cycle("names", "/search?q={}"),
        "advert page": cycle("adverts", "/advert/{}"),
        "persona page": cycle("personas", "/persona/{}"),
        "networks list": lambda i: "/networks",
        "map data.json": lambda i: "/map/data.json",
        "api search phone": cycle("phones", "/api/v1/search?q={}"),
        "api search name": cycle("names", "/api/v1/search?q={}"),
        "api advert": cycle("adverts", "/api/v1/adverts/{}"),
        "api persona": cycle("personas", "/api/v1/personas/{}"),
        "api networks": lambda i: f"/api/v1/networks?limit=50&offset={(i % 5) * 50}",
        "api network": cycle("networks", "/api/v1/networks/{}"),
        "api alerts": lambda i: "/api/v1/alerts",
        # last: at a million adverts these outlast their budget (see drain in run)
        "network page": cycle("networks", "/network/{}"),
        "network graph.json": cycle("networks", "/network/{}/graph.json"),
    }


# -- the load generator -------------------------------------------------------------------


async def sign_in(client: Any) -> None:
    def token(html: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if not found:
            raise RuntimeError("no CSRF token on the page")
        return found.group(1)

    page = await client.get("/login")
    done = await client.post(
        "/login",
        data={"name": USER, "password": PASSWORD, "csrf_token": token(page.text), "next": "/"},
    )
    if done.status_code != 303:
        raise RuntimeError(f"sign-in refused: {done.status_code}")
    form = await client.get("/enquiry")
    named = await client.post(
        "/enquiry", data={"reference": ENQUIRY, "csrf_token": token(form.text), "next": "/"}
    )
    if named.status_code != 303:
        raise RuntimeError(f"enquiry refused: {named.status_code}")


async def drive(
    origin: str,
    path_of: Callable[[int], str],
    *,
    concurrency: int,
    seconds: float,
    requests: int,
    timeout: float,
) -> dict[str, Any]:
    """Closed-loop load on one route: ``concurrency`` connections, each asking again as
    soon as it has its answer; no new request after ``seconds`` or ``requests``."""
    import httpx

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    counter = itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=origin, timeout=timeout, limits=limits) as client:
        await sign_in(client)
        try:  # one unmeasured call: imports, caches
            warm = str((await client.get(path_of(0))).status_code)
        except httpx.HTTPError as exc:
            warm = type(exc).__name__
        statuses[f"warm {warm}"] = 1
        start = time.perf_counter()

        async def worker() -> None:
            while time.perf_counter() - start < seconds:
                i = next(counter)
                if i >= requests:
                    return
                began = time.perf_counter()
                try:
                    response = await client.get(path_of(i + 1))
                    await response.aread()
                    key = str(response.status_code)
                except httpx.TimeoutException:
                    key = "timeout"
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                latencies.append((time.perf_counter() - began) * 1000)
                statuses[key] = statuses.get(key, 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return {"latencies_ms": latencies, "statuses": statuses, "seconds": elapsed}


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(latencies: list[float], seconds: float) -> dict[str, Any]:
    if not latencies:
        return {"n": 0}
    return {
        "n": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "per_second": round(len(latencies) / seconds, 2) if seconds else None,
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(origin: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    import httpx

    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            if httpx.get(origin + "/static/app.css", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start in time")


def counts(home: Path) -> dict[str, int]:
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    with Workspace(load_settings(home)).reading() as engine:
        return {
            t: int(engine.run(f"SELECT count(*) AS n FROM {t}").to_pylist()[0]["n"])
            for t in ("adverts", "captures", "facts", "personas", "networks", "network_scores")
        }


def run(args: argparse.Namespace) -> dict[str, Any]:
    home = Path(args.home).resolve()
    work = Path(tempfile.mkdtemp(prefix=f"plainsight-webbench-{args.label}-"))
    url = prepare(home, work)
    chosen = samples(home)
    table = routes(chosen)
    if args.routes:
        wanted = [r.strip() for r in args.routes.split(",")]
        table = {k: v for k, v in table.items() if k in wanted or k.startswith("static")}
    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, __file__, "--serve", "--home", str(home), "--db", url]
    command += ["--port", str(port)] + (["--parquet-only"] if args.parquet_only else [])
    server = subprocess.Popen(command, env=env)
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    latencies: dict[str, list[float]] = {}
    try:
        _wait_for(origin, server, time.monotonic() + 120)
        for name, path_of in table.items():
            done = asyncio.run(
                drive(
                    origin,
                    path_of,
                    concurrency=args.concurrency,
                    seconds=args.seconds,
                    requests=args.requests,
                    timeout=args.timeout,
                )
            )
            latencies[name] = done["latencies_ms"]
            row = summary(done["latencies_ms"], done["seconds"])
            row["statuses"] = done["statuses"]
            row["load_average"] = round(os.getloadavg()[0], 2)
            results[name] = row
            if any("imeout" in key for key in done["statuses"]):
                # the server still works on the abandoned requests: let it finish first
                time.sleep(args.timeout)
            print(
                f"{name:24s} n={row.get('n', 0):4d} p50={row.get('p50_ms')} "
                f"p95={row.get('p95_ms')} p99={row.get('p99_ms')} {done['statuses']}",
                flush=True,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    every = [r for k, r in results.items() if not k.startswith("static") and r.get("n")]
    together = [
        ms for k, ms_list in latencies.items() if not k.startswith("static") for ms in ms_list
    ]
    overall = summary(together, sum(r.get("n", 0) / (r.get("per_second") or 1) for r in every))
    missed = sorted(k for k, r in results.items() if r.get("p95_ms", 0) > TARGET_P95_MS)
    return {
        "label": args.label,
        "home": str(home),
        "counts": counts(home),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "note": "shared with other engineers' test runs: figures are noisy",
        },
        "settings": {
            "parquet_only": args.parquet_only,
            "concurrency": args.concurrency,
            "seconds_per_route": args.seconds,
            "requests_per_route": args.requests,
            "timeout": args.timeout,
        },
        "samples": {k: len(v) for k, v in chosen.items()},
        "routes": results,
        "overall": overall,
        "overall_worst_route_p95_ms": max((r["p95_ms"] for r in every), default=None),
        "over_target": missed,
    }


def table_md(runs: dict[str, Any]) -> str:
    labels = list(runs)
    names: list[str] = []
    for run_ in runs.values():
        names += [n for n in run_["routes"] if n not in names]
    head = "| route | " + " | ".join(f"{lb} p50 / p95 / p99 ms (n)" for lb in labels) + " |"
    lines = [head, "|---" * (len(labels) + 1) + "|"]
    for name in names:
        cells = []
        for lb in labels:
            row = runs[lb]["routes"].get(name)
            if not row or not row.get("n"):
                cells.append("–")
                continue
            flag = " ✗" if row["p95_ms"] > TARGET_P95_MS else ""
            cells.append(
                f"{row['p50_ms']:.0f} / {row['p95_ms']:.0f}{flag} / {row['p99_ms']:.0f} "
                f"({row['n']})"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = []
    for lb in labels:
        row = runs[lb].get("overall") or {}
        cells.append(
            f"{row['p50_ms']:.0f} / {row['p95_ms']:.0f} / {row['p99_ms']:.0f} ({row['n']})"
            if row.get("n")
            else "–"
        )
    lines.append(
        "| **overall** (every route but static, each request once) | " + " | ".join(cells) + " |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="a linked workspace (opened read-only)")
    parser.add_argument(
        "--report", action="store_true", help="print the table of every run in --out, no run"
    )
    parser.add_argument("--label", default="", help="the run's name in results.json")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0, help="time budget per route")
    parser.add_argument("--requests", type=int, default=200, help="most requests per route")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request")
    parser.add_argument("--routes", default="", help="comma-separated route names (default all)")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument(
        "--parquet-only",
        action="store_true",
        help="the baseline: ignore the serving copy, read the Parquet as the stages wrote it",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", default="", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.home), args.db, args.port, parquet_only=args.parquet_only)
        return
    if args.report:
        print(table_md(json.loads(Path(args.out).read_text())["runs"]))
        return
    if not args.home:
        parser.error("--home is needed")
    args.label = args.label or Path(args.home).name
    result = run(args)
    out = Path(args.out)
    everything: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    everything.setdefault("runs", {})[args.label] = result
    out.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")
    print(table_md({args.label: result}))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
