"""The recording-integrity audit: each rule on hand-written records, then the synthetic world.

The world's planted cases are found again from the CSV files by a small reference reader
written here (independent of the importer and the audit), and from the case book.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plainsight.cli import EXIT_SET_ASIDE, app
from plainsight.crime.audit import RULE_IDS, RULES, Finding, audit
from plainsight.crime.importer import load_records
from plainsight.crime.mo_leads import Vocabulary, mo_leads
from plainsight.crime.records import Crime, CrimeRecords, Outcome, Victim, Where
from plainsight.synth.crime import generate_crime
from plainsight.synth.crime_background import EXTRACT_DAY, OP_SUN_ADDRESS, OP_SUN_ADULT
from plainsight.synth.crime_cases import CASEBOOK

AS_OF = date(2024, 10, 15)
_lines = itertools.count(2)


def crime(
    ref: str,
    recorded: str = "2023-03-01T10:00",
    *,
    reported: str | None = "2023-03-01T09:00",
    code: str = "106/02",
    title: str = "Require a person to perform forced or compulsory labour",
    ms_flag: bool | None = True,
    status: str = "recorded",
    mo: str = "",
    lsoa: str = "E01000001",
) -> Crime:
    """A crime as the importer would give it; a date without a time is flagged date-only."""
    return Crime(
        crime_ref=ref,
        recorded=datetime.fromisoformat(recorded),
        recorded_date_only="T" not in recorded,
        reported=None if reported is None else datetime.fromisoformat(reported),
        reported_date_only=reported is not None and "T" not in reported,
        committed=None,
        ho_offence_code=code,
        offence_title=title,
        ms_flag=ms_flag,
        status=status,
        lsoa_code=lsoa,
        easting=None,
        northing=None,
        mo_text=mo,
        where=Where("crimes.csv", next(_lines)),
    )


def theft(
    ref: str, recorded: str, mo: str, *, ms_flag: bool | None = False, lsoa: str = "E01000001"
) -> Crime:
    """An everyday theft from the person, with no marker unless told."""
    return crime(
        ref, recorded, code="39", title="Theft from the person", ms_flag=ms_flag, mo=mo, lsoa=lsoa
    )


def victim(
    crime_ref: str,
    ref: str,
    *,
    sex: str = "F",
    age: int | None = 24,
    born: date | None = None,
    ic: str = "IC2",
    sde: str = "",
) -> Victim:
    return Victim(
        crime_ref, ref, sex, age, born, ic, sde, "Romanian", "labour", Where("victims.csv", 2)
    )


def outcome(crime_ref: str, code: str, when: date | None) -> Outcome:
    return Outcome(crime_ref, code, when, Where("outcomes.csv", 2))


def records(*items: Crime | Victim | Outcome) -> CrimeRecords:
    found = CrimeRecords()
    for item in items:
        if isinstance(item, Crime):
            found.crimes.append(item)
        elif isinstance(item, Victim):
            found.victims.append(item)
        else:
            found.outcomes.append(item)
    return found


def leads(found: CrimeRecords, rule: str, **kw: object) -> list[Finding]:
    return audit(found, as_of=kw.pop("as_of", AS_OF), rules=[rule], **kw)  # type: ignore[arg-type]


def refs(findings: list[Finding]) -> list[str]:
    return [f.crime_ref for f in findings]


# --- each rule on hand-written rows ----------------------------------------------------------


def test_well_recorded_crimes_raise_nothing() -> None:
    """Clean records: prompt recording, markers right, victims complete, outcomes given."""
    clean = records(
        crime("A", "2023-03-01T10:00", reported="2023-02-28T11:00"),
        victim("A", "P1"),
        outcome("A", "18", date(2023, 6, 1)),
        crime("B", "2023-05-02", reported="2023-05-01T20:00", code="72", title="Trafficking"),
        victim("B", "P2", age=None, born=date(1990, 5, 1), sex="M", ic="IC1"),
        outcome("B", "0", date(2023, 5, 3)),
        outcome("B", "14", date(2023, 9, 1)),
        theft("C", "2023-04-04T15:00", "Phone taken from victim's hand by a cyclist on Cheapside."),
        theft("D", "2023-04-04T16:00", "Known shoplifter concealed razor blades in a bag."),
        crime("E", "2023-07-01T12:00", code="8N", title="Assault with injury", ms_flag=None),
    )
    assert audit(clean, as_of=AS_OF) == []


def test_every_rule_has_an_id_title_and_reason_to_exist() -> None:
    assert len(set(RULE_IDS)) == len(RULES) == 11
    for rule in RULES:
        assert re.fullmatch(r"[a-z0-9-]+", rule.id) and rule.title and len(rule.why) > 40


def test_marker_on_a_crime_that_is_not_a_modern_slavery_offence() -> None:
    found = leads(
        records(
            crime("A", code="92A", title="Trafficking in controlled drugs", ms_flag=True),
            crime("B", code="92A", title="Trafficking in controlled drugs", ms_flag=False),
            crime("C", code="92A", title="Trafficking in controlled drugs", ms_flag=None),
            crime("D", code="106/03", ms_flag=True),
        ),
        "marker-not-106",
    )
    assert refs(found) == ["A"]
    assert "recorded as 92A Trafficking in controlled drugs" in found[0].reason
    assert found[0].where.file == "crimes.csv" and found[0].victim_ref == ""


def test_modern_slavery_offence_without_the_marker() -> None:
    found = leads(
        records(
            crime("A", ms_flag=False),
            crime("B", "2023-03-02T10:00", ms_flag=None, code="72", title="Trafficking"),
            crime("C", ms_flag=True),
            crime("D", ms_flag=None, code="1060", title="Not slavery"),
        ),
        "mdsht-no-marker",
    )
    assert refs(found) == ["A", "B"]
    assert found[0].reason.endswith("the modern slavery marker is N")
    assert found[1].reason.endswith("the modern slavery marker is not filled in")


@pytest.mark.parametrize("status", ["cancelled", "transferred"])
def test_cancelled_and_transferred_modern_slavery_crimes(status: str) -> None:
    found = leads(
        records(
            crime("A", status=status),
            crime("B", status="recorded"),
            crime("C", status=status, code="46", title="Shoplifting", ms_flag=False),
        ),
        f"mdsht-{status}",
    )
    assert refs(found) == ["A"]
    assert f"was {status}" in found[0].reason
    assert ("additional verifiable information" in found[0].reason) == (status == "cancelled")


def test_late_recording_with_times_says_how_late() -> None:
    found = leads(
        records(
            crime("late", "2021-03-04T13:40", reported="2021-03-01T09:10"),
            crime("just", "2021-03-02T09:10", reported="2021-03-01T09:10"),  # exactly 24 h
            crime("unknown", "2021-03-09T09:10", reported=None),
        ),
        "late-recording",
    )
    assert refs(found) == ["late"]
    assert found[0].reason.startswith(
        "recorded 3 days 4 hours after it was reported (2021-03-01 09:10 → 2021-03-04 13:40); "
        "the Home Office Counting Rules expect recording within 24 hours"
    )


def test_late_recording_compares_whole_days_when_a_date_has_no_time() -> None:
    found = leads(
        records(
            crime("two-days", "2021-03-03", reported="2021-03-01T23:50"),
            crime("next-day", "2021-03-02", reported="2021-03-01T08:00"),  # may be < 24 h
            crime("reported-day", "2021-03-05T01:00", reported="2021-03-01"),
        ),
        "late-recording",
    )
    assert refs(found) == ["two-days", "reported-day"]
    assert "2 days after it was reported on 2021-03-01" in found[0].reason
    assert "recorded date has no time of day, so whole days are compared" in found[0].reason
    assert "the reported date has no time of day" in found[1].reason


def test_late_recording_reads_slavery_crimes_and_marked_crimes_only() -> None:
    late = {"recorded": "2022-06-10T10:00", "reported": "2022-06-01T10:00"}
    found = leads(
        records(
            crime("volume", late["recorded"], reported=late["reported"], code="46", ms_flag=False),
            crime("marked", late["recorded"], reported=late["reported"], code="46", ms_flag=True),
            crime("cancelled", late["recorded"], reported=late["reported"], status="cancelled"),
        ),
        "late-recording",
    )
    assert sorted(refs(found)) == ["cancelled", "marked"]
    cancelled = next(f for f in found if f.crime_ref == "cancelled")
    assert cancelled.reason.endswith("(the crime is cancelled)")


def test_victims_missing_sex_age_or_ethnicity() -> None:
    found = audit(
        records(
            crime("A"),
            victim("A", "P-sex", sex="U"),
            victim("A", "P-age", age=None),
            victim("A", "P-born", age=None, born=date(2001, 2, 3)),
            victim("A", "P-ic", ic="IC9", sde="W9"),
            crime("B", code="92A", title="Drugs", ms_flag=True),  # not a slavery offence
            victim("B", "P-other", sex="U", age=None, ic="IC9"),
        ),
        as_of=AS_OF,
        rules=["victim-missing-sex", "victim-missing-age", "victim-missing-ethnicity"],
    )
    assert [(f.rule, f.victim_ref) for f in found] == [
        ("victim-missing-sex", "P-sex"),
        ("victim-missing-age", "P-age"),
        ("victim-missing-ethnicity", "P-ic"),
    ]
    assert found[0].where.file == "victims.csv"
    assert "neither age nor date of birth recorded" in found[1].reason
    assert "self-defined ethnicity W9 is recorded" in found[2].reason


def test_several_victims_on_one_crime() -> None:
    found = leads(
        records(
            crime("A"),
            victim("A", "P1"),
            victim("A", "P2"),
            victim("A", "P3"),
            crime("B"),
            victim("B", "P4"),
            victim("B", "P4"),  # the same person twice is not several victims
        ),
        "several-victims",
    )
    assert refs(found) == ["A"]
    assert found[0].reason.startswith("3 victims on one crime (P1, P2, P3)")


def test_no_outcome_after_the_number_of_days() -> None:
    rows = records(
        crime("none", "2024-01-01T10:00"),
        crime("interim", "2024-02-01T10:00"),
        outcome("interim", "0", date(2024, 2, 5)),
        crime("done", "2024-02-01T10:00"),
        outcome("done", "0", date(2024, 2, 5)),
        outcome("done", "18", date(2024, 6, 5)),
        crime("later", "2024-03-01T10:00"),  # its outcome comes after the audit's day
        outcome("later", "18", date(2024, 11, 1)),
        crime("reopened", "2024-02-01T10:00"),  # a 0 after a final outcome: not pending
        outcome("reopened", "18", date(2024, 3, 5)),
        outcome("reopened", "0", date(2024, 4, 5)),
        crime("young", "2024-07-17T10:00"),  # 90 days before 15 October: not yet
        crime("cancelled", "2024-01-01T10:00", status="cancelled"),
        crime("volume", "2024-01-01T10:00", code="46", ms_flag=False),
    )
    found = leads(rows, "no-outcome")
    assert refs(found) == ["none", "interim", "later"]
    assert "still pending 288 days later on 2024-10-15 (no outcome recorded)" in found[0].reason
    assert "only the interim outcome 0, on 2024-02-05" in found[1].reason
    assert refs(leads(rows, "no-outcome", no_outcome_after_days=30)) == [
        "none",
        "interim",
        "later",
        "young",
    ]
    assert refs(leads(rows, "no-outcome", as_of=date(2024, 12, 1))) == ["none", "interim", "young"]


def test_the_period_limits_the_crimes_read() -> None:
    rows = records(crime("A", "2022-12-31T23:00", ms_flag=False), crime("B", "2023-01-01T00:10"))
    rows.crimes.append(crime("C", "2024-01-01T00:10", ms_flag=False))
    marker = ["mdsht-no-marker"]
    in_2023 = audit(rows, as_of=AS_OF, start=date(2023, 1, 1), end=date(2023, 12, 31), rules=marker)
    assert in_2023 == []
    assert refs(audit(rows, as_of=AS_OF, end=date(2022, 12, 31), rules=marker)) == ["A"]
    assert refs(audit(rows, as_of=AS_OF, start=date(2023, 1, 1), rules=marker)) == ["C"]


def test_unknown_rules_and_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown audit rule"):
        audit(records(), as_of=AS_OF, rules=["late"])
    with pytest.raises(ValueError, match="0 or more"):
        audit(records(), as_of=AS_OF, no_outcome_after_days=-1)


# --- MO text -----------------------------------------------------------------------------


def op_sun_mo(
    age: int, adult: str = "Ioana Pop", address: str = "Flat 9, 12 Dock Road, E16"
) -> str:
    return (
        f"Distraction theft: juvenile female aged {age} approached victim at Bank station with "
        f"a clipboard while another took a phone. Suspect arrested; gave address {address}; "
        f"asked for appropriate adult {adult} (stated to be aunt)."
    )


def test_juveniles_sharing_an_address_and_an_adult_are_grouped() -> None:
    rows = records(
        theft("J1", "2019-01-10T12:00", op_sun_mo(14)),
        theft("J2", "2019-03-02T12:00", op_sun_mo(15)),
        theft("J3", "2019-07-20T12:00", op_sun_mo(13, address="Flat 1, 40 Other Street, E6")),
        theft("J4", "2021-06-01T12:00", op_sun_mo(16, adult="Ana Lupu")),  # too late to chain
        theft("alone", "2019-02-01T12:00", op_sun_mo(12, "Maria Dinu", "4 Lone Road, E1")),
    )
    found = leads(rows, "mo-suggests-exploitation")
    assert refs(found) == ["J1", "J2", "J3"]
    first = found[0]
    assert first.related == ("J2", "J3")
    assert "“juvenile”, “aged 14”, “appropriate adult”" in first.reason
    assert "the address “Flat 9, 12 Dock Road, E16”" in first.reason
    assert "the appropriate adult “Ioana Pop”" in first.reason
    assert "with 2 other crimes with such words, recorded 2019-01-10 to 2019-07-20" in first.reason
    assert "(no modern slavery marker)" in first.reason
    # J3 joins by the adult alone, so it shares no address with the group
    assert "address" not in found[2].reason.split("Shares")[1].split(" with ")[0]


def test_same_area_same_day_groups_juveniles_arrested_together() -> None:
    rows = records(
        theft("K1", "2022-05-05T12:00", "Two juveniles detained for shoplifting.", lsoa="E01X"),
        theft("K2", "2022-05-05T13:00", "Juvenile detained with K1.", lsoa="E01X"),
        theft("K3", "2022-05-05T13:00", "Juvenile detained elsewhere.", lsoa="E01Y"),
    )
    found = leads(rows, "mo-suggests-exploitation")
    assert refs(found) == ["K1", "K2"]
    assert "the area (LSOA) and day “E01X on 2022-05-05”" in found[0].reason


def test_a_strong_term_is_a_lead_on_its_own() -> None:
    rows = records(
        theft("S1", "2023-01-05T12:00", "Girl told to steal from the store by an older man."),
        theft("S2", "2023-01-06T12:00", "Suspect stated working to repay a debt to the gang."),
        theft("S3", "2023-01-07T12:00", "Juvenile arrested for theft."),  # supporting only
        theft("marked", "2023-01-08T12:00", "Told to steal by adults.", ms_flag=None),
    )
    rows.crimes.append(
        crime("flagged", "2023-01-09T12:00", code="39", ms_flag=True, mo="Told to steal.")
    )
    rows.crimes.append(crime("slavery", "2023-01-10T12:00", mo="Made to steal to repay a debt."))
    found = leads(rows, "mo-suggests-exploitation")
    assert refs(found) == ["S1", "S2", "marked"]
    assert "mentions “told to steal”" in found[0].reason and found[0].related == ()
    assert "debt bondage" in found[1].reason  # the why of "repay a debt"


def test_vocabulary_file_is_checked() -> None:
    with pytest.raises(ValueError, match="term 1: needs strength"):
        Vocabulary.parse({"term": [{"phrase": "x", "strength": "very", "why": "y"}]})
    with pytest.raises(ValueError, match="bad pattern"):
        Vocabulary.parse({"term": [{"pattern": "(", "strength": "strong", "why": "y"}]})
    vocabulary = Vocabulary.parse(
        {"term": [{"phrase": "told to steal", "strength": "strong", "why": "y"}]}
    )
    found = mo_leads([theft("T", "2023-01-01T10:00", "was TOLD-to  steal")], vocabulary)
    assert [lead.matched[0][0] for lead in found] == ["TOLD-to  steal"]


# --- the synthetic world -------------------------------------------------------------------


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        header = [name.strip().lower() for name in next(rows)]
        return [dict(zip(header, (v.strip() for v in row), strict=True)) for row in rows]


def moment(text: str) -> datetime:
    if re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
        day, month, year = text.split("/")
        return datetime(int(year), int(month), int(day))
    return datetime.fromisoformat(text)


def slavery(code: str) -> bool:
    return code == "106" or code.startswith("106/")


class World:
    """The synthetic world's files, and what the audit should find in them, read directly."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.crimes = {row["crime_ref"]: row for row in read(folder / "crimes.csv")}
        self.victims = read(folder / "victims.csv")
        self.outcomes: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in read(folder / "outcomes.csv"):
            self.outcomes[row["crime_ref"]].append(row)

    def expected(self, rule: str) -> set[tuple[str, str]]:
        """(crime_ref, victim_ref) the rule must raise, by the rules as written in the docs."""
        found: set[tuple[str, str]] = set()
        victims: dict[str, set[str]] = defaultdict(set)
        for v in self.victims:
            crime = self.crimes[v["crime_ref"]]
            if not slavery(crime["ho_offence_code"]):
                continue
            victims[v["crime_ref"]].add(v["victim_ref"])
            missing = {
                "sex": v["sex"].upper() not in ("F", "M", "FEMALE", "MALE"),
                "age": not v["age"] and not v["date_of_birth"],
                "ethnicity": v["ethnicity_ic"].upper() in ("", "IC9"),
            }
            if rule.startswith("victim-missing-") and missing[rule.split("-")[-1]]:
                found.add((v["crime_ref"], v["victim_ref"]))
        for ref, c in self.crimes.items():
            is_slavery, marked = slavery(c["ho_offence_code"]), c["ms_flag"].upper() == "Y"
            status = c["status"].lower() or "recorded"
            recorded, reported = moment(c["recorded_date"]), moment(c["reported_date"])
            if "T" in c["recorded_date"]:
                late = recorded - reported > timedelta(hours=24)
            else:
                late = (recorded.date() - reported.date()).days >= 2
            pending = self.pending(ref)
            hit = {
                "marker-not-106": marked and not is_slavery,
                "mdsht-no-marker": is_slavery and not marked,
                "mdsht-cancelled": is_slavery and status == "cancelled",
                "mdsht-transferred": is_slavery and status == "transferred",
                "late-recording": (is_slavery or marked) and late,
                "several-victims": is_slavery and len(victims[ref]) > 1,
                "no-outcome": is_slavery
                and status == "recorded"
                and (EXTRACT_DAY - recorded.date()).days > 90
                and pending,
                "mo-suggests-exploitation": OP_SUN_ADDRESS in c["mo_text"] and not marked,
            }
            if hit.get(rule):
                found.add((ref, ""))
        return found

    def pending(self, ref: str) -> bool:
        """No outcome other than 0 known by the audit's day (the contract's pending)."""
        return not any(
            r["outcome_code"] != "0"
            and (not r["outcome_date"] or moment(r["outcome_date"]).date() <= EXTRACT_DAY)
            for r in self.outcomes[ref]
        )


