"""The disruptions commands as an analyst and a supervisor use them (SQLite workspace)."""

from __future__ import annotations

from pathlib import Path

import orjson
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.cli import app
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.workspace import Workspace

runner = CliRunner()


def test_a_claim_is_recorded_refused_when_double_counted_approved_and_counted(
    tmp_path: Path,
) -> None:
    home = tmp_path / "ws"

    def run(*args: str, operator: str = "DC Amir Shah") -> tuple[int, str]:
        base = ["--home", str(home), "--operator", operator, "--why", "Op Sun review"]
        done = runner.invoke(app, [*base, "disruptions", *args])
        assert "Traceback" not in done.output
        return done.exit_code, " ".join(done.output.split())

    assert run("groups", "add", "ocg-1", "--name", "Family A", "--crime-type", "mdsht")[0] == 0
    assert run("groups", "nominal", "OCG-1", "--reference", "n-1", "--name", "A. Popescu")[0] == 0
    code, out = run(
        "operations",
        "add",
        "Op Sun",
        "--opened",
        "2020-01-06",
        "--crime-type",
        "mdsht",
        "--crime-type",
        "acquisitive",
        "--group",
        "OCG-1",
    )
    assert code == 0, out
    for n, kind in enumerate(["drugs", "fraud"]):
        assert (
            run("operations", "add", f"Op Job {n}", "--opened", "2022-01-01", "--crime-type", kind)[
                0
            ]
            == 0
        )
    claim = [
        "claims",
        "add",
        "OP-SUN/7",
        "--date",
        "2023-05-10",
        "--strand",
        "pursue",
        "--category",
        "moderate",
        "--narrative",
        "Warrant; two controllers arrested.",
        "--rank",
        "constable",
        "--operation",
        "Op Sun",
    ]
    code, out = run(*claim, "--crime-type", "drugs")
    assert (code, "Recorded claim 1" in out) == (0, True), out
    code, out = run(*claim, "--crime-type", "mdsht")
    assert code == 2
    assert "refused: no double counting: activity OP-SUN/7 is already claimed as claim 1" in out
    code, out = run("claims", "approve", "1", "--rank", "constable")
    assert code == 2 and "a supervisor must approve it" in out
    code, out = run("claims", "approve", "1", "--rank", "sergeant", operator="DS Kate Boyd")
    assert code == 0 and "Approved claim 1 (OP-SUN/7, Drugs, Moderate, 2023-05-10)" in out
    assert run("operations", "close", "Op Job 1", "--closed", "2024-01-31")[0] == 0
    code, out = run("claims", "regrade", "1", "--category", "major")
    assert code == 2 and "Major is recorded only at sentencing" in out

    figures = tmp_path / "figures.json"
    code, out = run("figures", "--year", "2023/24", "--json", str(figures))
    assert code == 0, out
    assert "Live operations with an MDSHT link: 1 of 2 (Op Sun)" in out
    data = orjson.loads(figures.read_bytes())
    assert data["by_crime_type"]["drugs"] == 1 and data["by_strand"]["pursue"] == 1
    assert data["financial_year"] == "2023/24" and data["groups"]["mdsht_link"] == 1
    code, out = run("figures", "--year", "2023/25")
    assert code == 2 and "not a financial year" in out

    code, out = run("groups", "list", "--nominals")
    assert code == 0 and "A. Popescu" in out
    code, out = run("claims", "list", "--pending")
    assert code == 0 and "No claims match." in out

    workspace = Workspace.open(load_settings(home))
    with workspace.ops.session() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    seen = [(e.actor, e.action, e.target) for e in events]
    assert ("DC Amir Shah", "alter", "disruptions nominal n-1") in seen
    assert ("DS Kate Boyd", "alter", "disruptions claim 1") in seen
    assert ("DC Amir Shah", "export", "disruptions figures") in seen
    assert ("DC Amir Shah", "view", "disruptions groups") in seen
    assert all(e.justification == "Op Sun review" for e in events)
    assert [t for _, _, t in seen].count("disruptions claim OP-SUN/7") == 1  # refusal: no change


def test_claims_add_help_quotes_the_national_definitions() -> None:
    done = runner.invoke(app, ["disruptions", "claims", "add", "--help"])
    text = " ".join(done.output.split())
    assert "MAJOR: Significant, long term disruptive impact" in text
    assert "This is recorded at sentencing stage." in text
    assert "MINOR: Minimal, short term disruptive impact" in text
    assert "Major by an inspector or above" in text
