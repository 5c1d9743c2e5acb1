"""The whole advert side on a fresh synthetic world: import, run, evaluate, export, explain.

The issue's bar, checked at scale 1 on a seed the persona model was not trained on (it was
trained on seed 101): persona pairwise F1 at least 0.90, network F1 at least 0.95.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from plainsight.cli import app
from plainsight.synth.adverts import generate_adverts

runner = CliRunner()


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    world = tmp_path_factory.mktemp("world")
    generate_adverts(world, scale=1.0, seed=2026)
    home = tmp_path_factory.mktemp("ws") / "ws"
    done = runner.invoke(
        app, ["--home", str(home), "import", "adverts", str(world / "adverts.jsonl")]
    )
    assert done.exit_code == 0, done.output
    ran = runner.invoke(app, ["--home", str(home), "run"])
    assert ran.exit_code == 0, ran.output
    return world, home


@pytest.mark.slow
def test_personas_and_networks_meet_the_bar_on_a_fresh_world(linked: tuple[Path, Path]) -> None:
    from plainsight.link.evaluate import evaluate_workspace
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    world, home = linked
    engine = Workspace.open(load_settings(home)).engine()
    try:
        result = evaluate_workspace(engine, world / "truth.jsonl")
    finally:
        engine.close()
    print(result.persona.summary(), result.network.summary())
    assert result.without_persona == 0 and result.not_in_truth == 0
    assert result.persona.f1 >= 0.90
    assert result.network.f1 >= 0.95


@pytest.mark.slow
def test_the_planted_generic_phones_are_kept_out(linked: tuple[Path, Path]) -> None:
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    world, home = linked
    planted = set(orjson.loads((world / "world.json").read_bytes())["generic"]["phones"])
    listed = runner.invoke(app, ["--home", str(home), "generic"])
    assert listed.exit_code == 0 and "phone" in listed.output
    engine = Workspace.open(load_settings(home)).engine()
    try:
        rows = engine.run("SELECT value, reason FROM generic_identifiers WHERE generic").to_pylist()
    finally:
        engine.close()
    assert planted <= {r["value"] for r in rows}
    assert all(r["reason"] for r in rows)


@pytest.mark.slow
def test_the_top_network_is_explained_and_exported(
    linked: tuple[Path, Path], tmp_path: Path
) -> None:
    _, home = linked
    ranked = runner.invoke(app, ["--home", str(home), "networks", "--limit", "1"])
    network = next(w for w in ranked.output.split() if w.startswith("N-"))
    explained = runner.invoke(app, ["--home", str(home), "explain", "network", network])
    assert explained.exit_code == 0
    assert "The score is the sum of these parts" in explained.output
    assert "lead for review" in explained.output.replace("\n", " ")
    out = tmp_path / "adverts.jsonl"
    exported = runner.invoke(app, ["--home", str(home), "export", "adverts", "--output", str(out)])
    assert exported.exit_code == 0
    lines = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    top = [x for x in lines if x["network_id"] == network]
    assert top and all(x["persona_id"] and x["network_score"] is not None for x in top)


def test_a_run_that_scores_no_pair_leaves_the_lake_readable(tmp_path: Path) -> None:
    """Two adverts that share nothing: no persona pair is scored, the pair cache is written
    empty, and the lake must still read (it once failed every reader and `networks`)."""
    import orjson

    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    records = [
        {
            "source": "siteA",
            "ad_id": str(n),
            "url": f"https://site-a.example/ad/{n}",
            "captured_at": "2024-03-01T10:00:00Z",
            "title": title,
            "body": body,
            "name": name,
            "phone": phone,
        }
        for n, title, body, name, phone in (
            (
                1,
                "Anna, new in town",
                "Call Anna on 07700 900 111, incall only.",
                "Anna",
                "07700 900 111",
            ),
            (
                2,
                "Mia 25 outcall",
                "Mia here, text 07700 900 222 for rates.",
                "Mia",
                "07700 900 222",
            ),
        )
    ]
    source = tmp_path / "two.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    home = tmp_path / "home"
    runner = CliRunner()
    assert (
        runner.invoke(app, ["--home", str(home), "import", "adverts", str(source)]).exit_code == 0
    )
    ran = runner.invoke(app, ["--home", str(home), "run"])
    assert ran.exit_code == 0, ran.output
    listed = runner.invoke(app, ["--home", str(home), "networks"])
    assert listed.exit_code == 0, listed.output
    with Workspace.open(load_settings(home)).reading() as engine:
        assert engine.run("SELECT count(*) AS n FROM adverts").to_pylist() == [{"n": 2}]
        assert engine.run("SELECT count(*) AS n FROM persona_links").to_pylist() == [{"n": 0}]
