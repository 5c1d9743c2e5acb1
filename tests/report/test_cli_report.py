"""``plainsight crime report`` as a user meets it: files written, formats, errors, audit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
from typer.testing import CliRunner

from plainsight.cli import app
from plainsight.crime.national_table import synthetic_national_table_path
from tests.report.conftest import html_tables

runner = CliRunner()
PERIOD = ["--from", "2019-01-01", "--to", "2023-12-31"]


def flat(text: str) -> str:
    """Output as one line: Rich wraps long messages and draws boxes round usage errors."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_html_from_a_folder_says_it_is_synthetic(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = runner.invoke(
        app, ["crime", "report", "--input", str(world), *PERIOD, "--output", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "Wrote" in done.output and "41 MDSHT crimes" in done.output
    html = out.read_text(encoding="utf-8")
    assert 'id="synthetic-notice"' in html
    assert html_tables(html)["victims-sex-age"][2][-1] == "31"


def test_public_word_document_with_the_national_comparison(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "committee.docx"
    done = runner.invoke(
        app,
        [
            "crime",
            "report",
            "--input",
            str(world),
            *PERIOD,
            "--format",
            "docx",
            "--output",
            str(out),
            "--public",
            "--threshold",
            "5",
            "--national",
            str(synthetic_national_table_path()),
        ],
    )
    assert done.exit_code == 0, done.output
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Public version: counts of people and outcomes under 5 are withheld" in text
    assert "compared with the national average of all other forces at 0.24%" in text
    age = document.tables[0]
    # threshold 5: 3 women aged 0-17 withheld, 8 men shown
    assert [c.text for c in age.rows[1].cells][1] == "[c]"
    assert "National comparison" in text


def test_from_the_workspace_the_export_is_audited(world: Path, tmp_path: Path) -> None:
    from sqlalchemy import select

    from plainsight.ops.models import AuditEvent
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    home = tmp_path / "ws"
    imported = runner.invoke(app, ["--home", str(home), "crime", "import", str(world)])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "report.html"
    done = runner.invoke(
        app,
        [
            "--home",
            str(home),
            "--why",
            "SPPC Feb 2024",
            "crime",
            "report",
            *PERIOD,
            "--output",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    # the folder the records were imported from is still there, marked synthetic
    assert 'id="synthetic-notice"' in out.read_text(encoding="utf-8")
    with Workspace.open(load_settings(home)).ops.session() as session:
        events = [
            (e.action, e.target, e.justification) for e in session.scalars(select(AuditEvent))
        ]
    assert ("export", "crime report", "SPPC Feb 2024") in events


def test_a_folder_not_marked_synthetic_is_not_called_synthetic(world: Path, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for name in ("crimes.csv", "victims.csv", "outcomes.csv"):
        shutil.copy(world / name, folder / name)
    out = tmp_path / "report.pdf"
    done = runner.invoke(
        app, ["crime", "report", "--input", str(folder), *PERIOD, "--output", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(out), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "Synthetic data" not in text
        assert "The force's crime records, exported from its records system" in " ".join(
            text.split()
        )


def test_usage_errors_are_messages(world: Path, tmp_path: Path) -> None:
    bad_date = runner.invoke(
        app,
        [
            "crime",
            "report",
            "--input",
            str(world),
            "--from",
            "2019-13-01",
            "--to",
            "2023-12-31",
            "--output",
            str(tmp_path / "r.html"),
        ],
    )
    assert bad_date.exit_code == 2 and "is not a date" in flat(bad_date.output)
    backwards = runner.invoke(
        app,
        [
            "crime",
            "report",
            "--input",
            str(world),
            "--from",
            "2023-01-01",
            "--to",
            "2019-12-31",
            "--output",
            str(tmp_path / "r.html"),
        ],
    )
    assert backwards.exit_code == 2 and "before it starts" in flat(backwards.output)
    no_format = runner.invoke(
        app,
        ["crime", "report", "--input", str(world), *PERIOD, "--output", str(tmp_path / "r.txt")],
    )
    assert no_format.exit_code == 2 and "give --format docx, pdf or html" in flat(no_format.output)
    assert not (tmp_path / "r.html").exists()


def test_a_folder_that_is_not_crime_records_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "plainsight",
            "crime",
            "report",
            "--input",
            str(tmp_path / "nope"),
            *PERIOD,
            "--output",
            str(tmp_path / "r.html"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "is not a folder of crime records" in flat(done.stderr)
    assert "Traceback" not in done.stderr
