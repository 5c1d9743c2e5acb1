"""The national comparison: the Home Office table read as published (CSV, XLSX, ODS), the
territorial forces' pooled and mean shares, and the command."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plainsight.cli import EXIT_SET_ASIDE, app
from plainsight.crime.national import national_comparison
from plainsight.crime.national_table import (
    COLUMNS,
    NationalTable,
    NationalTableError,
    normalise_financial_year,
    read_national_table,
    synthetic_national_table_path,
)
from plainsight.stats.trends import poisson_interval

runner = CliRunner()
NON_TERRITORIAL = {"British Transport Police", "Action Fraud"}


def synthetic_rows() -> list[list[str]]:
    """The shipped table's data rows, read with the csv module alone."""
    with synthetic_national_table_path().open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    start = rows.index(list(COLUMNS)) + 1
    return rows[start:]


def totals(rows: list[list[str]], year: str) -> dict[str, tuple[int, int]]:
    """(MDSHT, all crime) per force for a year, by hand."""
    out: dict[str, tuple[int, int]] = {}
    for fy, _q, force, _d, _g, _s, code, n in rows:
        if fy != year:
            continue
        m, a = out.get(force, (0, 0))
        out[force] = (m + (int(n) if code in {"106", "72"} else 0), a + int(n))
    return out


