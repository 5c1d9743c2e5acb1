"""Reading a force's crime records folder: every tolerance and every reason a row is set aside."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest

from plainsight.crime.importer import CrimeDataError, load_records, outcome_code
from plainsight.crime.records import CrimeRecords
from plainsight.synth.crime import generate_crime

CRIME_HEADER = "crime_ref,recorded_date,committed_date,ho_offence_code,status"
VICTIM_HEADER = "crime_ref,victim_ref,sex,age,date_of_birth,ethnicity_ic,exploitation_type"


def write_folder(
    folder: Path,
    crimes: Sequence[str],
    victims: Sequence[str] = (),
    outcomes: Sequence[str] | None = None,
    *,
    crime_header: str = CRIME_HEADER,
    victim_header: str = VICTIM_HEADER,
    outcome_header: str = "crime_ref,outcome_code,outcome_date",
    bom: bool = False,
) -> Path:
    """A crime-records folder from header and row lines, written as given."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join([crime_header, *crimes]) + "\n"
    (folder / "crimes.csv").write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    (folder / "victims.csv").write_text(
        "\n".join([victim_header, *victims]) + "\n", encoding="utf-8"
    )
    if outcomes is not None:
        (folder / "outcomes.csv").write_text(
            "\n".join([outcome_header, *outcomes]) + "\n", encoding="utf-8"
        )
    return folder


def reasons(records: CrimeRecords) -> dict[tuple[str, int], str]:
    return {(r.file, r.line): r.reason for r in records.rejects}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crime-world")
    generate_crime(folder, seed=0)
    return folder


def test_the_synthetic_world_reads_whole_with_nothing_set_aside(world: Path) -> None:
    records = load_records(world)
    assert records.rejects == []
    lines = (world / "crimes.csv").read_text(encoding="utf-8-sig").count("\n") - 1
    assert len(records.crimes) == lines
    assert len(records.victims) == 56
    assert len(records.outcomes) == (world / "outcomes.csv").read_text().count("\n") - 1
    # values arrive trimmed, upper-cased codes, statuses defaulted
    assert all(c.crime_ref == c.crime_ref.strip() for c in records.crimes)
    assert {c.status for c in records.crimes} == {"recorded", "cancelled", "transferred"}
    assert {v.sex for v in records.victims} == {"F", "M", "U"}
    assert records.crimes[0].where.file == "crimes.csv" and records.crimes[0].where.line == 2


def test_an_age_from_date_of_birth_is_taken_at_the_committed_date(world: Path) -> None:
    records = load_records(world)
    crimes = {c.crime_ref: c for c in records.crimes}
    from_dob = [v for v in records.victims if v.date_of_birth is not None]
    assert from_dob
    for victim in from_dob:
        crime = crimes[victim.crime_ref]
        on = crime.committed or crime.recorded_day
        born = victim.date_of_birth
        assert born is not None
        expected = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        assert victim.age == expected
    # the case book's "dobedge" victim turns 18 between committed and recorded: still 17
    assert any(v.age == 17 and v.date_of_birth for v in from_dob)


def test_bom_mixed_case_headers_extra_columns_and_stray_spaces(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "f",
        [" C1 ,2023-02-14, 2023-02-13 , 106/01 ,NICHE, Recorded "],
        ["c1 , V1 ,Female, 30 ,,ic2 , Domestic Servitude"],
        crime_header="Crime_Ref,RECORDED_DATE,Committed_Date,HO_Offence_Code,Source_System,Status",
        bom=True,
    )
    # the victim's crime_ref differs in case: references are exact, so it is set aside
    records = load_records(folder)
    crime = records.crimes[0]
    assert crime.crime_ref == "C1"
    assert crime.ho_offence_code == "106/01"
    assert crime.status == "recorded"
    assert crime.recorded == datetime(2023, 2, 14) and crime.recorded_date_only
    assert crime.committed == date(2023, 2, 13)
    assert reasons(records) == {("victims.csv", 2): "crime c1 is not in crimes.csv"}

    folder = write_folder(
        tmp_path / "g",
        ["C1,2023-02-14,,106,"],
        ["C1 , V1 ,Female, 30 ,,ic2 , Domestic Servitude"],
        victim_header=VICTIM_HEADER.upper(),
    )
    victim = load_records(folder).victims[0]
    assert (victim.victim_ref, victim.sex, victim.age) == ("V1", "F", 30)
    assert (victim.ethnicity_ic, victim.exploitation_type) == ("IC2", "domestic_servitude")


