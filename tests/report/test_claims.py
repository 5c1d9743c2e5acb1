"""The earlier report's published claims, checked against the records from a data file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plainsight.report.claims import QUANTITIES, load_claims
from plainsight.report.figures import ReportDataError
from plainsight.report.model import Report


def test_every_claim_names_a_known_quantity_and_the_seed_period() -> None:
    claims = load_claims()
    assert claims.source == "Pol 25-24"
    assert (claims.start.isoformat(), claims.end.isoformat()) == ("2019-01-01", "2023-12-31")
    assert all(c.quantity in QUANTITIES for c in claims.claims)
    assert len(claims.claims) >= 25


def test_the_seed_s_text_disagrees_with_its_tables_where_it_does(report: Report) -> None:
    differing = [c for c in report.claim_checks if not c.agrees]
    found = {(c.claim, c.stated, c.computed) for c in differing}
    assert found == {
        ("we have seen an increase of 225% (+5) in 2023", "225%", "50.0%"),
        ("we have seen an increase of 225% (+5) in 2023", "+5", "3"),
        ("White North European victims are the largest group at 43% (n=18)", "43%", "43.9%"),
        (
            "Among the victims who declared their ethnicity, White North European victims "
            "are the largest group at 43%",
            "43%",
            "52.9%",
        ),
        (
            "February shows a 50% increase for MDSHT offences above the monthly average",
            "50%",
            "46.3%",
        ),
        (
            "60% of MDSHT offences end with outcome 18: Investigation complete no suspect "
            "identified",
            "60%",
            "61.0%",
        ),
    }
    wording = next(c.message for c in differing if c.stated == "+5")
    assert wording.startswith("Pol 25-24 says +5 (“we have seen an increase of 225% (+5)")
    assert "the records give 3 (6 in 2022, 9 in 2023): differs." in wording


def test_claims_that_hold_are_counted_as_agreeing(report: Report) -> None:
    agreeing = {(c.claim, c.stated) for c in report.claim_checks if c.agrees}
    assert ("85% of victims are aged between 11-35 (n=35)", "85%") in agreeing
    assert ("85% of victims are aged between 11-35 (n=35)", "35") in agreeing
    assert ("followed by White South European 17% (n=7)", "17%") in agreeing
    assert ("More males report being a victim of MDSHT at 76% (n=31)", "76%") in agreeing
    assert ("There has been 1 charge since 2019", "1") in agreeing
    assert ("MDSHT has decreased by 50% (-9) since 2019", "-50%") in agreeing
    # checked against the national table, given with --national
    assert ("compared to the national average of all other forces at 0.24%", "0.24%") in agreeing
    assert len(report.claim_checks) == 28


def test_the_methods_note_lists_the_disagreements(report: Report) -> None:
    section = report.methods[-1]
    assert section.title == "Checks against the earlier report (Pol 25-24)"
    assert "22 of 28 agree, and 6 differ" in section.paragraphs[0]
    assert len(section.bullets) == 6


def test_a_claims_file_is_data(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_text(
        json.dumps(
            {
                "source": "Pol 1-25",
                "period": {"from": "2024-01-01", "to": "2024-12-31"},
                "claims": [{"claim": "x", "quantity": "no_such_thing", "stated": "1"}],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ReportDataError, match="unknown quantity 'no_such_thing'"):
        load_claims(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportDataError, match="cannot read the claims file"):
        load_claims(path)
