"""MoPI retention on a small linked world: review dates, what is due, and erasure.

Erasure runs on SQLite and on a real PostgreSQL (``PLAINSIGHT_TEST_DATABASE_URL``, as in
``tests/conftest.py``); without a server the PostgreSQL cases are skipped, except in CI.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sqlalchemy as sa
from sqlalchemy import text
from typer.testing import CliRunner

from plainsight.act.retention import (
    GROUPS,
    add_years,
    apply,
    kind_of,
    review,
    schedule,
    set_group,
)
from plainsight.capture.importer import AdvertImport
from plainsight.extract.stage import ExtractStage
from plainsight.link.stage import LinkStage
from plainsight.ops import audit
from plainsight.ops.models import AuditEvent
from plainsight.ops.retention import erased
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace
from tests.conftest import TickingClock

FUTURE = datetime(2040, 1, 1, tzinfo=UTC)
TEST_TABLES = ("test_cases",)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A linked world's lake and evidence, built once and copied for each test."""
    root = tmp_path_factory.mktemp("retention")
    generate_adverts(root / "world", scale=0.1, seed=7)
    ws = Workspace.open(load_settings(root / "ws", operator="test"))
    AdvertImport(ws).run([root / "world" / "adverts.jsonl"])
    ExtractStage(ws, processes=1).run()
    LinkStage(ws).run()
    ws.ops.close()
    (root / "ws" / "ops.db").unlink()
    for extra in (root / "ws").glob("ops.db-*"):
        extra.unlink()
    return root / "ws"


@pytest.fixture
def ws(template: Path, tmp_path: Path, database_url: str) -> Iterator[Workspace]:
    home = tmp_path / "ws"
    shutil.copytree(template, home)
    settings = load_settings(home, operator="dc-smith", database_url=database_url)
    workspace = Workspace.open(settings, clock=TickingClock(datetime(2040, 1, 1, tzinfo=UTC)))
    yield workspace
    workspace.ops.close()


def _lake(ws: Workspace, sql: str) -> list[dict[str, object]]:
    with ws.reading() as engine:
        rows: list[dict[str, object]] = engine.run(sql).to_pylist()
        return rows


def test_add_years_keeps_the_day_or_falls_back_from_a_leap_day() -> None:
    assert add_years(datetime(2023, 10, 27, 5, tzinfo=UTC), 6) == datetime(
        2029, 10, 27, 5, tzinfo=UTC
    )
    assert add_years(datetime(2024, 2, 29, tzinfo=UTC), 6) == datetime(2030, 2, 28, tzinfo=UTC)


def test_record_ids_must_name_a_kind() -> None:
    assert kind_of("advert:A00c16d40580fedc2d41d") == "advert"
    with pytest.raises(ValueError, match="KIND:ID"):
        kind_of("A00c16d40580fedc2d41d")


def test_every_advert_has_a_review_date_from_its_last_capture(ws: Workspace) -> None:
    adverts = {
        f"advert:{r['advert_id']}": r["last_captured_at"]
        for r in _lake(ws, "SELECT advert_id, last_captured_at FROM adverts")
    }
    with ws.reading() as engine, ws.ops.session() as session:
        planned = {s.record: s for s in schedule(engine, session)}
    assert set(planned) == set(adverts)
    for record, last in adverts.items():
        item = planned[record]
        assert item.mopi_group == 3
        assert item.review_due == add_years(last, GROUPS[3].review_years)  # type: ignore[arg-type]
        assert "MoPI group 3" in item.why and "last capture" in item.why


def test_review_lists_only_what_is_due_and_a_group_decision_moves_it(ws: Workspace) -> None:
    rows = _lake(ws, "SELECT advert_id, last_captured_at FROM adverts ORDER BY last_captured_at")
    oldest, newest = rows[0], rows[-1]
    as_of = add_years(oldest["last_captured_at"], 6)  # type: ignore[arg-type]
    with ws.reading() as engine, ws.ops.session() as session:
        due = {s.record for s in review(engine, session, as_of)}
        assert f"advert:{oldest['advert_id']}" in due
        assert f"advert:{newest['advert_id']}" not in due
        record = f"advert:{oldest['advert_id']}"
        set_group(session, record=record, mopi_group=1, who="dc-smith", reason="Op Sun: victim")
        with pytest.raises(ValueError, match="1, 2 or 3"):
            set_group(session, record=record, mopi_group=4, who="dc-smith", reason="x")
        with pytest.raises(ValueError, match="reason"):
            set_group(session, record=record, mopi_group=2, who="dc-smith", reason=" ")
    with ws.reading() as engine, ws.ops.session() as session:
        moved = {s.record: s for s in schedule(engine, session)}[record]
        assert record not in {s.record for s in review(engine, session, as_of)}
    assert moved.mopi_group == 1 and "set by dc-smith: Op Sun: victim" in moved.why
    assert moved.review_due == add_years(oldest["last_captured_at"], 10)  # type: ignore[arg-type]


