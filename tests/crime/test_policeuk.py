"""data.police.uk street and outcomes files: real City of London extracts (tests/data/police-uk,
Open Government Licence) and hand-written awkward files."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plainsight.cli import EXIT_SET_ASIDE, app
from plainsight.crime.policeuk import (
    ASB,
    OUTCOME_COLUMNS,
    STREET_COLUMNS,
    PoliceUk,
    PoliceUkError,
    all_crimes_by_year,
    area_of,
    crimes_by_area,
    crimes_by_month,
    crimes_by_type,
    crimes_by_year_and,
    duplicate_crime_ids,
    latest_outcomes,
    months_by_year,
    outcomes_by_month,
    outcomes_without_crime,
    read_police_uk,
)

DATA = Path(__file__).parent.parent / "data" / "police-uk"
runner = CliRunner()


def street_rows() -> list[dict[str, str]]:
    """Every street row of the fixture, read with the csv module alone."""
    rows: list[dict[str, str]] = []
    for path in sorted(DATA.glob("*-street.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def crime_id(prefix: str) -> str:
    """A full Crime ID from its first characters (they are 64 hex digits)."""
    (found,) = {r["Crime ID"] for r in street_rows() if r["Crime ID"].startswith(prefix)}
    return found


@pytest.fixture(scope="module")
def data() -> PoliceUk:
    return read_police_uk([DATA])


def test_reads_every_row_of_the_real_extracts(data: PoliceUk) -> None:
    rows = street_rows()
    assert data.rejects == []
    assert [Path(f).name for f in data.files] == sorted(p.name for p in DATA.glob("*.csv"))
    assert len(data.crimes) == len(rows) == 1798
    assert len(data.outcomes) == 1053
    asb = [r for r in rows if r["Crime type"] == ASB]
    assert len(asb) == 177 and all(r["Crime ID"] == "" for r in asb)
    # Anti-social behaviour is kept, as a crime type with no Crime ID, but not counted.
    assert sum(1 for c in data.crimes if c.is_asb and c.crime_id == "") == 177
    assert sum(crimes_by_type(data).values()) == 1798 - 177
    assert ASB not in crimes_by_type(data)
    assert crimes_by_type(data, include_asb=True)[ASB] == 177


def test_all_crimes_by_year_leaves_out_anti_social_behaviour(data: PoliceUk) -> None:
    rows = street_rows()
    expected = Counter(r["Month"][:4] for r in rows if r["Crime type"] != ASB)
    assert all_crimes_by_year(data) == dict(sorted(expected.items())) == {"2016": 798, "2023": 823}
    with_asb = all_crimes_by_year(data, include_asb=True)
    assert sum(with_asb.values()) == 1798
    assert months_by_year(data) == {"2016": 2, "2023": 1}  # part years: say so
    assert all_crimes_by_year(data, year="financial") == {"2015/16": 798, "2023/24": 823}
    assert crimes_by_month(data) == {
        "2016-01": expected_month(rows, "2016-01"),
        "2016-02": expected_month(rows, "2016-02"),
        "2023-12": 823,
    }


def expected_month(rows: list[dict[str, str]], month: str) -> int:
    return sum(1 for r in rows if r["Month"] == month and r["Crime type"] != ASB)


def test_area_inside_outside_and_unknown(data: PoliceUk) -> None:
    assert area_of("City of London 001F") == "inside"
    assert area_of("Tower Hamlets 001A") == "outside"
    assert area_of("  ") == "unknown"
    rows = [r for r in street_rows() if r["Crime type"] != ASB]
    inside = sum(1 for r in rows if r["LSOA name"].startswith("City of London"))
    unknown = sum(1 for r in rows if not r["LSOA name"])
    areas = crimes_by_area(data)
    assert areas == {"inside": inside, "outside": len(rows) - inside - unknown, "unknown": unknown}
    assert areas["outside"] > 0 and areas["unknown"] > 0  # both happen in the real data
    by_year = crimes_by_year_and(data, "area")
    assert list(by_year) == ["inside", "outside", "unknown"]
    assert sum(by_year["inside"].values()) == inside


def test_the_latest_outcome_wins_across_months_and_within_one(data: PoliceUk) -> None:
    latest = latest_outcomes(data)
    # Charged in January 2016, fined in February.
    fined = crime_id("c3e751bb3e98")
    assert (latest[fined].month, latest[fined].outcome_type) == ("2016-02", "Offender fined")
    # Charged and sent to prison in the same month: the later row (the court) wins, though
    # the street file says "Court result unavailable".
    jailed = crime_id("827fc230bc83")
    assert latest[jailed].outcome_type == "Offender sent to prison"
    street = next(c for c in data.crimes if c.crime_id == jailed)
    assert street.last_outcome_category == "Court result unavailable"


def test_outcomes_by_month_count_each_crime_once(data: PoliceUk) -> None:
    table = outcomes_by_month(data)
    assert list(table) == ["2016-01", "2016-02", "2023-12"]
    ids = {c.crime_id for c in data.crimes if c.crime_id}
    assert sum(sum(m.values()) for m in table.values()) == len(ids)
    assert table["2016-01"]["Offender sent to prison"] >= 1
    # December 2023 has no outcomes file here: its street file's last outcome is used.
    december = Counter(
        r["Last outcome category"]
        for r in street_rows()
        if r["Month"] == "2023-12" and r["Crime ID"]
    )
    dec_ids = {c.crime_id for c in data.crimes if c.month == "2023-12" and c.crime_id}
    assert sum(table["2023-12"].values()) == len(dec_ids)
    assert set(table["2023-12"]) <= set(december)
    assert duplicate_crime_ids(data) == 14  # real: one Crime ID on several rows
    assert outcomes_without_crime(data) == 646  # outcomes for crimes of 2015 and earlier


# --- awkward files --------------------------------------------------------------------------


def write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # with a byte-order mark
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def street(
    crime_id: str, month: str, crime_type: str, lsoa: str = "City of London 001A"
) -> list[str]:
    return [crime_id, month, "City of London Police", "City of London Police", "-0.09",
            "51.51", "On or near Cheapside", "E01000001", lsoa, crime_type,
            "Under investigation", ""]  # fmt: skip


def test_bad_rows_are_set_aside_with_file_line_and_reason(tmp_path: Path) -> None:
    folder = tmp_path / "download" / "2024-01"
    write(
        folder / "2024-01-city-of-london-street.csv",
        STREET_COLUMNS,
        [
            street("a1", "2024-01", "Robbery"),
            street("a2", "Jan 2024", "Robbery"),
            street("a3", "2024-01", ""),
            [*street("a4", "2024-01", "Drugs")[:4], "west", *street("a4", "2024-01", "Drugs")[5:]],
            street("a5", "2024-01", "Drugs")[:-1],
            street("", "2024-01", ASB),
            street("a6", "2024-01", "Shoplifting", lsoa=""),
        ],
    )
    write(
        folder / "2024-01-city-of-london-outcomes.csv",
        OUTCOME_COLUMNS,
        [
            ["a1", "2024-01", "CoLP", "CoLP", "", "", "", "", "", "Suspect charged"],
            ["", "2024-01", "CoLP", "CoLP", "", "", "", "", "", "Suspect charged"],
        ],
    )
    (folder / "2024-01-city-of-london-stop-and-search.csv").write_text("Type,Date\n")
    (folder / "notes.csv").write_text("not,police,uk\n")
    data = read_police_uk([tmp_path / "download"])
    assert len(data.files) == 2  # stop-and-search and stray files are not read
    reasons = {(Path(r.file).name, r.line): r.reason for r in data.rejects}
    street_file = "2024-01-city-of-london-street.csv"
    assert reasons == {
        (street_file, 3): "Month 'Jan 2024' is not like 2023-05",
        (street_file, 4): "Crime type is empty",
        (street_file, 5): "Longitude 'west' or Latitude '51.51' is not a number",
        (street_file, 6): "has 11 fields; the header has 12",
        ("2024-01-city-of-london-outcomes.csv", 3): "an outcome with no Crime ID",
    }
    assert [c.crime_id for c in data.crimes] == ["a1", "", "a6"]
    assert crimes_by_area(data) == {"inside": 1, "outside": 0, "unknown": 1}
    assert outcomes_by_month(data) == {"2024-01": {"Suspect charged": 1, "Under investigation": 1}}


def test_a_file_named_directly_is_recognised_by_its_header(tmp_path: Path) -> None:
    good = write(tmp_path / "renamed.csv", STREET_COLUMNS, [street("b1", "2024-02", "Drugs")])
    other = write(tmp_path / "other.csv", ("Type", "Date"), [["Person search", "2024-02-01"]])
    data = read_police_uk([good, other])
    assert [c.crime_id for c in data.crimes] == ["b1"]
    assert [(r.file, r.line) for r in data.rejects] == [("other.csv", 1)]
    assert "not a police.uk street or outcomes file" in data.rejects[0].reason


def test_the_zip_archive_police_uk_gives(tmp_path: Path) -> None:
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(DATA.glob("*.csv")):
            zf.write(path, f"{path.name[:7]}/{path.name}")
    from_zip = read_police_uk([archive])
    from_folder = read_police_uk([DATA])
    assert all_crimes_by_year(from_zip) == all_crimes_by_year(from_folder)
    assert outcomes_by_month(from_zip) == outcomes_by_month(from_folder)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(PoliceUkError, match="not a readable zip archive"):
        read_police_uk([bad])


def test_nothing_to_read_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PoliceUkError, match="no such file or folder"):
        read_police_uk([tmp_path / "missing"])
    with pytest.raises(PoliceUkError, match=r"no police\.uk street or outcomes files"):
        read_police_uk([tmp_path])


# --- the command ----------------------------------------------------------------------------


def test_command_counts_by_year_type_and_area(tmp_path: Path) -> None:
    out = tmp_path / "police-uk.json"
    done = runner.invoke(app, ["crime", "police-uk", str(DATA), "--json", str(out)])
    assert done.exit_code == 0, done.output
    assert "1,621 crimes (not counting 177 anti-social behaviour incidents)" in done.output
    assert "part year" in done.output and "Theft from the person" in done.output
    payload = json.loads(out.read_text())
    assert payload["all_crimes_by_year"] == {"2016": 798, "2023": 823}
    assert payload["months_by_year"] == {"2016": 2, "2023": 1}
    assert sum(payload["crimes_by_area"].values()) == 1621
    assert set(payload["outcomes_by_month"]) == {"2016-01", "2016-02", "2023-12"}
    with_asb = runner.invoke(app, ["crime", "police-uk", str(DATA), "--include-asb"])
    assert "1,798 crimes (including anti-social behaviour)" in with_asb.output


def test_command_exit_codes(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["crime", "police-uk", str(tmp_path / "nothing")])
    assert missing.exit_code == 1 and "error:" in missing.output
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(DATA / "2023-12-city-of-london-street.csv", folder)
    write(folder / "2024-01-x-street.csv", STREET_COLUMNS, [street("c1", "24-01", "Drugs")])
    done = runner.invoke(app, ["crime", "police-uk", str(folder)])
    assert done.exit_code == EXIT_SET_ASIDE, done.output
    assert "2024-01-x-street.csv:2: Month '24-01' is not like 2023-05" in done.output
