"""Shared fixtures: a fresh workspace, and writers of interchange files with real pictures."""

from __future__ import annotations

import io
import os
import random
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from plainsight.ops.db import OpsDatabase
from plainsight.settings import load_settings
from plainsight.workspace import Workspace


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Spark tests need Java: without it they are skipped, saying so."""
    if shutil.which("java"):
        return
    skip = pytest.mark.skip(reason="no Java runtime for Spark (make test installs one)")
    for item in items:
        if "spark" in item.keywords:
            item.add_marker(skip)


class TickingClock:
    """A deterministic clock: each reading is one second after the last."""

    def __init__(self, start: datetime = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    settings = load_settings(tmp_path / "ws", operator="test-analyst")
    return Workspace.open(settings, clock=TickingClock())


def picture(seed: int, size: tuple[int, int] = (120, 160), fmt: str = "JPEG") -> bytes:
    """A small, distinct picture (a room and a figure), as an advert would carry."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + rng.randrange(10, 50), y + rng.randrange(10, 50)), fill=colour)
    out = io.BytesIO()
    image.save(out, fmt, quality=85) if fmt == "JPEG" else image.save(out, fmt)
    return out.getvalue()


def advert(n: int, **fields: Any) -> dict[str, Any]:
    """A plausible, valid interchange record; ``fields`` override or add."""
    names = ["Anna", "Bella", "Mia", "Lily", "Sofia", "Chloe"]
    base: dict[str, Any] = {
        "source": "adsite-north" if n % 3 else "velvetlist",
        "ad_id": f"{100000 + n}",
        "url": f"https://adsite.example/ads/{100000 + n}",
        "captured_at": f"2023-03-{1 + n % 28:02d}T{n % 24:02d}:15:00Z",
        "posted_at": f"2023-02-{1 + n % 28:02d}T08:00:00+00:00",
        "title": f"{names[n % len(names)]}, new in town near Liverpool Street",
        "body": f"Hi gentlemen, I'm {names[n % len(names)]}. Call 07700 900{n % 1000:03d}.",
        "location_text": "EC2M 7PY",
        "name": names[n % len(names)],
        "age": 21 + n % 9,
        "phone": f"07700 900 {n % 1000:03d}",
    }
    base.update(fields)
    return base


WriteFile = Callable[..., Path]


@pytest.fixture
def write_jsonl(tmp_path: Path) -> WriteFile:
    """Write records (dicts, or raw bytes for a bad line) as a JSON Lines file."""

    def write(
        name: str, lines: Iterable[dict[str, Any] | bytes], folder: Path | None = None
    ) -> Path:
        target = (folder or tmp_path / "in") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as fh:
            for line in lines:
                fh.write(line if isinstance(line, bytes) else orjson.dumps(line))
                fh.write(b"\n")
        return target

    return write


# ---------------------------------------------------------------- the operational database
# On every backend it is deployed on: SQLite and a real PostgreSQL. The server comes from
# ``scripts/test-postgres.sh`` (``make test`` starts it and sets
# ``PLAINSIGHT_TEST_DATABASE_URL``). Without one the PostgreSQL cases are skipped, except in
# CI, where they fail: CI must run them.


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty operational database: a SQLite file, or a fresh database on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ops.db'}"
        return
    admin_url = os.environ.get("PLAINSIGHT_TEST_DATABASE_URL", "")
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("CI must test the operational database on PostgreSQL")
        pytest.skip("no PostgreSQL server (make test starts one)")
    name = f"plainsight_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def ops_db(database_url: str) -> Iterator[OpsDatabase]:
    """The operational database, migrated, on each backend."""
    db = OpsDatabase(database_url)
    db.migrate()
    try:
        yield db
    finally:
        db.close()
