"""The analysts' exports (i2 CSV, GraphML, Excel) on a small imported, extracted, linked world."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import igraph
import pyarrow as pa
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from plainsight.act.graphml import NS, write_graphml
from plainsight.act.i2 import I2_COLUMNS, choose_networks, safe_cell, write_i2
from plainsight.act.xlsx import write_xlsx
from plainsight.capture.importer import AdvertImport
from plainsight.extract.stage import ExtractStage
from plainsight.lake.engine import Engine, make_engine
from plainsight.link.stage import LinkStage
from plainsight.ops import audit
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("exports")
    generate_adverts(root / "world", scale=0.1, seed=7)
    ws = Workspace.open(load_settings(root / "ws", operator="test-analyst"))
    AdvertImport(ws).run([root / "world" / "adverts.jsonl"])
    ExtractStage(ws, processes=1).run()
    LinkStage(ws).run()
    return ws


@pytest.fixture
def engine(linked: Workspace) -> Engine:
    with linked.reading() as e:
        yield e  # type: ignore[misc]


def _network_adverts(engine: Engine, networks: list[str]) -> set[str]:
    rows = engine.run(
        "SELECT p.advert_id FROM personas p JOIN networks n ON n.persona_id = p.persona_id "
        "WHERE list_contains(?, n.network_id)",
        [networks],
    ).to_pylist()
    return {r["advert_id"] for r in rows}


def test_choose_networks_takes_the_named_then_the_top_ranked(engine: Engine) -> None:
    ranked = [
        r["network_id"]
        for r in engine.run(
            "SELECT network_id FROM network_scores WHERE personas > 1 ORDER BY rank"
        ).to_pylist()
    ]
    assert len(ranked) >= 3
    assert choose_networks(engine, [], 2) == ranked[:2]
    assert choose_networks(engine, [ranked[2]], 2) == [ranked[2], *ranked[:2]]
    with pytest.raises(KeyError, match="no network N-nope"):
        choose_networks(engine, ["N-nope"], None)


def test_a_single_persona_network_can_be_named(engine: Engine, tmp_path: Path) -> None:
    single = engine.run(
        "SELECT network_id FROM networks GROUP BY network_id HAVING count(*) = 1 "
        "ORDER BY network_id LIMIT 1"
    ).to_pylist()[0]["network_id"]
    out = tmp_path / "one.csv"
    write_i2(engine, choose_networks(engine, [single], None), out)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    (member,) = [r for r in rows if r["Link Type"] == "Member of"]
    assert member["Entity 2 Identity"] == single
    scored = engine.run(
        "SELECT rank, score FROM network_scores WHERE network_id = ?", [single]
    ).to_pylist()
    label = f"rank {scored[0]['rank']}, score {scored[0]['score']:.2f}" if scored else "unranked"
    assert member["Entity 2 Label"] == f"{single} ({label})"
    assert {r["Network"] for r in rows} == {single}


def test_i2_rows_carry_both_ends_and_every_advert_of_the_networks(
    engine: Engine, tmp_path: Path
) -> None:
    chosen = choose_networks(engine, [], 2)
    out = tmp_path / "i2.csv"
    links = write_i2(engine, chosen, out)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == I2_COLUMNS
    assert len(rows) == links
    assert {r["Network"] for r in rows} == set(chosen)
    advertised = {r["Entity 2 Identity"] for r in rows if r["Link Type"] == "Advertised in"}
    assert advertised == _network_adverts(engine, chosen)
    members = [r for r in rows if r["Link Type"] == "Member of"]
    assert {r["Entity 2 Identity"] for r in members} == set(chosen)
    assert all(r["Entity 1 Type"] == "Persona" for r in members)
    phones = [r for r in rows if r["Link Type"] == "Shows phone"]
    assert phones and all(r["Entity 2 Identity"].startswith("+") for r in phones)
    assert all(r["Link Strength"] == "Confirmed" for r in phones)
    assert Counter(r["Link Strength"] for r in rows)["Unconfirmed"] == len(advertised) + len(
        members
    )
    for r in rows:  # an identity never varies between rows: i2 merges entities on it
        assert r["Entity 1 Identity"] and r["Entity 2 Identity"]


def test_i2_leaves_out_identifiers_judged_generic(engine: Engine, tmp_path: Path) -> None:
    chosen = choose_networks(engine, [], 3)
    ignored = {
        value
        for r in engine.run(
            "SELECT f.ignored FROM advert_features f JOIN personas p USING (advert_id) "
            "JOIN networks n USING (persona_id) WHERE list_contains(?, n.network_id)",
            [chosen],
        ).to_pylist()
        for value in (r["ignored"] or [])
    }
    assert ignored, "the world plants generic identifiers in these networks"
    out = tmp_path / "i2.csv"
    write_i2(engine, chosen, out)
    with out.open(encoding="utf-8", newline="") as fh:
        shown = {
            f"{r['Link Type'].split()[-1]}:{r['Entity 2 Identity']}"
            for r in csv.DictReader(fh)
            if r["Link Type"].startswith("Shows ")
        }
    assert not shown & ignored


def test_safe_cell_keeps_phones_and_handles_but_defuses_formulas() -> None:
    assert safe_cell("+447700900909") == "+447700900909"
    assert safe_cell("@rosie_uk") == "@rosie_uk"
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("Rosie") == "Rosie"


def test_graphml_is_well_formed_and_readable_by_igraph(engine: Engine, tmp_path: Path) -> None:
    chosen = choose_networks(engine, [], 2)
    out = tmp_path / "n.graphml"
    nodes, edges = write_graphml(engine, chosen, out)
    root = ET.parse(out).getroot()
    graph = root.find(f"{{{NS}}}graph")
    assert graph is not None
    ids = {n.get("id") for n in graph.iter(f"{{{NS}}}node")}
    assert len(ids) == nodes
    for e in graph.iter(f"{{{NS}}}edge"):
        assert e.get("source") in ids and e.get("target") in ids
    read = igraph.Graph.Read_GraphML(str(out))
    assert read.vcount() == nodes and read.ecount() == edges
    types = Counter(read.vs["type"])
    assert types["Network"] == len(chosen)
    assert types["Advert"] == len(_network_adverts(engine, chosen))
    assert set(read.es["strength"]) <= {"Confirmed", "Unconfirmed", "Tentative"}


def test_xlsx_has_the_four_sheets_with_frozen_styled_headers(
    engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "t.xlsx"
    counts = write_xlsx(engine, out)
    adverts = engine.run("SELECT count(*) AS n FROM adverts").to_pylist()[0]["n"]
    personas = engine.run("SELECT count(DISTINCT persona_id) AS n FROM personas").to_pylist()
    assert counts["Adverts"] == adverts
    assert counts["Personas"] == personas[0]["n"]
    book = load_workbook(out, read_only=False)
    assert book.sheetnames == ["Networks", "Personas", "Adverts", "Generic identifiers"]
    for name in book.sheetnames:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
        assert sheet.max_row == counts[name] + 1
    sheet = book["Adverts"]
    header = [c.value for c in sheet[1]]
    assert "last captured (UTC)" in header and "network id" in header
    ids = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(ids) == adverts


def test_xlsx_writes_formula_like_advert_text_as_text(tmp_path: Path) -> None:
    engine = make_engine("duckdb")
    try:
        engine.register(
            "adverts",
            pa.table(
                {
                    "advert_id": ["A1"],
                    "source": ["site"],
                    "ad_id": ['=HYPERLINK("http://evil","click")'],
                    "captures": [1],
                    "first_captured_at": [None],
                    "last_captured_at": [None],
                }
            ),
        )
        counts = write_xlsx(engine, tmp_path / "t.xlsx")
    finally:
        engine.close()
    assert counts["Adverts"] == 1 and counts["Networks"] == 0
    cell = load_workbook(tmp_path / "t.xlsx")["Adverts"]["C2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_cli_exports_are_audited(linked: Workspace, tmp_path: Path) -> None:
    from plainsight.cli import app

    runner = CliRunner()
    home = ["--home", str(linked.home), "--why", "Op Sun"]
    done = runner.invoke(
        app, [*home, "export", "i2", "--top", "1", "--output", str(tmp_path / "a.csv")]
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        app, [*home, "export", "graphml", "--top", "1", "--output", str(tmp_path / "a.graphml")]
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, [*home, "export", "xlsx", "--output", str(tmp_path / "a.xlsx")])
    assert done.exit_code == 0, done.output
    bad = runner.invoke(app, [*home, "export", "i2", "--network", "N-nope", "--output", "x.csv"])
    assert bad.exit_code == 1 and "no network N-nope" in bad.output
    none = runner.invoke(app, [*home, "export", "graphml", "--output", "x.graphml"])
    assert none.exit_code == 2 and "--network" in none.output
    with linked.ops.session() as session:
        events = session.query(AuditEvent).filter(AuditEvent.action == "export").all()
        targets = {e.target: e for e in events}
        assert {"i2", "graphml", "xlsx"} <= set(targets)
        assert targets["i2"].justification == "Op Sun"
        assert audit.verify(session).ok
