"""Image fingerprint benchmark: milliseconds per advert picture, per core, and pool throughput.

Draws N distinct advert photos (a figure in a room, 240x320, JPEG quality 70-90) in memory
and times, on the same bytes:

* plainsight's :func:`fingerprint` without PDQ (pHash, dHash, mirrored and centre pHash from
  one reduced greyscale decode), and with PDQ (adds PDQ and its 8 dihedral hashes);
* PDQ alone: a plain Pillow RGB decode and ``pdqhash.compute_dihedral``;
* the baseline: ``imagehash.phash(Image.open(...))`` and ``imagehash.dhash`` on the same image;
* :func:`fingerprint_many` with 2 worker processes, pictures per second (pool start included).

    .venv/bin/python benchmarks/extract_images.py [--images 2000] [--seed 7] [--repeat 3]

Writes benchmarks/results/extract_images.json and prints a table.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
import pdqhash
from PIL import Image

from plainsight.extract.fingerprints import fingerprint, fingerprint_many
from plainsight.synth.pictures import Figure, Room, render_photo

RESULTS = Path(__file__).parent / "results" / "extract_images.json"


def pictures(count: int, seed: int) -> list[bytes]:
    """``count`` distinct advert photos as JPEG bytes."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        room = Room.create(rng).render()
        image = render_photo(room, Figure.create(rng), rng.randint(0, 2), rng.randint(60, 180))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=rng.randint(70, 90))
        out.append(buffer.getvalue())
    return out


def baseline(data: bytes) -> tuple[str, str]:
    image = Image.open(io.BytesIO(data))
    return str(imagehash.phash(image)), str(imagehash.dhash(image))


def pdq_alone(data: bytes) -> int:
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    _, quality = pdqhash.compute_dihedral(rgb)
    return int(quality)


def ms_per_image(work: Callable[[bytes], object], data: list[bytes], repeat: int) -> float:
    """Best of ``repeat`` passes over ``data``, in milliseconds per picture (one core)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in data:
            work(item)
        best = min(best, time.perf_counter() - start)
    return best / len(data) * 1000


def pool_rate(data: list[bytes], pdq: bool) -> float:
    items = [(f"{i:064x}", item) for i, item in enumerate(data)]
    start = time.perf_counter()
    done = sum(1 for _ in fingerprint_many(items, processes=2, pdq=pdq))
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = pictures(args.images, args.seed)
    rows: dict[str, float] = {
        "fingerprint, no PDQ": ms_per_image(lambda d: fingerprint(d, pdq=False), data, args.repeat),
        "fingerprint, with PDQ": ms_per_image(fingerprint, data, args.repeat),
        "PDQ alone (RGB decode + dihedral)": ms_per_image(pdq_alone, data, args.repeat),
        "baseline imagehash phash + dhash": ms_per_image(baseline, data, args.repeat),
    }
    rates = {
        "fingerprint_many, 2 processes, no PDQ": pool_rate(data, pdq=False),
        "fingerprint_many, 2 processes, with PDQ": pool_rate(data, pdq=True),
    }
    print(f"{args.images} pictures, 240x320 JPEG, {sum(map(len, data)) // len(data)} bytes avg")
    print(f"{'':42} {'ms/image/core':>14}")
    for name, ms in rows.items():
        print(f"{name:42} {ms:14.3f}")
    print(f"{'':42} {'images/s':>14}")
    for name, rate in rates.items():
        print(f"{name:42} {rate:14.0f}")
    speedup = rows["baseline imagehash phash + dhash"] / rows["fingerprint, no PDQ"]
    print(f"fingerprint (no PDQ) is {speedup:.1f}x the baseline's speed")

    result: dict[str, Any] = {
        "images": args.images,
        "seed": args.seed,
        "mean_bytes": sum(map(len, data)) // len(data),
        "ms_per_image_per_core": {k: round(v, 4) for k, v in rows.items()},
        "images_per_second": {k: round(v) for k, v in rates.items()},
        "speedup_over_baseline": round(speedup, 2),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
