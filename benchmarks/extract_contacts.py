"""Contacts benchmark: phone, e-mail, URL and handle extraction against plain PhoneNumberMatcher.

Runs over two inputs: the synthetic world (``--scales``, images off) and ``--generated``
adverts of about 400 characters built from the labelled phone cases (most numbers
obfuscated). For each it reports adverts per second for :class:`PhoneExtractor`, for
:class:`ContactExtractor` and for the baseline (``phonenumbers.PhoneNumberMatcher(text, "GB")``
over the same fields), single-process and over ``--workers`` processes; and precision and
recall of both on ``tests/extract/phone_cases.jsonl``.

    .venv/bin/python benchmarks/extract_contacts.py [--scales 1] [--generated 5000] [--workers 2]
        [--save]

``--save`` writes benchmarks/results/extract_contacts.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import phonenumbers

from plainsight.extract.contacts import ContactExtractor
from plainsight.extract.facts import TEXT_FIELDS, AdvertText
from plainsight.extract.phones import PhoneExtractor
from plainsight.synth.adverts import generate_adverts

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "extract" / "phone_cases.jsonl"
RESULTS = Path(__file__).parent / "results" / "extract_contacts.json"
FILLER = (
    "Hi gentlemen, I'm {name}, {age}, sweet and discreet, genuine photos. Incall near "
    "Liverpool Street, outcall to hotels. No rush service, clean apartment. "
    "Rates 30min 100, 1h 150, 2h 250. Open 10:00-22:00. {contact} Kisses xx"
)
NAMES = ("Anna", "Bella", "Chloe", "Daria", "Elena", "Irina", "Jade", "Mia", "Sofia")


def load_cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line]


def generated_adverts(count: int, seed: int) -> list[AdvertText]:
    rng = random.Random(seed)
    cases = [c for c in load_cases() if c["field"] == "body"]
    out = []
    for i in range(count):
        case = rng.choice(cases)
        name = rng.choice(NAMES)
        body = FILLER.format(name=name, age=rng.randint(19, 35), contact=case["text"])
        title = f"{name} {rng.randint(19, 30)} new in town"
        out.append(AdvertText("generated", str(i), {"title": title, "body": body}))
    return out


def world_adverts(scale: float, seed: int, work: Path) -> list[AdvertText]:
    out_dir = work / f"world-{scale:g}"
    if not (out_dir / "adverts.jsonl").exists():
        generate_adverts(out_dir, scale=scale, seed=seed, images=False)
    adverts = []
    for line in (out_dir / "adverts.jsonl").read_bytes().splitlines():
        row = orjson.loads(line)
        fields = {f: row[f] for f in TEXT_FIELDS if isinstance(row.get(f), str)}
        adverts.append(AdvertText(row["source"], row["ad_id"], fields))
    return adverts


def baseline_numbers(advert: AdvertText) -> list[str]:
    found = []
    for field in TEXT_FIELDS:
        text = advert.text(field)
        if text:
            for match in phonenumbers.PhoneNumberMatcher(text, "GB"):
                found.append(
                    phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
                )
    return found


_PHONES = PhoneExtractor()
_CONTACTS = ContactExtractor()
_SHARED = ContactExtractor(_PHONES)
RUNNERS: dict[str, Callable[[AdvertText], object]] = {
    "phones": _PHONES.extract,
    "contacts": _CONTACTS.extract,
    "phones+contacts (shared)": lambda a: (_PHONES.extract(a), _SHARED.extract(a)),
    "baseline PhoneNumberMatcher": baseline_numbers,
}


def _run_chunk(args: tuple[str, Sequence[AdvertText]]) -> int:
    name, adverts = args
    run = RUNNERS[name]
    for advert in adverts:
        run(advert)
    return len(adverts)


def rate(name: str, adverts: list[AdvertText], workers: int) -> float:
    """Adverts per second for runner ``name`` (best of two passes when single-process)."""
    if workers <= 1:
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            _run_chunk((name, adverts))
            best = min(best, time.perf_counter() - start)
        return len(adverts) / best
    chunks = [(name, adverts[i::workers]) for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_run_chunk, [(name, adverts[:50])] * workers))  # warm up
        start = time.perf_counter()
        done = sum(pool.map(_run_chunk, chunks))
        return done / (time.perf_counter() - start)


def accuracy(find: Callable[[AdvertText], list[str]]) -> dict[str, float]:
    true_pos = false_pos = false_neg = 0
    for case in load_cases():
        got = set(find(AdvertText("cases", "x", {case["field"]: case["text"]})))
        want = set(case["phones"])
        true_pos += len(got & want)
        false_pos += len(got - want)
        false_neg += len(want - got)
    return {
        "precision": true_pos / max(1, true_pos + false_pos),
        "recall": true_pos / max(1, true_pos + false_neg),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="*", default=[1.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--generated", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="plainsight-bench-"))

    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "accuracy": {
            "phones": accuracy(lambda a: [f.value for f in _PHONES.extract(a)]),
            "baseline PhoneNumberMatcher": accuracy(baseline_numbers),
        },
        "inputs": {},
    }
    for name, acc in results["accuracy"].items():
        print(f"{name:30s} precision {acc['precision']:.4f}  recall {acc['recall']:.4f}")

    inputs = {f"generated ({args.generated})": generated_adverts(args.generated, args.seed)}
    for scale in args.scales:
        adverts = world_adverts(scale, args.seed, work)
        inputs[f"synthetic world scale {scale:g} ({len(adverts)} captures)"] = adverts
    for label, adverts in inputs.items():
        chars = sum(len(a.text(f)) for a in adverts for f in TEXT_FIELDS) / len(adverts)
        print(f"\n{label}: {chars:.0f} characters per advert")
        row: dict[str, dict[str, float]] = {}
        for name in RUNNERS:
            one = rate(name, adverts, 1)
            many = rate(name, adverts, args.workers) if args.workers > 1 else one
            row[name] = {"adverts_per_s_1": one, f"adverts_per_s_{args.workers}": many}
            print(f"  {name:30s} {one:9,.0f}/s on 1 core  {many:9,.0f}/s on {args.workers}")
        results["inputs"][label] = row
    if args.save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
