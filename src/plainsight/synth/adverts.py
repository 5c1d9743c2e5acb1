"""Generate the synthetic advert world: adverts, pictures, ground truth and a world summary.

:func:`generate_adverts` plans the world's groups (independent workers, controlled networks,
agencies), builds them one at a time in order of their start, lets their personas post, and
streams every capture through a day-bucketed spool into ``adverts.jsonl`` in time order.
Memory stays bounded at any scale; the same ``(scale, seed)`` gives byte-identical files.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from plainsight.synth.actors import Kind, WorldBuilder, plan_world
from plainsight.synth.album import ImageStore, StockPictures
from plainsight.synth.numbers import HELPLINE
from plainsight.synth.postings import Poster
from plainsight.synth.sites import SITES, generic_numbers
from plainsight.synth.spool import TimeSpool

__all__ = ["AdvertWorldSummary", "generate_adverts"]

WORLD_END = datetime(2024, 1, 1, tzinfo=UTC)
"""The world's span ends at the close of 2023."""

SCALE_PER_YEAR = 60.0
"""Above this scale the span grows by whole years, so the ~19,000 drama numbers suffice."""

PROGRESS_EVERY = 100
"""Personas between two progress reports."""


@dataclass(frozen=True)
class AdvertWorldSummary:
    out_dir: Path
    adverts: int
    """Distinct (source, ad_id)."""
    captures: int
    """Lines written to the interchange file."""
    personas: int
    networks: int
    """Controlled networks and agencies (not counting independents)."""
    images: int
    """Distinct image files written."""
    seed: int
    scale: float


def span_years(scale: float) -> int:
    """Years the world spans: one up to scale 60, then one more per 60 of scale."""
    return max(1, math.ceil(scale / SCALE_PER_YEAR))


def generate_adverts(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 0,
    images: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> AdvertWorldSummary:
    """Write a synthetic advert world to ``out_dir`` and return what it holds.

    Writes ``adverts.jsonl`` (interchange format, ordered by ``captured_at``), ``truth.jsonl``
    (persona, network and actor of every advert), ``world.json`` (counts, date range and the
    generic identifiers planted) and, unless ``images`` is false, ``images/``. Scale 1 is about
    3,000 adverts; adverts grow linearly with ``scale``. ``on_progress(done, total)`` is called
    every 100 personas (and at the end), counting personas built.

    Raises ``ValueError`` if ``scale`` is not positive.

    Example::

        summary = generate_adverts(Path("world"), scale=0.5, seed=7, images=False)
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    out_dir.mkdir(parents=True, exist_ok=True)
    years = span_years(scale)
    start = WORLD_END.replace(year=WORLD_END.year - years)
    span_days = (WORLD_END - start).days

    store = ImageStore(out_dir, enabled=images)
    stock = StockPictures(store, tuple(s.slug for s in SITES), random.Random(f"{seed}:stock"))
    plans = plan_world(random.Random(f"{seed}:plan"), scale, span_days)
    builder = WorldBuilder(seed, store, stock, span_days)
    poster = Poster(start, span_days, stock)
    spool = TimeSpool(out_dir / ".spool")
    total_personas = sum(p.size for p in plans)
    done = reported = adverts = networks = 0

    with (out_dir / "truth.jsonl").open("wb") as truth:
        for plan in plans:
            group = builder.build(plan)
            networks += plan.kind is not Kind.INDEPENDENT
            rng = random.Random(f"{seed}:{plan.kind}:{plan.index}:posts")
            pic_rng = random.Random(f"{seed}:{plan.kind}:{plan.index}:picks")
            for advert in poster.post(group, rng, pic_rng):
                adverts += 1
                truth_row = {
                    "source": advert.site.slug,
                    "ad_id": advert.ad_id,
                    "persona_id": advert.persona.persona_id,
                    "network_id": group.network_id,
                    "actor": str(group.kind),
                }
                truth.write(orjson.dumps(truth_row) + b"\n")
                for number, capture in enumerate(advert.captures):
                    stamp = capture.record["captured_at"]
                    key = f"{stamp}|{advert.site.slug}|{advert.ad_id}|{number:03d}"
                    spool.add(capture.seconds // 86_400, key, orjson.dumps(capture.record))
            done += plan.size
            if on_progress is not None and done - reported >= PROGRESS_EVERY:
                on_progress(done, total_personas)
                reported = done

    with (out_dir / "adverts.jsonl").open("wb") as out:
        captures = spool.drain(out)

    summary = AdvertWorldSummary(
        out_dir=out_dir,
        adverts=adverts,
        captures=captures,
        personas=total_personas,
        networks=networks,
        images=store.count,
        seed=seed,
        scale=scale,
    )
    world = {
        "version": 1,
        "seed": seed,
        "scale": scale,
        "date_range": {
            "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": (WORLD_END - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "counts": {
            "adverts": adverts,
            "captures": captures,
            "personas": total_personas,
            "networks": networks,
            "controlled_networks": sum(p.kind is Kind.NETWORK for p in plans),
            "agencies": sum(p.kind is Kind.AGENCY for p in plans),
            "independents": sum(p.kind is Kind.INDEPENDENT for p in plans),
            "images": store.count,
        },
        "generic": {
            "phones": [n.e164 for n in generic_numbers()],
            "images": stock.paths(),
            "sentences": list(dict.fromkeys(s for site in SITES for s in site.footer_sentences())),
        },
        "helpline": HELPLINE.e164,
        "numbers": {
            "fresh_left": builder.pool.fresh_left,
            "recycled": dict(sorted(builder.pool.recycled.items())),
            "recycled_overlapping": builder.pool.overlaps,
        },
    }
    (out_dir / "world.json").write_bytes(orjson.dumps(world, option=orjson.OPT_INDENT_2) + b"\n")
    if on_progress is not None:
        on_progress(total_personas, total_personas)
    return summary