@pytest.mark.parametrize(
    ("written", "expected", "day_only"),
    [
        ("2023-02-14", datetime(2023, 2, 14), True),
        ("14/02/2023", datetime(2023, 2, 14), True),
        ("05/04/2023", datetime(2023, 4, 5), True),  # 5 April: day first, never month first
        ("5/4/2023", datetime(2023, 4, 5), True),
        ("2023-02-14T10:30", datetime(2023, 2, 14, 10, 30), False),
        ("2023-02-14 10:30:15", datetime(2023, 2, 14, 10, 30, 15), False),
        ("14/02/2023 10:30", datetime(2023, 2, 14, 10, 30), False),
        ("2023-06-30T23:30:00Z", datetime(2023, 7, 1, 0, 30), False),  # UTC, shown as BST
    ],
)
def test_dates_iso_and_uk_day_first(
    tmp_path: Path, written: str, expected: datetime, day_only: bool
) -> None:
    records = load_records(write_folder(tmp_path, [f"C1,{written},,106,"]))
    assert records.rejects == []
    assert records.crimes[0].recorded == expected
    assert records.crimes[0].recorded_date_only is day_only


@pytest.mark.parametrize("written", ["02/14/2023", "31/02/2023", "2023/02/14", "14 Feb 2023", "23"])
def test_a_date_that_is_not_iso_or_uk_sets_the_row_aside(tmp_path: Path, written: str) -> None:
    records = load_records(write_folder(tmp_path, [f"C1,{written},,106,"]))
    assert records.crimes == []
    [reject] = records.rejects
    assert reject.reason.startswith(f"recorded_date '{written}' is not a date")
    assert (reject.file, reject.line, reject.raw) == ("crimes.csv", 2, f"C1,{written},,106,")


def test_missing_required_fields_and_unknown_codes_are_set_aside_with_reasons(
    tmp_path: Path,
) -> None:
    folder = write_folder(
        tmp_path,
        [
            "C1,2023-01-05,,106,",
            ",2023-01-05,,106,",
            "C3,,,106,",
            "C4,2023-01-05,,,",
            "C5,2023-01-05,,106,deleted",
            "C6,2023-01-05,,106,cancelled",
        ],
        [
            "C1,V1,f,17,,IC1,sexual",
            "C1,V2,X,20,,IC1,labour",
            "C1,V3,M,20,,IC7,labour",
            "C1,V4,M,20,,IC1,slavery",
            "C1,,M,20,,IC1,labour",
            "C6,V6,M,20,,IC1,labour",
        ],
        ["C1,1a,2023-03-01", "C1,23,2023-03-02", "C1,x,", "C1,,2023-03-03", "C6,0,"],
    )
    records = load_records(folder)
    assert [c.crime_ref for c in records.crimes] == ["C1", "C6"]
    assert reasons(records) == {
        ("crimes.csv", 3): "missing crime_ref",
        ("crimes.csv", 4): "missing recorded_date",
        ("crimes.csv", 5): "missing ho_offence_code",
        ("crimes.csv", 6): "status 'deleted' is not recorded, cancelled or transferred",
        ("victims.csv", 3): "sex 'X' is not F, M or U",
        ("victims.csv", 4): "ethnicity_ic 'IC7' is not IC1–IC6 or IC9",
        ("victims.csv", 5): "exploitation_type 'slavery' is not one of sexual, labour, criminal, "
        "domestic_servitude, organ_harvesting, unknown",
        ("victims.csv", 6): "missing victim_ref",
        ("outcomes.csv", 3): "outcome_code '23' is not a Home Office outcome type (0–22)",
        ("outcomes.csv", 4): "outcome_code 'x' is not a Home Office outcome type (0–22)",
        ("outcomes.csv", 5): "missing outcome_code",
    }
    assert [(o.crime_ref, o.outcome_code) for o in records.outcomes] == [("C1", "1"), ("C6", "0")]
    assert [v.victim_ref for v in records.victims] == ["V1", "V6"]


