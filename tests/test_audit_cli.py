"""`plainsight audit verify`: the chain is intact after real use, and broken after an edit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from plainsight.cli import app
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.workspace import Workspace
from tests.conftest import WriteFile, advert

runner = CliRunner()


def test_audit_verify_passes_then_fails_after_an_entry_is_edited(
    tmp_path: Path, write_jsonl: WriteFile
) -> None:
    home = str(tmp_path / "ws")
    path = write_jsonl("ads.jsonl", [advert(1), advert(2)])
    assert runner.invoke(app, ["--home", home, "--why", "Op A", "import", "adverts", str(path)])
    assert runner.invoke(app, ["--home", home, "--why", "Op A", "rejects"]).exit_code == 0
    done = runner.invoke(app, ["--home", home, "audit", "verify"])
    assert done.exit_code == 0, done.output
    assert "chain of 2 events is intact" in done.output
    workspace = Workspace.open(load_settings(Path(home)))
    with workspace.ops.session() as session:
        first = session.query(AuditEvent).order_by(AuditEvent.id).first()
        assert first is not None and first.justification == "Op A"
        session.execute(
            update(AuditEvent).where(AuditEvent.id == first.id).values(justification="nothing")
        )
        session.commit()
    broken = runner.invoke(app, ["--home", home, "audit", "verify"])
    assert broken.exit_code == 4
    assert f"event {first.id}: its content does not match its hash" in broken.output
