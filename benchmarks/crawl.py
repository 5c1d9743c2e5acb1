"""Crawl benchmark: pages per second against the local advert site, with and without evidence.

The local site (``plainsight.synth.site``) serves a synthetic world on 127.0.0.1 without
faults, at two sizes (about 500 and 2,000 adverts). Politeness is off (no delay, no
AutoThrottle, 32 requests at a time) but robots.txt is still obeyed. At each size:

* ``plainsight crawl`` with WARC evidence (the default), and with ``--no-warc``, each into a
  fresh workspace, in a subprocess as an operator runs it; reported: the crawl's own time
  (Scrapy's ``elapsed_time_seconds``), the whole command's time (start-up and the import of
  the captures included), pages (listing and advert pages) and requests (pictures too) per
  second, and the WARC bytes written;
* a baseline that does the least any crawler must: 32 threads of ``urllib`` fetching the same
  robots.txt, listings, advert pages and pictures, links found with regular expressions,
  nothing parsed into fields, nothing written.

Evidence overhead is the crawl time with WARC over the time without; growth compares the
time ratio of the two sizes with their size ratio (linear growth: the two are equal).

    .venv/bin/python benchmarks/crawl.py [--sizes 500 2000] [--repeat 1] [--work DIR]

Writes benchmarks/results/crawl.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from plainsight.synth.adverts import generate_adverts
from plainsight.synth.site import serve_site
from plainsight.synth.site_plan import NEW_SHARE

RESULTS = Path(__file__).parent / "results" / "crawl.json"
PROFILE = (
    Path(__file__).parents[1] / "src" / "plainsight" / "crawl" / "profiles" / "local-site.toml"
)
CONCURRENCY = 32
POLITENESS_OFF = {
    "delay_seconds": "0",
    "concurrency": str(CONCURRENCY),
    "autothrottle": "false",
    "timeout_seconds": "30",
    "retries": "2",
    "backoff_seconds": "0.5",
}


def limit_for(adverts: int) -> int:
    """The site's ``limit`` that shows ``adverts`` adverts in round 1 (it holds back 15%)."""
    limit = adverts
    while limit - math.floor(limit * NEW_SHARE) < adverts:
        limit += 1
    return limit


def profile_for(url: str, out: Path) -> Path:
    text = PROFILE.read_text().replace("http://127.0.0.1:8765/", url + "/")
    for key, value in POLITENESS_OFF.items():
        text, count = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.MULTILINE)
        assert count == 1, key
    out.write_text(text)
    return out


def scrapy_seconds(home: Path) -> float:
    """Scrapy's own elapsed time for the crawl (from its stats in the session log)."""
    logs = sorted((home / "crawls").rglob("session-*.log"))
    found = re.findall(r"'elapsed_time_seconds': ([0-9.]+)", logs[-1].read_text())
    return float(found[-1])


def run_plainsight(url: str, work: Path, warc: bool) -> dict[str, Any]:
    home = work / ("ws-warc" if warc else "ws-nowarc")
    shutil.rmtree(home, ignore_errors=True)
    profile = profile_for(url, work / "profile.toml")
    command = [sys.executable, "-m", "plainsight", "--home", str(home), "--operator", "bench"]
    command += ["crawl", str(profile)] + ([] if warc else ["--no-warc"])
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    total = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"crawl failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    warc_dir = home / "evidence" / "warc"
    warc_bytes = sum(p.stat().st_size for p in warc_dir.rglob("*.warc.gz")) if warc else 0
    return {
        "crawl_seconds": scrapy_seconds(home),
        "total_seconds": round(total, 3),
        "warc_bytes": warc_bytes,
    }


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "plainsight-bench-baseline"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
        return body


def baseline(url: str) -> dict[str, Any]:
    """Fetch what the crawler fetches with a thread pool and regular expressions, nothing else."""
    t0 = time.perf_counter()
    requests = 2
    fetch(url + "/robots.txt")
    home = fetch(url + "/").decode()
    listings = [url + h for h in re.findall(r'class="site" href="([^"]+)"', home)]
    adverts: list[str] = []
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        while listings:
            pages = list(pool.map(fetch, listings))
            requests += len(pages)
            listings = []
            for page in map(bytes.decode, pages):
                adverts += [
                    url + h for h in re.findall(r'class="advert-link" href="([^"]+)"', page)
                ]
                listings += [url + h for h in re.findall(r'class="next" href="([^"]+)"', page)]
        pictures: set[str] = set()
        for page in pool.map(fetch, adverts):
            pictures.update(url + s for s in re.findall(r'<img [^>]*src="([^"]+)"', page.decode()))
        requests += len(adverts)
        requests += sum(1 for _ in pool.map(fetch, sorted(pictures)))
    return {"seconds": round(time.perf_counter() - t0, 3), "requests": requests}