def binom_two_sided(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial p-value by hand, in logs (n is in the thousands)."""

    def log_pmf(j: int) -> float:
        return (
            math.lgamma(n + 1)
            - math.lgamma(j + 1)
            - math.lgamma(n - j + 1)
            + j * math.log(p)
            + (n - j) * math.log1p(-p)
        )

    observed = log_pmf(k)
    return min(
        1.0,
        sum(math.exp(log_pmf(j)) for j in range(n + 1) if log_pmf(j) <= observed + 1e-7),
    )


# --- the shipped synthetic table ------------------------------------------------------------


def test_synthetic_table_reproduces_the_seeds_013_and_024() -> None:
    table = read_national_table(synthetic_national_table_path())
    assert table.rejects == [] and table.not_published == []
    assert table.years() == ["2021/22", "2022/23"]
    c = national_comparison(table)
    assert (c.financial_year, c.force, c.quarters) == ("2022/23", "London, City of", (1, 2, 3, 4))
    assert (c.mdsht, c.all_crime) == (9, 6923)
    assert round(c.share or 0, 2) == 0.13
    assert round(c.others_pooled_share or 0, 2) == 0.24
    assert (c.others, c.others_mdsht, c.others_all_crime) == (8, 1920, 800_000)


def test_pooled_and_mean_shares_match_a_hand_count_without_btp_and_action_fraud() -> None:
    by_force = totals(synthetic_rows(), "2022/23")
    others = {f: v for f, v in by_force.items() if f not in NON_TERRITORIAL | {"London, City of"}}
    c = national_comparison(read_national_table(synthetic_national_table_path()))
    pooled = sum(m for m, _ in others.values()) / sum(a for _, a in others.values()) * 100
    mean = sum(m / a * 100 for m, a in others.values()) / len(others)
    assert c.others_pooled_share == pytest.approx(pooled)
    assert c.others_mean_share == pytest.approx(mean)
    assert round(mean, 2) == 0.27  # the two averages differ: the docs say which is used
    # Leaving BTP and Action Fraud in would have changed the answer.
    everyone = {f: v for f, v in by_force.items() if f != "London, City of"}
    wrong = sum(m for m, _ in everyone.values()) / sum(a for _, a in everyone.values()) * 100
    assert round(wrong, 2) != 0.24
    assert dict(c.excluded).keys() == NON_TERRITORIAL
    assert {f.force for f in c.forces} == set(others) | {"London, City of"}


def test_forces_are_ranked_by_share_and_the_headline_carries_the_uncertainty() -> None:
    c = national_comparison(read_national_table(synthetic_national_table_path()))
    shares = [f.share for f in c.forces]
    assert shares == sorted(shares, reverse=True)  # type: ignore[type-var]
    assert [f.rank for f in c.forces] == list(range(1, 10))
    assert c.forces[-1].force == "London, City of" and c.forces[0].force == "Kestrel Valley"
    low, high = poisson_interval(9)
    assert c.share_low == pytest.approx(low / 6923 * 100)
    assert c.share_high == pytest.approx(high / 6923 * 100)
    assert c.p_value == pytest.approx(binom_two_sided(9, 6923, 0.0024), rel=1e-6)
    assert "0.13% of crime recorded in London, City of (9 of 6,923)" in c.headline
    assert "0.24% across the other 8 territorial forces taken together" in c.headline
    assert "from 0.06% to 0.25%" in c.headline  # 0.24% is inside: small numbers
    assert "within what chance alone gives (p = 0.064)" in c.headline


def test_an_earlier_year_and_other_spellings_of_the_force() -> None:
    table = read_national_table(synthetic_national_table_path())
    for name in ("City of London Police", "city of london", "LONDON, CITY OF"):
        c = national_comparison(table, force=name, financial_year="2021-22")
        assert (c.force, c.financial_year, c.mdsht, c.all_crime) == (
            "London, City of",
            "2021/22",
            3,
            5871,
        )
    assert national_comparison(table, force="Borsetshire").force == "Borsetshire"
    with pytest.raises(NationalTableError, match="did you mean 'Borsetshire'"):
        national_comparison(table, force="Borsetshir")
    with pytest.raises(NationalTableError, match="the table has 2021/22, 2022/23"):
        national_comparison(table, financial_year="2019/20")


def test_the_mdsht_codes_are_configurable() -> None:
    table = read_national_table(synthetic_national_table_path())
    none = national_comparison(table, mdsht_codes=("72",))
    assert none.mdsht == 0 and none.others_mdsht == 0 and none.share == 0.0


# --- awkward tables -------------------------------------------------------------------------

HEADER = list(COLUMNS)


def row(force: str, code: str, n: Any, year: str = "2023/24", q: Any = 1) -> list[Any]:
    return [year, q, force, f"offence {code}", "group", "subgroup", code, n]


def write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


AWKWARD: list[list[Any]] = [
    ["Police recorded crime by offence, force area [note 1]"],
    ["Source: an invented table for a test"],
    [],
    [*HEADER[:-1], "Number of Offences [note 2]"],
    row("London, City of", "106", 2),
    row("London, City of", "106/01", 1, q=2),
    row("London, City of", "72", 1, q=3),
    row("London, City of", "8N", "1,996", q=3),
    row("Northmoor", "106", 30),
    row("Northmoor", "49", "9,970"),
    row("Northmoor", "46", ".."),  # not published
    row("Northmoor", "39", ""),  # not published
    row("England and Wales", "49", "99,999"),  # an aggregate, not a force
    row("CIFAS", "53", "50,000"),
    row("Westshire", "106", "12a"),  # unreadable
    row("Westshire", "106", -3),  # unreadable
    row("Westshire", "49", 10, year="2023"),  # no such financial year
    row("Westshire", "49", 10, q=5),  # no such quarter
    row("", "49", 10),  # no force
    row("Westshire", "49", 5_000),
    row("Westshire", "106", 10),
    [],
    ["Note: figures are provisional."],
]


def check_awkward(table: NationalTable) -> None:
    reasons = sorted(r.reason for r in table.rejects)
    assert reasons == [
        "Financial Quarter '5' is not 1 to 4",
        "Financial Year '2023' is not like 2022/23",
        "Force Name is empty",
        "Number of Offences '-3' is not a whole number of 0 or more",
        "Number of Offences '12a' is not a whole number of 0 or more",
    ]
    assert sorted(r.line for r in table.not_published) == [11, 12]
    assert {r.line for r in table.rejects} == {15, 16, 17, 18, 19}
    c = national_comparison(table)
    assert c.quarters == (1, 2, 3)
    assert (c.mdsht, c.all_crime) == (4, 2000)  # 106, 106/01 and legacy 72; "1,996" read
    assert (c.others, c.others_mdsht, c.others_all_crime) == (2, 40, 15_010)
    assert c.others_pooled_share == pytest.approx(40 / 15_010 * 100)
    assert c.others_mean_share == pytest.approx((0.3 + 10 / 5010 * 100) / 2)
    assert dict(c.excluded) == {
        "England and Wales": "an aggregate of forces, not a force",
        "CIFAS": "fraud recording body, not a territorial force",
    }
    assert "(quarters 1, 2, 3 only)" in c.headline


def test_a_csv_with_title_rows_notes_and_bad_values(tmp_path: Path) -> None:
    table = read_national_table(write_csv(tmp_path / "prc.csv", AWKWARD))
    assert table.sheets == []
    assert all(r.file == "prc.csv" for r in table.rejects)
    check_awkward(table)


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for cells in rows:
            sheet.append(cells)
    book.save(path)
    return path


def write_ods(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        sheet = Table(name=name)
        for cells in rows:
            tr = TableRow()
            for value in cells:
                if isinstance(value, int):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                elif value in (None, ""):
                    cell = TableCell()
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            if not cells:
                tr.addElement(TableCell())
            sheet.addElement(tr)
        doc.spreadsheet.addElement(sheet)
    doc.save(str(path))
    return path


@pytest.mark.parametrize("writer", [write_xlsx, write_ods], ids=["xlsx", "ods"])
def test_spreadsheets_with_notes_sheets_and_title_rows(tmp_path: Path, writer: Any) -> None:
    sheets = {
        "Cover": [["Police recorded crime open data"], ["Invented for a test"]],
        "Notes": [["Note 1", "Offence codes are the Home Office's"]],
        "Data": AWKWARD,
    }
    suffix = ".xlsx" if writer is write_xlsx else ".ods"
    table = read_national_table(writer(tmp_path / f"prc{suffix}", sheets))
    assert table.sheets == ["Data"]
    assert all(r.file == f"prc{suffix} [Data]" for r in table.rejects)
    check_awkward(table)


@pytest.mark.parametrize("writer", [write_xlsx, write_ods], ids=["xlsx", "ods"])
def test_the_synthetic_table_as_a_spreadsheet_split_by_year(tmp_path: Path, writer: Any) -> None:
    rows = [[int(c) if i in (1, 7) else c for i, c in enumerate(r)] for r in synthetic_rows()]
    sheets = {
        "Contents": [["Sheet", "What"], ["2021-22", "one year"], ["2022-23", "the next"]],
        "2021-22": [HEADER, *[r for r in rows if r[0] == "2021/22"]],
        "2022-23": [["Title"], [], HEADER, *[r for r in rows if r[0] == "2022/23"]],
    }
    suffix = ".xlsx" if writer is write_xlsx else ".ods"
    table = read_national_table(writer(tmp_path / f"prc{suffix}", sheets))
    assert table.sheets == ["2021-22", "2022-23"] and table.rejects == []
    from_csv = national_comparison(read_national_table(synthetic_national_table_path()))
    assert national_comparison(table) == from_csv


def test_files_that_are_not_the_table_are_refused(tmp_path: Path) -> None:
    with pytest.raises(NationalTableError, match="no such file"):
        read_national_table(tmp_path / "missing.csv")
    other = write_csv(tmp_path / "other.csv", [["Force", "Crimes"], ["Northmoor", "10"]])
    with pytest.raises(NationalTableError, match="no sheet has the Home Office table's headers"):
        read_national_table(other)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(NationalTableError, match="cannot read it as a spreadsheet"):
        read_national_table(fake)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2022/23", "2022/23"),
        ("2022-23", "2022/23"),
        ("2022/2023", "2022/23"),
        ("2022 to 2023", "2022/23"),
        ("1999/00", "1999/00"),
        ("2022/24", None),
        ("2022/2024", None),
        ("2022", None),
        ("", None),
    ],
)
def test_financial_year_spellings(text: str, year: str | None) -> None:
    assert normalise_financial_year(text) == year


# --- the command ----------------------------------------------------------------------------


def test_command_prints_the_comparison_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "national.json"
    done = runner.invoke(
        app, ["crime", "national", str(synthetic_national_table_path()), "--json", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "0.13% of crime recorded in London, City of" in done.output
    assert "Left out: Action Fraud" in done.output
    payload = json.loads(out.read_text())
    assert (payload["mdsht"], payload["all_crime"], payload["financial_year"]) == (
        9,
        6923,
        "2022/23",
    )
    assert round(payload["others_pooled_share"], 2) == 0.24
    assert payload["forces"][0]["force"] == "Kestrel Valley"


def test_command_options_and_errors(tmp_path: Path) -> None:
    path = str(synthetic_national_table_path())
    done = runner.invoke(
        app, ["crime", "national", path, "--force", "Westshire", "--year", "2021/22"]
    )
    assert done.exit_code == 0 and "In 2021/22" in done.output and "Westshire" in done.output
    missing = runner.invoke(app, ["crime", "national", str(tmp_path / "nope.csv")])
    assert (
        missing.exit_code == 1 and "error:" in missing.output and "no such file" in missing.output
    )
    nowhere = runner.invoke(app, ["crime", "national", path, "--force", "Atlantis"])
    assert nowhere.exit_code == 1 and "no force named 'Atlantis'" in nowhere.output


def test_command_exits_3_when_rows_are_set_aside(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "prc.csv", AWKWARD)
    done = runner.invoke(app, ["crime", "national", str(path)])
    assert done.exit_code == EXIT_SET_ASIDE, done.output
    assert "prc.csv:15: Number of Offences '12a'" in done.output
    assert "5 row(s) set aside" in done.output
    assert "2 row(s) have no published number" in done.output
