"""The synthetic crime world reproduces the seed report's tables, and holds the planted cases.

Everything is counted here by a small reference counter that follows the crime-data contract
literally (shared/contracts/crime-data.md), independent of the generator and of the importer.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from plainsight.synth.crime import CrimeWorldSummary, generate_crime

FROM, TO = date(2019, 1, 1), date(2023, 12, 31)
BANDS = ("0-17", "18-25", "26-35", "36-45", "46-55", "56-65", "66+", "unknown")
CODES = ("IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC9")


# --- the reference counter ---------------------------------------------------------------


def read(path: Path) -> list[dict[str, str]]:
    """Rows keyed by lower-cased header; BOM dropped, values trimmed."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader)]
        return [dict(zip(header, (v.strip() for v in row), strict=True)) for row in reader]


def moment(text: str) -> datetime | None:
    """ISO date or date-time, or UK day-first dd/mm/yyyy."""
    if not text:
        return None
    if re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
        day, month, year = text.split("/")
        return datetime(int(year), int(month), int(day))
    return datetime.fromisoformat(text)


def day(text: str) -> date | None:
    when = moment(text)
    return None if when is None else when.date()


def is_mdsht(code: str) -> bool:
    return code == "106" or code.startswith("106/")


def is_recorded(crime: dict[str, str]) -> bool:
    return (crime["status"] or "recorded").lower() == "recorded"


def sex_of(text: str) -> str:
    return {"F": "F", "FEMALE": "F", "M": "M", "MALE": "M"}.get(text.upper(), "U")


def band_of(age: int | None) -> str:
    if age is None:
        return "unknown"
    for band in BANDS[:6]:
        low, high = band.split("-")
        if int(low) <= age <= int(high):
            return band
    return "66+"


def age_on(born: date, when: date) -> int:
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


@dataclass
class Stats:
    crimes: int = 0
    victims: int = 0
    by_year: Counter[int] = field(default_factory=Counter)
    sex_age: Counter[tuple[str, str]] = field(default_factory=Counter)
    sex_ethnicity: Counter[tuple[str, str]] = field(default_factory=Counter)
    outcomes: Counter[tuple[str, int]] = field(default_factory=Counter)
    months: list[int] = field(default_factory=lambda: [0] * 12)
    all_by_year: Counter[int] = field(default_factory=Counter)

    def row(self, table: str, sex: str) -> list[int]:
        keys = BANDS if table == "age" else CODES
        counts = self.sex_age if table == "age" else self.sex_ethnicity
        return [counts[sex, key] for key in keys]


def final_outcome(rows: list[dict[str, str]]) -> str:
    """The latest outcome's number (sub-codes under their number), or pending."""
    if not rows:
        return "pending"
    latest = max(rows, key=lambda row: day(row["outcome_date"]) or date.min)
    number = re.match(r"\d+", latest["outcome_code"])
    assert number is not None
    return "pending" if number.group() == "0" else str(int(number.group()))


def count(folder: Path, start: date = FROM, end: date = TO) -> Stats:
    crimes = read(folder / "crimes.csv")
    victims = read(folder / "victims.csv")
    outcomes: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read(folder / "outcomes.csv"):
        outcomes[row["crime_ref"]].append(row)
    stats = Stats()
    counted: dict[str, dict[str, str]] = {}
    for crime in crimes:
        recorded = day(crime["recorded_date"])
        assert recorded is not None
        if not is_recorded(crime):
            continue
        stats.all_by_year[recorded.year] += 1
        if not (start <= recorded <= end and is_mdsht(crime["ho_offence_code"])):
            continue
        counted[crime["crime_ref"]] = crime
        stats.crimes += 1
        stats.by_year[recorded.year] += 1
        stats.months[(day(crime["committed_date"]) or recorded).month - 1] += 1
        stats.outcomes[final_outcome(outcomes[crime["crime_ref"]]), recorded.year] += 1
    for victim in victims:
        of = counted.get(victim["crime_ref"])
        if of is None:
            continue
        stats.victims += 1
        sex = sex_of(victim["sex"])
        age = int(victim["age"]) if victim["age"] else None
        born = day(victim["date_of_birth"])
        if age is None and born is not None:
            at = day(of["committed_date"]) or day(of["recorded_date"])
            assert at is not None
            age = age_on(born, at)
        ethnicity = victim["ethnicity_ic"].upper()
        stats.sex_age[sex, band_of(age)] += 1
        stats.sex_ethnicity[sex, ethnicity if ethnicity in CODES else "IC9"] += 1
    return stats


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> CrimeWorldSummary:
    return generate_crime(tmp_path_factory.mktemp("seed0"), seed=0)


