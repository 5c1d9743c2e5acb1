"""The command line as a user meets it: exit codes, messages, and docs that match."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import orjson
import typer.main
from typer.testing import CliRunner

from plainsight.cli import EXIT_SET_ASIDE, app
from tests.conftest import WriteFile, advert

DOCS = Path(__file__).parent.parent / "docs" / "cli.md"
runner = CliRunner()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plainsight", *args], capture_output=True, text=True, check=False
    )


def test_import_status_and_rejects_end_to_end(tmp_path: Path, write_jsonl: WriteFile) -> None:
    home = str(tmp_path / "ws")
    path = write_jsonl("ads.jsonl", [advert(1), b"{oops", advert(2, age="x")])
    done = runner.invoke(app, ["--home", home, "import", "adverts", str(path)])
    assert done.exit_code == EXIT_SET_ASIDE, done.output
    assert "2 line(s) set aside" in done.output
    status = runner.invoke(app, ["--home", home, "status"])
    assert status.exit_code == 0
    assert re.search(r"captures\s*│\s*1\b", status.output)
    assert "not JSON" in status.output and "adsite-north" in status.output
    listed = runner.invoke(app, ["--home", home, "rejects"])
    assert "field 'age' must be an integer" in listed.output and "{oops" in listed.output
    out = tmp_path / "set-aside.jsonl"
    exported = runner.invoke(app, ["--home", home, "rejects", "--export", str(out)])
    assert exported.exit_code == 0
    assert out.read_bytes().split(b"\n")[0] == b"{oops"
    assert orjson.loads(out.read_bytes().split(b"\n")[1])["age"] == "x"


def test_a_clean_import_exits_zero(tmp_path: Path, write_jsonl: WriteFile) -> None:
    path = write_jsonl("ads.jsonl", [advert(n) for n in range(3)])
    done = runner.invoke(app, ["--home", str(tmp_path / "ws"), "import", "adverts", str(path)])
    assert done.exit_code == 0, done.output


def test_imports_and_views_of_set_aside_lines_are_audited(
    tmp_path: Path, write_jsonl: WriteFile
) -> None:
    from plainsight.ops import audit
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    home = tmp_path / "ws"
    path = write_jsonl("ads.jsonl", [advert(1), b"bad"])
    runner.invoke(
        app,
        [
            "--home",
            str(home),
            "--operator",
            "dc.smith",
            "--why",
            "Op Aidant",
            "import",
            "adverts",
            str(path),
        ],
    )
    runner.invoke(app, ["--home", str(home), "--operator", "dc.smith", "rejects"])
    ws = Workspace.open(load_settings(home))
    with ws.ops.session() as s:
        from sqlalchemy import select

        from plainsight.ops.models import AuditEvent

        events = [
            (e.actor, e.action, e.target, e.justification) for e in s.scalars(select(AuditEvent))
        ]
        assert audit.verify(s).ok
    assert events == [
        ("dc.smith", "import", "adverts", "Op Aidant"),
        ("dc.smith", "view", "rejects", ""),
    ]


def test_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    (tmp_path / "plainsight.toml").write_text("import_batch_lines = -5")
    done = cli("--home", str(tmp_path), "status")
    assert done.returncode == 1
    assert "error: invalid settings: import_batch_lines" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_file_is_reported_and_the_exit_says_so(tmp_path: Path) -> None:
    done = cli("--home", str(tmp_path / "ws"), "import", "adverts", str(tmp_path / "nope.jsonl"))
    assert done.returncode == EXIT_SET_ASIDE
    assert "not found" in done.stderr


def _commands(group: typer.Typer, prefix: str = "") -> set[str]:
    command = typer.main.get_command(group)
    names: set[str] = set()
    for name, sub in getattr(command, "commands", {}).items():
        full = f"{prefix}{name}"
        if getattr(sub, "commands", None):
            names.update(f"{full} {n}" for n in sub.commands)
            if getattr(sub, "invoke_without_command", False):
                names.add(full)
        else:
            names.add(full)
    return names


def test_every_command_is_documented() -> None:
    documented = set(
        re.findall(r"^## `plainsight ([a-z0-9 -]+)`", DOCS.read_text(), flags=re.MULTILINE)
    )
    assert documented == _commands(app)
