"""The large synthetic force: the contract's files, the sizes asked for, realistic mixes."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from plainsight.crime.importer import load_records
from plainsight.synth.crime_large import LAST_YEAR, generate_large_force

CRIMES, MDSHT = 6_000, 240


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def slavery(code: str) -> bool:
    return code == "106" or code.startswith("106/")


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large-force")
    generate_large_force(folder, crimes=CRIMES, mdsht=MDSHT, years=3, seed=1)
    return folder


@pytest.fixture(scope="module")
def crimes(force: Path) -> list[dict[str, str]]:
    return read(force / "crimes.csv")


@pytest.fixture(scope="module")
def victims(force: Path) -> list[dict[str, str]]:
    return read(force / "victims.csv")


def test_sizes_are_as_asked(crimes: list[dict[str, str]]) -> None:
    assert len(crimes) == CRIMES
    assert sum(slavery(c["ho_offence_code"]) for c in crimes) == MDSHT
    assert len({c["crime_ref"] for c in crimes}) == CRIMES
    years = Counter(re.search(r"(20\d\d)", c["recorded_date"]).group(1) for c in crimes)  # type: ignore[union-attr]
    assert set(years) == {str(y) for y in range(LAST_YEAR - 2, LAST_YEAR + 1)}


def test_every_slavery_crime_has_victims_and_only_they_do(
    crimes: list[dict[str, str]], victims: list[dict[str, str]]
) -> None:
    codes = {c["crime_ref"]: c["ho_offence_code"] for c in crimes}
    per_crime = Counter(v["crime_ref"] for v in victims)
    assert all(slavery(codes[ref]) for ref in per_crime)
    assert len(per_crime) == MDSHT
    several = sum(n > 1 for n in per_crime.values())
    assert 0.05 * MDSHT < several < 0.3 * MDSHT


def test_victim_mixes_are_realistic(victims: list[dict[str, str]]) -> None:
    sexes = Counter(v["sex"] for v in victims)
    males = sexes["M"] + sexes["Male"]
    females = sexes["F"] + sexes["Female"]
    assert males > females > 0 and sexes[""] + sexes["U"] > 0
    assert {v["ethnicity_ic"] for v in victims} >= {"IC1", "IC2", "IC3", "IC4", "IC5", "IC9", ""}
    ages = [int(v["age"]) for v in victims if v["age"]]
    assert min(ages) < 18 and max(ages) > 55
    assert any(v["date_of_birth"] and not v["age"] for v in victims)
    kinds = Counter(v["exploitation_type"] for v in victims)
    assert kinds.most_common(1)[0][0] == "labour" and len(kinds) == 5


def test_dates_markers_and_statuses_as_exports_write_them(crimes: list[dict[str, str]]) -> None:
    recorded = [c["recorded_date"] for c in crimes]
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", r) for r in recorded)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", r) for r in recorded)
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4}", r) for r in recorded)
    assert {c["status"] for c in crimes} == {"recorded", "", "cancelled", "transferred"}
    marked = [c for c in crimes if slavery(c["ho_offence_code"])]
    assert 0.85 < sum(c["ms_flag"] == "Y" for c in marked) / len(marked) < 1


def test_outcomes_mix_interim_rows_and_pending_crimes(
    force: Path, crimes: list[dict[str, str]]
) -> None:
    outcomes = read(force / "outcomes.csv")
    codes = Counter(o["outcome_code"] for o in outcomes)
    assert codes.most_common(1)[0][0] == "18" and codes["0"] > 0 and codes["1"] > 0
    with_outcome = {o["crime_ref"] for o in outcomes}
    assert 0.7 * CRIMES < len(with_outcome) < 0.97 * CRIMES


def test_the_importer_reads_every_row(force: Path) -> None:
    records = load_records(force)
    assert records.rejects == []
    assert len(records.crimes) == CRIMES
    assert sum(records.is_mdsht(c) for c in records.crimes) == MDSHT


def test_same_seed_same_bytes_other_seed_other_bytes(force: Path, tmp_path: Path) -> None:
    generate_large_force(tmp_path / "again", crimes=CRIMES, mdsht=MDSHT, years=3, seed=1)
    generate_large_force(tmp_path / "other", crimes=CRIMES, mdsht=MDSHT, years=3, seed=2)
    for name in ("crimes.csv", "victims.csv", "outcomes.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (force / name).read_bytes()
        assert (tmp_path / "other" / name).read_bytes() != (force / name).read_bytes()
    assert "SYNTHETIC" in (force / "README.txt").read_text()


@pytest.mark.parametrize(("crimes", "mdsht", "years"), [(10, 11, 5), (-1, 0, 5), (10, 1, 0)])
def test_impossible_sizes_are_refused(tmp_path: Path, crimes: int, mdsht: int, years: int) -> None:
    with pytest.raises(ValueError):
        generate_large_force(tmp_path, crimes=crimes, mdsht=mdsht, years=years)
