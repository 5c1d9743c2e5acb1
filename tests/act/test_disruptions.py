"""The disruptions register on SQLite and PostgreSQL: the report's rules and its figures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from plainsight.act import disruptions as register
from plainsight.act.disruption_figures import disruption_figures
from plainsight.act.disruption_rules import year_bounds, year_of
from plainsight.ops.db import OpsDatabase
from plainsight.ops.disruptions import DisruptionClaim
from plainsight.ops.models import Base
from tests.conftest import TickingClock

MINE = {"crime_groups", "crime_group_nominals", "operations", "operation_groups"}
MINE |= {"disruption_claims"}


def clock() -> TickingClock:
    return TickingClock(datetime(2024, 6, 1, 9, 0, tzinfo=UTC))


def claim(s: Session, activity: str, crime_type: str = "drugs", **over: Any) -> DisruptionClaim:
    fields: dict[str, Any] = {
        "claimed_on": date(2023, 5, 10),
        "strand": "pursue",
        "category": "moderate",
        "narrative": "Warrant at a City address; two controllers arrested, phones seized.",
        "claimant": "DC Amir Shah",
        "claimant_rank": "constable",
        "clock": clock(),
    }
    fields.update(over)
    return register.add_claim(s, activity=activity, crime_type=crime_type, **fields)


def _tables(diff: Any) -> set[str]:
    """The tables an Alembic autogenerate difference is about."""
    item = diff[0] if isinstance(diff, list) else diff
    names: set[str] = set()
    for part in item[1:]:
        if isinstance(part, str):
            names.add(part)
        elif isinstance(part, Table):
            names.add(part.name)
        elif isinstance(getattr(part, "table", None), Table):
            names.add(part.table.name)
    return names


def test_migration_creates_the_tables_the_models_describe(ops_db: OpsDatabase) -> None:
    with ops_db.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert [d for d in diffs if _tables(d) & MINE] == []


def test_the_same_activity_under_another_crime_type_is_refused_naming_the_claim(
    ops_db: OpsDatabase,
) -> None:
    with ops_db.session() as s:
        first = claim(s, "OP-SUN/WARRANT-7", "drugs")
        assert first.id is not None
    with (
        ops_db.session() as s,
        pytest.raises(ValueError, match="no double counting") as refused,
    ):
        claim(s, " op-sun/warrant-7 ", "mdsht")
    message = str(refused.value)
    assert f"claim {first.id} (OP-SUN/WARRANT-7, Drugs, Moderate, 2023-05-10)" in message
    assert "Modern slavery and human trafficking" in message
    with ops_db.session() as s, pytest.raises(ValueError, match="one claim per activity"):
        claim(s, "OP-SUN/WARRANT-7", "drugs", category="minor")
    with ops_db.session() as s:
        assert s.scalar(select(func.count()).select_from(DisruptionClaim)) == 1
        assert disruption_figures(s)["claims"]["awaiting_approval"] == 1


def test_major_is_claimed_only_at_sentencing(ops_db: OpsDatabase) -> None:
    with ops_db.session() as s, pytest.raises(ValueError, match="only at sentencing"):
        claim(s, "A-1", category="major")
    with ops_db.session() as s, pytest.raises(ValueError, match="only at sentencing"):
        claim(s, "A-1", category="major", outcome_stage="charged", outcome_on=date(2023, 6, 1))
    with ops_db.session() as s, pytest.raises(ValueError, match="needs its date"):
        claim(s, "A-1", category="major", outcome_stage="sentenced")
    with ops_db.session() as s, pytest.raises(ValueError, match="before the activity"):
        claim(s, "A-1", category="major", outcome_stage="sentenced", outcome_on=date(2023, 1, 1))
    with ops_db.session() as s:
        major = claim(
            s, "A-1", category="major", outcome_stage="sentenced", outcome_on=date(2024, 2, 9)
        )
        assert (major.category, major.outcome_stage) == ("major", "sentenced")


def test_approval_needs_a_supervisor_of_the_rank_the_category_needs(
    ops_db: OpsDatabase,
) -> None:
    with ops_db.session() as s:
        major = claim(
            s, "A-1", category="major", outcome_stage="sentenced", outcome_on=date(2024, 2, 9)
        ).id
        minor = claim(s, "A-2", category="minor").id
    refusals = [
        (major, "DS Kate Boyd", "sergeant", "needs approval by an inspector or above"),
        (minor, "DC Amir Shah", "inspector", "a supervisor must approve it"),
        (minor, "Ann Lee", "staff", "needs approval by a sergeant"),
        (minor, "DS Kate Boyd", "sargeant", "unknown rank 'sargeant'"),
        (99, "DS Kate Boyd", "sergeant", "no claim 99"),
    ]
    for number, who, rank, message in refusals:
        with ops_db.session() as s, pytest.raises(ValueError, match=message):
            register.approve_claim(s, claim_id=number, approver=who, rank=rank, clock=clock())
    with ops_db.session() as s:
        register.approve_claim(s, claim_id=minor, approver="DS Kate Boyd", rank="sergeant")
        register.approve_claim(s, claim_id=major, approver="DI Ruth Carr", rank="Inspector")
    with ops_db.session() as s, pytest.raises(ValueError, match="already approved by DI Ruth"):
        register.approve_claim(s, claim_id=major, approver="DCI Obi", rank="chief-inspector")
    with ops_db.session() as s:
        assert disruption_figures(s)["claims"] == {"approved": 2, "awaiting_approval": 0}


def test_unknown_codes_and_empty_narratives_are_refused_in_words(
    ops_db: OpsDatabase,
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"strand": "pursuit"}, "unknown 4P strand 'pursuit'; choose one of pursue, prevent"),
        ({"category": "huge"}, "unknown category 'huge'"),
        ({"narrative": "  "}, "the evidence narrative cannot be empty"),
        ({"claimed_on": date(2024, 7, 1)}, "in the future"),
        ({"operation_name": "Op Nowhere"}, "no operation 'Op Nowhere'"),
    ]
    for over, message in cases:
        with ops_db.session() as s, pytest.raises(ValueError, match=message):
            claim(s, "A-9", **over)
    with ops_db.session() as s, pytest.raises(ValueError, match="unknown crime type 'slavery'"):
        claim(s, "A-9", "slavery")


def _world(s: Session) -> list[tuple[str, str, str, str, bool]]:
    """75 live operations (two with an MDSHT link), one closed MDSHT job, four groups and
    claims either side of the 2022/23 - 2023/24 year end; returns the claims as made."""
    c = clock()
    register.add_group(s, reference="ocg-1", name="Romanian family A", types=["mdsht"], who="a")
    register.add_group(s, reference="OCG-2", name="County line", types=["drugs"], who="a")
    register.add_group(
        s, reference="OCG-3", name="Brothel network", types=["mdsht", "money-laundering"], who="a"
    )
    register.add_group(s, reference="OCG-4", name="Boiler room", types=["fraud"], who="a")
    register.add_nominal(s, group_reference="OCG-1", reference="N-1", name="A. Popescu", who="a")
    register.add_operation(
        s,
        name="Op Sun",
        types=["mdsht", "acquisitive"],
        opened_on=date(2020, 1, 6),
        who="a",
        group_references=["OCG-1"],
        clock=c,
    )
    register.add_operation(
        s, name="Op Tide", types=["mdsht"], opened_on=date(2023, 9, 1), who="a", clock=c
    )
    register.add_operation(
        s, name="Op Gone", types=["mdsht"], opened_on=date(2019, 1, 1), who="a", clock=c
    )
    register.close_operation(s, name="Op Gone", closed_on=date(2021, 3, 1))
    for n in range(73):
        register.add_operation(
            s,
            name=f"Op Job {n:02d}",
            types=["drugs" if n % 2 else "fraud"],
            opened_on=date(2022, 1, 1),
            who="a",
            clock=c,
        )
    made = [
        ("2023-03-31", "minor", "protect", "mdsht", True),
        ("2023-04-01", "moderate", "pursue", "mdsht", True),
        ("2023-07-14", "moderate", "pursue", "drugs", True),
        ("2023-11-02", "minor", "prevent", "drugs", True),
        ("2024-02-20", "moderate", "pursue", "drugs", False),
        ("2024-03-31", "minor", "prepare", "fraud", True),
    ]
    for n, (day, category, strand, kind, approve) in enumerate(made):
        done = claim(
            s,
            f"ACT-{n}",
            kind,
            claimed_on=date.fromisoformat(day),
            category=category,
            strand=strand,
            operation_name="Op Sun" if kind == "mdsht" else None,
        )
        if approve:
            register.approve_claim(s, claim_id=done.id, approver="DS Boyd", rank="sergeant")
    return made


def test_figures_per_financial_year_and_the_live_jobs_with_an_mdsht_link(
    ops_db: OpsDatabase,
) -> None:
    with ops_db.session() as s:
        made = _world(s)
    approved = [m for m in made if m[4]]
    with ops_db.session() as s:
        every = disruption_figures(s)
        year = disruption_figures(s, financial_year="FY23/24")
    assert every["live_operations"] == {
        "total": 75,
        "mdsht_link": 2,
        "mdsht_names": ["Op Sun", "Op Tide"],
    }
    assert every["groups"] == {"total": 4, "mdsht_link": 2}
    assert every["by_year"] == {"2022/23": 1, "2023/24": 4}
    assert every["claims"] == {"approved": 5, "awaiting_approval": 1}
    assert year["financial_year"] == "2023/24"
    in_year = [m for m in approved if "2023-04-01" <= m[0] <= "2024-03-31"]
    assert year["claims"] == {"approved": len(in_year), "awaiting_approval": 1}
    assert year["by_category"] == {
        k: sum(1 for m in in_year if m[1] == k) for k in ("major", "moderate", "minor")
    }
    assert year["by_category"]["major"] == 0
    assert year["by_strand"] == {"pursue": 2, "prevent": 1, "protect": 0, "prepare": 1}
    assert year["by_crime_type"]["mdsht"] == 1 and year["by_crime_type"]["drugs"] == 2
    assert year["mdsht_claims"] == 1 and every["mdsht_claims"] == 2
    assert sum(r["claims"] for r in year["rows"]) == len(in_year)
    assert {
        "financial_year": "2023/24",
        "category": "moderate",
        "strand": "pursue",
        "crime_type": "drugs",
        "claims": 1,
    } in year["rows"]
    assert "recorded at sentencing stage" in every["definitions"]["major"]


def test_operations_close_once_and_not_before_they_opened(ops_db: OpsDatabase) -> None:
    with ops_db.session() as s:
        register.add_operation(
            s, name="Op Sun", types=["mdsht"], opened_on=date(2020, 1, 6), who="a", clock=clock()
        )
    with ops_db.session() as s, pytest.raises(ValueError, match="opened on 2020-01-06"):
        register.close_operation(s, name="Op Sun", closed_on=date(2019, 12, 31))
    with ops_db.session() as s:
        register.close_operation(s, name="Op Sun", closed_on=date(2021, 3, 1))
    with ops_db.session() as s, pytest.raises(ValueError, match="already closed on 2021-03-01"):
        register.close_operation(s, name="Op Sun", closed_on=date(2021, 4, 1))
    with ops_db.session() as s, pytest.raises(ValueError, match="already recorded"):
        register.add_operation(
            s, name="Op Sun", types=["drugs"], opened_on=date(2022, 1, 1), who="a", clock=clock()
        )
    with ops_db.session() as s:
        assert disruption_figures(s)["live_operations"]["total"] == 0


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2023/24", "2023/24"),
        ("2023-24", "2023/24"),
        ("FY23/24", "2023/24"),
        ("2099/2100", "2099/00"),
    ],
)
def test_financial_years_are_read_in_the_ways_people_write_them(text: str, label: str) -> None:
    assert year_bounds(text)[0] == label


@pytest.mark.parametrize("text", ["2023/25", "2023", "last year"])
def test_a_financial_year_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a financial year"):
        year_bounds(text)


def test_the_financial_year_runs_april_to_march() -> None:
    assert year_of(date(2024, 3, 31)) == "2023/24"
    assert year_of(date(2024, 4, 1)) == "2024/25"
    assert year_bounds("2023/24")[1:] == (date(2023, 4, 1), date(2024, 3, 31))


def test_a_claim_regraded_major_at_sentencing_needs_approval_again(
    ops_db: OpsDatabase,
) -> None:
    with ops_db.session() as s:
        moderate = claim(
            s, "OP-SUN/CHARGE-2", "mdsht", outcome_stage="charged", outcome_on=date(2023, 8, 1)
        ).id
        register.approve_claim(s, claim_id=moderate, approver="DS Kate Boyd", rank="sergeant")
    with ops_db.session() as s, pytest.raises(ValueError, match="only at sentencing"):
        register.regrade_claim(s, claim_id=moderate, category="major")
    with ops_db.session() as s:
        major = register.regrade_claim(
            s,
            claim_id=moderate,
            category="major",
            outcome_stage="sentenced",
            outcome_on=date(2024, 4, 19),
        )
        assert (major.category, major.approved_by) == ("major", None)
        assert disruption_figures(s)["claims"] == {"approved": 0, "awaiting_approval": 1}
    with ops_db.session() as s, pytest.raises(ValueError, match="an inspector or above"):
        register.approve_claim(s, claim_id=moderate, approver="DS Kate Boyd", rank="sergeant")
    with ops_db.session() as s:
        register.approve_claim(s, claim_id=moderate, approver="DI Ruth Carr", rank="inspector")
        figures = disruption_figures(s, financial_year="2023/24")
    assert figures["by_category"] == {"major": 1, "moderate": 0, "minor": 0}
    assert figures["mdsht_claims"] == 1
