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
from plainsight.link.personas import link_personas_into
from plainsight.ops.decisions import decisions
from plainsight.workspace import Workspace

Progress = Callable[[str, int, int], None]
STEPS = ("generic identifiers", "features", "personas", "networks", "scores")
STREAMED = ("persona_links", "persona_pair_cache")
"""Tables written a chunk at a time as they are made (too large to hold at a million adverts)."""


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
        # One transaction for the whole run: the persona links and the pair cache are written
        # into it a chunk at a time as Splink scores them, and published with the rest.
        with self.ws.lake.transaction(note="link and assess") as tx:
            previous = (
                tx.base.files(self.ws.lake.dir, "persona_pair_cache") if self.incremental else []
            )
            for name in STREAMED:
                tx.replace(name, pa.table({}))
            engine = self.ws.engine()
            try:
                generic = find_generic(engine, decided)
                engine.register("generic_identifiers", generic)
                self._step(1)
                features = build_features(engine, generic)
                engine.register("advert_features", features)
                self._step(2)
                run = link_personas_into(engine, features, tx.append, previous=previous)
                personas = run.personas
                engine.register("personas", personas)
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
                "networks": networks,
                "network_links": network_links,
                "network_scores": scores,
            }
            for name, table in tables.items():
                tx.replace(name, table)
        return LinkReport(
            pairs_scored=run.pairs_scored,
            pairs_reused=run.pairs_reused,
            adverts=features.num_rows,
            generic=int(pa.compute.sum(generic["generic"]).as_py() or 0),
            personas=len(set(personas["persona_id"].to_pylist())),
            networks=len(set(networks["network_id"].to_pylist())),
            persona_links=run.links,
            network_links=network_links.num_rows,
        )
