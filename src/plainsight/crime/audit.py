"""The recording-integrity audit: crime records that need a second look.

The committee report Pol 25-24 (para 18) refers to the force's Crime Data Integrity review of
modern slavery recording. This module runs the same kind of checks over the crime records
(:class:`~plainsight.crime.records.CrimeRecords`) and returns one :class:`Finding` per record
that needs a second look, each saying which rule raised it, where the row is (file and line)
and why, in plain words with the values that triggered it. A finding is a **lead for a person
to review, never a verdict**: a crime recorded 30 hours after the report may have a good
reason in the record.

The rules (:data:`RULES`, documented in ``docs/crime-audit.md``) follow the Home Office
Counting Rules for recorded crime (HOCR): Section A (record within 24 hours), C (removing
recorded crimes), D (one crime per victim), G (location of crimes, transfers) and H
(outcomes). The MO rule's words and grouping are :mod:`plainsight.crime.mo_leads`, the words
themselves in ``data/exploitation_terms.toml``.

>>> findings = audit(records, as_of=date(2024, 10, 15))  # doctest: +SKIP
>>> findings[0].rule, findings[0].reason  # doctest: +SKIP
('marker-not-106', 'carries a modern slavery marker but is recorded as 39 ...')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from plainsight.crime.codes import IC_UNKNOWN
from plainsight.crime.mo_leads import KEY_WORDS, mo_leads
from plainsight.crime.records import Crime, CrimeRecords, Outcome, Victim, Where

__all__ = ["RULES", "RULE_IDS", "Finding", "Rule", "audit"]

RECORD_WITHIN = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Rule:
    """One check of the audit: a stable id, a title and why it matters."""

    id: str
    title: str
    why: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A record that needs a second look: a lead for a reviewer, not a verdict.

    ``victim_ref`` is empty for a rule about the crime; ``where`` is the row the rule read
    (the victim's row for a victim rule); ``related`` names the other crimes a grouped lead
    shares its address or adult with.
    """

    rule: str
    crime_ref: str
    victim_ref: str
    where: Where
    reason: str
    related: tuple[str, ...] = ()


RULES: tuple[Rule, ...] = (
    Rule(
        "marker-not-106",
        "Modern slavery marker on a crime that is not a Modern Slavery Act offence",
        "The marker says someone saw a slavery element, yet the crime is not counted as "
        "modern slavery (Home Office offence code 106). Check whether a 106 offence should be "
        "recorded as well (HOCR Section B, classification) or whether the marker is wrong.",
    ),
    Rule(
        "mdsht-no-marker",
        "Modern Slavery Act offence without the modern slavery marker",
        "Searches and returns that select on the marker miss this crime, though it counts in "
        "the modern slavery figures.",
    ),
    Rule(
        "mdsht-cancelled",
        "Modern slavery crime cancelled",
        "HOCR Section C: a recorded crime may be cancelled only when additional verifiable "
        "information shows no crime took place (or it was recorded in error). Check the record "
        "holds that information; a cancelled crime leaves the committee's figures.",
    ),
    Rule(
        "mdsht-transferred",
        "Modern slavery crime transferred to another force",
        "HOCR Section G and Annex A: a crime is transferred only when it happened wholly in "
        "another force's area and that force accepts it. Check it was accepted and that no "
        "part of the offence (recruitment, transport, exploitation) happened in the City.",
    ),
    Rule(
        "late-recording",
        "Modern slavery crime recorded more than 24 hours after it was reported",
        "HOCR Section A and the National Crime Recording Standard: a crime is to be recorded "
        "within 24 hours of the report. Applies to Modern Slavery Act offences and crimes with "
        "the marker; compares whole days when a date has no time of day.",
    ),
    Rule(
        "victim-missing-sex",
        "Modern slavery victim without a recorded sex",
        "The committee's tables count victims by sex; each gap becomes 'unknown' there and in "
        "the national returns.",
    ),
    Rule(
        "victim-missing-age",
        "Modern slavery victim without an age or date of birth",
        "Age decides whether the victim is a child (safeguarding, the NRM's child route) and "
        "the age table of the committee report.",
    ),
    Rule(
        "victim-missing-ethnicity",
        "Modern slavery victim without an officer-observed ethnicity (IC code unknown)",
        "The committee's ethnicity table counts IC codes; the report Pol 25-24 had 17% "
        "unknown. A self-defined code, where given, is shown with the lead.",
    ),
    Rule(
        "several-victims",
        "Several victims on one modern slavery crime",
        "HOCR Section D: one crime for each victim. Check whether separate crimes should be "
        "recorded, which would change the crime counts.",
    ),
    Rule(
        "no-outcome",
        "Modern slavery crime still without an outcome",
        "HOCR Section H: every crime is given an outcome. A crime pending long after it was "
        "recorded may be stalled, or its outcome may not have been recorded.",
    ),
    Rule(
        "mo-suggests-exploitation",
        "MO suggests exploitation on a crime with no marker",
        "Modern slavery often appears first as other crime (Pol 25-24, paras 17 and 22: the "
        "'Op Sun' juveniles arrested for distraction theft, all giving one address and asking "
        "for one appropriate adult). The MO's words, and crimes that share an address or adult "
        "in a short time, are leads to consider a marker or a 106 offence.",
    ),
)
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)