@pytest.fixture(scope="module")
def other_world(tmp_path_factory: pytest.TempPathFactory) -> CrimeWorldSummary:
    return generate_crime(tmp_path_factory.mktemp("seed7"), seed=7)


@pytest.fixture(scope="module")
def stats(world: CrimeWorldSummary) -> Stats:
    return count(world.out_dir)


@pytest.fixture(scope="module")
def crimes(world: CrimeWorldSummary) -> list[dict[str, str]]:
    return read(world.out_dir / "crimes.csv")


@pytest.fixture(scope="module")
def victims(world: CrimeWorldSummary) -> list[dict[str, str]]:
    return read(world.out_dir / "victims.csv")


@pytest.fixture(scope="module")
def outcomes(world: CrimeWorldSummary) -> list[dict[str, str]]:
    return read(world.out_dir / "outcomes.csv")


# --- the report's tables -------------------------------------------------------------------


def test_41_crimes_with_one_victim_each(stats: Stats) -> None:
    assert (stats.crimes, stats.victims) == (41, 41)


def test_crimes_by_year(stats: Stats) -> None:
    assert dict(stats.by_year) == {2019: 18, 2020: 5, 2021: 3, 2022: 6, 2023: 9}


def test_victims_by_sex_and_age(stats: Stats) -> None:
    assert stats.row("age", "F") == [3, 2, 4, 1, 0, 0, 0, 0]
    assert stats.row("age", "M") == [8, 11, 7, 2, 2, 1, 0, 0]
    assert stats.row("age", "U") == [0] * 8


def test_victims_by_sex_and_ethnicity(stats: Stats) -> None:
    assert stats.row("ethnicity", "F") == [2, 3, 1, 1, 1, 0, 2]
    assert stats.row("ethnicity", "M") == [16, 4, 3, 1, 2, 0, 5]
    assert stats.row("ethnicity", "U") == [0] * 7


def test_outcomes_by_year(stats: Stats) -> None:
    expected = {
        ("1", 2019): 1,
        ("14", 2019): 3,
        ("14", 2020): 3,
        ("14", 2021): 1,
        ("14", 2022): 2,
        ("14", 2023): 1,
        ("16", 2020): 1,
        ("16", 2022): 1,
        ("18", 2019): 14,
        ("18", 2020): 1,
        ("18", 2021): 1,
        ("18", 2022): 3,
        ("18", 2023): 6,
        ("20", 2023): 2,
        ("8", 2021): 1,  # the report's "Resolved"
    }
    assert dict(stats.outcomes) == expected


def test_monthly_profile(stats: Stats) -> None:
    assert stats.months == [6, 5, 5, 5, 2, 3, 3, 3, 3, 3, 3, 0]
    assert sum(stats.months[:4]) == 21  # 51% in January to April


def test_all_crime_and_share(stats: Stats) -> None:
    assert stats.all_by_year[2023] == 6923
    assert round(stats.by_year[2023] / stats.all_by_year[2023] * 100, 2) == 0.13
    for year in (2019, 2020, 2021, 2022):
        assert 5000 <= stats.all_by_year[year] <= 8000
    assert stats.all_by_year[2020] < stats.all_by_year[2019]
    assert stats.all_by_year[2021] < stats.all_by_year[2022]


def counted_victims(
    crimes: list[dict[str, str]], victims: list[dict[str, str]]
) -> list[tuple[dict[str, str], int]]:
    """Victims of the 41 counted crimes, each with the age the contract gives them."""
    counted = {
        c["crime_ref"]: c
        for c in crimes
        if is_recorded(c)
        and is_mdsht(c["ho_offence_code"])
        and FROM <= (day(c["recorded_date"]) or date.max) <= TO
    }
    found = []
    for victim in victims:
        crime = counted.get(victim["crime_ref"])
        if crime is None:
            continue
        born = day(victim["date_of_birth"])
        at = day(crime["committed_date"]) or day(crime["recorded_date"])
        assert at is not None and (victim["age"] or born)
        found.append((victim, int(victim["age"]) if victim["age"] else age_on(born or at, at)))
    return found


def test_under_18s_are_11_to_17_and_85_percent_are_11_to_35(
    crimes: list[dict[str, str]], victims: list[dict[str, str]]
) -> None:
    ages = [age for _, age in counted_victims(crimes, victims)]
    assert len(ages) == 41 and min(ages) == 11
    assert sum(11 <= age <= 35 for age in ages) == 35


def test_typical_male_victim_is_18_to_25_and_white_north_european(
    crimes: list[dict[str, str]], victims: list[dict[str, str]]
) -> None:
    cells = Counter(
        (band_of(age), v["ethnicity_ic"] or "IC9")
        for v, age in counted_victims(crimes, victims)
        if sex_of(v["sex"]) == "M"
    )
    (top, n), (_, runner_up) = cells.most_common(2)
    assert top == ("18-25", "IC1") and n > runner_up


