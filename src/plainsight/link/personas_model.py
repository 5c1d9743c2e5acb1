"""The persona model: Splink comparisons, their m/u values, and the clustering threshold.

Each comparison is a list of levels, most specific first; a level has a SQL condition over
``ADVERT_FEATURES`` columns (suffixed ``_l``/``_r`` by Splink), a label, and an English
sentence (a SQL expression) used in a link's ``reasons``. The m and u probabilities are
learned from labelled pairs by :func:`plainsight.link.train.train_persona_model` and stored,
with the threshold, in ``data/persona_model.json``; the JSON's ``splink`` part is an ordinary
Splink settings dictionary, so Splink's own tools can read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["COMPARISONS", "Comparison", "Level", "PersonaModel", "splink_settings"]

MODEL_FILE = "persona_model.json"


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    text: str
    """SQL expression giving the sentence an analyst reads (``l``/``r`` values in it)."""
    null: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]


def _min_distance(left: str, right: str) -> str:
    """Fewest differing pHash bits between any picture on the left and any on the right."""
    return (
        f"list_min(list_transform({left}, lambda x: list_min(list_transform({right}, "
        "lambda y: bit_count(xor(x, y))))))"
    )


_SHARED_FILES = "array_length(array_intersect(image_sha256_l, image_sha256_r))"
_PHASH = (
    f"least({_min_distance('phashes_l', 'phashes_r')}, "
    f"{_min_distance('phashes_l', 'phashes_mirror_r')})"
)
_AGE_GAP = (
    "list_min(list_transform(ages_l, lambda a: list_min(list_transform(ages_r, "
    "lambda b: abs(a - b)))))"
)
_SHARED_SHINGLES = "array_length(array_intersect(shingles_l, shingles_r))"
_JACCARD = (
    f"({_SHARED_SHINGLES} / greatest(1, array_length(shingles_l) + array_length(shingles_r) "
    f"- {_SHARED_SHINGLES}))"
)


_JACCARD_2 = f"(round({_JACCARD} * 100) / 100)"
"""The Jaccard similarity to 2 decimals, rounded the same way on every engine."""


def _both(column: str) -> str:
    return f"array_length({column}_l) = 0 OR array_length({column}_r) = 0"


def _joined(column: str, side: str) -> str:
    values = f"{column}_{side}"
    if column == "ages":  # numbers: joined as text
        values = f"list_transform({values}, lambda a: a::VARCHAR)"
    return f"array_to_string({values}, ', ')"


def _shared(column: str) -> str:
    shared = f"list_sort(array_intersect({column}_l, {column}_r))"
    if column == "ages":  # numbers: joined as text
        shared = f"list_transform({shared}, lambda a: a::VARCHAR)"
    return f"array_to_string({shared}, ', ')"


def _presence(name: str, column: str, noun: str, plural: str) -> Comparison:
    return Comparison(
        name,
        f"shared {plural} (generic ones removed)",
        (
            Level("missing", _both(column), f"'no {noun} on one side'", null=True),
            Level(
                "shared",
                f"list_has_any({column}_l, {column}_r)",
                f"'same {noun} ' || {_shared(column)} || ' (not generic)'",
            ),
            Level(
                "different",
                "ELSE",
                f"'{plural} differ: ' || {_joined(column, 'l')} || ' / ' || {_joined(column, 'r')}",
            ),
        ),
    )


COMPARISONS: tuple[Comparison, ...] = (
    _presence("phone", "phones", "phone", "phones"),
    _presence("contact", "contacts", "e-mail or handle", "e-mails and handles"),
    Comparison(
        "name",
        "working names",
        (
            Level("missing", _both("names"), "'no name on one side'", null=True),
            Level(
                "same",
                "list_has_any(names_l, names_r)",
                f"'same name ' || {_shared('names')}",
            ),
            Level(
                "different",
                "ELSE",
                f"'names differ: ' || {_joined('names', 'l')} || ' / ' || {_joined('names', 'r')}",
            ),
        ),
    ),
    Comparison(
        "age",
        "stated ages",
        (
            Level("missing", _both("ages"), "'no age on one side'", null=True),
            Level("same", "list_has_any(ages_l, ages_r)", "'same age ' || " + _shared("ages")),
            Level(
                "within 1",
                f"{_AGE_GAP} <= 1",
                f"'ages 1 year apart: ' || {_joined('ages', 'l')}"
                " || ' / ' || " + _joined("ages", "r"),
            ),
            Level("within 4", f"{_AGE_GAP} <= 4", f"'ages ' || {_AGE_GAP} || ' years apart'"),
            Level("different", "ELSE", f"'ages ' || {_AGE_GAP} || ' years apart'"),
        ),
    ),
    Comparison(
        "picture",
        "pictures: the same file, or perceptually close (pHash, mirrored copies included)",
        (
            Level("missing", _both("phashes"), "'no pictures on one side'", null=True),
            Level(
                "same files",
                f"{_SHARED_FILES} >= 2",
                f"'same pictures (' || {_SHARED_FILES} || ' shared, not generic)'",
            ),
            Level(
                "same file",
                "list_has_any(image_sha256_l, image_sha256_r)",
                f"'same picture (' || {_SHARED_FILES} || ' shared, not generic)'",
            ),
            Level("close", f"{_PHASH} <= 8", f"'pictures ' || {_PHASH} || ' bits apart (pHash)'"),
            Level("near", f"{_PHASH} <= 16", f"'pictures ' || {_PHASH} || ' bits apart (pHash)'"),
            Level(
                "different",
                "ELSE",
                f"'pictures differ (closest ' || {_PHASH} || ' bits apart)'",
            ),
        ),
    ),
    Comparison(
        "text",
        "Jaccard similarity of word 3-grams of the text, generic sentences removed",
        (
            Level("missing", _both("shingles"), "'no text on one side'", null=True),
            Level(
                "near copy",
                f"{_JACCARD} >= 0.6",
                f"'texts nearly the same (Jaccard ' || {_JACCARD_2} || ')'",
            ),
            Level(
                "similar",
                f"{_JACCARD} >= 0.35",
                f"'texts similar (Jaccard ' || {_JACCARD_2} || ')'",
            ),
            Level(
                "some",
                f"{_JACCARD} >= 0.15",
                f"'texts share some phrasing (Jaccard ' || {_JACCARD_2} || ')'",
            ),
            Level(
                "different",
                "ELSE",
                f"'texts differ (Jaccard ' || {_JACCARD_2} || ')'",
            ),
        ),
    ),
    Comparison(
        "town",
        "towns named",
        (
            Level("missing", _both("towns"), "'no town on one side'", null=True),
            Level("same", "list_has_any(towns_l, towns_r)", f"'same town ' || {_shared('towns')}"),
            Level(
                "different",
                "ELSE",
                f"'towns differ: ' || {_joined('towns', 'l')} || ' / ' || {_joined('towns', 'r')}",
            ),
        ),
    ),
)


def splink_settings(
    m_u: dict[str, list[tuple[float, float]]] | None, prior: float
) -> dict[str, Any]:
    """A Splink settings dictionary for :data:`COMPARISONS` with the given m/u values.

    ``m_u[name]`` lists (m, u) for each non-null level of that comparison, in order.
    """
    comparisons = []
    for comparison in COMPARISONS:
        levels: list[dict[str, Any]] = []
        values = iter((m_u or {}).get(comparison.name, []))
        for level in comparison.levels:
            entry: dict[str, Any] = {
                "sql_condition": level.sql,
                "label_for_charts": level.label,
            }
            if level.null:
                entry["is_null_level"] = True
            else:
                m, u = next(values, (0.5, 0.5))
                entry["m_probability"], entry["u_probability"] = m, u
            levels.append(entry)
        comparisons.append(
            {
                "output_column_name": comparison.name,
                "comparison_description": comparison.description,
                "comparison_levels": levels,
            }
        )
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "advert_id",
        "probability_two_random_records_match": prior,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "sql_dialect": "duckdb",
    }


@dataclass
class PersonaModel:
    """m/u values per comparison level, the prior, and the clustering threshold."""

    m_u: dict[str, list[tuple[float, float]]]
    prior: float
    threshold: float = 0.9
    """Pairs at or above this match probability are linked; personas are the linked
    components."""
    notes: dict[str, Any] = field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        return splink_settings(self.m_u, self.prior)

    def to_json(self) -> str:
        return json.dumps(
            {
                "plainsight": {
                    "model": "persona",
                    "threshold": self.threshold,
                    "notes": self.notes,
                },
                "splink": self.settings(),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> PersonaModel:
        data = json.loads(text)
        splink = data["splink"]
        m_u: dict[str, list[tuple[float, float]]] = {}
        for comparison in splink["comparisons"]:
            m_u[comparison["output_column_name"]] = [
                (float(level["m_probability"]), float(level["u_probability"]))
                for level in comparison["comparison_levels"]
                if not level.get("is_null_level")
            ]
        own = data.get("plainsight", {})
        return cls(
            m_u=m_u,
            prior=float(splink["probability_two_random_records_match"]),
            threshold=float(own.get("threshold", 0.9)),
            notes=dict(own.get("notes", {})),
        )

    def save(self, path: Path) -> None:
        path.write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> PersonaModel:
        """The model in ``path``, or the one shipped in the package."""
        if path is not None:
            return cls.from_json(path.read_text(encoding="utf-8"))
        packaged = resources.files("plainsight.link").joinpath("data", MODEL_FILE)
        return cls.from_json(packaged.read_text(encoding="utf-8"))
