"""Linking benchmark: ``plainsight run``'s linking side by side with a baseline, scored and timed.

``plainsight`` is the link stage itself (generic identifiers, features, personas with Splink,
networks, scores), timed on a workspace already imported and extracted (text work done,
pictures fingerprinted: the issue's "images pre-fingerprinted").

The baseline is MinHash-LSH text clustering plus union-find on contacts.

The approach of published peers (InfoShield's coarse clustering, and the near-duplicate
advert clustering of earlier anti-trafficking work): shingle each advert's text, MinHash it
(rensa), find candidate pairs with LSH bands, join candidates whose estimated Jaccard
similarity reaches a threshold, and join adverts that share any phone number or e-mail, with
union-find (connected components). One clustering comes out; it is scored against the truth
as both the persona and the network labels (the baseline has no notion of the two levels).

Variants, each scored and timed separately:

- ``raw_phones``: union-find on extracted phone numbers only, helpline included (the issue
  says this scores below 0.05).
- ``lsh_contacts``: text LSH plus contacts, no generic filter.
- ``lsh_contacts_freq``: the same with a simple frequency filter: a phone or e-mail carried by
  more than ``max(CONTACT_FLOOR, CONTACT_SHARE * adverts)`` adverts is dropped, and so is a
  shingle found in more than ``max(SHINGLE_FLOOR, SHINGLE_SHARE * adverts)`` adverts.

Input: a workspace built by ``import`` and ``extract`` (text work only; the worlds have no
pictures), so the baseline reads the same facts ``plainsight run`` links: the phones and
e-mails of ``facts`` (de-obfuscated by the project's extractors) and the title and body of each
advert's latest capture. Building the workspace is timed apart (``prepare_seconds``) and is
not the baseline's cost. Each (scale, variant) runs in a fresh process, so its peak memory
(VmHWM) is its own; ``rss_before_mb`` is that process's footprint before linking (imports).

Side by side: :func:`measure` takes any :data:`Linker` (a callable from a workspace home and a
stage timer to a table of ``advert_id``, ``persona_id``, ``network_id``), so ``plainsight
run`` can be timed and scored the same way once it exists.

    .venv/bin/python benchmarks/link.py [--scales 3 30 300] [--images] [--seed 7] [--work DIR]
        [--worlds DIR]   # reuse pre-built worlds DIR/world-<scale>

Writes benchmarks/results/link.json and prints a table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import platform
import re
import resource
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import rensa
from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from plainsight.capture.importer import AdvertImport
from plainsight.extract.stage import ExtractStage
from plainsight.link.evaluate import evaluate_labels, read_truth
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace

RESULTS = Path(__file__).parent / "results" / "link.json"

NUM_PERM = 128
BANDS = 32  # 4 rows a band: candidates from about Jaccard 0.42
THRESHOLD = 0.5  # estimated Jaccard needed to join two candidates
SHINGLE_WORDS = 3
SEED = 1
CHUNK = 20_000
TEXT_CHUNK = 5_000  # adverts shingled at a time: their Python strings are the memory peak
CONTACT_FLOOR, CONTACT_SHARE = 300, 0.02
SHINGLE_FLOOR, SHINGLE_SHARE = 300, 0.02

WORDS = re.compile(r"\w+")
IntArray = npt.NDArray[np.int64]


class Stages:
    """Seconds and peak resident memory (MB, this process so far) after each stage."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[dict[str, Any]]:
        """Time a stage; what the stage adds to the yielded dict is recorded with it."""
        notes: dict[str, Any] = {}
        start = time.perf_counter()
        yield notes
        seconds = round(time.perf_counter() - start, 3)
        self.records.append({"stage": name, "seconds": seconds, "peak_rss_mb": peak_rss_mb()})
        self.records[-1].update(notes)


Linker = Callable[[Path, Stages], pa.Table]
"""From a workspace home and a stage timer to ``advert_id``, ``persona_id``, ``network_id``."""


def peak_rss_mb() -> float:
    """This process's peak resident memory: Linux's VmHWM (reset by exec, unlike ru_maxrss,
    which a spawned child inherits from its parent), else ru_maxrss."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ---------------------------------------------------------------- the workspace's facts


def open_engine(home: Path) -> Any:
    return Workspace.open(load_settings(home, operator="bench")).engine()


def read_adverts(engine: Any) -> pa.Table:
    """Every advert (sorted by id) with its latest capture's title and body."""
    return engine.run(
        "SELECT a.advert_id, coalesce(c.title, '') || ' ' || coalesce(c.body, '') AS text "
        "FROM adverts AS a JOIN captures AS c ON c.capture_id = a.latest_capture_id "
        "ORDER BY a.advert_id"
    )


