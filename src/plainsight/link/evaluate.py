"""How well linking agrees with a ground truth: pairwise scores and adjusted Rand index.

Two labelings of the same adverts (the truth's persona or network, and the workspace's) are
compared over pairs of adverts: a pair is *predicted* linked when both adverts carry the same
predicted label, *truly* linked when they carry the same true label. Precision is the share
of predicted pairs that are true, recall the share of true pairs that were predicted. Nothing
enumerates pairs: every count comes from the contingency table of (true, predicted) labels,
so scoring a million adverts takes a second.

An advert the truth names but the workspace has not placed (no persona, or a persona with no
network) is scored as a cluster of its own, so it costs recall rather than vanishing, and is
counted in :class:`Evaluation`; an advert the workspace has but the truth does not name is
counted and left out (there is nothing to compare it with).

    >>> pairwise_scores(["a", "a", "b", "b"], ["x", "x", "x", "y"]).precision
    0.3333333333333333
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from plainsight.capture.importer import advert_id
from plainsight.errors import PlainsightError
from plainsight.lake.engine import Engine

Labels: TypeAlias = Sequence[Any] | npt.NDArray[Any] | pa.Array | pa.ChunkedArray
"""One label per item; equal labels mean the same cluster. Nulls are not allowed here."""


@dataclass(frozen=True)
class Scores:
    """Pairwise agreement of a predicted clustering with the true one."""

    items: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    ari: float

    def summary(self) -> str:
        return (
            f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"ARI {self.ari:.3f}  ({self.items:,} adverts)"
        )


@dataclass(frozen=True)
class Evaluation:
    """Scores at the persona and network levels, and what could not be compared."""

    persona: Scores
    network: Scores
    truth_adverts: int
    without_persona: int
    """Adverts in the truth with no persona in the workspace (scored as singletons)."""
    without_network: int
    """Adverts in the truth whose persona has no network (scored as singletons)."""
    not_in_truth: int
    """Adverts the workspace placed that the truth does not name (left out)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _codes(labels: Labels) -> npt.NDArray[np.int64]:
    """Dense integer codes for labels, by hashing (no sort)."""
    array = labels if isinstance(labels, pa.Array | pa.ChunkedArray) else pa.array(labels)
    if array.null_count:
        raise ValueError("labels must not be null")
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    return np.asarray(encoded.indices, dtype=np.int64)