@pytest.fixture(scope="module", params=[0, 7])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp(f"crime-world-{request.param}")
    generate_crime(folder, seed=request.param)
    return World(folder)


@pytest.fixture(scope="module")
def world_findings(world: World) -> list[Finding]:
    return audit(load_records(world.folder), as_of=EXTRACT_DAY)


@pytest.mark.parametrize("rule", RULE_IDS)
def test_the_world_gives_exactly_the_planted_cases(
    rule: str, world: World, world_findings: list[Finding]
) -> None:
    """Every planted case of every rule, and nothing among the ~38,000 clean crimes."""
    found = {(f.crime_ref, f.victim_ref) for f in world_findings if f.rule == rule}
    assert found == world.expected(rule)
    assert found


def test_the_world_matches_the_case_book(world: World, world_findings: list[Finding]) -> None:
    def count(rule: str, *, slavery_only: bool = False) -> int:
        return sum(
            f.rule == rule
            and (not slavery_only or slavery(world.crimes[f.crime_ref]["ho_offence_code"]))
            for f in world_findings
        )

    victims = [v for case in CASEBOOK for v in case.victims]
    assert count("victim-missing-sex") == sum(v.sex in ("", "U") for v in victims)
    assert count("victim-missing-age") == sum(v.age is None for v in victims)
    assert count("victim-missing-ethnicity") == sum(v.ethnicity in ("", "IC9") for v in victims)
    assert count("several-victims") == sum(len(c.victims) > 1 for c in CASEBOOK)
    assert count("mdsht-no-marker") == sum("nomarker" in c.flags for c in CASEBOOK)
    for status in ("cancelled", "transferred"):
        assert count(f"mdsht-{status}") == sum(c.status == status for c in CASEBOOK)
    late_cases = sum("late" in c.flags for c in CASEBOOK)
    late = count("late-recording", slavery_only=True)
    # the 27-hour case (recorded 2023-12-31) is found only when its time of day was written
    last = next(
        c
        for c in world.crimes.values()
        if slavery(c["ho_offence_code"]) and moment(c["recorded_date"]).date() == date(2023, 12, 31)
    )
    assert late == late_cases - ("T" not in last["recorded_date"])


