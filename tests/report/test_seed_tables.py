"""The report reproduces the seed committee report's tables, cell by cell, from the records.

The seed tables below are transcribed from the seed report (Pol 25-24, 22 February 2024,
"Key Data and Analysis") exactly as printed, tabs and all. The report is rendered to HTML
and its tables are read back from the HTML, as a reader sees them.

Where the report's labels differ from the seed's, the difference is deliberate and listed
here (and in docs/report.md): age bands keep the contract's labels ("0-17" where the seed
prints the youngest age it saw, "11-17"; "66+" for the seed's "+65"), and outcomes carry
their Home Office names, so they are matched by outcome code. The seed's "Resolved" row is
outcome 8 (community resolution) in the synthetic world (docs/synthetic-worlds.md).
"""

from __future__ import annotations

import pytest

from plainsight.report.model import Report
from plainsight.report.render import render_html
from tests.report.conftest import html_tables

SEED_AGE = """\
AGE	11-17	18-25	26-35	36-45	46-55	56-65	+65	TOTAL
FEMALE	3	2	4	1	0	0	0	10
MALE	8	11	7	2	2	1	0	31
TOTAL	11	13	11	3	2	1	0	41"""

SEED_ETHNICITY = """\
ETHNICITY	WHITE SE	WHITE NE	BLACK	ASIAN	SE ASIAN	UNKNOWN	TOTAL
FEMALE	3	2	1	1	1	2	10
MALE	4	16	3	1	2	5	31
TOTAL	7	18	4	2	3	7	41"""

SEED_OUTCOMES = """\
OUTCOME	2019	2020	2021	2022	2023	TOTAL	% OUTCOME
1. Charged	1	0	0	0	0	1	2.44
14: Victim declines/unable to support action to identify offender	3	3	1	2	1	10	24.39
16: Victim declines/withdraws support - named suspect identified	0	1	0	1	0	2	4.88
18: Investigation complete no suspect identified	14	1	1	3	6	25	60.98
20: Other body/agency has investigation primacy unresolved	0	0	0	0	2	2	4.88
Resolved	0	0	1	0	0	1	2.44
TOTAL	18	5	3	6	9	41	"""

#: The only label differences from the seed, each deliberate (see the module docstring).
AGE_LABELS = {"11-17": "0-17", "+65": "66+"}
OUTCOME_CODES = {
    "1. Charged": "1",
    "14: Victim declines/unable to support action to identify offender": "14",
    "16: Victim declines/withdraws support - named suspect identified": "16",
    "18: Investigation complete no suspect identified": "18",
    "20: Other body/agency has investigation primacy unresolved": "20",
    "Resolved": "8",
    "TOTAL": "TOTAL",
}


def seed_rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]


@pytest.fixture(scope="module")
def tables(report: Report) -> dict[str, list[list[str]]]:
    return html_tables(render_html(report))


def test_victims_by_sex_and_age_band_match_the_seed_cell_by_cell(
    tables: dict[str, list[list[str]]],
) -> None:
    seed = seed_rows(SEED_AGE)
    seed[0] = [AGE_LABELS.get(label, label) for label in seed[0]]
    assert tables["victims-sex-age"] == seed


def test_victims_by_sex_and_ethnicity_match_the_seed_cell_by_cell(
    tables: dict[str, list[list[str]]],
) -> None:
    assert tables["victims-sex-ethnicity"] == seed_rows(SEED_ETHNICITY)


def test_outcomes_by_year_match_the_seed_cell_by_cell(tables: dict[str, list[list[str]]]) -> None:
    seed = seed_rows(SEED_OUTCOMES)
    ours = tables["outcomes-by-year"]
    assert ours[0] == seed[0]  # OUTCOME, the years, TOTAL, % OUTCOME
    by_code = {row[0].split(":")[0] if row[0] != "TOTAL" else "TOTAL": row for row in ours[1:]}
    assert len(by_code) == len(seed) - 1, "the report has an outcome row the seed does not"
    for row in seed[1:]:
        code = OUTCOME_CODES[row[0]]
        assert by_code[code][1:] == row[1:], f"outcome {code}"
    assert ours[-1][0] == "TOTAL"


def test_outcome_rows_carry_home_office_names(tables: dict[str, list[list[str]]]) -> None:
    labels = [row[0] for row in tables["outcomes-by-year"][1:]]
    assert labels == [
        "1: Charged/summonsed",
        "8: Community resolution",
        "14: Evidential difficulties: suspect not identified; victim does not support "
        "further action",
        "16: Evidential difficulties: suspect identified; victim does not support further action",
        "18: Investigation complete – no suspect identified",
        "20: Action undertaken by another body or agency",
        "TOTAL",
    ]


def test_crimes_by_year_give_the_seed_counts_and_the_share_of_all_crime(
    tables: dict[str, list[list[str]]],
) -> None:
    rows = {row[0]: row for row in tables["crimes-by-year"][1:]}
    assert [rows[y][1] for y in ("2019", "2020", "2021", "2022", "2023")] == [
        "18",
        "5",
        "3",
        "6",
        "9",
    ]
    assert rows["TOTAL"][1] == "41"
    assert rows["2023"][3:5] == ["6,923", "0.13"]  # "0.13% of all crime ... (n=9)"
    assert rows["2019"][2] == "10.7 to 28.4"  # exact Poisson interval for 18
    assert rows["2023"][5] == "+3 (+50%); within chance"