# --- determinism and seeds -----------------------------------------------------------------


FILES = ("crimes.csv", "victims.csv", "outcomes.csv", "README.txt")


def test_same_seed_same_bytes(world: CrimeWorldSummary, tmp_path: Path) -> None:
    again = generate_crime(tmp_path, seed=0)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (world.out_dir / name).read_bytes(), name
    assert again == CrimeWorldSummary(tmp_path, *_counts(world), seed=0)


def _counts(summary: CrimeWorldSummary) -> tuple[int, int, int, int]:
    return summary.crimes, summary.mdsht_crimes, summary.victims, summary.outcomes


def test_other_seed_changes_files_not_tables(
    world: CrimeWorldSummary, other_world: CrimeWorldSummary, stats: Stats
) -> None:
    for name in ("crimes.csv", "victims.csv", "outcomes.csv"):
        assert (world.out_dir / name).read_bytes() != (other_world.out_dir / name).read_bytes()
    assert count(other_world.out_dir) == stats


def test_summary_counts_the_files(world: CrimeWorldSummary, crimes: list[dict[str, str]]) -> None:
    assert world.crimes == len(crimes)
    assert world.victims == len(read(world.out_dir / "victims.csv"))
    assert world.outcomes == len(read(world.out_dir / "outcomes.csv"))
    recorded_mdsht = [c for c in crimes if is_recorded(c) and is_mdsht(c["ho_offence_code"])]
    assert world.mdsht_crimes == len(recorded_mdsht)
    assert "synthetic" in (world.out_dir / "README.txt").read_text().lower()
    assert "outcome 8" in (world.out_dir / "README.txt").read_text()


# --- the contract's rules matter in these files --------------------------------------------