def _pictures(ws: Workspace) -> tuple[str, str, set[str], set[str]]:
    """An advert whose pictures no other advert has, and one sharing a picture with another."""
    rows = _lake(ws, "SELECT advert_id, image_sha256 FROM captures")
    users: dict[str, set[str]] = {}
    for r in rows:
        for sha in r["image_sha256"] or []:  # type: ignore[attr-defined]
            users.setdefault(sha, set()).add(str(r["advert_id"]))
    own: dict[str, set[str]] = {}
    for r in rows:
        own.setdefault(str(r["advert_id"]), set()).update(r["image_sha256"] or [])  # type: ignore[arg-type]
    alone = next(
        a for a, shas in sorted(own.items()) if shas and all(users[s] == {a} for s in shas)
    )
    shared = next(
        a for a, shas in sorted(own.items()) if a != alone and any(len(users[s]) > 1 for s in shas)
    )
    return alone, shared, own[alone], {s for s in own[shared] if len(users[s]) > 1}


def test_apply_erases_adverts_from_the_lake_and_their_own_pictures(ws: Workspace) -> None:
    alone, shared, alone_pictures, shared_pictures = _pictures(ws)
    before = ws.lake.snapshot()
    count = _lake(ws, "SELECT count(*) AS n FROM adverts")[0]["n"]
    import_file = _lake(ws, f"SELECT file_sha256 FROM captures WHERE advert_id = '{alone}'")[0]
    entries = apply(
        ws,
        [f"advert:{alone}", f"advert:{shared}"],
        as_of=FUTURE,
        who="dc-smith",
        why="MoPI review 7",
    )
    assert [e.record for e in entries] == [f"advert:{alone}", f"advert:{shared}"]
    after = ws.lake.snapshot()
    assert after.version == before.version + 1 and after.note == "retention: erase 2 adverts"
    assert _lake(ws, "SELECT count(*) AS n FROM adverts")[0]["n"] == count - 2  # type: ignore[operator]
    with ws.reading() as engine:
        for table in after.tables:
            data = engine.read_table(table)
            for column in ("advert_id", "advert_a", "advert_b"):
                if column in data.column_names:
                    left = set(data[column].to_pylist()) & {alone, shared}
                    assert not left, f"{table}.{column} still names an erased advert"
        images = set(engine.read_table("images")["sha256"].to_pylist())
        personas = set(engine.read_table("personas")["persona_id"].to_pylist())
        networks = engine.read_table("networks")
        assert pc.all(
            pc.is_in(networks["persona_id"], value_set=pa.array(sorted(personas)))
        ).as_py()
    for sha in alone_pictures:
        assert not ws.evidence.has(sha) and sha not in images
    for sha in shared_pictures:
        assert ws.evidence.has(sha) and sha in images
    assert ws.evidence.has(str(import_file["file_sha256"]))  # other adverts' lines are in it
    with ws.ops.session() as session:
        register = erased(session)
        assert [e.record for e in register] == [f"advert:{alone}", f"advert:{shared}"]
        assert all(
            e.erased_by == "dc-smith" and e.justification == "MoPI review 7" for e in register
        )
        events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "erase")).all()
        assert {e.target for e in events} == {f"advert:{alone}", f"advert:{shared}"}
        assert audit.verify(session).ok
    assert (
        '"evidence_kept"' in register[0].detail and sorted(alone_pictures)[0] in register[0].detail
    )


def test_apply_refuses_what_is_not_due_or_has_no_reason(ws: Workspace) -> None:
    advert = _lake(ws, "SELECT advert_id FROM adverts ORDER BY advert_id LIMIT 1")[0]["advert_id"]
    before = ws.lake.snapshot().version
    with pytest.raises(ValueError, match="not due"):
        apply(ws, [f"advert:{advert}"], as_of=datetime(2024, 1, 1, tzinfo=UTC), who="x", why="y")
    with pytest.raises(ValueError, match="not due"):
        apply(ws, ["advert:Anothere"], as_of=FUTURE, who="x", why="y")
    with pytest.raises(ValueError, match="say why"):
        apply(ws, [f"advert:{advert}"], as_of=FUTURE, who="x", why="")
    assert ws.lake.snapshot().version == before
    with ws.ops.session() as session:
        assert erased(session) == []