def _pairs_within(counts: npt.NDArray[np.int64]) -> int:
    """Sum over clusters of size n of n(n-1)/2."""
    return int((counts * (counts - 1) // 2).sum())


def _cluster_sizes(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return np.bincount(codes).astype(np.int64)


def pairwise_scores(truth: Labels, predicted: Labels) -> Scores:
    """Pairwise precision, recall, F1 and adjusted Rand index of ``predicted`` against ``truth``.

    Both give one label per item, in the same order. With no predicted pairs precision is 1
    (nothing claimed, nothing wrong); with no true pairs recall is 1. The adjusted Rand index
    is Hubert and Arabie's: 1 for identical clusterings, about 0 for chance agreement.

    Raises:
        ValueError: the labelings differ in length or hold nulls.
    """
    t = _codes(truth)
    p = _codes(predicted)
    if len(t) != len(p):
        raise ValueError(f"labelings differ in length: {len(t)} true, {len(p)} predicted")
    n = len(t)
    joint = t * (int(p.max()) + 1 if n else 1) + p
    cell_counts = np.asarray(pc.value_counts(pa.array(joint)).field("counts"), dtype=np.int64)
    correct = _pairs_within(cell_counts)
    true_pairs = _pairs_within(_cluster_sizes(t))
    predicted_pairs = _pairs_within(_cluster_sizes(p))
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    all_pairs = n * (n - 1) // 2
    expected = true_pairs * predicted_pairs / all_pairs if all_pairs else 0.0
    best = (true_pairs + predicted_pairs) / 2
    ari = (correct - expected) / (best - expected) if best != expected else 1.0
    return Scores(n, true_pairs, predicted_pairs, correct, precision, recall, f1, ari)


TRUTH_SCHEMA = pa.schema(
    [("advert_id", pa.string()), ("persona_id", pa.string()), ("network_id", pa.string())]
)


def read_truth(path: Path) -> pa.Table:
    """A truth file (``source``, ``ad_id``, ``persona_id``, ``network_id`` per line) as a table
    of ``advert_id``, ``persona_id``, ``network_id`` (the lake's advert ids).

    Raises:
        PlainsightError: the file is missing, or a line lacks a field.
    """
    if not path.is_file():
        raise PlainsightError(f"no truth file at {path}")
    columns: dict[str, list[str]] = {name: [] for name in TRUTH_SCHEMA.names}
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
                key = advert_id(str(record["source"]), str(record["ad_id"]))
                persona, network = str(record["persona_id"]), str(record["network_id"])
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                raise PlainsightError(f"{path}:{number}: not a truth line ({exc})") from exc
            columns["advert_id"].append(key)
            columns["persona_id"].append(persona)
            columns["network_id"].append(network)
    return pa.table(columns, schema=TRUTH_SCHEMA)


def _with_singletons(labels: pa.ChunkedArray, prefix: str) -> pa.Array:
    """Labels with each null replaced by a label of its own."""
    filled = labels.combine_chunks().cast(pa.string())
    missing = pc.is_null(filled)
    count = pc.sum(missing).as_py() or 0
    if not count:
        return filled
    own = pa.array([f"\x00{prefix}{i}" for i in range(count)], pa.string())
    return pc.replace_with_mask(filled, missing, own)


def evaluate_labels(truth: pa.Table, predicted: pa.Table) -> Evaluation:
    """Score predicted labels (``advert_id``, ``persona_id``, ``network_id``; either id may be
    null) against a truth table from :func:`read_truth`.

    Raises:
        ValueError: an advert appears twice in ``predicted`` or in ``truth``.
    """
    for name, table in (("truth", truth), ("predicted", predicted)):
        if pc.count_distinct(table["advert_id"]).as_py() != table.num_rows:
            raise ValueError(f"an advert appears more than once in the {name} labels")
    left = truth.select(["advert_id", "persona_id", "network_id"])
    right = predicted.select(["advert_id", "persona_id", "network_id"]).rename_columns(
        ["advert_id", "predicted_persona", "predicted_network"]
    )
    joined = left.join(right, "advert_id", join_type="left outer")
    placed = pc.is_valid(predicted["persona_id"])
    known = pc.is_in(predicted["advert_id"], value_set=truth["advert_id"])
    not_in_truth = pc.sum(pc.and_(placed, pc.invert(known))).as_py() or 0
    persona = joined["predicted_persona"]
    network = joined["predicted_network"]
    return Evaluation(
        persona=pairwise_scores(joined["persona_id"], _with_singletons(persona, "p")),
        network=pairwise_scores(joined["network_id"], _with_singletons(network, "n")),
        truth_adverts=truth.num_rows,
        without_persona=persona.null_count,
        without_network=network.null_count,
        not_in_truth=int(not_in_truth),
    )


def placement_sql() -> str:
    """Each advert's persona and that persona's network, from the linking tables."""
    return (
        "SELECT p.advert_id, p.persona_id, n.network_id "
        "FROM personas AS p LEFT JOIN networks AS n ON n.persona_id = p.persona_id"
    )


def evaluate_workspace(engine: Engine, truth_path: Path) -> Evaluation:
    """Score the workspace's personas and networks against a truth file.

    Raises:
        PlainsightError: the truth file is unreadable, or linking has not run yet.
    """
    for table in ("personas", "networks"):
        if not engine.table_exists(table):
            raise PlainsightError(f"the workspace has no {table} yet: run linking first")
    return evaluate_labels(read_truth(truth_path), engine.run(placement_sql()))
