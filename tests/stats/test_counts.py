"""The contract's statistics: the seed report's tables from the synthetic world, and every
awkward counting rule on small hand-written records."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from plainsight.crime.importer import load_records
from plainsight.stats.counts import crime_stats, latest_outcomes, share_percent
from plainsight.synth.crime import generate_crime
from tests.crime.test_importer import write_folder

CONTRACT = Path(__file__).parents[2] / "docs" / "contracts" / "crime-data.md"
START, END = date(2019, 1, 1), date(2023, 12, 31)

# The seed report's tables (Pol 25-24), which the synthetic world reproduces for any seed.
SEED_OUTCOMES = {
    "1": {"2019": 1},
    "8": {"2021": 1},  # the report's "Resolved": community resolution (synth's assumption)
    "14": {"2019": 3, "2020": 3, "2021": 1, "2022": 2, "2023": 1},
    "16": {"2020": 1, "2022": 1},
    "18": {"2019": 14, "2020": 1, "2021": 1, "2022": 3, "2023": 6},
    "20": {"2023": 2},
    "pending": {},
}


def contract_example() -> dict[str, Any]:
    block = re.search(r"```json\n(.*?)```", CONTRACT.read_text(), flags=re.DOTALL)
    assert block
    example: dict[str, Any] = json.loads(block.group(1))
    return example


@pytest.fixture(scope="module", params=[0, 7])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp(f"crime-{request.param}")
    generate_crime(folder, seed=request.param)
    return crime_stats(load_records(folder), START, END)


def test_the_synthetic_world_gives_the_contract_example(seeded: dict[str, Any]) -> None:
    example = contract_example()
    exact = [
        "period",
        "crimes",
        "victims",
        "crimes_by_year",
        "victims_by_sex",
        "victims_by_sex_age",
        "victims_by_sex_ethnicity",
        "crimes_by_month_of_year",
    ]
    for key in exact:
        assert seeded[key] == example[key], key
    assert seeded["outcomes_by_year"] == SEED_OUTCOMES
    for code, years in example["outcomes_by_year"].items():  # the example shows a part
        assert years.items() <= seeded["outcomes_by_year"][code].items()
    assert seeded["all_crimes_by_year"]["2023"] == 6923
    assert seeded["share_of_all_crime_by_year"]["2023"] == 0.13


def test_the_keys_and_types_are_the_contracts(seeded: dict[str, Any]) -> None:
    example = contract_example()

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value]
        return type(value).__name__

    for key, value in example.items():
        if key in ("outcomes_by_year", "all_crimes_by_year", "share_of_all_crime_by_year"):
            continue  # their keys depend on the data; checked below
        assert shape(seeded[key]) == shape(value), key
    assert all(isinstance(n, int) for n in seeded["all_crimes_by_year"].values())
    assert all(isinstance(s, float) for s in seeded["share_of_all_crime_by_year"].values())
    assert all(
        isinstance(y, str) and isinstance(n, int)
        for years in seeded["outcomes_by_year"].values()
        for y, n in years.items()
    )
    assert json.loads(json.dumps(seeded)) == seeded  # plain JSON, nothing lost


def test_the_seed_reports_words_come_from_the_extra_keys(seeded: dict[str, Any]) -> None:
    # "More males report being a victim of MDSHT at 76% (n=31)."
    assert seeded["sex_shares"]["M"]["count"] == 31
    assert round(seeded["sex_shares"]["M"]["share"]) == 76
    # "The typical profile for male victims is aged between 18-25 ... White - North European"
    male = seeded["victim_profile"]["M"]
    assert male["age_band"]["band"] == "18-25" and male["ethnicity"]["code"] == "IC1"
    # "There are 11 incidents of MDSHT involving persons under the age of 18. Of these 8 are male"
    assert seeded["under_18"]["count"] == 11 and seeded["under_18"]["by_sex"]["M"] == 8
    # "White North European victims are the largest group ... (n=18)", "Unknown ... (n=7)"
    ethnicity = seeded["victims_by_ethnicity"]
    assert ethnicity["codes"]["IC1"]["count"] == 18 and ethnicity["codes"]["IC9"]["count"] == 7
    assert ethnicity["declared"] == 34
    assert ethnicity["codes"]["IC1"]["share_declared"] == pytest.approx(18 / 34 * 100)
    # "60% ... outcome 18" and "24% ... outcome 14"; "There has been 1 charge since 2019"
    shares = seeded["outcome_shares"]
    assert shares["18"]["count"] == 25 and shares["18"]["share"] == pytest.approx(60.9756, 1e-4)
    assert shares["14"]["count"] == 10 and shares["1"]["count"] == 1
    assert shares["18"]["name"] == "Investigation complete – no suspect identified"
    assert shares["1"]["group"] == "Charged/summonsed"
    # "51% of offences occur in Jan – Apr with no occurrences ever occurring in December"
    profile = seeded["monthly_profile"]
    assert sum(profile["counts"][:4]) == 21 and profile["counts"][11] == 0
    assert profile["average"] == pytest.approx(41 / 12)
    assert profile["percent_vs_average"][11] == -100.0
    # "85% of victims are aged between 11-35 (n=35)"
    bands = seeded["victims_by_age_band"]
    assert bands["0-17"] + bands["18-25"] + bands["26-35"] == 35
    assert seeded["victim_ages"]["min"] == 11
    assert seeded["partial_years"] == {"calendar": [], "financial": ["2018/19", "2023/24"]}
    assert sum(seeded["crimes_by_financial_year"].values()) == 41


def test_trends_compare_whole_years_only(seeded: dict[str, Any]) -> None:
    calendar = seeded["trends"]["calendar"]
    assert [(c["label_a"], c["label_b"]) for c in calendar][-1] == ("2022", "2023")
    assert (calendar[-1]["a"], calendar[-1]["b"]) == (6, 9)
    financial = seeded["trends"]["financial"]
    assert [c["label_b"] for c in financial] == ["2020/21", "2021/22", "2022/23"]


# --- hand-written cases --------------------------------------------------------------------


def stats_for(
    tmp_path: Path,
    crimes: Sequence[str],
    victims: Sequence[str] = (),
    outcomes: Sequence[str] | None = None,
    start: date = date(2023, 1, 1),
    end: date = date(2023, 12, 31),
    **options: Any,
) -> dict[str, Any]:
    records = load_records(write_folder(tmp_path, crimes, victims, outcomes))
    assert records.rejects == []
    return crime_stats(records, start, end, **options)


def test_only_recorded_mdsht_crimes_in_the_period_count(tmp_path: Path) -> None:
    stats = stats_for(
        tmp_path,
        [
            "A,2023-01-01,,106,",  # first day: in
            "B,31/12/2023 23:59,,106/01,recorded",  # last day, late evening: in
            "C,2023-06-01,,72,",  # legacy trafficking code: in
            "D,2022-12-31,,106,",  # the day before: out
            "E,2024-01-01T00:01,,106,",  # the day after: out
            "F,2023-06-01,,106,cancelled",
            "G,2023-06-01,,106,transferred",
            "H,2023-06-01,,1060,",  # not 106 nor 106/..
            "I,2023-06-01,,8N,",
        ],
    )
    assert stats["crimes"] == 3
    assert stats["crimes_by_year"] == {"2023": 3}
    assert stats["all_crimes_by_year"] == {"2023": 5}  # A, B, C, H, I: recorded, in the period
    assert stats["share_of_all_crime_by_year"] == {"2023": 60.0}


def test_a_crime_with_three_victims_counts_three(tmp_path: Path) -> None:
    stats = stats_for(
        tmp_path,
        ["A,2023-03-01,,106,", "B,2023-03-02,,8N,", "C,2023-03-02,,106,cancelled"],
        [
            "A,V1,F,16,,IC1,",
            "A,V2,M,30,,IC2,",
            "A,V3,,,,,",
            "B,V4,F,20,,IC1,",  # victim of a non-MDSHT crime: not counted
            "C,V5,F,20,,IC1,",  # victim of a cancelled crime: not counted
        ],
    )
    assert (stats["crimes"], stats["victims"]) == (1, 3)
    assert stats["victims_by_sex"] == {"F": 1, "M": 1, "U": 1}
    assert stats["victims_by_sex_age"]["F"] == [1, 0, 0, 0, 0, 0, 0, 0]
    assert stats["victims_by_sex_age"]["U"] == [0, 0, 0, 0, 0, 0, 0, 1]  # unknown age
    assert stats["victims_by_sex_ethnicity"]["U"] == [0, 0, 0, 0, 0, 0, 1]
    assert stats["victim_profile"]["U"] == {"n": 1, "age_band": None, "ethnicity": None}
    assert stats["under_18"] == {"count": 1, "share": 100 / 3, "by_sex": {"F": 1, "M": 0, "U": 0}}


def test_the_month_is_the_committed_months_else_the_recorded(tmp_path: Path) -> None:
    stats = stats_for(
        tmp_path,
        [
            "A,2023-03-01,2022-11-20,106,",  # committed November 2022, recorded March 2023
            "B,2023-07-10,,106,",  # no committed date: July
            "C,15/12/2023,01/02/2023,106,",
        ],
    )
    assert stats["crimes_by_month_of_year"] == [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]
    assert stats["crimes_by_year"] == {"2023": 3}  # the recorded year decides


def test_the_latest_outcome_wins(tmp_path: Path) -> None:
    crimes = [f"{ref},2023-0{n}-01,,106," for n, ref in enumerate("ABCDEFGH", start=1)]
    outcomes = [
        "A,18,2023-09-01",  # written latest first: 18 is later than 14
        "A,14,2023-03-01",
        "B,0,2023-02-10",  # interim "0", then charged under an alternative offence
        "B,1a,2023-05-01",
        "C,0,2023-04-01",  # only "0": pending
        "D,16,",  # undated only: counts
        "E,14,2023-06-01",  # a dated outcome beats an undated one
        "E,20,",
        "F,15,2023-08-01",  # same day: the later row wins
        "F,21,2023-08-01",
        # G: no outcome row at all: pending
        "H,18,2023-09-01",  # a later "0" does not reopen it
        "H,0,2023-10-01",
    ]
    stats = stats_for(tmp_path, crimes, outcomes=outcomes)
    assert stats["outcomes_by_year"] == {
        "1": {"2023": 1},
        "14": {"2023": 1},
        "16": {"2023": 1},
        "18": {"2023": 2},
        "21": {"2023": 1},
        "pending": {"2023": 2},
    }
    assert stats["outcome_shares"]["pending"]["count"] == 2
    assert stats["outcome_shares"]["pending"]["group"] == "Pending"
    assert stats["outcome_shares"]["21"]["share"] == 12.5


def test_latest_outcomes_ignores_crimes_outside_the_records(tmp_path: Path) -> None:
    records = load_records(
        write_folder(tmp_path, ["A,2023-01-01,,106,"], outcomes=["A,18,2023-02-01"])
    )
    assert latest_outcomes(records.outcomes) == {"A": "18"}


@pytest.mark.parametrize(
    ("part", "whole", "share"),
    [(9, 6923, 0.13), (1, 800, 0.13), (1, 8000, 0.01), (3, 8000, 0.04), (0, 10, 0.0)],
)
def test_shares_round_half_up_to_two_decimals(part: int, whole: int, share: float) -> None:
    assert share_percent(part, whole) == share  # 1/800 is 0.125: half up, not to even


def test_years_without_all_crime_data_are_left_out(tmp_path: Path) -> None:
    crimes = [
        "A,2021-05-01,,106,",  # 2021: only MDSHT crimes in the export: no denominator
        "B,2022-05-01,,106,",
        "C,2022-05-02,,8N,",
        "D,2022-05-03,,39,",
        "E,2022-05-04,,46,",
    ]
    stats = stats_for(tmp_path, crimes, start=date(2021, 1, 1), end=date(2022, 12, 31))
    assert stats["all_crimes_by_year"] == {"2022": 4}
    assert stats["share_of_all_crime_by_year"] == {"2022": 25.0}
    assert stats["all_crimes_source"] == "crimes.csv"
    supplied = stats_for(
        tmp_path / "s",
        crimes,
        start=date(2021, 1, 1),
        end=date(2022, 12, 31),
        all_crimes_by_year={"2021": 5617, "2019": 7862},
    )
    assert supplied["all_crimes_by_year"] == {"2021": 5617}
    assert supplied["share_of_all_crime_by_year"] == {"2021": 0.02}
    assert supplied["all_crimes_source"] == "supplied"


def test_every_year_of_the_period_is_listed_even_with_none(tmp_path: Path) -> None:
    stats = stats_for(
        tmp_path, ["A,2021-05-01,,106,"], start=date(2020, 6, 1), end=date(2022, 3, 31)
    )
    assert stats["crimes_by_year"] == {"2020": 0, "2021": 1, "2022": 0}
    assert stats["crimes_by_financial_year"] == {"2020/21": 0, "2021/22": 1}
    assert stats["partial_years"] == {"calendar": ["2020", "2022"], "financial": ["2020/21"]}
    assert stats["trends"]["calendar"] == []  # only 2021 is whole
    assert stats["outcomes_by_year"] == {"pending": {"2021": 1}}


def test_age_bands_are_configurable(tmp_path: Path) -> None:
    stats = stats_for(
        tmp_path,
        ["A,2023-03-01,,106,"],
        ["A,V1,F,10,,,", "A,V2,F,17,,,", "A,V3,M,18,,,", "A,V4,M,70,,,"],
        age_bands=[(0, 10), (11, 17), (18, None)],
    )
    assert stats["victims_by_sex_age"]["bands"] == ["0-10", "11-17", "18+", "unknown"]
    assert stats["victims_by_sex_age"]["F"] == [1, 1, 0, 0]
    assert stats["victims_by_sex_age"]["M"] == [0, 0, 2, 0]


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([(1, 17), (18, None)], "should start at 0"),
        ([(0, 17), (20, None)], "should start at 18"),
        ([(0, 17), (18, 30)], "must be open-ended"),
        ([(0, None), (18, None)], "only the last"),
    ],
)
def test_age_bands_that_do_not_fit_are_refused(
    tmp_path: Path, bands: list[tuple[int, int | None]], message: str
) -> None:
    records = load_records(write_folder(tmp_path, ["A,2023-03-01,,106,"]))
    with pytest.raises(ValueError, match=message):
        crime_stats(records, date(2023, 1, 1), date(2023, 12, 31), age_bands=bands)


def test_a_period_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    records = load_records(write_folder(tmp_path, ["A,2023-03-01,,106,"]))
    with pytest.raises(ValueError, match="ends"):
        crime_stats(records, date(2023, 12, 31), date(2023, 1, 1))


def test_ethnicity_shares_among_all_and_among_declared(tmp_path: Path) -> None:
    stats = stats_for(
        tmp_path,
        ["A,2023-03-01,,106,"],
        ["A,V1,F,20,,IC1,", "A,V2,F,20,,IC1,", "A,V3,M,20,,IC3,", "A,V4,M,20,,IC9,"],
    )
    by = stats["victims_by_ethnicity"]
    assert (by["n"], by["declared"]) == (4, 3)
    assert by["codes"]["IC1"]["share_all"] == 50.0
    assert by["codes"]["IC1"]["share_declared"] == pytest.approx(200 / 3)
    assert by["codes"]["IC9"]["share_declared"] is None
    assert stats["victim_profile"]["F"]["ethnicity"]["name"] == "White – North European"