def test_op_sun_is_one_group_of_juvenile_thefts(world_findings: list[Finding]) -> None:
    found = [f for f in world_findings if f.rule == "mo-suggests-exploitation"]
    assert len(found) == 11
    everyone = {f.crime_ref for f in found}
    for f in found:
        assert set(f.related) == everyone - {f.crime_ref}
        assert OP_SUN_ADULT in f.reason and "juvenile" in f.reason


def test_findings_point_at_their_rows(world: World, world_findings: list[Finding]) -> None:
    lines = {
        name: (world.folder / name).read_text(encoding="utf-8-sig").splitlines()
        for name in ("crimes.csv", "victims.csv")
    }
    for f in world_findings:
        row = lines[f.where.file][f.where.line - 1]
        assert f.crime_ref in row and f.victim_ref in row


def test_the_committee_period_has_fewer_leads(world: World, world_findings: list[Finding]) -> None:
    period = audit(
        load_records(world.folder),
        as_of=EXTRACT_DAY,
        start=date(2019, 1, 1),
        end=date(2023, 12, 31),
    )
    assert 0 < len(period) < len(world_findings)
    assert not any(f.rule == "no-outcome" for f in period)  # the pending crimes are 2024's
    assert {f.rule for f in period} >= {"marker-not-106", "mdsht-cancelled", "late-recording"}


