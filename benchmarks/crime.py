"""Crime-analytics benchmark: reading a force's records, the contract statistics, the audit and
the committee report, at 1/4, 1/2 and full size, side by side with a DuckDB SQL baseline.

Input: a large synthetic force (:func:`plainsight.synth.crime_large.generate_large_force`) at
each size, 1.5% of crimes modern slavery (3,000 of 200,000), five years 2019-2023, made once
per size and kept in ``--work``.

plainsight: ``load_records`` (read and normalise the three CSV files, set bad rows aside),
``crime_stats`` (every figure of the contract for 2019-2023), the recording audit, and, when
``plainsight.report`` can render, the report in HTML, PDF and Word.

Baseline: the least any tool must do for the same figures, a straightforward DuckDB SQL
(no pandas) over the same CSV files: parse the dates (ISO or UK day-first), normalise sex,
IC codes and outcome sub-codes, age from date of birth, latest non-zero outcome, then group.
It is timed reading the CSVs (``baseline_seconds``, against plainsight's load + stats) and on
tables already in DuckDB (``baseline_sql_seconds``, against ``crime_stats`` alone). Both must
give the same contract figures: the run stops if they differ.

Goal (issue 5): the statistics of 200,000 crimes with 3,000 modern slavery crimes in under
5 seconds (load + stats, the work of ``plainsight crime stats``).

    .venv/bin/python benchmarks/crime.py [--sizes 50000 100000 200000] [--mdsht-share 0.015]
        [--seed 0] [--repeat 3] [--work DIR] [--no-report]

Writes benchmarks/results/crime.json and prints a table. Timings are the best of
``--repeat`` runs (the report: one run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from plainsight.crime.audit import audit
from plainsight.crime.importer import load_records
from plainsight.crime.records import CrimeRecords
from plainsight.stats.counts import CONTRACT_KEYS, crime_stats
from plainsight.synth.crime_large import generate_large_force

RESULTS = Path(__file__).parent / "results" / "crime.json"
START, END = date(2019, 1, 1), date(2023, 12, 31)
AS_OF = date(2024, 10, 15)
GOAL_SECONDS = 5.0
FIGURES = tuple(key for key in CONTRACT_KEYS if key != "period")
"""The contract's figures (its period is the input, not a result)."""
SEXES = ("F", "M", "U")
BANDS = ("0-17", "18-25", "26-35", "36-45", "46-55", "56-65", "66+", "unknown")
IC_CODES = ("IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC9")

# --- the baseline: DuckDB SQL over the CSV files ------------------------------------------

LOAD_SQL = """
CREATE OR REPLACE MACRO day_of(s) AS CASE
    WHEN s IS NULL OR trim(s) = '' THEN NULL
    WHEN contains(s, '/') THEN CAST(strptime(trim(s), '%d/%m/%Y') AS DATE)
    ELSE CAST(left(trim(s), 10) AS DATE) END;
CREATE OR REPLACE TABLE crimes AS
SELECT trim(crime_ref) AS ref,
       day_of(recorded_date) AS recorded,
       day_of(committed_date) AS committed,
       upper(trim(ho_offence_code)) AS code,
       coalesce(nullif(lower(trim(status)), ''), 'recorded') AS status
FROM read_csv('{folder}/crimes.csv', all_varchar = true, header = true);
CREATE OR REPLACE TABLE victims AS
SELECT trim(crime_ref) AS ref, upper(coalesce(trim(sex), '')) AS sex,
       TRY_CAST(trim(age) AS INTEGER) AS age, day_of(date_of_birth) AS born,
       upper(coalesce(trim(ethnicity_ic), '')) AS ic
FROM read_csv('{folder}/victims.csv', all_varchar = true, header = true);
CREATE OR REPLACE TABLE outcomes AS
SELECT trim(crime_ref) AS ref,
       CAST(CAST(regexp_extract(trim(outcome_code), '^[0-9]+') AS INTEGER) AS VARCHAR) AS code,
       day_of(outcome_date) AS dated,
       row_number() OVER () AS pos
FROM read_csv('{folder}/outcomes.csv', all_varchar = true, header = true);
"""

FIGURES_SQL = """
CREATE OR REPLACE TEMP TABLE counted AS
SELECT ref, recorded, committed,
       code = '106' OR code LIKE '106/%' OR code = '72' OR code LIKE '72/%' AS mdsht
FROM crimes
WHERE status = 'recorded' AND recorded BETWEEN DATE '{start}' AND DATE '{end}';
CREATE OR REPLACE TEMP TABLE m AS SELECT * FROM counted WHERE mdsht;
CREATE OR REPLACE TEMP TABLE v AS
SELECT CASE WHEN v.sex IN ('F', 'FEMALE') THEN 'F' WHEN v.sex IN ('M', 'MALE') THEN 'M'
            ELSE 'U' END AS sex,
       coalesce(v.age, year(coalesce(m.committed, m.recorded)) - year(v.born)
           - CASE WHEN month(coalesce(m.committed, m.recorded)) * 100
                       + day(coalesce(m.committed, m.recorded))
                     < month(v.born) * 100 + day(v.born) THEN 1 ELSE 0 END) AS age,
       CASE WHEN v.ic IN ('IC1', 'IC2', 'IC3', 'IC4', 'IC5', 'IC6') THEN v.ic
            ELSE 'IC9' END AS ic
FROM victims v JOIN m USING (ref);
CREATE OR REPLACE TEMP TABLE latest AS
SELECT ref, code FROM outcomes WHERE code <> '0'
QUALIFY row_number() OVER (
    PARTITION BY ref ORDER BY dated IS NOT NULL DESC, dated DESC, pos DESC) = 1;
"""

