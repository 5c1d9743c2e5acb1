"""Train the persona model from labelled adverts: m/u values and the threshold.

Fellegi-Sunter's unsupervised EM finds the wrong clusters on adverts (a network's personas
agree on phone, text and town far more than two random adverts, so EM learns "network", not
"person"). So the model is learned from labels instead:

1. Block and compare exactly as :func:`plainsight.link.personas.link_personas` does.
2. Among the *blocked* pairs, m of a level is the share of same-persona pairs at that level
   and u the share of different-persona pairs (add-one smoothing), so u describes the hard
   negatives blocking brings together (sister personas of a network, an agency's girls), not
   random pairs. The prior is the share of blocked pairs that are matches.
3. The threshold is the match probability (from a grid) whose connected components give the
   best pairwise F1 on the training labels.

The synthetic world supplies labels (``truth.jsonl``); a force can add its own by passing a
mapping of advert ids to person ids. Re-train and ship the JSON with::

    python -m plainsight.link.train --home WORKSPACE --truth truth.jsonl \\
        --out src/plainsight/link/data/persona_model.json
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from plainsight.lake.engine import Engine
from plainsight.link.evaluate import pairwise_scores, read_truth
from plainsight.link.personas import cluster, score_pairs
from plainsight.link.personas_model import COMPARISONS, PersonaModel

__all__ = ["train_persona_model"]

THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def _f1(clusters: Mapping[str, str], truth: Mapping[str, str]) -> float:
    """Pairwise F1 of ``clusters`` against ``truth`` over the adverts both label."""
    shared = [a for a in clusters if a in truth]
    return pairwise_scores([truth[a] for a in shared], [clusters[a] for a in shared]).f1


def train_persona_model(
    engine: Engine, features: pa.Table, truth: Mapping[str, str], *, notes: str = ""
) -> PersonaModel:
    """Learn m/u values, the prior and the threshold from labelled adverts.

    Args:
        engine: a DuckDB engine bound to the workspace the features came from.
        features: ``ADVERT_FEATURES`` of that workspace.
        truth: ``{advert_id: person id}``; adverts without a label are left out of the counts.
    """
    flat = PersonaModel(m_u={}, prior=0.5)
    scored = score_pairs(engine, features, flat, reasons=False)
    a = scored.column("advert_a").to_pylist()
    b = scored.column("advert_b").to_pylist()
    labelled = [i for i in range(len(a)) if a[i] in truth and b[i] in truth]
    match = [truth[a[i]] == truth[b[i]] for i in labelled]
    m_u: dict[str, list[tuple[float, float]]] = {}
    for comparison in COMPARISONS:
        gamma = scored.column(f"gamma_{comparison.name}").to_pylist()
        levels = sum(1 for level in comparison.levels if not level.null)
        hits = Counter((gamma[i], same) for i, same in zip(labelled, match, strict=True))
        m_total = sum(n for (g, same), n in hits.items() if same and g >= 0) + levels
        u_total = sum(n for (g, same), n in hits.items() if not same and g >= 0) + levels
        m_u[comparison.name] = [
            (
                (hits[(levels - 1 - k, True)] + 1) / m_total,
                (hits[(levels - 1 - k, False)] + 1) / u_total,
            )
            for k in range(levels)
        ]
    matches = sum(match)
    prior = max(matches, 1) / max(len(match), 2)
    model = PersonaModel(
        m_u=m_u,
        prior=prior,
        notes={
            "trained_on": notes,
            "blocked_pairs": len(match),
            "matching_pairs": matches,
            "u_is": "share among blocked non-matching pairs (hard negatives), add-one smoothed",
        },
    )
    best = (-1.0, 0.9)
    final = score_pairs(engine, features, model, reasons=False, floor=min(THRESHOLDS))
    for threshold in THRESHOLDS:
        linked = final.filter(pc.greater_equal(final.column("match_probability"), threshold))
        personas = cluster(features, linked)
        clusters = dict(
            zip(
                personas.column("advert_id").to_pylist(),
                personas.column("persona_id").to_pylist(),
                strict=True,
            )
        )
        f1 = _f1(clusters, truth)
        model.notes[f"f1_at_{threshold}"] = round(f1, 4)
        if f1 > best[0]:
            best = (f1, threshold)
    model.threshold = best[1]
    return model


def main(argv: list[str] | None = None) -> None:
    from plainsight.link.features import build_features
    from plainsight.link.generic import find_generic
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="an extracted workspace")
    parser.add_argument("--truth", type=Path, required=True, help="truth.jsonl of its world")
    parser.add_argument("--out", type=Path, required=True, help="where to write the model JSON")
    parser.add_argument("--note", default="", help="what it was trained on (kept in the JSON)")
    args = parser.parse_args(argv)
    workspace = Workspace.open(load_settings(args.home, operator="train"))
    engine = workspace.engine()
    features = build_features(engine, find_generic(engine))
    labels = read_truth(args.truth)
    truth = dict(
        zip(labels["advert_id"].to_pylist(), labels["persona_id"].to_pylist(), strict=True)
    )
    model = train_persona_model(engine, features, truth, notes=args.note)
    model.save(args.out)
    print(f"wrote {args.out}: threshold {model.threshold}, {model.notes}")


if __name__ == "__main__":
    main()
