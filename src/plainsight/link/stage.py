"""``plainsight run``'s linking and assessment stages, over the whole lake.

Generic identifiers (with analysts' decisions from ops.db) → advert features → personas
(Splink) → networks (graph, components, Leiden) → network scores. All seven tables are
published in one commit, so readers see one run's answer or the previous one's, never a mix.
Ids are derived from each cluster's earliest advert or persona, so they stay the same from
run to run while the cluster's earliest member does, and a rerun over the same lake gives
the same answer as the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from plainsight.assess.score import score_networks
from plainsight.link.features import build_features
from plainsight.link.generic import find_generic
from plainsight.link.networks import GenericSet, build_networks
from plainsight.link.personas import link_personas
from plainsight.ops.decisions import decisions
from plainsight.workspace import Workspace

Progress = Callable[[str, int, int], None]
STEPS = ("generic identifiers", "features", "personas", "networks", "scores")


@dataclass
class LinkReport:
    adverts: int = 0
    generic: int = 0
    personas: int = 0
    networks: int = 0
    persona_links: int = 0
    network_links: int = 0
    pairs_scored: int = 0
    """Candidate pairs Splink scored this run (pairs whose adverts were unchanged are reused)."""
    pairs_reused: int = 0


class LinkStage:
    """Link adverts into personas and networks, and score the networks."""

    def __init__(
        self, workspace: Workspace, progress: Progress | None = None, *, incremental: bool = True
    ) -> None:
        self.ws = workspace
        self.progress = progress or (lambda _what, _done, _total: None)
        self.incremental = incremental

    def _step(self, done: int) -> None:
        self.progress("link", done, len(STEPS))

    def run(self) -> LinkReport:
        with self.ws.ops.session() as session:
            decided = decisions(session)
        engine = self.ws.engine()
        try:
            generic = find_generic(engine, decided)
            engine.register("generic_identifiers", generic)
            self._step(1)
            features = build_features(engine, generic)
            engine.register("advert_features", features)
            self._step(2)
            previous = (
                engine.read_table("persona_pair_cache")
                if self.incremental and engine.table_exists("persona_pair_cache")
                else pa.table({})
            )
            personas, persona_links, cache = link_personas(engine, features, cache=previous)
            engine.register("personas", personas)
            engine.register("persona_links", persona_links)
            self._step(3)
            networks, network_links = build_networks(
                engine, personas, GenericSet.from_table(generic)
            )
            engine.register("networks", networks)
            engine.register("network_links", network_links)
            self._step(4)
            scores = score_networks(engine, networks, personas)
            self._step(5)
        finally:
            engine.close()
        tables: dict[str, pa.Table] = {
            "generic_identifiers": generic,
            "advert_features": features,
            "personas": personas,
            "persona_links": persona_links,
            "networks": networks,
            "network_links": network_links,
            "network_scores": scores,
        }
        if cache is not None:
            tables["persona_pair_cache"] = cache
        with self.ws.lake.transaction(note="link and assess") as tx:
            for name, table in tables.items():
                tx.replace(name, table)
        reused = _reused(previous, cache)
        return LinkReport(
            pairs_scored=(cache.num_rows if cache is not None else 0) - reused,
            pairs_reused=reused,
            adverts=features.num_rows,
            generic=int(pa.compute.sum(generic["generic"]).as_py() or 0),
            personas=len(set(personas["persona_id"].to_pylist())),
            networks=len(set(networks["network_id"].to_pylist())),
            persona_links=persona_links.num_rows,
            network_links=network_links.num_rows,
        )


def _reused(previous: pa.Table, cache: pa.Table | None) -> int:
    """Pairs of this run's cache that the previous run had already scored, unchanged."""
    keys = ["advert_a", "advert_b", "hash_a", "hash_b"]
    if cache is None or not previous.num_rows or not cache.num_rows:
        return 0
    return int(
        cache.select(keys).join(previous.select(keys), keys=keys, join_type="inner").num_rows
    )