# --- the command ---------------------------------------------------------------------------


runner = CliRunner()


@pytest.fixture(scope="module")
def world0(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crime-world-cli")
    generate_crime(folder, seed=0)
    return folder


def test_command_shows_counts_by_rule_and_the_leads(tmp_path: Path, world0: Path) -> None:
    base = ["--home", str(tmp_path / "ws"), "crime", "audit", "--input", str(world0)]
    done = runner.invoke(app, [*base, "--as-of", "2024-10-15", "--limit", "500"])
    assert done.exit_code == 0, done.output
    assert re.search(r"mo-suggests-exploitation\s.*│\s*11\s*│", done.output)
    assert "Elena Marinescu" in done.output
    assert "not a finding" in done.output


def test_command_exports_csv_and_json(tmp_path: Path, world0: Path) -> None:
    base = ["--home", str(tmp_path / "ws"), "crime", "audit", "--input", str(world0)]
    base += ["--as-of", "2024-10-15"]
    out = tmp_path / "leads.csv"
    done = runner.invoke(app, [*base, "--rule", "late-recording", "--csv", str(out)])
    assert done.exit_code == 0, done.output
    rows = read(out)
    assert rows and {r["rule"] for r in rows} == {"late-recording"}
    assert rows[0]["file"] == "crimes.csv" and int(rows[0]["line"]) > 1
    assert "24 hours" in rows[0]["reason"]

    out_json = tmp_path / "leads.json"
    done = runner.invoke(
        app, [*base, "--from", "2019-01-01", "--to", "2019-12-31", "--json", str(out_json)]
    )
    assert done.exit_code == 0, done.output
    data = json.loads(out_json.read_text())
    assert data["period"] == {"from": "2019-01-01", "to": "2019-12-31"}
    assert data["counts"]["mo-suggests-exploitation"] == 11
    assert all(lead["crime_ref"].startswith("CLP/19/") for lead in data["leads"])
    op_sun = next(lead for lead in data["leads"] if lead["rule"] == "mo-suggests-exploitation")
    assert len(op_sun["related"]) == 10
    assert not (tmp_path / "ws").exists()  # --input reads the folder without a workspace


def test_command_on_imported_records_is_audited(tmp_path: Path, world0: Path) -> None:
    home = str(tmp_path / "ws")
    base = ["--home", home, "--operator", "dc.jones", "--why", "CDI review"]
    imported = runner.invoke(app, [*base, "crime", "import", str(world0)])
    assert imported.exit_code == 0, imported.output
    args = [*base, "crime", "audit", "--as-of", "2024-10-15"]
    shown = runner.invoke(app, [*args, "--rule", "several-victims"])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"several-victims\s.*│\s*2\s*│", shown.output)
    exported = runner.invoke(app, [*args, "--csv", str(tmp_path / "all.csv")])
    assert exported.exit_code == 0, exported.output
    assert len(read(tmp_path / "all.csv")) == len(audit(load_records(world0), as_of=EXTRACT_DAY))

    from sqlalchemy import select

    from plainsight.ops.models import AuditEvent
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    with Workspace.open(load_settings(Path(home))).ops.session() as session:
        events = [
            (e.action, e.target, e.justification)
            for e in session.scalars(select(AuditEvent))
            if e.target == "crime audit"
        ]
    assert events == [
        ("view", "crime audit", "CDI review"),
        ("export", "crime audit", "CDI review"),
    ]


