"""The intelligence log in the operational database, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from plainsight.act import intel
from plainsight.act.intel import IntelError
from plainsight.act.intel_draft import Draft
from plainsight.act.intel_render import export, render_html, view_of
from plainsight.ops.db import OpsDatabase
from tests.conftest import TickingClock

DRAFT = Draft(
    subject_kind="network",
    subject_id="N-175a8cd3fb8c",
    title="Intelligence report: network N-175a8cd3fb8c",
    text=(
        "WHO\n2 persona(s): P-1e9974297374, P-2ce6db900281.\nWorking names: Mia (3), Rosa (2).\n\n"
        "CONTACTS\nPhone numbers: +447700900909 (5).\n\nEVIDENCE\n"
        "- A156e1e6da54e8d6e4dff: velvetlist ad 750867392, "
        "https://www.velvetlist.example/ads/750867392\n"
    ),
    terms={"name": ["Mia", "Rosa"], "ad_id": ["750867392"], "handle": [], "postcode": []},
)


def drafted(db: OpsDatabase, clock: TickingClock) -> int:
    with db.session() as s:
        return intel.create(s, DRAFT, who="analyst1", clock=clock).id


def test_a_draft_is_stored_ungraded_with_its_first_revision(ops_db: OpsDatabase) -> None:
    clock = TickingClock()
    report_id = drafted(ops_db, clock)
    with ops_db.session() as s:
        report = intel.get(s, report_id)
        assert (report.status, report.grading, report.origin) == ("draft", "not graded", "drafted")
        assert [(r.number, r.note, r.written_by) for r in intel.revisions(s, report_id)] == [
            (1, "draft", "analyst1")
        ]


def test_grading_3x5x2_is_validated_and_c_needs_conditions(ops_db: OpsDatabase) -> None:
    clock = TickingClock()
    report_id = drafted(ops_db, clock)
    bad = [
        ({"source": "4", "intelligence": "A", "handling": "P"}, "source grade '4'"),
        ({"source": "1", "intelligence": "F", "handling": "P"}, "intelligence grade 'F'"),
        ({"source": "1", "intelligence": "A", "handling": "X"}, "handling grade 'X'"),
        ({"source": "A", "intelligence": "1", "handling": "1"}, "source grade 'A'"),
        ({"source": "1", "intelligence": "A", "handling": "C"}, "needs its conditions"),
        (
            {"source": "1", "intelligence": "A", "handling": "P", "conditions": "UK only"},
            "conditions go with handling code C",
        ),
    ]
    for kwargs, message in bad:
        with pytest.raises(IntelError, match=message), ops_db.session() as s:
            intel.grade(s, report_id, who="sgt", clock=clock, **kwargs)
    with ops_db.session() as s:
        assert intel.get(s, report_id).status == "draft"
        report = intel.grade(
            s,
            report_id,
            source="2",
            intelligence="b",
            handling="c",
            conditions=" Not to leave UK law enforcement ",
            who="sgt",
            clock=clock,
        )
        assert report.grading == "2/B/C (3x5x2)"
        assert report.handling_conditions == "Not to leave UK law enforcement"


def test_editing_keeps_revisions_and_sends_a_graded_report_back_to_draft(
    ops_db: OpsDatabase,
) -> None:
    clock = TickingClock()
    report_id = drafted(ops_db, clock)
    with ops_db.session() as s:
        intel.grade(s, report_id, source="1", intelligence="B", handling="P", who="a", clock=clock)
        intel.sanitise(s, report_id, who="a", clock=clock)
    with ops_db.session() as s:
        report = intel.edit(s, report_id, DRAFT.text + "\nANALYST NOTE\nSeen twice.\n", who="b")
        assert (report.status, report.sanitised_text) == ("draft", None)
        assert [r.number for r in intel.revisions(s, report_id)] == [1, 2]
    for text, message in [
        ("  \n", "empty"),
        (DRAFT.text + "\nANALYST NOTE\nSeen twice.\n", "unchanged"),
    ]:
        with pytest.raises(IntelError, match=message), ops_db.session() as s:
            intel.edit(s, report_id, text, who="b")
    with pytest.raises(IntelError, match="no intelligence report 999"), ops_db.session() as s:
        intel.get(s, 999)


def test_the_sanitised_copy_is_stored_with_its_counts_and_exported(
    ops_db: OpsDatabase,
    tmp_path: Path,
) -> None:
    clock = TickingClock()
    report_id = drafted(ops_db, clock)
    with ops_db.session() as s:
        report = intel.get(s, report_id)
        with pytest.raises(IntelError, match="not graded"):
            view_of(report)
        intel.grade(s, report_id, source="2", intelligence="C", handling="P", who="a", clock=clock)
        with pytest.raises(IntelError, match="no sanitised copy"):
            view_of(report, sanitised=True)
        report = intel.sanitise(s, report_id, names=["Jon Smith"], who="a", clock=clock)
        assert orjson.loads(report.sanitised_removed) == {
            "advert_id": 2,
            "name": 2,
            "phone": 1,
            "url": 1,
        }
        html = render_html(view_of(report, sanitised=True))
        assert "SANITISED COPY" in html
        for gone in ("+447700900909", "Mia", "Rosa", "750867392", "A156e1e6da54e8d6e4dff"):
            assert gone not in html
            assert gone in render_html(view_of(report))
        assert "P-1e9974297374" in html
        pdf = export(report, "pdf", tmp_path / "r.pdf", sanitised=True)
        assert pdf.read_bytes().startswith(b"%PDF")
        docx = export(report, "docx", tmp_path / "r.docx", sanitised=True)
        from docx import Document

        words = "\n".join(p.text for p in Document(str(docx)).paragraphs)
        assert "[phone removed]" in words and "+447700900909" not in words
        with pytest.raises(IntelError, match="unknown format 'rtf'"):
            export(report, "rtf", tmp_path / "r.rtf")


def _csv(path: Path, rows: list[str]) -> Path:
    head = "reference,date,source,intelligence,handling,text,author,conditions,subject"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def test_5x5x5_entries_are_imported_as_graded_and_never_converted(
    ops_db: OpsDatabase,
    tmp_path: Path,
) -> None:
    clock = TickingClock()
    older = _csv(
        tmp_path / "old.csv",
        [
            '2019/0042,2019-03-04,B,2,1,"Female seen at 12 High Street, call 07700 900123",'
            "DC Jones,,",
            "2020/0007,2020-11-30,E,4,5,Untested report on a car wash,PC Ali,Refer to DI Grey,"
            "car wash",
        ],
    )
    with ops_db.session() as s:
        done = intel.import_csv(s, older, who="analyst1", clock=clock)
        assert len(done.added) == 2 and done.skipped == []
    with ops_db.session() as s:
        first, second = (intel.get(s, i) for i in done.added)
        assert first.grading == "B/2/1 (5x5x5)" and first.external_ref == "2019/0042"
        assert second.grading == "E/4/5 (5x5x5)"
        assert intel.describe_grading(second)[1:] == [
            "Source evaluation E: Untested source",
            "Intelligence assessment 4: Cannot be judged",
            "Handling code 5: No further dissemination: refer to the originator",
            "Handling conditions: Refer to DI Grey",
        ]
        with pytest.raises(IntelError, match="kept as graded"):
            intel.grade(s, first.id, source="1", intelligence="A", handling="P", who="a")
        with pytest.raises(IntelError, match="kept as it was written"):
            intel.edit(s, first.id, "new words", who="a")
        with pytest.raises(IntelError, match="handling code 5"):
            intel.sanitise(s, second.id, who="a")
        cleaned = intel.sanitise(s, first.id, who="a")
        assert cleaned.sanitised_text == "Female seen at [address removed], call [phone removed]"
    with ops_db.session() as s:
        again = intel.import_csv(s, older, who="analyst1", clock=clock)
        assert (again.added, again.skipped) == ([], ["2019/0042", "2020/0007"])
        assert len(intel.listed(s)) == 2


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("X1,2019-03-04,1,A,P,text,,,", "line 2: source grade '1' is not in 5x5x5"),
        ("X1,2019-03-04,A,6,1,text,,,", "line 2: intelligence grade '6'"),
        ("X1,04/03/2019,A,1,1,text,,,", "line 2: date '04/03/2019' is not YYYY-MM-DD"),
        (",2019-03-04,A,1,1,text,,,", "line 2: no reference"),
        ("X1,2019-03-04,A,1,1,,,,", "line 2: report X1 has no text"),
    ],
)
def test_a_bad_row_stops_the_import_and_nothing_is_stored(
    ops_db: OpsDatabase,
    tmp_path: Path,
    row: str,
    message: str,
) -> None:
    path = _csv(tmp_path / "bad.csv", [row, "X2,2019-03-05,A,1,1,fine,,,"])
    with pytest.raises(IntelError, match=message), ops_db.session() as s:
        intel.import_csv(s, path, who="a")
    with ops_db.session() as s:
        assert intel.listed(s) == []


def test_an_import_without_a_needed_column_says_which(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    path.write_text("reference,date,text\nX1,2019-03-04,words\n", encoding="utf-8")
    db = OpsDatabase(f"sqlite:///{tmp_path / 'ops.db'}")
    db.migrate()
    missing = "missing column\\(s\\) source, intelligence, handling"
    with pytest.raises(IntelError, match=missing), db.session() as s:
        intel.import_csv(s, path, who="a")
    db.close()


def test_the_migration_creates_exactly_the_models_tables(ops_db: OpsDatabase) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from plainsight.ops.models import Base

    with ops_db.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in diffs if "intel_" in repr(d)]
    assert ours == []