def _make_cases(ws: Workspace) -> None:
    """Two operational tables of the kind other parts keep: cases and their notes."""
    meta = sa.MetaData()
    cases = sa.Table(
        "test_cases",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    notes = sa.Table(
        "test_case_notes",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("test_cases.id"), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    meta.create_all(ws.ops.engine)
    with ws.ops.engine.begin() as c:
        c.execute(
            cases.insert(),
            [
                {
                    "id": 1,
                    "name": "Rosie",
                    "opened_at": datetime(2018, 5, 1, tzinfo=UTC),
                    "updated_at": datetime(2020, 3, 2, tzinfo=UTC),
                },
                {
                    "id": 2,
                    "name": "Mia",
                    "opened_at": datetime(2026, 1, 1, tzinfo=UTC),
                    "updated_at": None,
                },
            ],
        )
        c.execute(
            notes.insert(),
            [
                {"id": 1, "case_id": 1, "note": "seen"},
                {"id": 2, "case_id": 1, "note": "again"},
                {"id": 3, "case_id": 2, "note": "new"},
            ],
        )


def test_operational_rows_are_read_generically_and_erased_with_their_dependants(
    ws: Workspace,
) -> None:
    _make_cases(ws)
    as_of = datetime(2031, 1, 1, tzinfo=UTC)
    with ws.reading() as engine, ws.ops.session() as session:
        due = {s.record: s for s in review(engine, session, as_of, TEST_TABLES)}
    assert "test_cases:1" in due and "test_cases:2" not in due
    case = due["test_cases:1"]
    assert case.mopi_group == 2 and case.last_activity == datetime(2020, 3, 2, tzinfo=UTC)
    assert case.review_due == datetime(2030, 3, 2, tzinfo=UTC)
    lake_before = ws.lake.snapshot().version
    apply(
        ws, ["test_cases:1"], as_of=as_of, who="dc-smith", why="MoPI review 8", tables=TEST_TABLES
    )
    assert ws.lake.snapshot().version == lake_before  # no advert named: the lake is untouched
    with ws.ops.engine.connect() as c:
        assert c.execute(text("SELECT id FROM test_cases")).scalars().all() == [2]
        assert c.execute(text("SELECT id FROM test_case_notes")).scalars().all() == [3]
    with ws.ops.session() as session:
        (entry,) = erased(session)
        assert entry.record == "test_cases:1" and entry.mopi_group == 2
        assert orjson.loads(entry.detail)["ops_rows"] == {"test_case_notes": 2, "test_cases": 1}
        assert audit.verify(session).ok


def test_cli_review_and_apply(ws: Workspace) -> None:
    from plainsight.cli import app

    runner = CliRunner()
    base = ["--home", str(ws.home)]
    advert = _lake(ws, "SELECT advert_id FROM adverts ORDER BY advert_id LIMIT 1")[0]["advert_id"]
    env = {"PLAINSIGHT_DATABASE_URL": ws.settings.database}
    shown = runner.invoke(app, [*base, "retention", "review", "--as-of", "2040-01-01"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "due by 01 Jan 2040" in shown.output
    bad = runner.invoke(app, [*base, "retention", "review", "--as-of", "soon"], env=env)
    assert bad.exit_code == 2 and "--as-of wants a date" in bad.output
    record = f"advert:{advert}"
    no_why = runner.invoke(
        app, [*base, "retention", "apply", "--confirm", record, "--as-of", "2040-01-01"], env=env
    )
    assert no_why.exit_code == 2 and "say why" in no_why.output
    done = runner.invoke(
        app,
        [
            *base,
            "--why",
            "MoPI review 9",
            "retention",
            "apply",
            "--confirm",
            record,
            "--as-of",
            "2040-01-01",
        ],
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert f"Erased {record}" in done.output
    again = runner.invoke(
        app, [*base, "--why", "x", "retention", "apply", "--confirm", record], env=env
    )
    assert again.exit_code == 2 and "not due" in again.output
    group = runner.invoke(
        app,
        [*base, "retention", "group", "advert:Ax", "--group", "1", "--reason", "MAPPA"],
        env=env,
    )
    assert group.exit_code == 0, group.output


def test_the_migration_creates_and_drops_the_retention_tables(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from plainsight.ops.db import MIGRATIONS, OpsDatabase

    db = OpsDatabase(database_url)
    try:
        db.migrate()
        assert {"retention_groups", "retention_erasures"} <= set(
            sa.inspect(db.engine).get_table_names()
        )
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        left = set(sa.inspect(db.engine).get_table_names())
        assert not {"retention_groups", "retention_erasures"} & left
        db.migrate()
        assert {"retention_groups", "retention_erasures"} <= set(
            sa.inspect(db.engine).get_table_names()
        )
    finally:
        db.close()
