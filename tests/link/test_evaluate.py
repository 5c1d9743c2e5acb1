"""Pairwise scores and ARI from contingency counts, checked by hand and by brute force; and the
workspace evaluation on a synthetic world's truth."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from plainsight.capture.importer import advert_id
from plainsight.errors import PlainsightError
from plainsight.lake.engine import DuckDBEngine
from plainsight.link.evaluate import (
    evaluate_labels,
    evaluate_workspace,
    pairwise_scores,
    read_truth,
)
from plainsight.synth.adverts import generate_adverts


def brute_force(truth: list[int], predicted: list[int]) -> tuple[float, float, float, float]:
    """Precision, recall, F1 and ARI by looking at every pair (the pair-confusion form)."""
    tp = fp = fn = tn = 0
    for i, j in itertools.combinations(range(len(truth)), 2):
        same_true, same_pred = truth[i] == truth[j], predicted[i] == predicted[j]
        tp += same_true and same_pred
        fp += same_pred and not same_true
        fn += same_true and not same_pred
        tn += not same_true and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    denominator = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)
    ari = 2 * (tp * tn - fn * fp) / denominator if denominator else 1.0
    return precision, recall, f1, ari


def test_hand_computed_example() -> None:
    # Contingency [[2, 1, 0], [0, 1, 2]]: 2 agreeing pairs, 6 true, 3 predicted, 15 in all;
    # expected index 6*3/15 = 1.2, maximum (6+3)/2 = 4.5, ARI (2-1.2)/(4.5-1.2) = 8/33.
    scores = pairwise_scores([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])
    assert (scores.correct_pairs, scores.true_pairs, scores.predicted_pairs) == (2, 6, 3)
    assert scores.precision == pytest.approx(2 / 3)
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.f1 == pytest.approx(4 / 9)
    assert scores.ari == pytest.approx(8 / 33)


def test_labels_are_names_not_numbers() -> None:
    same = pairwise_scores(["P-1", "P-1", "P-2"], ["x", "x", "y"])
    assert (same.precision, same.recall, same.f1, same.ari) == (1.0, 1.0, 1.0, 1.0)
    swapped = pairwise_scores(["a", "a", "b", "b"], ["b", "b", "a", "a"])
    assert swapped.ari == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force_on_random_labelings(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randrange(2, 40)
    truth = [rng.randrange(rng.randrange(1, n + 1)) for _ in range(n)]
    predicted = [rng.randrange(rng.randrange(1, n + 1)) for _ in range(n)]
    scores = pairwise_scores(truth, predicted)
    expected = brute_force(truth, predicted)
    assert (scores.precision, scores.recall, scores.f1, scores.ari) == pytest.approx(expected)


def test_everyone_in_one_cluster_has_poor_precision() -> None:
    # The helpline footer's effect: one giant cluster, recall perfect, precision tiny.
    truth = [i // 5 for i in range(500)]
    scores = pairwise_scores(truth, [0] * 500)
    assert scores.recall == 1.0
    assert scores.precision == pytest.approx(4 / 499)
    assert abs(scores.ari) < 1e-9


def test_refuses_mismatched_or_null_labels() -> None:
    with pytest.raises(ValueError, match="length"):
        pairwise_scores([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="null"):
        pairwise_scores(["a", None], ["a", "b"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_adverts(out, scale=0.3, seed=11, images=False)
    return out


@pytest.fixture(scope="module")
def truth_lines(world: Path) -> list[dict[str, str]]:
    return [orjson.loads(line) for line in (world / "truth.jsonl").read_bytes().splitlines()]


def linking_tables(lines: list[dict[str, str]]) -> tuple[pa.Table, pa.Table]:
    """``personas`` and ``networks`` as linking writes them, made from truth lines."""
    personas = pa.table(
        {
            "advert_id": [advert_id(t["source"], t["ad_id"]) for t in lines],
            "persona_id": [t["persona_id"] for t in lines],
        }
    )
    pairs = sorted({(t["persona_id"], t["network_id"]) for t in lines})
    networks = pa.table({"persona_id": [p for p, _ in pairs], "network_id": [n for _, n in pairs]})
    return personas, networks


def test_read_truth_gives_lake_advert_ids(world: Path, truth_lines: list[dict[str, str]]) -> None:
    truth = read_truth(world / "truth.jsonl")
    assert truth.num_rows == len(truth_lines)
    first = truth_lines[0]
    assert truth.column("advert_id")[0].as_py() == advert_id(first["source"], first["ad_id"])


def test_workspace_that_is_the_truth_scores_one(
    world: Path, truth_lines: list[dict[str, str]]
) -> None:
    engine = DuckDBEngine()
    personas, networks = linking_tables(truth_lines)
    engine.register("personas", personas)
    engine.register("networks", networks)
    result = evaluate_workspace(engine, world / "truth.jsonl")
    assert result.persona.f1 == 1.0 and result.persona.ari == pytest.approx(1.0)
    assert result.network.f1 == 1.0
    assert result.persona.items == result.truth_adverts == len(truth_lines)
    assert (result.without_persona, result.without_network, result.not_in_truth) == (0, 0, 0)


def test_missing_adverts_are_counted_and_cost_recall(
    world: Path, truth_lines: list[dict[str, str]]
) -> None:
    personas, networks = linking_tables(truth_lines)
    # The workspace never placed the first 100 adverts, lost one persona's network, and
    # placed an advert the truth does not know.
    personas = personas.slice(100)
    personas = pa.concat_tables(
        [personas, pa.table({"advert_id": ["Aunknown"], "persona_id": ["P-x"]})]
    )
    lost = personas.column("persona_id")[0].as_py()
    networks = networks.filter(pa.compute.not_equal(networks["persona_id"], lost))
    lost_adverts = sum(1 for t in truth_lines[100:] if t["persona_id"] == lost)
    result = evaluate_labels(
        read_truth(world / "truth.jsonl"),
        personas.join(networks, "persona_id", join_type="left outer"),
    )
    assert result.without_persona == 100
    assert result.without_network == 100 + lost_adverts
    assert result.not_in_truth == 1
    assert result.persona.items == len(truth_lines)
    assert result.persona.precision == 1.0 and result.persona.recall < 1.0
    assert result.network.recall < 1.0


def test_workspace_without_linking_is_refused(world: Path) -> None:
    with pytest.raises(PlainsightError, match="personas"):
        evaluate_workspace(DuckDBEngine(), world / "truth.jsonl")
