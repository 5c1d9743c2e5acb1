"""Briefings and the ``plainsight checks`` commands on a small linked synthetic world."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.act.briefing import PURPOSE, build_briefing, render_html
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
    done = runner.invoke(
        app, ["--home", str(home), "import", "adverts", str(world / "adverts.jsonl")]
    )
    assert done.exit_code == 0, done.output
    ran = runner.invoke(app, ["--home", str(home), "run"])
    assert ran.exit_code == 0, ran.output
    return home


def _workspace(home: Path) -> Workspace:
    return Workspace.open(load_settings(home))


def _top(home: Path) -> tuple[str, str]:
    """The top-ranked network and one of its personas."""
    with _workspace(home).reading() as engine:
        network = engine.run("SELECT network_id FROM network_scores ORDER BY rank LIMIT 1")
        network_id = str(network.to_pylist()[0]["network_id"])
        persona = engine.run(
            "SELECT min(persona_id) AS p FROM networks WHERE network_id = ?", [network_id]
        )
        return network_id, str(persona.to_pylist()[0]["p"])


def test_a_persona_briefing_lists_what_its_adverts_say(home: Path) -> None:
    network_id, persona = _top(home)
    with _workspace(home).reading() as engine:
        brief = build_briefing(engine, "persona", persona)
        personas = engine.read_table("personas").to_pylist()
        adverts = {r["advert_id"] for r in personas if r["persona_id"] == persona}
        facts = [r for r in engine.read_table("facts").to_pylist() if r["advert_id"] in adverts]
        generic = {
            r["value"]
            for r in engine.read_table("generic_identifiers").to_pylist()
            if r["kind"] == "phone" and r["generic"]
        }
        captures = engine.read_table("captures").to_pylist()
    pictures = {s for c in captures if c["advert_id"] in adverts for s in c["image_sha256"] or []}
    assert brief.network_id == network_id and brief.adverts == len(adverts)
    assert set(brief.names) == {f["value"] for f in facts if f["kind"] == "name"}
    assert set(brief.ages) == {f["value"] for f in facts if f["kind"] == "age"}
    assert set(brief.phones) == {f["value"] for f in facts if f["kind"] == "phone"} - generic
    assert set(brief.towns) == {f["value"] for f in facts if f["kind"] == "place"}
    assert brief.pictures == len(pictures) > 0
    assert brief.known[-1] == "This is a lead for review, not a finding."
    assert any(network_id in line for line in brief.known)


def test_a_network_briefing_covers_its_personas_and_says_it_is_safeguarding(home: Path) -> None:
    network_id, persona = _top(home)
    with _workspace(home).reading() as engine:
        brief = build_briefing(engine, "network", network_id)
        alone = build_briefing(engine, "persona", persona)
        with pytest.raises(KeyError, match="no network N-000000000000"):
            build_briefing(engine, "network", "N-000000000000")
    assert persona in brief.personas and len(brief.personas) > 1
    assert brief.adverts > alone.adverts and set(alone.names) <= set(brief.names)
    assert brief.analysis.startswith(f"Network {network_id}")
    html = render_html(brief.as_dict(), produced=date(2026, 11, 29))
    assert PURPOSE in html and "not an enforcement action" in html
    assert all(name in html for name in brief.names)
    assert "29 November 2026" in html


def _cli(home: Path, *args: str) -> tuple[int, str]:
    done = runner.invoke(app, ["--home", str(home), "--why", "Op Sun", *args])
    return done.exit_code, done.output


def test_task_outcome_and_list_from_the_command_line(home: Path, tmp_path: Path) -> None:
    network_id, persona = _top(home)
    pdf = tmp_path / "briefing.pdf"
    code, out = _cli(
        home, "checks", "task", "--network", network_id, "--officer", "PC 123 Khan",
        "--due", "2099-01-31", "--briefing", str(pdf),
    )  # fmt: skip
    assert code == 0, out
    check_id = out.split("welfare check ")[1].split()[0]
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    code, out = _cli(
        home, "checks", "task", "--persona", persona, "--officer", "PC 9 Lee",
        "--due", "2099-02-28",
    )  # fmt: skip
    assert code == 0, out
    code, out = _cli(
        home, "checks", "task", "--persona", persona, "--officer", "PC 9 Lee",
        "--due", "2099-03-31",
    )  # fmt: skip
    assert code == 0 and "are still open" in out
    code, out = _cli(
        home, "checks", "outcome", check_id, "--outcome", "nrm_referral",
        "--notes", "Two women spoke to officers; one accepted a referral.",
    )  # fmt: skip
    assert code == 0 and "National Referral Mechanism" in out
    code, out = _cli(home, "checks", "list", "--network", network_id)
    assert code == 0 and network_id in out and "Khan" in out and persona not in out
    code, out = _cli(home, "checks", "list", "--open")
    assert code == 0 and persona in out and network_id not in out
    workspace = _workspace(home)
    with workspace.ops.session() as session:
        audited = [
            (e.action, e.target, e.justification)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.target.contains("check")))
        ]
    assert ("task", f"welfare check {check_id}", "Op Sun") in audited
    assert ("export", f"welfare check {check_id}", "Op Sun") in audited
    assert ("alter", f"welfare check {check_id}", "Op Sun") in audited


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["task", "--persona", "P-000000000000", "--officer", "x", "--due", "2099-01-01"],
         "no persona P-000000000000"),
        (["task", "--officer", "x", "--due", "2099-01-01"], "give one of --persona"),
        (["task", "--network", "N-1", "--officer", "x", "--due", "soon"], "is not a date"),
        (["outcome", "999", "--outcome", "safeguarded", "--notes", "x"], "no welfare check 999"),
        (["outcome", "1", "--outcome", "arrested", "--notes", "x"], "choose one of"),
        (["task", "--network", "N-1", "--officer", "x", "--due", "2099-01-01",
          "--briefing", "brief.docx"], "written as .pdf or .html"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_line(home: Path, args: list[str], message: str) -> None:
    code, out = _cli(home, "checks", *args)
    assert code == 1
    assert message in " ".join(out.split()) and "Traceback" not in out
