"""The serving copy: the web's lookups read sorted, indexed copies that give exactly what the
Parquet gives, and never a stale one."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from plainsight.cli import app as cli
from plainsight.lake import serving
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.web import advert_data, network_data, pages_data, search_data
from plainsight.workspace import Workspace


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small world imported and run (``run`` makes the serving copy)."""
    root = tmp_path_factory.mktemp("serving")
    generate_adverts(root / "world", scale=0.05, seed=7)
    home = root / "home"
    runner = CliRunner()
    adverts = str(root / "world" / "adverts.jsonl")
    assert runner.invoke(cli, ["--home", str(home), "import", "adverts", adverts]).exit_code == 0
    ran = runner.invoke(cli, ["--home", str(home), "run"])
    assert ran.exit_code == 0, ran.output
    return home


def _queries(ws: Workspace) -> list[str]:
    with ws.reading() as engine:
        facts = engine.run(
            "SELECT kind, any_value(value) AS value FROM facts "
            "WHERE kind IN ('phone', 'name', 'place', 'postcode') GROUP BY kind ORDER BY kind"
        ).to_pylist()
    queries = [str(f["value"]) for f in facts]
    return [*queries, queries[-1].lower(), "dinner dates", "new in town", "Nobody-at-all"]


def test_run_makes_a_current_copy_of_every_served_table(home: Path) -> None:
    ws = Workspace(load_settings(home))
    path = serving.latest(ws.lake)
    assert path is not None and path.name.startswith("serving-")
    assert serving.stale(ws.lake) == []
    assert set(serving.served_signatures(path)) == set(serving.SERVED)
    assert not list(path.parent.glob(".*partial"))
    assert serving.build(ws.lake) == path  # nothing changed: nothing rewritten


def test_pages_read_the_same_from_the_copy_as_from_the_parquet(home: Path) -> None:
    plain = Workspace(load_settings(home))
    shared = Workspace(load_settings(home))
    shared.share_reads()
    with shared.reading():
        assert shared._shared is not None and shared._shared.served == frozenset(serving.SERVED)
    with plain.reading() as engine:
        assert not engine.table_exists("advert_words")
        advert = engine.run("SELECT advert_id FROM adverts ORDER BY advert_id LIMIT 1 OFFSET 7")
        advert_id = advert.to_pylist()[0]["advert_id"]
        top = engine.run("SELECT network_id FROM network_scores ORDER BY rank LIMIT 1")
        network_id = top.to_pylist()[0]["network_id"]
        persona = engine.run("SELECT persona_id FROM personas WHERE advert_id = ?", [advert_id])
        persona_id = persona.to_pylist()[0]["persona_id"]
    compared = 0
    for query in _queries(plain):
        with plain.reading() as a, shared.reading() as b:
            from_parquet = search_data.search(a, query)
            from_copy = search_data.search(b, query)
        assert from_copy == from_parquet, query
        compared += bool(from_copy)
    assert compared >= 6  # phone, name, place, postcode, words: each found something
    for read in (
        lambda e: advert_data.advert(e, advert_id),
        lambda e: pages_data.persona(e, persona_id),
        lambda e: network_data.network(e, network_id),
        lambda e: network_data.network_graph(e, network_id),
    ):
        with plain.reading() as a, shared.reading() as b:
            assert orjson.dumps(read(b), default=str) == orjson.dumps(read(a), default=str)


def test_a_stale_copy_is_never_read(home: Path, tmp_path: Path) -> None:
    """New adverts imported after the copy: their tables are read from the Parquet until the
    next run, so a search finds them at once; the next run brings the copy up to date."""
    ws = Workspace(load_settings(home))
    ws.share_reads()
    record = {
        "source": "siteZ",
        "ad_id": "late-1",
        "url": "https://site-z.example/ad/late-1",
        "captured_at": "2024-05-01T10:00:00Z",
        "title": "Zinnia, just arrived",
        "body": "Zinnia here, quasar rates, call 07700 900 872",
        "name": "Zinnia",
        "phone": "07700 900 872",
    }
    late = tmp_path / "late.jsonl"
    late.write_bytes(orjson.dumps(record) + b"\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["--home", str(home), "import", "adverts", str(late)]).exit_code == 0
    assert {"adverts", "captures", "advert_words"} <= set(serving.stale(ws.lake))
    with ws.reading() as engine:
        assert ws._shared is not None and "captures" not in ws._shared.served
        assert "facts" in ws._shared.served  # not extracted yet: still the copy's
        found = search_data.search(engine, "late-1")
    assert (found[0]["label"], found[0]["why"]) == ("siteZ late-1", "advert id")
    ran = runner.invoke(cli, ["--home", str(home), "run"])
    assert ran.exit_code == 0, ran.output
    assert serving.stale(ws.lake) == []
    with ws.reading() as engine:
        assert ws._shared.served == frozenset(serving.SERVED)
        words = search_data.search(engine, "quasar")
        phone = search_data.search(engine, "07700 9OO 872")
    assert [r["label"] for r in words] == ["siteZ late-1"]
    assert [r["label"] for r in phone] == ["siteZ late-1"]
    assert len(list(serving.serving_dir(ws.lake).glob("serving-*.duckdb"))) == 1


def test_a_copy_left_half_written_is_not_used(home: Path) -> None:
    ws = Workspace(load_settings(home))
    current = serving.latest(ws.lake)
    partial = serving.serving_dir(ws.lake) / ".serving-999999999999.duckdb.1.partial"
    partial.write_bytes(b"killed while writing")
    try:
        assert serving.latest(ws.lake) == current
        reader = Workspace(load_settings(home))
        reader.share_reads()
        with reader.reading() as engine:
            assert engine.run("SELECT count(*) AS n FROM adverts").to_pylist()[0]["n"] > 0
    finally:
        partial.unlink()