@pytest.mark.parametrize(
    ("age", "reason"),
    [
        ("-1", "age '-1' is impossible (negative)"),
        ("121", "age '121' is impossible (over 120)"),
        ("17.5", "age '17.5' is not a whole number of years"),
        ("about 20", "age 'about 20' is not a whole number of years"),
    ],
)
def test_impossible_ages_are_set_aside(tmp_path: Path, age: str, reason: str) -> None:
    folder = write_folder(tmp_path, ["C1,2023-01-05,,106,"], [f"C1,V1,F,{age},,IC1,"])
    records = load_records(folder)
    assert records.victims == []
    assert reasons(records) == {("victims.csv", 2): reason}


def test_ages_from_dates_of_birth_and_whole_number_forms(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path,
        ["C1,2023-06-10,2023-06-01,106,", "C2,10/06/2023,,106,"],
        [
            "C1,V1,F,,2005-06-05,,",  # 18th birthday after the offence (1 June): 17
            "C2,V2,M,,05/06/2005,,",  # no committed date: on the recorded day (10 June), 18
            "C1,V3,M,17.0,,,",  # a whole number written as a decimal
            "C1,V4,M,40,2005-06-05,,",  # a stated age wins over the date of birth
            "C1,V5,M,,2024-01-01,,",  # born after the offence
        ],
    )
    records = load_records(folder)
    assert [(v.victim_ref, v.age) for v in records.victims] == [
        ("V1", 17),
        ("V2", 18),
        ("V3", 17),
        ("V4", 40),
    ]
    assert records.victims[1].date_of_birth == date(2005, 6, 5)
    assert reasons(records) == {
        ("victims.csv", 6): "date_of_birth 2024-01-01 is after the offence (2023-06-01)"
    }


def test_duplicate_references_and_orphans(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path,
        ["C1,2023-01-05,,106,", "C1,2023-02-05,,106,", "C2,not a date,,106,"],
        ["C1,V1,F,20,,,", "C1,V1,F,20,,,", "C2,V2,F,20,,,", "C9,V9,F,20,,,"],
        ["C9,18,2023-03-01", "C2,18,2023-03-01", "C1,18,2023-03-01"],
    )
    records = load_records(folder)
    assert [c.recorded.month for c in records.crimes] == [1]  # the first C1 stays
    assert reasons(records) == {
        ("crimes.csv", 3): "crime_ref C1 appears again (first on line 2); set aside",
        ("crimes.csv", 4): "recorded_date 'not a date' is not a date (ISO 2023-02-14 or UK "
        "day-first 14/02/2023)",
        ("victims.csv", 3): "victim V1 is already listed for crime C1 (line 2); set aside",
        ("victims.csv", 4): "crime C2 was set aside (crimes.csv line 4)",
        ("victims.csv", 5): "crime C9 is not in crimes.csv",
        ("outcomes.csv", 2): "crime C9 is not in crimes.csv",
        ("outcomes.csv", 3): "crime C2 was set aside (crimes.csv line 4)",
    }
    assert len(records.outcomes) == 1


def test_a_row_with_several_problems_names_them_all(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, ["C1,2023-01-05,,106,"], ["C1,V1,Q,-4,,IC0,"])
    [reject] = load_records(folder).rejects
    assert reject.reason == (
        "sex 'Q' is not F, M or U; age '-4' is impossible (negative); "
        "ethnicity_ic 'IC0' is not IC1–IC6 or IC9"
    )