def read_contacts(engine: Any, kinds: tuple[str, ...]) -> pa.Table:
    """Distinct (advert_id, contact) of the given kinds, over all of an advert's captures."""
    listed = ", ".join(f"'{k}'" for k in kinds)
    return engine.run(
        f"SELECT DISTINCT advert_id, kind || ':' || value AS contact FROM facts "
        f"WHERE kind IN ({listed})"
    )


def row_numbers(adverts: pa.Table, advert_ids: pa.ChunkedArray) -> IntArray:
    return np.asarray(pc.index_in(advert_ids, value_set=adverts["advert_id"]), dtype=np.int64)


# ---------------------------------------------------------------- union-find


def components(n: int, left: IntArray, right: IntArray) -> IntArray:
    """Connected components of n items joined by the given edges (union-find, in C)."""
    graph = coo_matrix((np.ones(len(left), np.int8), (left, right)), shape=(n, n))
    return np.asarray(connected_components(graph, directed=False)[1], dtype=np.int64)


def star_edges(groups: IntArray, items: IntArray) -> tuple[IntArray, IntArray]:
    """Edges joining every item of a group to the group's first item (O(n), no pairs)."""
    order = np.lexsort((items, groups))
    groups, items = groups[order], items[order]
    starts = np.r_[True, groups[1:] != groups[:-1]]
    leader = items[np.maximum.accumulate(np.where(starts, np.arange(len(items)), 0))]
    keep = leader != items
    return items[keep], leader[keep]


def contact_edges(
    adverts: pa.Table, contacts: pa.Table, max_adverts: int | None
) -> tuple[IntArray, IntArray, list[str]]:
    """Edges between adverts sharing a contact; contacts on more than ``max_adverts`` adverts
    are dropped (and returned), when a limit is given."""
    rows = row_numbers(adverts, contacts["advert_id"])
    codes = np.asarray(
        pc.dictionary_encode(contacts["contact"]).combine_chunks().indices, dtype=np.int64
    )
    dropped: list[str] = []
    if max_adverts is not None and len(codes):
        counts = np.bincount(codes)
        generic = counts > max_adverts
        dictionary = pc.dictionary_encode(contacts["contact"]).combine_chunks().dictionary
        dropped = sorted(dictionary.filter(pa.array(generic)).to_pylist())
        keep = ~generic[codes]
        rows, codes = rows[keep], codes[keep]
    left, right = star_edges(codes, rows)
    return left, right, dropped


# ---------------------------------------------------------------- text