def audit(
    records: CrimeRecords,
    *,
    as_of: date,
    no_outcome_after_days: int = 90,
    start: date | None = None,
    end: date | None = None,
    rules: Collection[str] | None = None,
) -> list[Finding]:
    """Every record in ``records`` that needs a second look, by rule, then recorded date.

    Only crimes recorded within ``start``..``end`` (inclusive; open when ``None``) are read.
    ``as_of`` is the day the audit speaks for: a crime still pending more than
    ``no_outcome_after_days`` after it was recorded is a lead, and outcomes dated after
    ``as_of`` are not yet known. ``rules`` limits the audit to those rule ids.

    Raises ``ValueError`` for an unknown rule id or a negative number of days.
    """
    chosen = RULE_IDS if rules is None else tuple(rules)
    unknown = sorted(set(chosen) - set(RULE_IDS))
    if unknown:
        raise ValueError(f"unknown audit rule(s): {', '.join(unknown)}")
    if no_outcome_after_days < 0:
        raise ValueError("no_outcome_after_days must be 0 or more")
    scope = _Scope(records, as_of, no_outcome_after_days, start, end)
    findings: list[Finding] = []
    for rule_id in RULE_IDS:
        if rule_id in chosen:
            found = list(_CHECKS[rule_id](scope))
            found.sort(key=lambda f: (scope.recorded[f.crime_ref], f.crime_ref, f.victim_ref))
            findings.extend(found)
    return findings


class _Scope:
    """The crimes in the period and what the rules look up about them."""

    def __init__(
        self,
        records: CrimeRecords,
        as_of: date,
        no_outcome_after_days: int,
        start: date | None,
        end: date | None,
    ) -> None:
        self.as_of = as_of
        self.no_outcome_after_days = no_outcome_after_days
        self.crimes = [
            crime
            for crime in records.crimes
            if (start is None or crime.recorded_day >= start)
            and (end is None or crime.recorded_day <= end)
        ]
        self.recorded = {crime.crime_ref: crime.recorded for crime in self.crimes}
        by_code: dict[str, bool] = {}  # the rule once per distinct offence code
        for crime in self.crimes:
            if crime.ho_offence_code not in by_code:
                by_code[crime.ho_offence_code] = records.is_mdsht(crime)
        self.mdsht = [crime for crime in self.crimes if by_code[crime.ho_offence_code]]
        self.is_mdsht = {crime.crime_ref for crime in self.mdsht}
        self.victims: dict[str, list[Victim]] = defaultdict(list)
        for victim in records.victims:
            if victim.crime_ref in self.is_mdsht:
                self.victims[victim.crime_ref].append(victim)
        self.outcomes: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in records.outcomes:
            if outcome.crime_ref in self.is_mdsht:
                self.outcomes[outcome.crime_ref].append(outcome)


