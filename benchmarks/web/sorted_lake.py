"""Experiment: point lookups on the lake's ``facts`` as written, and sorted by their key.

The lake's files are written in import-batch order, so Parquet's row-group statistics cannot
skip anything and a lookup by advert or by phone number reads every file. This copies
``facts`` twice into ``--work`` (sorted by ``advert_id``; by ``kind, value, advert_id``),
row groups of 100,000, and times the same lookups on each. The workspace is only read.

    .venv/bin/python benchmarks/web/sorted_lake.py --home /tmp/bench-link-1m/ws-300 \\
        --work /tmp/webbench-sorted

Prints the timings (ms, three runs each); the README quotes them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import duckdb

from plainsight.lake.catalog import read_latest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    lake = Path(args.home) / "lake"
    out = Path(args.work)
    out.mkdir(parents=True, exist_ok=True)
    files = [str(p) for p in read_latest(lake).files(lake, "facts")]
    con = duckdb.connect()
    con.execute(f"CREATE VIEW facts AS SELECT * FROM read_parquet({files}, union_by_name=true)")
    for name, order in (("by_advert", "advert_id"), ("by_value", "kind, value, advert_id")):
        began = time.time()
        con.execute(
            f"COPY (SELECT * FROM facts ORDER BY {order}) TO '{out}/facts_{name}.parquet' "
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)"
        )
        print(f"sorted {name}: {time.time() - began:.1f} s", flush=True)
    advert = con.sql("SELECT advert_id FROM facts LIMIT 1 OFFSET 500000").fetchall()[0][0]
    phone = con.sql(
        "SELECT value FROM facts WHERE kind = 'phone' GROUP BY value "
        "HAVING count(*) BETWEEN 50 AND 100 ORDER BY value LIMIT 1"
    ).fetchall()[0][0]

    def timed(label: str, sql: str, params: list[Any]) -> None:
        runs = []
        for _ in range(3):
            began = time.perf_counter()
            rows = con.sql(sql, params=params).fetchall()
            runs.append(round((time.perf_counter() - began) * 1000, 1))
        print(f"{label}: {runs} ({len(rows)} rows)", flush=True)

    by_advert = "SELECT kind, value FROM {} WHERE advert_id = ?"
    by_phone = "SELECT advert_id FROM {} WHERE kind = 'phone' AND value = ?"
    timed("facts of an advert, files as written", by_advert.format("facts"), [advert])
    timed(
        "facts of an advert, sorted by advert_id",
        by_advert.format(f"'{out}/facts_by_advert.parquet'"),
        [advert],
    )
    timed("adverts of a phone, files as written", by_phone.format("facts"), [phone])
    timed(
        "adverts of a phone, sorted by kind, value",
        by_phone.format(f"'{out}/facts_by_value.parquet'"),
        [phone],
    )


if __name__ == "__main__":
    main()
