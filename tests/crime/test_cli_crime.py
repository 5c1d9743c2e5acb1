"""``plainsight crime import``, ``stats`` and ``rejects`` as a user meets them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.cli import EXIT_SET_ASIDE, app
from plainsight.ops import audit
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.synth.crime import generate_crime
from plainsight.workspace import Workspace
from tests.crime.test_importer import write_folder

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crime-world")
    generate_crime(folder, seed=0)
    return folder


def audit_actions(home: Path) -> list[tuple[str, str]]:
    workspace = Workspace.open(load_settings(home))
    with workspace.ops.session() as session:
        assert audit.verify(session).ok
        return [(e.action, e.target) for e in session.scalars(select(AuditEvent))]


def test_import_then_stats_from_the_workspace(world: Path, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    done = runner.invoke(app, ["--home", str(home), "crime", "import", str(world)])
    assert done.exit_code == 0, done.output
    assert "38,278" in done.stdout and "47 recorded MDSHT crimes" in done.stdout
    out = tmp_path / "stats.json"
    args = ["--from", "2019-01-01", "--to", "2023-12-31", "--json", str(out)]
    shown = runner.invoke(app, ["--home", str(home), "crime", "stats", *args])
    assert shown.exit_code == 0, shown.output
    assert "41 MDSHT crimes and 41 victims" in shown.stdout
    stats = json.loads(out.read_text(encoding="utf-8"))
    assert stats["crimes_by_year"] == {"2019": 18, "2020": 5, "2021": 3, "2022": 6, "2023": 9}
    assert stats["share_of_all_crime_by_year"]["2023"] == 0.13
    assert audit_actions(home)[-2:] == [("import", "crime records"), ("export", "crime stats")]


def test_stats_straight_from_a_folder_needs_no_import(world: Path, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    args = ["--input", str(world), "--from", "2023-01-01", "--to", "2023-12-31"]
    shown = runner.invoke(app, ["--home", str(home), "crime", "stats", *args])
    assert shown.exit_code == 0, shown.output
    assert "9 MDSHT crimes and 9 victims" in shown.stdout
    assert "6,923" in shown.stdout and "0.13%" in shown.stdout


def test_rows_set_aside_give_exit_3_a_summary_and_the_first_few(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "f",
        ["C1,2023-01-05,,106,", "C2,2023-13-01,,106,"],
        [f"C1,V{n},X,20,,," for n in range(7)],
    )
    home = tmp_path / "ws"
    done = runner.invoke(app, ["--home", str(home), "crime", "import", str(folder)])
    assert done.exit_code == EXIT_SET_ASIDE
    assert "8 row(s) set aside" in done.stderr
    assert "crimes.csv:3: recorded_date '2023-13-01' is not a date" in done.stderr
    assert "and 3 more" in done.stderr
    listed = runner.invoke(app, ["--home", str(home), "crime", "rejects", "--file", "victims.csv"])
    assert listed.exit_code == 0
    assert "7 row(s) set aside" in listed.stdout
    assert "victims.csv:8: sex 'X' is not F, M or U" in listed.stdout
    assert "C1,V6,X,20,,," in listed.stdout
    assert ("view", "crime rejects") in audit_actions(home)
    stats = ["--from", "2023-01-01", "--to", "2023-12-31"]
    shown = runner.invoke(app, ["--home", str(home), "crime", "stats", *stats])
    assert shown.exit_code == 0  # set aside at import, said again, not a new failure
    assert "set aside at import" in shown.stderr
    direct = runner.invoke(app, ["crime", "stats", "--input", str(folder), *stats])
    assert direct.exit_code == EXIT_SET_ASIDE


def test_bad_dates_are_usage_errors(world: Path) -> None:
    bad = runner.invoke(app, ["crime", "stats", "--input", str(world), "--from", "1/1/2023",
                              "--to", "2023-12-31"])  # fmt: skip
    assert bad.exit_code == 2 and "not a date" in bad.output
    backwards = ["--input", str(world), "--from", "2023-12-31", "--to", "2023-01-01"]
    assert runner.invoke(app, ["crime", "stats", *backwards]).exit_code == 2


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plainsight", *args], capture_output=True, text=True, check=False
    )


def test_errors_are_one_line_messages_not_tracebacks(tmp_path: Path) -> None:
    home = str(tmp_path / "ws")
    nothing = cli("--home", home, "crime", "stats", "--from", "2023-01-01", "--to", "2023-12-31")
    assert nothing.returncode == 1
    assert "no crime records have been imported" in nothing.stderr
    assert "Traceback" not in nothing.stderr
    folder = write_folder(tmp_path / "f", ["C1,2023-01-05,106"], crime_header="ref,date,code")
    broken = cli("--home", home, "crime", "import", str(folder))
    assert broken.returncode == 1
    assert "crimes.csv has no column 'crime_ref'" in broken.stderr
    assert "Traceback" not in broken.stderr