def shingles(text: str) -> list[str]:
    words = WORDS.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return [" ".join(words)] if words else []
    return list({" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - 2)})


def hashed_shingles(texts: pa.ChunkedArray) -> tuple[npt.NDArray[np.uint64], IntArray]:
    """Every advert's distinct shingle hashes, flat, with row offsets (chunked: bounded memory)."""
    flats: list[npt.NDArray[np.uint64]] = []
    lengths: list[IntArray] = []
    for start in range(0, len(texts), TEXT_CHUNK):
        piece = texts.slice(start, TEXT_CHUNK).to_pylist()
        hashed = rensa.RMinHash.hash_token_sets([shingles(t) for t in piece])
        sizes = np.fromiter((len(h) for h in hashed), np.int64, len(hashed))
        lengths.append(sizes)
        flats.append(np.fromiter(itertools.chain.from_iterable(hashed), np.uint64, sizes.sum()))
    offsets = np.r_[0, np.cumsum(np.concatenate(lengths))].astype(np.int64)
    return np.concatenate(flats), offsets


def drop_frequent(
    flat: npt.NDArray[np.uint64], offsets: IntArray, max_adverts: int
) -> tuple[npt.NDArray[np.uint64], IntArray, int]:
    """Shingles carried by more than ``max_adverts`` adverts removed; and how many kinds."""
    _, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    keep = counts[inverse] <= max_adverts
    row = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    kept_offsets = np.r_[0, np.cumsum(np.bincount(row[keep], minlength=len(offsets) - 1))]
    return flat[keep], kept_offsets.astype(np.int64), int((counts > max_adverts).sum())


def signatures(flat: npt.NDArray[np.uint64], offsets: IntArray) -> npt.NDArray[np.uint32]:
    """MinHash signatures (rows × NUM_PERM), computed by rensa in chunks."""
    out = np.empty((len(offsets) - 1, NUM_PERM), np.uint32)
    for start in range(0, len(offsets) - 1, CHUNK):
        stop = min(start + CHUNK, len(offsets) - 1)
        piece = offsets[start : stop + 1]
        matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
            flat[piece[0] : piece[-1]], (piece - piece[0]).astype(np.uint64), NUM_PERM, SEED
        )
        out[start:stop] = np.asarray(matrix.to_rows(), np.uint32)
    return out


def lsh_edges(
    sig: npt.NDArray[np.uint32], empty: npt.NDArray[np.bool_]
) -> tuple[IntArray, IntArray]:
    """Candidates sharing a band (each joined to its bucket's first member), kept when their
    estimated Jaccard similarity reaches THRESHOLD."""
    rows = sig.shape[1] // BANDS
    items = np.flatnonzero(~empty).astype(np.int64)
    lefts, rights = [], []
    for band in range(BANDS):
        block = np.ascontiguousarray(sig[items, band * rows : (band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        _, groups = np.unique(keys, return_inverse=True)
        left, right = star_edges(groups.astype(np.int64).ravel(), items)
        lefts.append(left)
        rights.append(right)
    left, right = np.concatenate(lefts), np.concatenate(rights)
    pairs = np.unique(np.minimum(left, right) * len(sig) + np.maximum(left, right))
    left, right = pairs // len(sig), pairs % len(sig)
    similar = np.empty(len(pairs), bool)
    for start in range(0, len(pairs), CHUNK):
        stop = start + CHUNK
        similar[start:stop] = (sig[left[start:stop]] == sig[right[start:stop]]).mean(
            axis=1
        ) >= THRESHOLD
    return left[similar], right[similar]


# ---------------------------------------------------------------- the linkers


def labels(adverts: pa.Table, cluster: IntArray) -> pa.Table:
    names = pa.array([f"C{c}" for c in cluster], pa.string())
    return pa.table({"advert_id": adverts["advert_id"], "persona_id": names, "network_id": names})


def raw_phones(home: Path, stages: Stages) -> pa.Table:
    """Union-find on extracted phone numbers alone, helpline and site numbers included."""
    with stages.stage("read"):
        engine = open_engine(home)
        adverts = read_adverts(engine).select(["advert_id"])
        contacts = read_contacts(engine, ("phone",))
    with stages.stage("union_find"):
        left, right, _ = contact_edges(adverts, contacts, None)
        result = labels(adverts, components(adverts.num_rows, left, right))
    return result


def lsh_linker(frequency_filter: bool) -> Linker:
    def link(home: Path, stages: Stages) -> pa.Table:
        with stages.stage("read"):
            engine = open_engine(home)
            adverts = read_adverts(engine)
            contacts = read_contacts(engine, ("phone", "email"))
        n = adverts.num_rows
        with stages.stage("shingle") as notes:
            flat, offsets = hashed_shingles(adverts["text"])
            if frequency_filter:
                limit = max(SHINGLE_FLOOR, int(SHINGLE_SHARE * n))
                flat, offsets, dropped = drop_frequent(flat, offsets, limit)
                notes["generic_shingles"] = dropped
        with stages.stage("minhash"):
            sig = signatures(flat, offsets)
        with stages.stage("lsh") as notes:
            text_left, text_right = lsh_edges(sig, np.diff(offsets) == 0)
            notes["text_edges"] = len(text_left)
        with stages.stage("union_find") as notes:
            most = max(CONTACT_FLOOR, int(CONTACT_SHARE * n)) if frequency_filter else None
            left, right, generic = contact_edges(adverts, contacts, most)
            notes["generic_contacts"] = generic
            cluster = components(
                n, np.concatenate([left, text_left]), np.concatenate([right, text_right])
            )
            result = labels(adverts, cluster)
        return result

    return link


def plainsight_linker(home: Path, stages: Stages) -> pa.Table:
    """The link stage of ``plainsight run``, then its personas and networks as labels."""
    from plainsight.link.stage import LinkStage

    with stages.stage("link_stage"):
        workspace = Workspace.open(load_settings(home, operator="bench"))
        LinkStage(workspace, incremental=False).run()  # a full run: nothing reused
    with stages.stage("read"), workspace.reading() as engine:
        placed: pa.Table = engine.run(
            "SELECT p.advert_id, p.persona_id, n.network_id FROM personas p "
            "JOIN networks n USING (persona_id) ORDER BY p.advert_id"
        )
    return placed


LINKERS: dict[str, Linker] = {
    "plainsight": plainsight_linker,
    "raw_phones": raw_phones,
    "lsh_contacts": lsh_linker(frequency_filter=False),
    "lsh_contacts_freq": lsh_linker(frequency_filter=True),
}


# ---------------------------------------------------------------- measuring


def measure(linker: Linker, home: Path, truth_path: Path) -> dict[str, Any]:
    """Run a linker on a workspace; its stages' time and memory, and its scores."""
    stages = Stages()
    start_rss = peak_rss_mb()
    start = time.perf_counter()
    placed = linker(home, stages)
    seconds = time.perf_counter() - start
    result = evaluate_labels(read_truth(truth_path), placed)
    clusters = pc.count_distinct(placed["persona_id"]).as_py()
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": start_rss,
        "stages": stages.records,
        "clusters": clusters,
        "largest_cluster": int(
            pc.max(pc.value_counts(placed["persona_id"]).field("counts")).as_py()
        ),
        "evaluation": result.as_dict(),
    }


def _measure_named(name: str, home: Path, truth_path: Path) -> dict[str, Any]:
    return measure(LINKERS[name], home, truth_path)


def in_fresh_process(name: str, home: Path, truth_path: Path) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_measure_named, name, home, truth_path).result()


def prepare(
    scale: float, seed: int, work: Path, worlds: Path | None, images: bool = False
) -> tuple[Path, Path, dict[str, Any]]:
    """A world and a workspace imported and extracted from it (reused when already built)."""
    world = (worlds or work) / f"world-{scale:g}"
    info: dict[str, Any] = {"images": images}
    if not (world / "world.json").is_file():
        start = time.perf_counter()
        generate_adverts(world, scale=scale, seed=seed, images=images)
        info["generate_seconds"] = round(time.perf_counter() - start, 1)
    home = work / f"ws-{scale:g}"
    if not (home / ".prepared").is_file():
        start = time.perf_counter()
        ws = Workspace.open(load_settings(home, operator="bench"))
        AdvertImport(ws).run([world / "adverts.jsonl"])
        ExtractStage(ws, processes=2).run()
        (home / ".prepared").write_text(json.dumps({"seconds": time.perf_counter() - start}))
    info["prepare_seconds"] = round(json.loads((home / ".prepared").read_text())["seconds"], 1)
    info["world"] = json.loads((world / "world.json").read_text())["counts"]
    return home, world / "truth.jsonl", info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0, 30.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-link"))
    parser.add_argument("--worlds", type=Path, default=None)
    parser.add_argument("--linkers", nargs="+", default=list(LINKERS), choices=list(LINKERS))
    parser.add_argument("--images", action="store_true", help="worlds with pictures")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    runs = json.loads(RESULTS.read_text())["runs"] if RESULTS.is_file() else []
    for scale in args.scales:
        home, truth, info = prepare(scale, args.seed, args.work, args.worlds, args.images)
        for name in args.linkers:
            run = {"scale": scale, "seed": args.seed, "linker": name, **info}
            run.update(in_fresh_process(name, home, truth))
            key = (scale, name, args.images)
            runs = [r for r in runs if _key(r) != key] + [run]
            evaluation = run["evaluation"]
            print(
                f"scale {scale:g} {name:18} {run['seconds']:8.1f}s {run['peak_rss_mb']:7.0f}MB  "
                f"persona {_short(evaluation['persona'])}  network {_short(evaluation['network'])}",
                flush=True,
            )
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(_document(runs), indent=2) + "\n")


def _key(run: dict[str, Any]) -> tuple[float, str, bool]:
    """A run is one (scale, linker, with pictures or not)."""
    return (run["scale"], run["linker"], bool(run.get("images", False)))


def _short(scores: dict[str, float]) -> str:
    return " ".join(f"{k[0].upper()}{scores[k]:.3f}" for k in ("precision", "recall", "f1", "ari"))


def _document(runs: list[dict[str, Any]]) -> dict[str, Any]:
    runs = sorted(runs, key=lambda r: (r["linker"], bool(r.get("images")), r["scale"]))
    return {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.machine(),
            "cores": multiprocessing.cpu_count(),
        },
        "parameters": {
            "num_perm": NUM_PERM,
            "bands": BANDS,
            "jaccard_threshold": THRESHOLD,
            "shingle_words": SHINGLE_WORDS,
            "contact_filter": f"more than max({CONTACT_FLOOR}, {CONTACT_SHARE} x adverts)",
            "shingle_filter": f"more than max({SHINGLE_FLOOR}, {SHINGLE_SHARE} x adverts)",
        },
        "growth": _growth(runs),
        "runs": runs,
    }


def _growth(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Time and memory growth over advert growth between consecutive scales, per linker and
    kind of world (with pictures or not)."""
    out = []
    for name, images in sorted({(r["linker"], bool(r.get("images"))) for r in runs}):
        mine = sorted(
            (r for r in runs if r["linker"] == name and bool(r.get("images")) == images),
            key=lambda r: r["scale"],
        )
        for small, large in itertools.pairwise(mine):
            size = large["world"]["adverts"] / small["world"]["adverts"]
            out.append(
                {
                    "linker": name,
                    "images": images,
                    "from_scale": small["scale"],
                    "to_scale": large["scale"],
                    "adverts_ratio": round(size, 2),
                    "time_ratio": round(large["seconds"] / small["seconds"], 2),
                    "memory_ratio": round(large["peak_rss_mb"] / small["peak_rss_mb"], 2),
                }
            )
    return out


if __name__ == "__main__":
    main()