def test_sex_and_ethnicity_words(tmp_path: Path) -> None:
    victims = [
        f"C1,V{n},{sex},20,,{ic},"
        for n, (sex, ic) in enumerate(
            [("female", "IC1"), ("MALE", "ic3"), ("", ""), ("U", "IC9"), ("Not known", "IC 4")]
        )
    ]
    records = load_records(write_folder(tmp_path, ["C1,2023-01-05,,106,"], victims))
    assert records.rejects == []
    assert [(v.sex, v.ethnicity_ic) for v in records.victims] == [
        ("F", "IC1"),
        ("M", "IC3"),
        ("U", "IC9"),
        ("U", "IC9"),
        ("U", "IC4"),
    ]


@pytest.mark.parametrize(
    ("written", "code"),
    [("1", "1"), ("1a", "1"), ("1A", "1"), ("2a", "2"), ("3A", "3"), ("0", "0"), ("018", "18")],
)
def test_outcome_codes(written: str, code: str) -> None:
    assert outcome_code(written) == code


@pytest.mark.parametrize("written", ["23", "4a", "-1", "", "eighteen"])
def test_not_outcome_codes(written: str) -> None:
    assert outcome_code(written) is None


def test_a_quoted_multi_line_value_keeps_its_row_whole_and_lines_right(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path,
        ['C1,2023-01-05,,106,"recorded"', 'C2,2023-01-06,,106,"can-\ncelled"', "C3,bad,,106,"],
    )
    records = load_records(folder)
    assert [c.crime_ref for c in records.crimes] == ["C1"]
    assert {(r.line, r.raw) for r in records.rejects} == {
        (3, 'C2,2023-01-06,,106,"can-\ncelled"'),
        (5, "C3,bad,,106,"),
    }


def test_a_row_longer_than_the_header_is_set_aside(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, ["C1,2023-01-05,,106,,", "C2,2023-01-05,,106,recorded,oops"])
    records = load_records(folder)
    assert [c.crime_ref for c in records.crimes] == ["C1"]  # an empty extra cell is harmless
    assert reasons(records)[("crimes.csv", 3)].startswith("row has 6 values but the header has 5")


def test_outcomes_are_optional_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, ["C1,2023-01-05,,106,", "", "C2,2023-01-05,,8N,"])
    records = load_records(folder)
    assert [c.where.line for c in records.crimes] == [2, 4]
    assert records.outcomes == [] and records.rejects == []


def test_a_folder_that_cannot_be_read_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CrimeDataError, match="is not a folder"):
        load_records(tmp_path / "nowhere")
    folder = write_folder(tmp_path / "a", ["C1,2023-01-05,,106,"])
    (folder / "victims.csv").unlink()
    with pytest.raises(CrimeDataError, match=r"has no victims\.csv"):
        load_records(folder)
    folder = write_folder(
        tmp_path / "b", ["C1,2023-01-05,106"], crime_header="crime_ref,recorded,ho_offence_code"
    )
    with pytest.raises(CrimeDataError, match=r"crimes\.csv has no column 'recorded_date'"):
        load_records(folder)
    folder = write_folder(tmp_path / "c", ["C1,2023-01-05,,106,"])
    (folder / "crimes.csv").write_bytes("crime_ref\nC\xe91\n".encode("latin-1"))
    with pytest.raises(CrimeDataError, match="not UTF-8"):
        load_records(folder)
    folder = write_folder(tmp_path / "d", ["C1,2023-01-05,,106,"])
    (folder / "victims.csv").write_text("")
    with pytest.raises(CrimeDataError, match="empty"):
        load_records(folder)


def test_the_mdsht_codes_travel_with_the_records(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, ["C1,2023-01-05,,106/01,", "C2,2023-01-05,,72,"])
    records = load_records(folder, mdsht_codes=("106",))
    assert records.mdsht_codes == ("106",)
    assert [records.is_mdsht(c) for c in records.crimes] == [True, False]
