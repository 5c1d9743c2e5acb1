"""The report's disruptions section, counted from a real disruptions register."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document

from plainsight.act.disruption_figures import disruption_figures
from plainsight.act.disruptions import add_claim, add_operation, approve_claim
from plainsight.crime.records import CrimeRecords
from plainsight.ops.db import OpsDatabase
from plainsight.report.build import build_report
from plainsight.report.render import render_html
from plainsight.report.word import render_docx

from .conftest import FROM, PRODUCED, TO


def _clock() -> datetime:
    return datetime(2024, 2, 1, tzinfo=UTC)


def _register(ops_db: OpsDatabase) -> dict[str, object]:
    with ops_db.session() as s:
        for n, types in enumerate((["mdsht", "drugs"], ["drugs"], ["fraud"], ["mdsht"])):
            add_operation(
                s, name=f"Op {n}", types=types, opened_on=date(2022, 5, 1), who="DS A",
                clock=_clock,
            )  # fmt: skip
        claims = [
            ("A-1", date(2022, 6, 1), "moderate", "mdsht", None),
            ("A-2", date(2023, 1, 9), "minor", "mdsht", None),
            ("A-3", date(2023, 5, 2), "major", "mdsht", "sentenced"),
            ("A-4", date(2023, 6, 2), "minor", "drugs", None),  # not MDSHT
            ("A-5", date(2017, 6, 2), "minor", "mdsht", None),  # before the period
        ]
        for activity, day, category, crime_type, stage in claims:
            claim = add_claim(
                s, activity=activity, claimed_on=day, strand="pursue", category=category,
                crime_type=crime_type, narrative="Arrests at an address used by the network.",
                claimant="DC B", claimant_rank="constable", outcome_stage=stage,
                outcome_on=day if stage else None, clock=_clock,
            )  # fmt: skip
            s.flush()
            approve_claim(s, claim_id=claim.id, approver="DI C", rank="inspector", clock=_clock)
        add_claim(
            s,
            activity="A-6",
            claimed_on=date(2023, 7, 1),
            strand="protect",
            category="minor",
            crime_type="mdsht",
            narrative="Safeguarding visit.",
            claimant="DC B",
            claimant_rank="constable",
            clock=_clock,
        )  # fmt: skip  (never approved: not counted)
    with ops_db.session() as s:
        return disruption_figures(s)


def test_the_report_counts_approved_mdsht_claims_in_the_period(
    records: CrimeRecords, ops_db: OpsDatabase, tmp_path: Path
) -> None:
    figures = _register(ops_db)
    report = build_report(records, FROM, TO, produced_on=PRODUCED, disruptions=figures)
    [table] = report.disruptions
    assert table.row_keys == ("2022/23", "2023/24", "total")
    assert [c.text for c in table.rows[0][1:]] == ["0", "1", "1", "2"]  # moderate + minor
    assert [c.text for c in table.rows[1][1:]] == ["1", "0", "0", "1"]  # major, at sentencing
    assert table.cell("total", "total").value == 3
    points = " ".join(report.disruption_points)
    assert "3 approved MDSHT disruption claim(s)" in points and "1 of them Major" in points
    assert "2 out of 4 live operations have an MDSHT link" in points
    assert "1 claim(s) are awaiting a supervisor's approval" in points
    html = render_html(report)
    assert '<section id="disruptions">' in html and "2 out of 4 live operations" in html
    docx = Document(str(render_docx(report, tmp_path / "r.docx")))
    assert any(p.text == "Disruptions" for p in docx.paragraphs)


def test_without_a_register_there_is_no_disruptions_section(records: CrimeRecords) -> None:
    report = build_report(records, FROM, TO, produced_on=PRODUCED)
    assert report.disruptions == () and report.disruption_points == ()
    assert 'id="disruptions"' not in render_html(report)