def test_formats_the_importer_must_cope_with(world: CrimeWorldSummary) -> None:
    raw = (world.out_dir / "crimes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "source_system" in raw[3:200].decode()  # a column the contract does not know
    header = (world.out_dir / "victims.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header != header.lower() and header.lower().split(",")[0] == "crime_ref"
    text = raw.decode("utf-8-sig")
    assert re.search(r",\d{2}/\d{2}/\d{4},", text)  # UK dates
    assert re.search(r",\d{4}-\d{2}-\d{2},", text)  # ISO dates
    assert re.search(r",\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)  # ISO date-times
    assert re.search(r"(^|,) \S|\S (,|$)", text, re.MULTILINE)  # values with spaces


def test_latest_outcome_not_first_row_decides(
    crimes: list[dict[str, str]], victims: list[dict[str, str]], outcomes: list[dict[str, str]]
) -> None:
    counted = {victim["crime_ref"] for victim, _ in counted_victims(crimes, victims)}
    by_crime: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in outcomes:
        by_crime[row["crime_ref"]].append(row)
    several = [rows for ref, rows in by_crime.items() if len(rows) > 1 and ref in counted]
    assert any(final_outcome(rows) != final_outcome(rows[:1]) for rows in several)
    assert any(final_outcome(rows) != final_outcome(rows[-1:]) for rows in several)
    # comparing the dates as text picks the wrong row for one crime
    assert any(
        final_outcome([max(rows, key=lambda r: r["outcome_date"])]) != final_outcome(rows)
        for rows in several
    )
    codes = {row["outcome_code"] for row in outcomes}
    assert {"2a", "3a"} <= codes


def test_committed_month_not_recorded_month(crimes: list[dict[str, str]], stats: Stats) -> None:
    months = [0] * 12
    blank = 0
    for crime in crimes:
        recorded = day(crime["recorded_date"])
        assert recorded is not None
        if is_recorded(crime) and is_mdsht(crime["ho_offence_code"]) and FROM <= recorded <= TO:
            months[recorded.month - 1] += 1
            blank += not crime["committed_date"]
    assert months != stats.months and months[11] > 0
    assert blank >= 3


def test_age_from_birth_date_at_committed_date(
    crimes: list[dict[str, str]], victims: list[dict[str, str]]
) -> None:
    by_ref = {c["crime_ref"]: c for c in crimes}
    dob_only = [v for v in victims if not v["age"] and v["date_of_birth"]]
    assert len(dob_only) >= 3
    edge = []
    for victim in dob_only:
        crime = by_ref[victim["crime_ref"]]
        born, committed = day(victim["date_of_birth"]), day(crime["committed_date"])
        recorded = day(crime["recorded_date"])
        if born and committed and recorded:
            edge.append(band_of(age_on(born, committed)) != band_of(age_on(born, recorded)))
    assert any(edge)


# --- planted cases for the recording-integrity audit ---------------------------------------


def test_marker_on_non_slavery_codes(crimes: list[dict[str, str]]) -> None:
    marked = [
        c for c in crimes if c["ms_flag"].upper() == "Y" and not is_mdsht(c["ho_offence_code"])
    ]
    assert len(marked) >= 3
    assert any(FROM <= (day(c["recorded_date"]) or date.max) <= TO for c in marked)
    assert {c["ho_offence_code"] for c in marked} >= {"39", "92A"}


def test_cancelled_and_transferred_slavery_crimes(crimes: list[dict[str, str]]) -> None:
    statuses = {c["status"].lower() for c in crimes if is_mdsht(c["ho_offence_code"])}
    assert {"cancelled", "transferred"} <= statuses


def test_recorded_more_than_24_hours_after_report(crimes: list[dict[str, str]]) -> None:
    late = []
    for crime in crimes:
        reported, recorded = moment(crime["reported_date"]), moment(crime["recorded_date"])
        assert reported is not None and recorded is not None
        if recorded - reported > timedelta(hours=24):
            late.append(crime)
    assert any(is_mdsht(c["ho_offence_code"]) and is_recorded(c) for c in late)
    assert sum(not is_mdsht(c["ho_offence_code"]) for c in late) > 100


def test_slavery_victims_with_gaps(
    crimes: list[dict[str, str]], victims: list[dict[str, str]]
) -> None:
    by_ref = {c["crime_ref"]: c for c in crimes}
    mdsht = [v for v in victims if is_mdsht(by_ref[v["crime_ref"]]["ho_offence_code"])]
    assert any(sex_of(v["sex"]) == "U" for v in mdsht)
    assert any(not v["age"] and not v["date_of_birth"] for v in mdsht)
    assert sum(v["ethnicity_ic"] in ("", "IC9") for v in mdsht) >= 7
    assert all(v["nationality"] or v["ethnicity_ic"] in ("", "IC9", "IC1") for v in mdsht)
    kinds = {v["exploitation_type"] for v in mdsht}
    assert {"criminal", "sexual", "labour", "domestic_servitude"} <= kinds


def test_several_victims_on_one_crime_outside_the_count(
    crimes: list[dict[str, str]], victims: list[dict[str, str]]
) -> None:
    by_ref = {c["crime_ref"]: c for c in crimes}
    per_crime = Counter(v["crime_ref"] for v in victims)
    shared = [by_ref[ref] for ref, n in per_crime.items() if n > 1]
    assert shared
    for crime in shared:
        recorded = day(crime["recorded_date"])
        assert not is_recorded(crime) or not (recorded and FROM <= recorded <= TO)
    people = Counter(v["victim_ref"] for v in victims)
    assert max(people.values()) > 1  # one person, victim of two crimes


def test_pending_slavery_crimes_only_after_the_period(
    crimes: list[dict[str, str]], world: CrimeWorldSummary
) -> None:
    later = count(world.out_dir, date(2024, 1, 1), date(2024, 9, 30))
    assert later.crimes >= 4 and later.all_by_year[2024] > 4000
    assert sum(n for (code, _), n in later.outcomes.items() if code == "pending") >= 2
    assert all(code != "pending" for code, _ in count(world.out_dir).outcomes)
    last = max(day(c["recorded_date"]) or date.min for c in crimes)
    assert last <= date(2024, 9, 30)


def test_op_sun_juveniles(crimes: list[dict[str, str]]) -> None:
    sun = [c for c in crimes if "appropriate adult" in c["mo_text"]]
    assert len(sun) >= 5
    addresses = {re.search(r"gave address (.+?);", c["mo_text"]).group(1) for c in sun}  # type: ignore[union-attr]
    adults = {re.search(r"appropriate adult (\w+ \w+)", c["mo_text"]).group(1) for c in sun}  # type: ignore[union-attr]
    assert len(addresses) == 1 and len(adults) == 1
    for crime in sun:
        assert (day(crime["recorded_date"]) or date.min).year == 2019
        assert crime["ms_flag"].upper() != "Y" and not is_mdsht(crime["ho_offence_code"])
        assert "juvenile" in crime["mo_text"]


def test_places_are_in_the_square_mile(crimes: list[dict[str, str]]) -> None:
    lsoas = {"E01000001", "E01000002", "E01000003", "E01000005", "E01032739", "E01032740"}
    assert {c["lsoa_code"] for c in crimes} == lsoas
    assert all(531500 <= int(c["easting"]) <= 533900 for c in crimes)
    assert all(180600 <= int(c["northing"]) <= 181900 for c in crimes)
