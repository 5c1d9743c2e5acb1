"""The serving copy: the tables the web app looks things up in, sorted and indexed.

The lake's Parquet files are written in the order work arrives, so a lookup of one advert's
facts, or of every advert carrying one number, reads every file of the table: at a million
adverts that is 0.1 to 1 s a lookup, before the page is drawn. The serving copy is one
DuckDB database file holding those tables sorted by their lookup key, with an index on each
key, so such a lookup reads a few blocks (benchmarks/web). ``plainsight run`` writes it after
linking, ``plainsight serve`` when it is missing or stale; the web app's readers use a served
table only while its Parquet files are exactly those the copy was made from (each table's
file list is recorded in it), and read the Parquet otherwise, so a stale copy is never wrong,
only slower. It is derived data: deleting ``serving/`` loses nothing.

A copy is written to a temporary file and renamed when complete, so a crash or kill leaves
the previous copy in use; older copies are removed once a newer one is in place (readers
that still have one open keep reading it).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from plainsight.lake.catalog import Lake, Snapshot

SERVING_DIR = "serving"
WORD_SPLIT = r"[^\pL\pN]+"
"""What separates words in ``advert_words`` (anything but a letter or digit, in any script);
:func:`plainsight.web.search_data.words` cuts a query the same way."""
FILES_TABLE = "_served_files"


@dataclass(frozen=True)
class Served:
    """A served table: the order its rows are kept in and the columns indexed; a table
    derived from another (``source``) is made by ``select`` over that one's copy."""

    order: tuple[str, ...]
    indexes: tuple[str, ...]
    source: str = ""
    select: str = ""


SERVED: dict[str, Served] = {
    "adverts": Served(("advert_id",), ("advert_id", "ad_id")),
    "captures": Served(("advert_id", "captured_at"), ("advert_id",)),
    "facts": Served(("advert_id",), ("advert_id", "value")),
    "indicator_hits": Served(("advert_id",), ("advert_id",)),
    "personas": Served(("persona_id",), ("persona_id", "advert_id")),
    "persona_links": Served(("advert_a",), ("advert_a", "advert_b")),
    "networks": Served(("network_id",), ("network_id", "persona_id")),
    "network_links": Served(("persona_a",), ("persona_a", "persona_b")),
    "network_scores": Served(("rank",), ("network_id",)),
    "fact_keys": Served(
        ("key", "kind", "advert_id"),
        (),  # sorted by key: a key's rows are found from each block's min and max
        source="facts",
        select="""
            SELECT DISTINCT kind, lower(value) AS key, value, advert_id FROM facts
            WHERE kind IN ('name', 'place', 'postcode')
        """,
    ),
    "advert_words": Served(
        ("word", "advert_id"),
        (),  # sorted by word: a word's rows are found from each block's min and max
        source="captures",
        select=f"""
            SELECT DISTINCT word, advert_id FROM (
                SELECT advert_id, unnest(regexp_split_to_array(
                    lower(coalesce(title, '') || ' ' || coalesce(body, '')), '{WORD_SPLIT}'
                )) AS word
                FROM captures
            ) WHERE length(word) BETWEEN 2 AND 40
        """,
    ),
}
"""What is served, and how: the web pages' lookups by advert, persona, network and value."""

Progress = Callable[[str, int, int], None]


def signature(snapshot: Snapshot, table: str) -> str:
    """What identifies a served table's content: a digest of the Parquet file list it is
    made from (files are never rewritten in place, so the same list is the same rows)."""
    made_from = SERVED[table].source if table in SERVED and SERVED[table].source else table
    listed = "\n".join(sorted(snapshot.tables.get(made_from, [])))
    return hashlib.sha256(listed.encode()).hexdigest()


def serving_dir(lake: Lake) -> Path:
    """Where serving copies live: ``serving/`` beside the lake."""
    return lake.dir.parent / SERVING_DIR


def latest(lake: Lake) -> Path | None:
    """The newest complete serving copy, if any."""
    folder = serving_dir(lake)
    found = sorted(folder.glob("serving-*.duckdb")) if folder.is_dir() else []
    return found[-1] if found else None


def served_signatures(path: Path) -> dict[str, str]:
    """Each table a copy holds, with the signature of the files it was made from."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(f"SELECT name, signature FROM {FILES_TABLE}").fetchall()
    return {str(name): str(sig) for name, sig in rows}


def stale(lake: Lake) -> list[str]:
    """The served tables whose copy is missing or older than the lake's newest version."""
    snapshot = lake.snapshot()
    wanted = {t: signature(snapshot, t) for t in _servable(snapshot)}
    path = latest(lake)
    have = served_signatures(path) if path else {}
    return sorted(t for t, sig in wanted.items() if have.get(t) != sig)


def build(lake: Lake, *, progress: Progress | None = None, memory_limit: str = "") -> Path | None:
    """Write a serving copy of the newest version's served tables (None: nothing to serve).

    Tables unchanged since the previous copy are copied from it as they are; the others are
    read from the Parquet files, sorted and indexed.
    """
    snapshot = lake.snapshot()
    tables = _servable(snapshot)
    if not tables:
        return None
    folder = serving_dir(lake)
    folder.mkdir(parents=True, exist_ok=True)
    previous = latest(lake)
    before = served_signatures(previous) if previous else {}
    final = folder / f"serving-{snapshot.version:012d}.duckdb"
    if final.exists() and all(before.get(t) == signature(snapshot, t) for t in tables):
        return final
    partial = folder / f".{final.name}.{os.getpid()}.partial"
    partial.unlink(missing_ok=True)
    con = duckdb.connect(
        str(partial),
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        if previous:
            con.execute(f"ATTACH '{previous}' AS previous (READ_ONLY)")
        con.execute(f"CREATE TABLE {FILES_TABLE} (name VARCHAR, signature VARCHAR)")
        for done, table in enumerate(tables):
            if progress:
                progress("serving copy", done, len(tables))
            _copy(con, lake, snapshot, table, reuse=before.get(table) == signature(snapshot, table))
        if previous:
            con.execute("DETACH previous")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    partial.replace(final)
    if progress:
        progress("serving copy", len(tables), len(tables))
    for old in folder.glob("serving-*.duckdb"):
        if old != final:
            old.unlink(missing_ok=True)
    return final


def _servable(snapshot: Snapshot) -> list[str]:
    """The served tables the snapshot has data for (sources before what derives from them)."""
    return [t for t in SERVED if snapshot.tables.get(SERVED[t].source or t)]


def _copy(
    con: duckdb.DuckDBPyConnection, lake: Lake, snapshot: Snapshot, table: str, *, reuse: bool
) -> None:
    how = SERVED[table]
    if reuse:
        source = f'previous."{table}"'
    elif how.select:
        source = f"({how.select})"
    else:
        files = [str(p) for p in snapshot.files(lake.dir, table)]
        source = f"read_parquet({files!r}, union_by_name = true)"
    order = ", ".join(f'"{c}"' for c in how.order)
    con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM {source} ORDER BY {order}')
    for column in how.indexes:
        con.execute(f'CREATE INDEX "{table}__{column}" ON "{table}" ("{column}")')
    con.execute(f"INSERT INTO {FILES_TABLE} VALUES (?, ?)", [table, signature(snapshot, table)])
