"""Shared by the crawler's tests: a small advert world, profiles for the local site, and
``plainsight crawl`` run in a subprocess (Twisted's reactor runs once per process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace

EXAMPLE = (
    Path(__file__).parents[2] / "src" / "plainsight" / "crawl" / "profiles" / "local-site.toml"
)

# Fast but still polite in kind: robots.txt obeyed, retries with back-off, a short timeout
# so the site's hanging page fails in seconds (slow pages take about one).
FAST = {
    "delay_seconds": "0",
    "concurrency": "8",
    "autothrottle": "false",
    "timeout_seconds": "3.5",
    "retries": "2",
    "backoff_seconds": "0.1",
}

WriteProfile = Callable[..., Path]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_adverts(out, scale=0.05, seed=3, images=True)
    return out


def profile_text(url: str, **politeness: str) -> str:
    """The worked example, pointed at ``url``, with politeness values replaced."""
    text = EXAMPLE.read_text().replace("http://127.0.0.1:8765/", url.rstrip("/") + "/")
    for key, value in {**FAST, **politeness}.items():
        text, count = re.subn(rf"^(# )?{key} = .*$", f"{key} = {value}", text, flags=re.MULTILINE)
        assert count == 1, key
    return text


@pytest.fixture
def write_profile(tmp_path: Path) -> WriteProfile:
    def write(
        url: str, name: str = "site.toml", text: str | None = None, **politeness: str
    ) -> Path:
        path = tmp_path / name
        path.write_text(text if text is not None else profile_text(url, **politeness))
        return path

    return write


def crawl_command(home: Path, profile: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "plainsight",
        "--home",
        str(home),
        "--operator",
        "dc.test",
        "crawl",
        str(profile),
        *args,
    ]


def run_crawl(home: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        crawl_command(home, profile, *args),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=env,
    )


def rows(home: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    workspace = Workspace(load_settings(home))
    with workspace.reading() as engine:
        found: list[dict[str, Any]] = engine.run(sql, params).to_pylist()
    return found