QUERIES = {
    "by_year": "SELECT year(recorded), count(*) FROM m GROUP BY ALL",
    "by_month": "SELECT month(coalesce(committed, recorded)), count(*) FROM m GROUP BY ALL",
    "sex": "SELECT sex, count(*) FROM v GROUP BY ALL",
    "sex_age": """SELECT sex, CASE WHEN age IS NULL THEN 'unknown' WHEN age <= 17 THEN '0-17'
        WHEN age <= 25 THEN '18-25' WHEN age <= 35 THEN '26-35' WHEN age <= 45 THEN '36-45'
        WHEN age <= 55 THEN '46-55' WHEN age <= 65 THEN '56-65' ELSE '66+' END, count(*)
        FROM v GROUP BY ALL""",
    "sex_ic": "SELECT sex, ic, count(*) FROM v GROUP BY ALL",
    "outcomes": """SELECT coalesce(latest.code, 'pending'), year(m.recorded), count(*)
        FROM m LEFT JOIN latest USING (ref) GROUP BY ALL""",
    "all_by_year": """SELECT year(recorded), count(*) FROM counted GROUP BY ALL
        HAVING bool_or(NOT mdsht)""",
}


def baseline_figures(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    """The contract figures from tables already loaded by :data:`LOAD_SQL`."""
    con.execute(FIGURES_SQL.format(start=start, end=end))
    got = {name: con.execute(sql).fetchall() for name, sql in QUERIES.items()}
    years = [str(y) for y in range(start.year, end.year + 1)]
    by_year = {str(y): n for y, n in got["by_year"]}
    months = [0] * 12
    for month, n in got["by_month"]:
        months[month - 1] = n
    sex_age = {sex: [0] * len(BANDS) for sex in SEXES}
    for sex, band, n in got["sex_age"]:
        sex_age[sex][BANDS.index(band)] = n
    sex_ic = {sex: [0] * len(IC_CODES) for sex in SEXES}
    for sex, ic, n in got["sex_ic"]:
        sex_ic[sex][IC_CODES.index(ic)] = n
    outcomes: dict[str, dict[str, int]] = {"pending": {}}
    for code, year, n in got["outcomes"]:
        outcomes.setdefault(code, {})[str(year)] = n
    all_by_year = {str(y): n for y, n in got["all_by_year"]}
    sexes = dict(got["sex"])
    return {
        "crimes": sum(by_year.values()),
        "victims": sum(sexes.values()),
        "crimes_by_year": {y: by_year.get(y, 0) for y in years},
        "victims_by_sex": {sex: sexes.get(sex, 0) for sex in SEXES},
        "victims_by_sex_age": {"bands": list(BANDS), **sex_age},
        "victims_by_sex_ethnicity": {"codes": list(IC_CODES), **sex_ic},
        "outcomes_by_year": outcomes,
        "crimes_by_month_of_year": months,
        "all_crimes_by_year": all_by_year,
        "share_of_all_crime_by_year": {
            y: _share(by_year.get(y, 0), n) for y, n in all_by_year.items() if n
        },
    }


def _share(part: int, whole: int) -> float:
    exact = Decimal(part) * 100 / Decimal(whole)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def baseline(folder: Path) -> tuple[dict[str, Any], float, float]:
    """Figures, seconds from the CSV files, seconds of the SQL alone (tables loaded)."""
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(LOAD_SQL.format(folder=folder.as_posix()))
    figures = baseline_figures(con, START, END)
    whole = time.perf_counter() - t0
    t0 = time.perf_counter()
    baseline_figures(con, START, END)
    sql_only = time.perf_counter() - t0
    con.close()
    return figures, whole, sql_only


# --- plainsight ----------------------------------------------------------------------------


def best(repeat: int, work: Callable[[], Any]) -> tuple[Any, float]:
    """The result of ``work`` and its fastest wall time over ``repeat`` runs."""
    fastest, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = work()
        fastest = min(fastest, time.perf_counter() - t0)
    return result, fastest


def time_report(records: CrimeRecords, stats: dict[str, Any], out: Path) -> dict[str, Any]:
    """Build the report once (reusing the statistics) and write each format once, timed.

    Uses ``plainsight.report``'s ``build_report`` and ``write_report``; says so in the
    results when they are absent rather than failing the benchmark.
    """
    try:
        from plainsight.report.build import build_report
        from plainsight.report.render import FORMATS, write_report
    except ImportError as exc:
        return {"report": f"not available: {exc}"}
    timings: dict[str, Any] = {}
    t0 = time.perf_counter()
    report = build_report(records, START, END, synthetic=True, stats=stats)
    timings["build_seconds"] = round(time.perf_counter() - t0, 3)
    for fmt in FORMATS:
        target = out / f"report.{fmt}"
        t0 = time.perf_counter()
        write_report(report, target, fmt)
        timings[f"{fmt}_seconds"] = round(time.perf_counter() - t0, 3)
        timings[f"{fmt}_bytes"] = target.stat().st_size
    return timings


def measure(
    size: int, mdsht: int, seed: int, repeat: int, work: Path, with_report: bool
) -> dict[str, Any]:
    folder = work / f"force-{size}-{mdsht}-{seed}"
    made = 0.0
    if not (folder / "README.txt").is_file():
        t0 = time.perf_counter()
        generate_large_force(folder, crimes=size, mdsht=mdsht, seed=seed)
        made = time.perf_counter() - t0
    records, load_s = best(repeat, lambda: load_records(folder))
    stats, stats_s = best(repeat, lambda: crime_stats(records, START, END))
    findings, audit_s = best(repeat, lambda: audit(records, as_of=AS_OF))
    (expected, base_s, base_sql_s) = min(
        (baseline(folder) for _ in range(repeat)), key=lambda run: run[1]
    )
    ours = {key: stats[key] for key in FIGURES}
    if ours != expected:
        differ = [key for key in FIGURES if ours[key] != expected[key]]
        raise SystemExit(f"plainsight and the baseline disagree at size {size} on {differ}")
    run: dict[str, Any] = {
        "crimes": size,
        "mdsht_crimes": mdsht,
        "victims_counted": stats["victims"],
        "rejected_rows": len(records.rejects),
        "generate_seconds": round(made, 3) if made else None,
        "load_seconds": round(load_s, 3),
        "stats_seconds": round(stats_s, 3),
        "load_and_stats_seconds": round(load_s + stats_s, 3),
        "audit_seconds": round(audit_s, 3),
        "audit_leads": len(findings),
        "baseline_seconds": round(base_s, 3),
        "baseline_sql_seconds": round(base_sql_s, 3),
        "cost_over_baseline": round((load_s + stats_s) / base_s, 1),
        "stats_cost_over_baseline_sql": round(stats_s / base_sql_s, 1),
        "figures_agree": True,
    }
    if with_report:
        run["report"] = time_report(records, stats, folder)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 100_000, 200_000])
    parser.add_argument("--mdsht-share", type=float, default=0.015)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="keep forces here between runs")
    parser.add_argument("--no-report", action="store_true", help="skip timing the report")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="plainsight-bench-crime-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = [
        measure(
            size, round(size * args.mdsht_share), args.seed, args.repeat, work, not args.no_report
        )
        for size in args.sizes
    ]
    first, last = runs[0], runs[-1]
    growth = {
        "size_ratio": round(last["crimes"] / first["crimes"], 2),
        "load_and_stats_time_ratio": round(
            last["load_and_stats_seconds"] / first["load_and_stats_seconds"], 2
        ),
        "baseline_time_ratio": round(last["baseline_seconds"] / first["baseline_seconds"], 2),
    }
    largest = max(runs, key=lambda r: r["crimes"])
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "duckdb": duckdb.__version__,
        },
        "period": {"from": START.isoformat(), "to": END.isoformat()},
        "goal": {
            "what": "load + stats of 200,000 crimes with 3,000 MDSHT under 5 s",
            "crimes": largest["crimes"],
            "seconds": largest["load_and_stats_seconds"],
            "met": largest["load_and_stats_seconds"] < GOAL_SECONDS,
        },
        "runs": runs,
        "growth": growth,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    heads = ("crimes", "mdsht", "load s", "stats s", "audit s", "base s", "base sql s", "x base")
    print(" ".join(f"{h:>11}" for h in heads))
    for r in runs:
        cells = (r["crimes"], r["mdsht_crimes"], r["load_seconds"], r["stats_seconds"])
        cells += (r["audit_seconds"], r["baseline_seconds"], r["baseline_sql_seconds"])
        cells += (r["cost_over_baseline"],)
        print(" ".join(f"{c:>11}" for c in cells))
        if "report" in r:
            print(f"{'':>11} report: {r['report']}")
    print(
        f"growth: size x{growth['size_ratio']}, plainsight time "
        f"x{growth['load_and_stats_time_ratio']}, baseline x{growth['baseline_time_ratio']}"
    )
    goal = results["goal"]
    print(f"goal (< {GOAL_SECONDS:g} s at {goal['crimes']:,} crimes): {goal['seconds']} s", end="")
    print(f", met: {goal['met']}")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
