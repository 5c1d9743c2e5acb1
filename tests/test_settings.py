from __future__ import annotations

import re
from pathlib import Path

import pytest

from plainsight.errors import SettingsError
from plainsight.settings import Settings, load_settings

DOCS = Path(__file__).parent.parent / "docs" / "settings.md"


def test_layers_file_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    (home / "plainsight.toml").write_text(
        'import_batch_lines = 111\noperator = "from-file"\nduckdb_threads = 1\n'
    )
    monkeypatch.setenv("PLAINSIGHT_IMPORT_BATCH_LINES", "222")
    monkeypatch.setenv("PLAINSIGHT_DUCKDB_THREADS", "2")
    settings = load_settings(home, duckdb_threads=3, operator=None)
    assert settings.operator == "from-file"  # only the file sets it; a None flag is no flag
    assert settings.import_batch_lines == 222  # environment beats file
    assert settings.duckdb_threads == 3  # flag beats environment
    assert settings.home == home


def test_home_comes_from_the_environment_when_no_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAINSIGHT_HOME", str(tmp_path / "elsewhere"))
    assert load_settings().home == tmp_path / "elsewhere"
    assert load_settings(tmp_path / "flag").home == tmp_path / "flag"


def test_the_default_database_is_sqlite_in_the_workspace(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws")
    assert settings.database == f"sqlite:///{(tmp_path / 'ws' / 'ops.db').resolve()}"
    assert load_settings(tmp_path, database_url="postgresql://x/y").database == "postgresql://x/y"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("import_batch_lines = 0", "import_batch_lines"),
        ('engine = "oracle"', "engine"),
        ("colour = 3", r"unknown setting\(s\) in .*plainsight.toml: colour"),
        ("import_batch_lines = ", "plainsight.toml"),
    ],
)
def test_bad_settings_name_the_setting_and_where_it_came_from(
    tmp_path: Path, toml: str, message: str
) -> None:
    (tmp_path / "plainsight.toml").write_text(toml)
    with pytest.raises(SettingsError, match=message):
        load_settings(tmp_path)


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \|", DOCS.read_text(), flags=re.MULTILINE))
    assert documented == set(Settings.model_fields)
