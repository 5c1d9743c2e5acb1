"""The threat profile on a small synthetic world, against figures counted here independently.

The advert side is checked against the advert world's own file (adverts.jsonl) and against
the lake's tables counted in plain Python (not the profile's SQL); the crime side against the
synthetic crime world's case book (the facts ``generate_crime`` writes from).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from docx import Document
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.act.threat import (
    ThreatProfile,
    build_threat_profile,
    checks_figures,
    disruptions_figures,
)
from plainsight.act.threat_answers import NO_CHECKS, NO_DISRUPTIONS, NOT_LINKED
from plainsight.act.threat_render import render_html, write_profile
from plainsight.capture.importer import AdvertImport
from plainsight.cli import app
from plainsight.extract.stage import ExtractStage
from plainsight.ops.checks import WelfareCheck
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.synth.crime import generate_crime
from plainsight.synth.crime_cases import CASEBOOK
from plainsight.workspace import Workspace

runner = CliRunner()
FIXED = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
QUESTIONS = (
    "true scale",
    "pathways for exploitation",
    "targeted",
    "perpetrators",
    "modes of transport",
    "locations of exploitation",
)


@dataclass
class World:
    adverts_file: Path
    home: Path
    workspace: Workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("threat")
    generate_adverts(root / "adverts", scale=0.2, seed=7)
    generate_crime(root / "crime", seed=0)
    home = root / "home"
    for args in (
        ["import", "adverts", str(root / "adverts" / "adverts.jsonl")],
        ["run"],
        ["crime", "import", str(root / "crime")],
    ):
        done = runner.invoke(app, ["--home", str(home), *args])
        assert done.exit_code == 0, done.output
    workspace = Workspace.open(load_settings(home, operator="test"), clock=lambda: FIXED)
    yield World(root / "adverts" / "adverts.jsonl", home, workspace)


@pytest.fixture(scope="module")
def profile(world: World) -> ThreatProfile:
    return build_threat_profile(world.workspace, clock=lambda: FIXED)


def _first_captures(adverts_file: Path) -> dict[tuple[str, str], datetime]:
    first: dict[tuple[str, str], datetime] = {}
    for line in adverts_file.read_bytes().splitlines():
        row = orjson.loads(line)
        at = datetime.fromisoformat(row["captured_at"].replace("Z", "+00:00"))
        key = (row["source"], row["ad_id"])
        first[key] = min(first.get(key, at), at)
    return first


def _table(world: World, name: str) -> list[dict[str, Any]]:
    with world.workspace.reading() as engine:
        rows: list[dict[str, Any]] = engine.read_table(name).to_pylist()
    return rows


def test_the_scale_is_the_adverts_personas_and_networks_held(
    world: World, profile: ThreatProfile
) -> None:
    figures = profile.answer("scale").figures
    assert figures["adverts"] == len(_first_captures(world.adverts_file))
    personas = _table(world, "personas")
    networks = _table(world, "networks")
    assert figures["personas"] == len({row["persona_id"] for row in personas})
    assert figures["networks"] == len({row["network_id"] for row in networks})
    hit = {
        row["advert_id"] for row in _table(world, "indicator_hits") + _table(world, "price_hits")
    }
    assert figures["adverts_with_hits"] == len(hit)


def test_the_crime_figures_are_the_case_books(profile: ThreatProfile) -> None:
    recorded = [case for case in CASEBOOK if case.status == "recorded"]
    victims = [victim for case in recorded for victim in case.victims]
    sexes = Counter(
        {"f": "F", "female": "F", "m": "M", "male": "M"}.get(v.sex.strip().lower(), "U")
        for v in victims
    )
    scale = profile.answer("scale").figures
    assert scale["mdsht_crimes"] == len(recorded) == 47
    assert scale["mdsht_victims"] == len(victims)
    targeted = profile.answer("targeted").figures
    assert {k: targeted[f"victims_{k}"] for k in "FMU"} == {k: sexes[k] for k in "FMU"}
    kinds = Counter(v.exploitation for v in victims)
    assert {k: targeted[f"exploitation_{k}"] for k in kinds} == dict(kinds)
    under_18 = sum(1 for v in victims if v.age is not None and v.age < 18)
    assert profile.answer("pathways").figures["victims_under_18"] >= under_18 > 0


def test_indicator_and_movement_figures_match_the_lake(
    world: World, profile: ThreatProfile
) -> None:
    per_indicator: dict[str, set[object]] = {}
    for row in _table(world, "indicator_hits") + _table(world, "price_hits"):
        per_indicator.setdefault(str(row["indicator"]), set()).add(row["advert_id"])
    pathways = profile.answer("pathways").figures
    for name in ("youth_language", "controller_cues", "very_young_age"):
        assert pathways[f"hit_{name}"] == len(per_indicator.get(name, set()))
    towns = {row["advert_id"]: set(row["towns"]) for row in _table(world, "advert_features")}
    persona_towns: dict[object, set[str]] = {}
    for row in _table(world, "personas"):
        persona_towns.setdefault(row["persona_id"], set()).update(towns.get(row["advert_id"], ()))
    methods = profile.answer("methods").figures
    assert methods["multi_town_personas"] == sum(1 for t in persona_towns.values() if len(t) > 1)
    moving = [row for row in _table(world, "network_scores") if row["movement"]]
    assert methods["moving_networks"] == len(moving) > 0
    in_city = {
        row["advert_id"]
        for row in _table(world, "facts")
        if row["kind"] == "place" and json.loads(str(row["detail"])).get("in_city")
    }
    assert profile.answer("locations").figures["in_city_adverts"] == len(in_city) > 0


def test_every_requirement_has_evidence_and_says_what_the_data_cannot(
    profile: ThreatProfile,
) -> None:
    assert len(profile.answers) == 6
    for answer, words in zip(profile.answers, QUESTIONS, strict=True):
        assert words in answer.question.lower()
        assert answer.statements and answer.definitions and answer.limits
    scale = profile.answer("scale")
    assert NO_CHECKS in scale.statements and NO_DISRUPTIONS in scale.statements
    assert any("only what was reported" in limit for limit in scale.limits)
    assert any("advertised online" in limit for limit in scale.limits)
    assert any("not in any source" in limit for limit in profile.answer("methods").limits)


def test_a_period_counts_only_the_adverts_first_captured_in_it(world: World) -> None:
    start, end = date(2023, 4, 1), date(2023, 6, 30)
    profile = build_threat_profile(world.workspace, start=start, end=end)
    expected = sum(
        1 for at in _first_captures(world.adverts_file).values() if start <= at.date() <= end
    )
    assert profile.answer("scale").figures["adverts"] == expected > 0
    assert expected < len(_first_captures(world.adverts_file))
    assert profile.period_words == "1 Apr 2023 to 30 Jun 2023"
    with pytest.raises(ValueError, match="before it starts"):
        build_threat_profile(world.workspace, start=end, end=start)


def test_welfare_checks_in_the_period_are_reported(world: World) -> None:
    with world.workspace.ops.session() as session:
        for day in (date(2023, 5, 2), date(2022, 1, 5)):
            session.add(
                WelfareCheck(
                    subject_kind="network",
                    subject_id="N-000000000001",
                    officer="PC 1",
                    due=day,
                    tasked_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
                    tasked_by="test",
                )
            )
    try:
        profile = build_threat_profile(
            world.workspace, start=date(2023, 1, 1), end=date(2023, 12, 31)
        )
        scale = profile.answer("scale")
        assert scale.figures["checks_tasked"] == 1
        assert NO_CHECKS not in scale.statements
    finally:
        with world.workspace.ops.session() as session:
            for check in session.scalars(select(WelfareCheck)):
                session.delete(check)


def test_the_profile_renders_as_html_pdf_and_word(profile: ThreatProfile, tmp_path: Path) -> None:
    html = render_html(profile)
    assert html.count("What the data cannot say") == 6
    assert f"{profile.answer('scale').figures['adverts']:,} adverts" in html
    pdf = write_profile(profile, tmp_path / "p.pdf", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    word = Document(str(write_profile(profile, tmp_path / "p.docx", "docx")))
    text = "\n".join(p.text for p in word.paragraphs)
    assert text.count("What the data cannot say") == 6
    assert len(word.tables) == sum(len(a.tables) for a in profile.answers)


def test_the_command_writes_the_file_and_audits_the_export(world: World, tmp_path: Path) -> None:
    out = tmp_path / "profile.docx"
    done = runner.invoke(
        app,
        [
            "--home",
            str(world.home),
            "--operator",
            "analyst1",
            "--why",
            "Op Sun review",
            "threat-profile",
            "--output",
            str(out),
            "--from",
            "2023-01-01",
            "--to",
            "2023-12-31",
        ],
    )
    assert done.exit_code == 0, done.output
    assert out.stat().st_size > 0
    with world.workspace.ops.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.target == "threat profile")
        ).one()
        assert (event.action, event.actor, event.justification) == (
            "export",
            "analyst1",
            "Op Sun review",
        )
        assert json.loads(event.detail)["period"] == {"from": "2023-01-01", "to": "2023-12-31"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "x.txt"], "cannot tell the format"),
        (["--output", "x.pdf", "--format", "odt"], "unknown format"),
        (["--output", "x.pdf", "--from", "2023-02-30"], "is not a date"),
        (["--output", "x.pdf", "--from", "2023-03-01", "--to", "2023-01-01"], "before it starts"),
        (["--output", "no/such/folder/x.pdf"], "no folder"),
    ],
)
def test_bad_input_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(app, ["--home", str(tmp_path / "ws"), "threat-profile", *args])
    assert done.exit_code == 1
    assert message in done.output
    assert "Traceback" not in done.output


def test_an_empty_workspace_says_each_source_holds_nothing(tmp_path: Path) -> None:
    workspace = Workspace.open(load_settings(tmp_path / "ws", operator="test"))
    profile = build_threat_profile(workspace)
    assert profile.sources == ()
    for answer in profile.answers:
        assert answer.statements and not answer.figures
    with workspace.ops.session() as session:
        assert checks_figures(session, None, None) is None
        assert disruptions_figures(session) is None


def test_adverts_not_yet_linked_are_counted_without_personas(tmp_path: Path) -> None:
    generate_adverts(tmp_path / "adverts", scale=0.05, seed=3, images=False)
    workspace = Workspace.open(load_settings(tmp_path / "ws", operator="test"))
    AdvertImport(workspace).run([tmp_path / "adverts" / "adverts.jsonl"])
    ExtractStage(workspace, processes=1).run()
    profile = build_threat_profile(workspace)
    scale = profile.answer("scale")
    assert scale.figures["adverts"] == len(_first_captures(tmp_path / "adverts" / "adverts.jsonl"))
    assert "personas" not in scale.figures
    assert NOT_LINKED in scale.statements
    assert NOT_LINKED in profile.answer("perpetrators").statements
    assert "moving_networks" not in profile.answer("methods").figures
