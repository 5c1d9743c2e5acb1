"""`plainsight intel` end to end on a small linked world: draft, edit, grade, sanitise, export,
import and list, each audited; bad input gives one line, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.cli import app
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = tmp_path_factory.mktemp("world")
    generate_adverts(world, scale=0.1, seed=7)
    home = tmp_path_factory.mktemp("ws") / "ws"
    for args in (["import", "adverts", str(world / "adverts.jsonl")], ["run"]):
        done = runner.invoke(app, ["--home", str(home), *args])
        assert done.exit_code == 0, done.output
    return home


def cli(home: Path, *args: str) -> Any:
    return runner.invoke(
        app, ["--home", str(home), "--operator", "analyst1", "--why", "Op Test", "intel", *args]
    )


def lake(home: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    workspace = Workspace.open(load_settings(home))
    with workspace.reading() as engine:
        rows: list[dict[str, Any]] = engine.run(sql, params).to_pylist()
    return rows


def audit(home: Path) -> list[tuple[str, str, str, str]]:
    workspace = Workspace.open(load_settings(home))
    with workspace.ops.session() as s:
        return [
            (e.actor, e.action, e.target, e.justification)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.target.startswith("intel")
        ]


def test_a_network_report_is_drafted_from_its_evidence_and_taken_to_export(
    home: Path, tmp_path: Path
) -> None:
    top = lake(home, "SELECT * FROM network_scores ORDER BY rank LIMIT 1")[0]
    phones = lake(
        home,
        "SELECT DISTINCT f.value FROM facts f JOIN personas p ON p.advert_id = f.advert_id "
        "JOIN networks n ON n.persona_id = p.persona_id "
        "WHERE n.network_id = ? AND f.kind = 'phone'",
        [top["network_id"]],
    )
    drafted = cli(home, "draft", "--network", top["network_id"])
    assert drafted.exit_code == 0, drafted.output
    report_id = drafted.output.split("report ")[1].split(" ")[0]

    shown = cli(home, "show", report_id)
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert f"{top['personas']} persona(s) behind {top['adverts']} advert(s)" in text
    assert all(p["value"] in text for p in phones)
    assert f"Network {top['network_id']} (rank 1" in text
    assert "This is a lead for review, not a finding." in text

    exported = cli(home, "export", report_id, "--format", "pdf", "--output", str(tmp_path / "x"))
    assert exported.exit_code == 1 and "is not graded" in exported.output

    edited_text = tmp_path / "edited.txt"
    edited_text.write_text(text.split("\n\n", 1)[1] + "\nANALYST NOTE\nSeen at Op Test.\n")
    edited = cli(home, "edit", report_id, "--text-file", str(edited_text))
    assert edited.exit_code == 0, edited.output
    assert "Op Test" in cli(home, "show", report_id, "--history").output

    refused = cli(
        home, "grade", report_id, "--source", "2", "--intelligence", "B", "--handling", "C"
    )
    assert refused.exit_code == 1
    assert refused.output.strip() == (
        "error: handling code C needs its conditions: give --conditions"
    )
    graded = cli(
        home, "grade", report_id, "--source", "2", "--intelligence", "B", "--handling", "C",
        "--conditions", "UK law enforcement only",
    )  # fmt: skip
    assert graded.exit_code == 0 and "2/B/C (3x5x2)" in graded.output

    cleaned = cli(home, "sanitise", report_id)
    assert cleaned.exit_code == 0 and "phone" in cleaned.output
    sanitised = cli(home, "show", report_id, "--sanitised").output
    assert not any(p["value"] in sanitised for p in phones)
    assert "[phone removed]" in sanitised

    for fmt in ("pdf", "docx"):
        out = tmp_path / f"report.{fmt}"
        done = cli(home, "export", report_id, "--format", fmt, "--output", str(out), "--sanitised")
        assert done.exit_code == 0, done.output
        assert out.stat().st_size > 1000
    from docx import Document

    words = "\n".join(p.text for p in Document(str(tmp_path / "report.docx")).paragraphs)
    assert "SANITISED COPY" in words and not any(p["value"] in words for p in phones)

    listed = cli(home, "list")
    assert f"INTEL-{report_id}" in listed.output and "3x5x2" in listed.output
    actions = [(a, act, t) for a, act, t, why in audit(home) if why == "Op Test"]
    target = f"intel {report_id}"
    for action in ("create", "view", "alter", "export"):
        assert ("analyst1", action, target) in actions
    assert actions.count(("analyst1", "export", target)) == 2
    assert ("analyst1", "view", "intel list") in actions


def test_a_persona_report_names_its_network(home: Path) -> None:
    row = lake(
        home,
        "SELECT n.persona_id, n.network_id FROM networks n JOIN network_scores s "
        "USING (network_id) WHERE s.personas > 1 ORDER BY s.rank, n.persona_id LIMIT 1",
    )[0]
    drafted = cli(home, "draft", "--persona", row["persona_id"])
    assert drafted.exit_code == 0, drafted.output
    report_id = drafted.output.split("report ")[1].split(" ")[0]
    shown = cli(home, "show", report_id).output
    assert f"Persona {row['persona_id']} is one of network {row['network_id']}." in shown


def test_older_5x5x5_entries_are_imported_and_listed_with_their_scheme(
    home: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older.csv"
    older.write_text(
        "reference,date,source,intelligence,handling,text\n"
        "2018/0101,2018-06-01,C,3,2,Two females seen leaving a flat above a nail bar\n",
        encoding="utf-8",
    )
    done = cli(home, "import", str(older))
    assert done.exit_code == 0 and "Imported 1 report(s) graded 5x5x5" in done.output
    again = cli(home, "import", str(older))
    assert "Imported 0" in again.output and "skipped: 2018/0101" in again.output
    listed = cli(home, "list").output
    assert "2018/0101" in listed and "C/3/2" in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["draft", "--network", "N-000000000000"], "error: no network N-000000000000"),
        (["draft"], "error: give one of --persona or --network"),
        (["show", "999"], "error: no intelligence report 999"),
        (["grade", "999", "--source", "1", "--intelligence", "A", "--handling", "P"],
         "error: no intelligence report 999"),
        (["edit", "999"], "error: give one of --text-file or --editor"),
        (["import", "/nonexistent/old.csv"], "error: cannot read /nonexistent/old.csv"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_line(home: Path, args: list[str], message: str) -> None:
    done = cli(home, *args)
    assert done.exit_code in (1, 2)
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert done.output.strip().splitlines()[0].startswith(message)


def test_the_editor_edits_the_text_and_an_unchanged_text_records_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = lake(home, "SELECT network_id FROM network_scores ORDER BY rank LIMIT 1 OFFSET 1")
    drafted = cli(home, "draft", "--network", network[0]["network_id"])
    report_id = drafted.output.split("report ")[1].split(" ")[0]
    monkeypatch.setenv("VISUAL", "sed -i s/^WHO$/PEOPLE/")
    assert cli(home, "edit", report_id, "--editor").exit_code == 0
    shown = cli(home, "show", report_id, "--history").output
    assert "\nPEOPLE\n" in shown and "\nWHO\n" not in shown and "2. edit by analyst1" in shown
    monkeypatch.setenv("VISUAL", "true")
    unchanged = cli(home, "edit", report_id, "--editor")
    assert unchanged.exit_code == 0 and "Not saved" in unchanged.output