def test_command_refuses_bad_options_clearly(tmp_path: Path, world0: Path) -> None:
    base = ["--home", str(tmp_path / "ws"), "crime", "audit", "--input", str(world0)]
    done = runner.invoke(app, [*base, "--rule", "late"])
    assert done.exit_code == 2 and "unknown rule late" in done.output
    done = runner.invoke(app, [*base, "--csv", "a.csv", "--json", "a.json"])
    assert done.exit_code == 2 and "not both" in done.output
    done = runner.invoke(app, [*base, "--as-of", "15/10/2024"])
    assert done.exit_code == 2


def test_command_says_when_rows_were_set_aside(tmp_path: Path) -> None:
    folder = tmp_path / "force"
    folder.mkdir()
    (folder / "crimes.csv").write_text(
        "crime_ref,recorded_date,reported_date,ho_offence_code,ms_flag\n"
        "C1,2023-03-10T10:00,2023-03-01T10:00,106,Y\n"
        "C2,not a date,,106,Y\n"
    )
    (folder / "victims.csv").write_text("crime_ref,victim_ref,sex\nC1,P1,F\n")
    done = runner.invoke(
        app, ["--home", str(tmp_path / "ws"), "crime", "audit", "--input", str(folder)]
    )
    assert done.exit_code == EXIT_SET_ASIDE, done.output
    assert "late-recording" in done.output and "C1" in done.output
    assert "1 row(s) of the crime records were set aside" in done.output


def test_every_rule_is_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "crime-audit.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z0-9-]+)` \|", docs, flags=re.MULTILINE)
    assert documented == list(RULE_IDS)


def test_the_shipped_vocabulary_reads_and_every_term_says_why() -> None:
    vocabulary = Vocabulary.load()
    assert len(vocabulary.terms) >= 15
    assert {term.strong for term in vocabulary.terms} == {True, False}
    assert all(len(term.why) > 15 for term in vocabulary.terms)
    assert (vocabulary.window_days, vocabulary.min_crimes) == (180, 2)
