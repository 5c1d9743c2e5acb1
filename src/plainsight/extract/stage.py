"""``plainsight run``'s extraction stage: every capture not yet extracted, into the lake.

Incremental: a capture is extracted once (``extractions`` records it with the extractors'
version; a new version re-extracts everything). Text work runs in a pool of processes over
chunks of captures; each chunk is committed atomically, so a killed run loses at most one
chunk and the next run picks up where it stopped. Pictures are fingerprinted once per
SHA-256. The price indicator, which compares each advert with the local median, is
recomputed over the whole lake at the end of each run (``price_hits``, ``price_medians``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from plainsight.extract import sql
from plainsight.extract.facts import TEXT_FIELDS, AdvertText
from plainsight.extract.fingerprints import Fingerprint, fingerprint_many
from plainsight.extract.gazetteer import Gazetteer
from plainsight.extract.pipeline import VERSION, AdvertExtraction, ExtractionConfig
from plainsight.extract.prices import PriceIndicator, area_of, hourly_prices, medians
from plainsight.extract.rows import fact_from, fact_row, hit_row
from plainsight.lake.schemas import (
    EXTRACTIONS,
    FACTS,
    IMAGE_FINGERPRINTS,
    INDICATOR_HITS,
    PRICE_MEDIANS,
)
from plainsight.workspace import Workspace

Progress = Callable[[str, int, int], None]  # (what, done, total)
CHUNK = 20_000
TASK = 1_000
IMAGE_CHUNK = 5_000

_worker: AdvertExtraction | None = None


def _start_worker(config: ExtractionConfig) -> None:
    global _worker
    _worker = AdvertExtraction(config)


def advert_text(row: dict[str, Any]) -> AdvertText:
    fields = {name: row.get(name) or "" for name in TEXT_FIELDS}
    return AdvertText(row["source"], row["ad_id"], fields, row.get("age"))


def extract_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Facts and hits for a list of capture rows (runs in a worker process)."""
    extraction = _worker or AdvertExtraction()
    facts: list[dict[str, Any]] = []
    hits: list[dict[str, Any]] = []
    for row in rows:
        result = extraction.run(advert_text(row))
        facts.extend(fact_row(row["capture_id"], row["advert_id"], f) for f in result.facts)
        hits.extend(hit_row(row["capture_id"], row["advert_id"], h) for h in result.hits)
    return facts, hits


@dataclass
class ExtractReport:
    captures: int = 0
    facts: int = 0
    hits: int = 0
    images: int = 0
    image_errors: int = 0
    price_hits: int = 0
    rebuilt: bool = False


def _fingerprint_row(item: Fingerprint | tuple[str, str]) -> dict[str, Any]:
    if isinstance(item, tuple):
        return {"sha256": item[0], "error": item[1], "pdq_dihedral": []}
    return {
        "sha256": item.sha256,
        "phash": item.phash,
        "dhash": item.dhash,
        "phash_mirror": item.phash_mirror,
        "phash_centre": item.phash_centre,
        "pdq": item.pdq,
        "pdq_quality": item.pdq_quality,
        "pdq_dihedral": list(item.pdq_dihedral),
        "width": item.width,
        "height": item.height,
        "error": None,
    }


