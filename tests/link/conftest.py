"""A linked-data world for the linking tests: built once per session (scale 0.5, fresh seed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from plainsight.capture.importer import AdvertImport
from plainsight.extract.stage import ExtractStage
from plainsight.lake.engine import Engine
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace

PERSONA_WORLD_SEED = 11
"""Not the seed the packaged persona model was trained on (101)."""


@dataclass
class PersonaWorld:
    world: Path
    workspace: Workspace
    engine: Engine


@pytest.fixture(scope="session")
def persona_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PersonaWorld]:
    root = tmp_path_factory.mktemp("persona-world")
    world = root / "world"
    generate_adverts(world, scale=0.5, seed=PERSONA_WORLD_SEED)
    workspace = Workspace.open(load_settings(root / "home", operator="test"))
    AdvertImport(workspace).run([world / "adverts.jsonl"])
    ExtractStage(workspace, processes=1).run()
    engine = workspace.engine()
    yield PersonaWorld(world, workspace, engine)
    engine.close()
