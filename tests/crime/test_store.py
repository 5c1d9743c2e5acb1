"""Imported crime records in the lake: a whole snapshot, replaced atomically, read back intact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plainsight.capture.evidence import sha256_file
from plainsight.crime import store
from plainsight.crime.importer import CrimeDataError, load_records
from plainsight.crime.store import NoCrimeRecords, import_records, load_workspace_records
from plainsight.synth.crime import generate_crime
from plainsight.workspace import Workspace
from tests.crime.test_importer import write_folder

TABLES = ("crime_records", "crime_victims", "crime_outcomes", "crime_rejects", "crime_imports")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic world with two bad rows added, so rejects travel too."""
    folder = tmp_path_factory.mktemp("crime-world")
    generate_crime(folder, seed=3)
    with (folder / "victims.csv").open("a", encoding="utf-8") as fh:
        fh.write("CLP/99/000001,P1,F,20,,IC1,,,labour\n")
    with (folder / "outcomes.csv").open("a", encoding="utf-8") as fh:
        fh.write('"CLP/99/000001",18,"30/02/2023"\n')
    return folder


def test_records_read_back_are_the_records_read_from_the_folder(
    workspace: Workspace, world: Path
) -> None:
    done = import_records(workspace, world)
    assert len(done.records.rejects) == 2
    assert load_workspace_records(workspace) == load_records(world)
    assert done.mdsht_crimes == sum(
        1 for c in done.records.crimes if c.status == "recorded" and done.records.is_mdsht(c)
    )


def test_an_import_is_one_version_holding_all_five_tables(
    workspace: Workspace, world: Path
) -> None:
    before = workspace.lake.snapshot().version
    done = import_records(workspace, world)
    after = workspace.lake.snapshot()
    assert after.version == before + 1 == done.lake_version
    assert all(after.tables[name] for name in TABLES)
    with workspace.reading() as engine:
        [row] = engine.read_table("crime_imports").to_pylist()
    assert row["files"] == ["crimes.csv", "victims.csv", "outcomes.csv"]
    assert row["file_sha256"] == [sha256_file(world / name) for name in row["files"]]
    assert row["imported_by"] == "test-analyst"
    assert all(workspace.evidence.verify(sha) for sha in row["file_sha256"])


def test_a_new_import_replaces_the_previous_one_whole(
    workspace: Workspace, world: Path, tmp_path: Path
) -> None:
    import_records(workspace, world)
    small = write_folder(tmp_path / "small", ["C1,2023-01-05,,106/02,"], ["C1,V1,M,30,,IC1,"])
    import_records(workspace, small, mdsht_codes=("106",))
    records = load_workspace_records(workspace)
    assert [c.crime_ref for c in records.crimes] == ["C1"]
    assert [v.victim_ref for v in records.victims] == ["V1"]
    assert records.outcomes == [] and records.rejects == []
    assert records.mdsht_codes == ("106",)


def test_an_import_killed_part_way_leaves_the_previous_state(
    workspace: Workspace, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_records(workspace, world)
    version = workspace.lake.snapshot().version
    small = write_folder(tmp_path / "small", ["C1,2023-01-05,,106,"])

    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "rejects_table", killed)
    with pytest.raises(KeyboardInterrupt):
        import_records(workspace, small)
    monkeypatch.undo()
    assert workspace.lake.snapshot().version == version
    assert load_workspace_records(workspace) == load_records(world)
    # and running it again completes as one clean run would
    import_records(workspace, small)
    assert [c.crime_ref for c in load_workspace_records(workspace).crimes] == ["C1"]


def test_importing_the_same_files_again_gives_the_same_state(
    workspace: Workspace, world: Path, tmp_path: Path
) -> None:
    first = import_records(workspace, world)
    copy = tmp_path / "copy"
    shutil.copytree(world, copy)
    second = import_records(workspace, copy)
    assert second.import_id == first.import_id  # same bytes, same id, wherever they are
    assert load_workspace_records(workspace) == first.records


def test_a_workspace_without_an_import_says_so(workspace: Workspace) -> None:
    with pytest.raises(NoCrimeRecords, match="plainsight crime import"):
        load_workspace_records(workspace)


def test_a_folder_that_cannot_be_read_changes_nothing(
    workspace: Workspace, world: Path, tmp_path: Path
) -> None:
    import_records(workspace, world)
    version = workspace.lake.snapshot().version
    broken = write_folder(tmp_path / "broken", ["C1,2023-01-05,,106,"])
    (broken / "victims.csv").unlink()
    with pytest.raises(CrimeDataError):
        import_records(workspace, broken)
    with pytest.raises(CrimeDataError):
        import_records(workspace, tmp_path / "missing")
    assert workspace.lake.snapshot().version == version
