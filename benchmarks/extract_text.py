"""Text-extraction benchmark: adverts per second for PersonaExtractor + IndicatorEngine.

Generates a few thousand varied, realistic (non-explicit) adverts of about 400 characters
each, in three voices (independent, controlled network, agency), with emoji, prices in
several styles and an occasional obscured phone fact (as the contact extractor would give).
Each advert goes through ``PersonaExtractor.extract`` then ``IndicatorEngine.evaluate``.
Measured on one core, then on two worker processes; a regex-only baseline (one pass of a
single compiled word regex per field) gives the floor any scanner pays.

    .venv/bin/python benchmarks/extract_text.py [--adverts 5000] [--seed 7] [--repeat 3]

Writes benchmarks/results/extract_text.json and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import random
import re
import statistics
import time
from pathlib import Path
from typing import Any

from plainsight.extract.facts import AdvertText, Fact, Span
from plainsight.extract.indicators import IndicatorEngine
from plainsight.extract.persona import PersonaExtractor

RESULTS = Path(__file__).parent / "results" / "extract_text.json"

NAMES = ("Anna", "Bella", "Mia", "Lily", "Sofia", "Natalia", "Daisy", "Elena", "Ioana",
         "Kasia", "Mei", "Ploy", "Larissa", "Yuki", "Roxana", "Jade", "Ruby", "Chloe")  # fmt: skip
NATIONS = ("Romanian", "Bulgarian", "Polish", "Brazilian", "Thai", "Chinese", "Spanish",
           "English", "Hungarian", "Ukrainian", "Colombian", "Vietnamese", "Italian")  # fmt: skip
TOWNS = ("London", "Leeds", "Manchester", "Birmingham", "Bristol", "Reading", "Slough")
SPOTS = ("near Liverpool Street", "by Bank station", "in Aldgate", "near Moorgate",
         "close to the Barbican", "in Shoreditch", "near Old Street")  # fmt: skip
EMOJI = ("💋", "🌹", "✨", "💕", "😘", "🍾", "💎", "🌸", "❤️", "🥂", "🦋", "👑")

INDEPENDENT = (
    "Hi gentlemen, I'm {name}, {age}, living {spot}.",
    "Hello, my name is {name} and I am {age}.",
    "I love good conversation and a glass of wine.",
    "Discreet and relaxed, never in a rush.",
    "I'm a {nat} girl living in {town}.",
    "My photos are 100% genuine and recent.",
    "New in town! Only here this week.",
    "Incall {spot}, outcall to hotels.",
    "Dinner dates and overnight companionship.",
    "1 hour £{price}, 30 minutes £{half}.",
    "Available most evenings and weekends.",
    "I speak English and {lang}.",
    "Please book at least one hour ahead, I'm often busy.",
    "Treat me with respect and we will have a lovely time.",
    "Coffee, cocktails or a walk by the river, you choose.",
)
NETWORK = (
    "{name} is {age} years old, {nat}, very sweet and friendly.",
    "This is {name}, she is {age} and {nat}.",
    "She is young and petite. Fresh new girl, first time in the UK.",
    "Massage, dinner dates, companionship.",
    "Outcall only. Open 24/7, no rush.",
    "Call my manager to book.",
    "2 girls available, new girls every week.",
    "Cheap prices, £{price} 1 hour. 30min £{half}.",
    "Real photos 100%. She is waiting for your call.",
    "She speaks little English, please text.",
    "Booking line open all day.",
)
AGENCY = (
    "{agency} presents {name}, our stunning {age} year old {nat} companion.",
    "Elegant dinner dates, social events and relaxing company.",
    "Incall at our discreet apartment {spot}, outcall to hotels in {town}.",
    "Rates from £{price} per hour, 2 hours £{two}, overnight on request.",
    "All our ladies are verified and photos are genuine.",
    "Book through our reception. Duo bookings available.",
    "Languages: English, {lang}.",
)
TITLES = ("{name} {age} - {spot}", "Sweet {name} in {town}", "NEW GIRL {name} {age} {town}",
          "{nat} {name} {spot}", "{agency}: {name}, {age}, {nat}", "Hi, I'm {name}")  # fmt: skip


def make_advert(rng: random.Random, n: int) -> tuple[AdvertText, list[Fact]]:
    voice = rng.choice((INDEPENDENT, NETWORK, AGENCY))
    price = rng.choice((60, 80, 100, 120, 150, 180, 200, 250))
    values = {
        "name": rng.choice(NAMES),
        "age": str(rng.choice((18, 19, 21, 22, 23, 24, 25, 27, 29, 31, 34))),
        "nat": rng.choice(NATIONS),
        "town": rng.choice(TOWNS),
        "spot": rng.choice(SPOTS),
        "price": str(price),
        "half": str(price * 2 // 3),
        "two": str(price * 2 - 20),
        "lang": rng.choice(("Romanian", "Russian", "Spanish", "Portuguese", "Thai")),
        "agency": rng.choice(("Velvet Rose", "City Belles", "Silk Agency")),
    }
    sentences: list[str] = []
    while sum(len(s) for s in sentences) < 360:
        sentences.append(rng.choice(voice).format(**values))
        if rng.random() < 0.3:
            sentences.append(rng.choice(EMOJI) * rng.randint(1, 3))
    body = " ".join(sentences)
    title = rng.choice(TITLES).format(**values)
    facts: list[Fact] = []
    if rng.random() < 0.4:
        written = "o7700 9OO " + str(rng.randint(100, 999))
        body += " Call " + written
        start = len(body) - len(written)
        span = Span("body", start, len(body), written)
        facts.append(Fact("phone", "+447700900123", (span,), written="obfuscated"))
    fields = {"title": title, "body": body, "location_text": values["town"]}
    return AdvertText("bench", str(n), fields, age=rng.choice((None, 21, 24))), facts


def make_adverts(count: int, seed: int) -> list[tuple[AdvertText, list[Fact]]]:
    rng = random.Random(seed)
    return [make_advert(rng, n) for n in range(count)]


PARTS: dict[str, Any] = {}


def run_plainsight(adverts: list[tuple[AdvertText, list[Fact]]]) -> tuple[float, int]:
    """Seconds to extract and evaluate every advert (parts built once per process, untimed)."""
    if not PARTS:
        PARTS["persona"] = PersonaExtractor()
        PARTS["engine"] = IndicatorEngine(price_medians={"default": 150.0, "London": 180.0})
    persona, engine = PARTS["persona"], PARTS["engine"]
    hits = 0
    start = time.perf_counter()
    for advert, phone_facts in adverts:
        facts = persona.extract(advert) + phone_facts
        hits += len(engine.evaluate(advert, facts))
    return time.perf_counter() - start, hits


def run_baseline(adverts: list[tuple[AdvertText, list[Fact]]]) -> tuple[float, int]:
    """The floor: one pass of one compiled word regex over the same fields."""
    words = re.compile(r"(?<!\w)(?:young|petite|genuine|manager|24/7|£\d+)(?!\w)", re.I)
    found = 0
    start = time.perf_counter()
    for advert, _ in adverts:
        for name in ("title", "body", "location_text"):
            found += sum(1 for _ in words.finditer(advert.text(name)))
    return time.perf_counter() - start, found


def _worker(args: tuple[int, int]) -> tuple[float, int]:
    count, seed = args
    adverts = make_adverts(count, seed)
    run_plainsight(adverts[:200])  # warm up
    return run_plainsight(adverts)


def two_process_rate(count: int, seed: int) -> float:
    """Adverts/s with two worker processes, each doing half (generation excluded)."""
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_worker, [(count // 2, seed), (count - count // 2, seed + 1)])
    slowest = max(seconds for seconds, _ in results)
    return count / slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adverts", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    adverts = make_adverts(args.adverts, args.seed)
    mean_chars = statistics.mean(
        len(a.text("title")) + len(a.text("body")) + len(a.text("location_text"))
        for a, _ in adverts
    )
    run_plainsight(adverts[:200])  # warm up (compiles the patterns)
    ours = min(run_plainsight(adverts)[0] for _ in range(args.repeat))
    base = min(run_baseline(adverts)[0] for _ in range(args.repeat))
    _, hits = run_plainsight(adverts)
    two = two_process_rate(args.adverts * 2, args.seed)
    result: dict[str, Any] = {
        "benchmark": "extract_text",
        "what": "PersonaExtractor.extract + IndicatorEngine.evaluate per advert",
        "adverts": args.adverts,
        "mean_chars_per_advert": round(mean_chars, 1),
        "seconds_one_core": round(ours, 4),
        "adverts_per_second_one_core": round(args.adverts / ours),
        "adverts_per_second_two_processes": round(two),
        "microseconds_per_advert": round(ours / args.adverts * 1e6, 1),
        "baseline_one_regex_adverts_per_second": round(args.adverts / base),
        "cost_over_baseline": round(ours / base, 1),
        "hits_per_advert": round(hits / args.adverts, 2),
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cpus": multiprocessing.cpu_count(),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