def _finding(rule: str, crime: Crime, reason: str) -> Finding:
    return Finding(rule, crime.crime_ref, "", crime.where, reason)


def _offence(crime: Crime) -> str:
    return f"{crime.ho_offence_code} {crime.offence_title}".strip()


def _status_note(crime: Crime) -> str:
    return "" if crime.status == "recorded" else f" (the crime is {crime.status})"


def _marker_not_106(scope: _Scope) -> Iterator[Finding]:
    for crime in scope.crimes:
        if crime.ms_flag is True and crime.crime_ref not in scope.is_mdsht:
            yield _finding(
                "marker-not-106",
                crime,
                f"carries a modern slavery marker but is recorded as {_offence(crime)}, not a "
                f"Modern Slavery Act offence (106){_status_note(crime)}",
            )


def _mdsht_no_marker(scope: _Scope) -> Iterator[Finding]:
    for crime in scope.mdsht:
        if crime.ms_flag is not True:
            marker = "is not filled in" if crime.ms_flag is None else "is N"
            yield _finding(
                "mdsht-no-marker",
                crime,
                f"recorded as {_offence(crime)} on {crime.recorded_day}, but the modern "
                f"slavery marker {marker}{_status_note(crime)}",
            )


def _mdsht_status(status: str) -> Callable[[_Scope], Iterator[Finding]]:
    def check(scope: _Scope) -> Iterator[Finding]:
        for crime in scope.mdsht:
            if crime.status == status:
                yield _finding(
                    f"mdsht-{status}",
                    crime,
                    f"{_offence(crime)} recorded on {crime.recorded_day} was {status}; "
                    + (
                        "check the record holds additional verifiable information that no "
                        "crime took place"
                        if status == "cancelled"
                        else "check the receiving force accepted it and that no part of the "
                        "offence happened in this force's area"
                    ),
                )

    return check


def _late_recording(scope: _Scope) -> Iterator[Finding]:
    for crime in scope.crimes:
        if crime.reported is None or not (
            crime.crime_ref in scope.is_mdsht or crime.ms_flag is True
        ):
            continue
        if crime.recorded_date_only or crime.reported_date_only:
            days = (crime.recorded_day - crime.reported.date()).days
            if days >= 2:  # whole days two apart are more than 24 hours apart
                which = " and ".join(
                    name
                    for name, only in (
                        ("reported", crime.reported_date_only),
                        ("recorded", crime.recorded_date_only),
                    )
                    if only
                )
                yield _finding(
                    "late-recording",
                    crime,
                    f"recorded on {crime.recorded_day}, {days} days after it was reported on "
                    f"{crime.reported.date()} (the {which} date has no time of day, so whole "
                    "days are compared); the Home Office Counting Rules expect recording "
                    f"within 24 hours{_status_note(crime)}",
                )
            continue
        delay = crime.recorded - crime.reported
        if delay > RECORD_WITHIN:
            yield _finding(
                "late-recording",
                crime,
                f"recorded {_duration(delay)} after it was reported "
                f"({crime.reported:%Y-%m-%d %H:%M} → {crime.recorded:%Y-%m-%d %H:%M}); the Home "
                f"Office Counting Rules expect recording within 24 hours{_status_note(crime)}",
            )


def _duration(delay: timedelta) -> str:
    hours = delay.seconds // 3600
    parts = [(delay.days, "day"), (hours, "hour")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)


def _victim_missing(what: str) -> Callable[[_Scope], Iterator[Finding]]:
    def check(scope: _Scope) -> Iterator[Finding]:
        for crime in scope.mdsht:
            for victim in scope.victims[crime.crime_ref]:
                reason = _missing(victim, what)
                if reason:
                    yield Finding(
                        f"victim-missing-{what}",
                        crime.crime_ref,
                        victim.victim_ref,
                        victim.where,
                        f"victim {victim.victim_ref} of {_offence(crime)} recorded on "
                        f"{crime.recorded_day}: {reason}{_status_note(crime)}",
                    )

    return check