class ExtractStage:
    """Extract facts, indicator hits and picture fingerprints for a workspace."""

    def __init__(
        self, workspace: Workspace, progress: Progress | None = None, processes: int = 0
    ) -> None:
        self.ws = workspace
        self.progress = progress or (lambda _what, _done, _total: None)
        self.processes = processes
        gazetteer = Gazetteer.load(workspace.home / "gazetteer")
        self.config = ExtractionConfig(gazetteer=gazetteer)

    def run(self) -> ExtractReport:
        report = ExtractReport()
        with self.ws.reading() as engine:
            stale = engine.run(sql.STALE_EXTRACTIONS, [VERSION]).column(0)[0].as_py()
        if stale:
            self._forget_extractions()
            report.rebuilt = True
        with self.ws.reading() as engine:
            pending = engine.run(sql.PENDING_CAPTURES).column("capture_id").to_pylist()
        self._extract_text(pending, report)
        self._fingerprint(report)
        self._prices(report)
        return report

    def _forget_extractions(self) -> None:
        with self.ws.lake.transaction(note="extract: new extractor version") as tx:
            for name, schema in (
                ("facts", FACTS),
                ("indicator_hits", INDICATOR_HITS),
                ("extractions", EXTRACTIONS),
            ):
                tx.replace(name, schema.empty_table())

    def _pool(self) -> ProcessPoolExecutor | None:
        if self.processes == 1:
            return None
        # Not fork: a process that has loaded threaded libraries (WeasyPrint's Pango, Twisted)
        # can leave a forked child holding a lock forever or crashing; forkserver starts
        # workers from a clean process.
        context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
        return ProcessPoolExecutor(
            max_workers=self.processes or None,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.config,),
        )

    def _extract_text(self, pending: Sequence[str], report: ExtractReport) -> None:
        if not pending:
            return
        pool = self._pool()
        if pool is None:
            _start_worker(self.config)
        try:
            for start in range(0, len(pending), CHUNK):
                chunk = list(pending[start : start + CHUNK])
                self._extract_chunk(chunk, pool, report)
                self.progress("extract text", min(start + CHUNK, len(pending)), len(pending))
        finally:
            if pool is not None:
                pool.shutdown()

    def _extract_chunk(
        self, ids: list[str], pool: ProcessPoolExecutor | None, report: ExtractReport
    ) -> None:
        with self.ws.reading() as engine:
            engine.register("chunk_ids", pa.table({"capture_id": ids}))
            rows = engine.run(sql.CAPTURE_TEXT).to_pylist()
        tasks = [rows[i : i + TASK] for i in range(0, len(rows), TASK)]
        results: Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = (
            pool.map(extract_rows, tasks) if pool else map(extract_rows, tasks)
        )
        facts: list[dict[str, Any]] = []
        hits: list[dict[str, Any]] = []
        for task_facts, task_hits in results:
            facts.extend(task_facts)
            hits.extend(task_hits)
        now = self.ws.clock()
        with self.ws.lake.transaction(note=f"extract {len(ids)} captures") as tx:
            tx.append("facts", pa.Table.from_pylist(facts, schema=FACTS))
            tx.append("indicator_hits", pa.Table.from_pylist(hits, schema=INDICATOR_HITS))
            done = [{"capture_id": i, "extracted_at": now, "version": VERSION} for i in ids]
            tx.append("extractions", pa.Table.from_pylist(done, schema=EXTRACTIONS))
        report.captures += len(ids)
        report.facts += len(facts)
        report.hits += len(hits)

    def _fingerprint(self, report: ExtractReport) -> None:
        with self.ws.reading() as engine:
            shas = engine.run(sql.UNFINGERPRINTED_IMAGES).column("sha256").to_pylist()
        for start in range(0, len(shas), IMAGE_CHUNK):
            chunk = shas[start : start + IMAGE_CHUNK]
            items = ((sha, self.ws.evidence.path_for(sha).read_bytes()) for sha in chunk)
            rows = [_fingerprint_row(f) for f in fingerprint_many(items, self.processes)]
            with self.ws.lake.transaction(note=f"fingerprint {len(rows)} pictures") as tx:
                tx.append(
                    "image_fingerprints", pa.Table.from_pylist(rows, schema=IMAGE_FINGERPRINTS)
                )
            report.images += len(rows)
            report.image_errors += sum(1 for r in rows if r["error"])
            self.progress("fingerprint pictures", start + len(chunk), len(shas))

    def _prices(self, report: ExtractReport) -> None:
        with self.ws.reading() as engine:
            rows = engine.run(sql.PRICE_FACTS).to_pylist()
        by_capture: dict[str, list[Any]] = {}
        latest: dict[str, bool] = {}
        advert_of: dict[str, str] = {}
        for row in rows:
            by_capture.setdefault(row["capture_id"], []).append(fact_from(row))
            latest[row["capture_id"]] = bool(row["latest"])
            advert_of[row["capture_id"]] = row["advert_id"]
        found = medians(
            (area_of(facts), hourly_prices(facts))
            for capture, facts in by_capture.items()
            if latest[capture]
        )
        indicator = PriceIndicator(AdvertExtraction(self.config).indicators, found)
        hits = [
            hit_row(capture, advert_of[capture], hit)
            for capture, facts in sorted(by_capture.items())
            for hit in indicator.hits(AdvertText("", "", {}), facts)
        ]
        table = [
            {"area": area, "median_per_hour": value, "adverts": found.adverts[area]}
            for area, value in sorted(found.by_area.items())
        ]
        with self.ws.lake.transaction(note="price medians") as tx:
            tx.replace("price_hits", pa.Table.from_pylist(hits, schema=INDICATOR_HITS))
            tx.replace("price_medians", pa.Table.from_pylist(table, schema=PRICE_MEDIANS))
        report.price_hits = len(hits)