def _seconds(run: dict[str, Any]) -> float:
    return float(run.get("crawl_seconds", run.get("seconds", 0.0)))


def make_world(world: Path, adverts: int, seed: int) -> None:
    """A world with enough adverts for the largest size (made once, reused)."""
    needed = limit_for(adverts)
    scale = needed / 3300
    while True:
        if not (world / "world.json").is_file():
            generate_adverts(world, scale=scale, seed=seed)
        if json.loads((world / "world.json").read_text())["counts"]["adverts"] >= needed:
            return
        shutil.rmtree(world)
        scale *= 1.3


def measure(world: Path, adverts: int, work: Path, repeat: int) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {"warc": [], "no_warc": [], "baseline": []}
    with serve_site(world, limit=limit_for(adverts), faults=False, seed=0) as site:
        expected = site.expected()
        for _ in range(repeat):
            before = len(site.requests())
            runs["warc"].append(run_plainsight(site.url, work, warc=True))
            served = site.requests()[before:]
            runs["no_warc"].append(run_plainsight(site.url, work, warc=False))
            runs["baseline"].append(baseline(site.url))
    pages = sum(1 for r in served if not r.path.startswith(("/img/", "/robots.txt")))
    requests = len(served)
    best = {kind: min(found, key=_seconds) for kind, found in runs.items()}
    result: dict[str, Any] = {
        "adverts": len(expected.adverts),
        "pages": pages,
        "requests": requests,
        "pictures": len(expected.image_files),
    }
    for kind in ("warc", "no_warc"):
        run = best[kind]
        result[kind] = {
            **run,
            "pages_per_second": round(pages / run["crawl_seconds"], 1),
            "requests_per_second": round(requests / run["crawl_seconds"], 1),
        }
    warc, no_warc = best["warc"]["crawl_seconds"], best["no_warc"]["crawl_seconds"]
    result["warc_overhead"] = round(warc / no_warc, 2)
    result["baseline"] = {
        **best["baseline"],
        "pages_per_second": round(pages / best["baseline"]["seconds"], 1),
    }
    result["cost_over_baseline"] = round(no_warc / best["baseline"]["seconds"], 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--repeat", type=int, default=1, help="Runs per size; the best counts.")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    load = [round(x, 2) for x in os.getloadavg()]  # other work on the machine skews figures
    work = args.work or Path(tempfile.mkdtemp(prefix="plainsight-bench-crawl-"))
    work.mkdir(parents=True, exist_ok=True)
    world = work / "world"
    make_world(world, max(args.sizes), args.seed)
    sizes = [measure(world, n, work / f"size-{n}", args.repeat) for n in args.sizes]
    small, large = sizes[0], sizes[-1]
    report = {
        "benchmark": "crawl",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": load,
        },
        "concurrency": CONCURRENCY,
        "sizes": sizes,
        "growth": {
            "size_ratio": round(large["pages"] / small["pages"], 2),
            "time_ratio_warc": round(
                large["warc"]["crawl_seconds"] / small["warc"]["crawl_seconds"], 2
            ),
            "time_ratio_no_warc": round(
                large["no_warc"]["crawl_seconds"] / small["no_warc"]["crawl_seconds"], 2
            ),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    header = f"{'adverts':>8} {'pages':>6} {'req':>6} | {'warc p/s':>9} {'no-warc p/s':>11} "
    header += f"{'overhead':>8} | {'baseline p/s':>12} {'cost':>5} | {'total s (warc)':>14}"
    print(header)
    for s in sizes:
        print(
            f"{s['adverts']:>8} {s['pages']:>6} {s['requests']:>6} | "
            f"{s['warc']['pages_per_second']:>9} {s['no_warc']['pages_per_second']:>11} "
            f"{s['warc_overhead']:>8} | {s['baseline']['pages_per_second']:>12} "
            f"{s['cost_over_baseline']:>5} | {s['warc']['total_seconds']:>14}"
        )
    print(json.dumps(report["growth"]))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