def _missing(victim: Victim, what: str) -> str:
    if what == "sex" and victim.sex not in ("F", "M"):
        return "sex not recorded"
    if what == "age" and victim.age is None and victim.date_of_birth is None:
        return "neither age nor date of birth recorded"
    if what == "ethnicity" and victim.ethnicity_ic == IC_UNKNOWN:
        sde = victim.ethnicity_sde
        also = f" (self-defined ethnicity {sde} is recorded)" if sde else ""
        return f"officer-observed ethnicity unknown or not recorded (IC9){also}"
    return ""


def _several_victims(scope: _Scope) -> Iterator[Finding]:
    for crime in scope.mdsht:
        refs = list(dict.fromkeys(victim.victim_ref for victim in scope.victims[crime.crime_ref]))
        if len(refs) > 1:
            yield _finding(
                "several-victims",
                crime,
                f"{len(refs)} victims on one crime ({', '.join(refs)}); the Home Office "
                "Counting Rules record one crime for each victim" + _status_note(crime),
            )


def _no_outcome(scope: _Scope) -> Iterator[Finding]:
    for crime in scope.mdsht:
        if crime.status != "recorded" or crime.recorded_day > scope.as_of:
            continue
        waited = (scope.as_of - crime.recorded_day).days
        if waited <= scope.no_outcome_after_days:
            continue
        known = [o for o in scope.outcomes[crime.crime_ref] if _known_by(o, scope.as_of)]
        if any(o.outcome_code != "0" for o in known):
            continue  # the contract: pending means no outcome row, or only 0
        interim = sorted({str(o.outcome_date) for o in known if o.outcome_date})
        if interim:
            detail = f"only the interim outcome 0, on {', '.join(interim)}"
        else:
            detail = "only the interim outcome 0" if known else "no outcome recorded"
        yield _finding(
            "no-outcome",
            crime,
            f"{_offence(crime)} recorded on {crime.recorded_day}, still pending {waited} days "
            f"later on {scope.as_of} ({detail}); the audit asks after "
            f"{scope.no_outcome_after_days} days",
        )


def _known_by(outcome: Outcome, as_of: date) -> bool:
    return outcome.outcome_date is None or outcome.outcome_date <= as_of


def _mo_suggests_exploitation(scope: _Scope) -> Iterator[Finding]:
    unmarked = (
        crime
        for crime in scope.crimes
        if crime.ms_flag is not True and crime.crime_ref not in scope.is_mdsht
    )
    for lead in mo_leads(unmarked):
        crime = lead.crime
        words = ", ".join(f"“{written}”" for written, _ in lead.matched)
        reason = f"MO of {_offence(crime)} (no modern slavery marker) mentions {words}"
        if lead.related:
            days = sorted(scope.recorded[ref].date() for ref in (crime.crime_ref, *lead.related))
            how = " and ".join(f"{KEY_WORDS[kind]} “{written}”" for kind, written in lead.shared)
            others = len(lead.related)
            reason += (
                f". Shares {how} with {others} other crime{'s' if others != 1 else ''} "
                f"with such words, recorded {days[0]} to {days[-1]}: {', '.join(lead.related)}"
            )
        whys = dict.fromkeys(term.why for _, term in lead.matched)
        reason += ". Why: " + "; ".join(whys)
        yield Finding(
            "mo-suggests-exploitation", crime.crime_ref, "", crime.where, reason, lead.related
        )


_CHECKS: dict[str, Callable[[_Scope], Iterator[Finding]]] = {
    "marker-not-106": _marker_not_106,
    "mdsht-no-marker": _mdsht_no_marker,
    "mdsht-cancelled": _mdsht_status("cancelled"),
    "mdsht-transferred": _mdsht_status("transferred"),
    "late-recording": _late_recording,
    "victim-missing-sex": _victim_missing("sex"),
    "victim-missing-age": _victim_missing("age"),
    "victim-missing-ethnicity": _victim_missing("ethnicity"),
    "several-victims": _several_victims,
    "no-outcome": _no_outcome,
    "mo-suggests-exploitation": _mo_suggests_exploitation,
}
