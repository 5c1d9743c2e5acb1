"""The intelligence log: draft, edit, grade (3x5x2), sanitise, import (5x5x5) and list.

Reports live in the operational database (:mod:`plainsight.ops.intel`). plainsight drafts a
report from a persona or network (:mod:`plainsight.act.intel_draft`); the analyst edits it
and grades it with the 3x5x2 model: source evaluation 1–3, intelligence assessment A–E and
handling code P (lawful sharing permitted) or C (lawful sharing permitted with conditions,
which must be stated). Older entries graded 5x5x5 are imported as they were graded and
never converted. The callers (CLI, web) write the audit log; these functions never print.

Example::

    with workspace.ops.session() as session:
        report = create(session, draft, who="analyst", clock=workspace.clock)
        grade(session, report.id, source="2", intelligence="B", handling="P", who="analyst")
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plainsight.act.intel_draft import Draft
from plainsight.act.intel_sanitise import Sanitiser
from plainsight.errors import PlainsightError
from plainsight.ops.intel import IntelReport, IntelRevision

Clock = Callable[[], datetime]

SCHEMES: dict[str, dict[str, dict[str, str]]] = {
    "3x5x2": {
        "source": {"1": "Reliable", "2": "Untested", "3": "Not reliable"},
        "intelligence": {
            "A": "Known directly to the source",
            "B": "Known indirectly to the source but corroborated",
            "C": "Known indirectly to the source",
            "D": "Not known",
            "E": "Suspected to be false or malicious",
        },
        "handling": {
            "P": "Lawful sharing permitted",
            "C": "Lawful sharing permitted subject to conditions",
        },
    },
    "5x5x5": {
        "source": {
            "A": "Always reliable",
            "B": "Mostly reliable",
            "C": "Sometimes reliable",
            "D": "Unreliable",
            "E": "Untested source",
        },
        "intelligence": {
            "1": "Known to be true without reservation",
            "2": "Known personally to the source but not to the officer",
            "3": "Not personally known to the source but corroborated",
            "4": "Cannot be judged",
            "5": "Suspected to be false",
        },
        "handling": {
            "1": "May be disseminated to other law enforcement and prosecuting agencies",
            "2": "May be disseminated to UK non-prosecuting parties",
            "3": "May be disseminated to non-EEA law enforcement agencies",
            "4": "May be disseminated within the originating agency only",
            "5": "No further dissemination: refer to the originator",
        },
    },
}
NOT_FOR_SHARING = {("5x5x5", "4"), ("5x5x5", "5")}
"""Handling codes under which no copy may be made for wider sharing."""

IMPORT_COLUMNS = ("reference", "date", "source", "intelligence", "handling", "text")
IMPORT_OPTIONAL = ("title", "subject", "author", "conditions")


class IntelError(PlainsightError):
    """A request on the intelligence log that cannot be met, with the reason."""


def _now() -> datetime:
    return datetime.now(UTC)


def get(session: Session, report_id: int) -> IntelReport:
    """The report ``report_id``. Raises :class:`IntelError` if there is none."""
    report = session.get(IntelReport, report_id)
    if report is None:
        raise IntelError(f"no intelligence report {report_id}")
    return report


def listed(session: Session) -> list[IntelReport]:
    """Every report, newest first."""
    return list(session.scalars(select(IntelReport).order_by(IntelReport.id.desc())))


def revisions(session: Session, report_id: int) -> list[IntelRevision]:
    """The versions of a report's text, the draft first."""
    return list(
        session.scalars(
            select(IntelRevision)
            .where(IntelRevision.report_id == report_id)
            .order_by(IntelRevision.number)
        )
    )


def _revise(session: Session, report: IntelReport, who: str, at: datetime, note: str) -> None:
    number = session.scalar(
        select(func.coalesce(func.max(IntelRevision.number), 0)).where(
            IntelRevision.report_id == report.id
        )
    )
    session.add(
        IntelRevision(
            report_id=report.id,
            number=int(number or 0) + 1,
            text=report.text,
            written_by=who,
            written_at=at,
            note=note,
        )
    )
    session.flush()


def create(session: Session, draft: Draft, *, who: str, clock: Clock = _now) -> IntelReport:
    """Store plainsight's draft as a new report (revision 1), ungraded."""
    at = clock()
    report = IntelReport(
        origin="drafted",
        subject_kind=draft.subject_kind,
        subject_id=draft.subject_id,
        title=draft.title,
        text=draft.text,
        sensitive_terms=orjson.dumps(draft.terms).decode(),
        created_by=who,
        created_at=at,
        updated_by=who,
        updated_at=at,
        handling_conditions="",
        sanitised_removed="{}",
        imported_from="",
    )
    session.add(report)
    session.flush()
    _revise(session, report, who, at, "draft")
    return report


def edit(
    session: Session, report_id: int, text: str, *, who: str, clock: Clock = _now
) -> IntelReport:
    """Replace the text (kept as a new revision).

    A graded report goes back to draft, because its grading was given to the old text, and
    any sanitised copy is discarded, because it no longer matches.

    Raises:
        IntelError: no such report, an imported report, empty text or no change.
    """
    report = get(session, report_id)
    if report.origin == "imported":
        raise IntelError(f"report {report_id} was imported: it is kept as it was written")
    if not text.strip():
        raise IntelError("the new text is empty: nothing was changed")
    if text == report.text:
        raise IntelError("the text is unchanged: nothing was recorded")
    at = clock()
    report.text = text
    report.updated_by, report.updated_at = who, at
    _clear_grading(report)
    _clear_sanitised(report)
    _revise(session, report, who, at, "edit")
    return report


def _clear_grading(report: IntelReport) -> None:
    report.scheme = report.source_grade = report.intelligence_grade = None
    report.handling_code = report.graded_by = None
    report.graded_at = None
    report.handling_conditions = ""


def _clear_sanitised(report: IntelReport) -> None:
    report.sanitised_title = report.sanitised_text = None
    report.sanitised_by = report.sanitised_at = None
    report.sanitised_removed = "{}"


def check_grading(
    scheme: str, source: str, intelligence: str, handling: str, conditions: str = ""
) -> tuple[str, str, str, str]:
    """Validate a grading in ``scheme``; return it normalised (upper case, stripped).

    Raises:
        IntelError: a value outside the scheme, handling C without conditions (3x5x2), or
            conditions with handling P.
    """
    if scheme not in SCHEMES:
        raise IntelError(f"unknown grading scheme {scheme!r}: use 3x5x2 or 5x5x5")
    values = {"source": source, "intelligence": intelligence, "handling": handling}
    normal = {k: v.strip().upper() for k, v in values.items()}
    for part, value in normal.items():
        allowed = SCHEMES[scheme][part]
        if value not in allowed:
            raise IntelError(
                f"{part} grade {values[part]!r} is not in {scheme}: use one of {', '.join(allowed)}"
            )
    conditions = conditions.strip()
    if scheme == "3x5x2" and normal["handling"] == "C" and not conditions:
        raise IntelError("handling code C needs its conditions: give --conditions")
    if scheme == "3x5x2" and normal["handling"] == "P" and conditions:
        raise IntelError("conditions go with handling code C, not P")
    return normal["source"], normal["intelligence"], normal["handling"], conditions


def grade(
    session: Session,
    report_id: int,
    *,
    source: str,
    intelligence: str,
    handling: str,
    conditions: str = "",
    who: str,
    clock: Clock = _now,
) -> IntelReport:
    """Grade a report with 3x5x2 (re-grading replaces the previous grading).

    Raises:
        IntelError: no such report, an imported (5x5x5) report, or an invalid grading.
    """
    report = get(session, report_id)
    if report.origin == "imported":
        raise IntelError(
            f"report {report_id} was imported graded {report.grading}: it is kept as graded"
        )
    s, i, h, c = check_grading("3x5x2", source, intelligence, handling, conditions)
    report.scheme, report.source_grade, report.intelligence_grade = "3x5x2", s, i
    report.handling_code, report.handling_conditions = h, c
    report.graded_by, report.graded_at = who, clock()
    session.flush()
    return report


def sanitise(
    session: Session,
    report_id: int,
    *,
    names: Iterable[str] = (),
    addresses: Iterable[str] = (),
    who: str,
    clock: Clock = _now,
) -> IntelReport:
    """Make (or remake) the sanitised copy of a report; see :mod:`plainsight.act.intel_sanitise`.

    Raises:
        IntelError: no such report, or a handling code that forbids wider sharing.
    """
    report = get(session, report_id)
    if (report.scheme, report.handling_code) in NOT_FOR_SHARING:
        raise IntelError(
            f"report {report_id} has handling code {report.handling_code} ({report.scheme}): "
            f"{SCHEMES['5x5x5']['handling'][report.handling_code or '']}; no copy is made"
        )
    terms = orjson.loads(report.sensitive_terms or "{}")
    sanitiser = Sanitiser(terms, names=names, addresses=addresses)
    title, text = sanitiser.sanitise(report.title), sanitiser.sanitise(report.text)
    removed = {k: title.removed.get(k, 0) + text.removed.get(k, 0) for k in text.removed}
    removed |= {k: n for k, n in title.removed.items() if k not in removed}
    report.sanitised_title, report.sanitised_text = title.text, text.text
    report.sanitised_removed = orjson.dumps(removed, option=orjson.OPT_SORT_KEYS).decode()
    report.sanitised_by, report.sanitised_at = who, clock()
    session.flush()
    return report


@dataclass(frozen=True)
class Imported:
    """What an import did: reports added, and references already in the log (skipped)."""

    added: list[int]
    skipped: list[str]


def _parse_date(value: str, line: int) -> datetime:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise IntelError(f"line {line}: date {value!r} is not YYYY-MM-DD") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def import_csv(session: Session, path: Path, *, who: str, clock: Clock = _now) -> Imported:
    """Import older reports graded 5x5x5 from a CSV file, kept as graded.

    Columns (header row): ``reference, date, source, intelligence, handling, text``, and
    optionally ``title, subject, author, conditions``. All or nothing: a bad row stops the
    import with its line number and nothing is stored. A reference already in the log is
    skipped, so importing the same file twice adds nothing.

    Raises:
        IntelError: the file cannot be read, a column is missing or a row is invalid.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in IMPORT_COLUMNS if c not in header]
            if missing:
                raise IntelError(f"{path.name}: missing column(s) {', '.join(missing)}")
            reader.fieldnames = header
            rows = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise IntelError(f"cannot read {path}: {exc}") from None
    at = clock()
    seen: set[str] = set()
    added: list[int] = []
    skipped: list[str] = []
    known = set(session.scalars(select(IntelReport.external_ref)))
    parsed: list[IntelReport] = []
    for line, row in rows:

        def get_(key: str, row: dict[str, str | None] = row) -> str:
            return (row.get(key) or "").strip()

        ref = get_("reference")
        if not ref:
            raise IntelError(f"line {line}: no reference")
        if ref in seen:
            raise IntelError(f"line {line}: reference {ref} appears twice in the file")
        seen.add(ref)
        if not get_("text"):
            raise IntelError(f"line {line}: report {ref} has no text")
        try:
            s, i, h, c = check_grading(
                "5x5x5", get_("source"), get_("intelligence"), get_("handling"), get_("conditions")
            )
        except IntelError as exc:
            raise IntelError(f"line {line}: {exc}") from None
        reported = _parse_date(get_("date"), line)
        if ref in known:
            skipped.append(ref)
            continue
        author = get_("author") or who
        parsed.append(
            IntelReport(
                origin="imported",
                subject_kind="imported",
                subject_id=get_("subject"),
                title=get_("title") or f"Intelligence report {ref}",
                text=row.get("text") or "",
                sensitive_terms="{}",
                created_by=author,
                created_at=at,
                updated_by=who,
                updated_at=at,
                scheme="5x5x5",
                source_grade=s,
                intelligence_grade=i,
                handling_code=h,
                handling_conditions=c,
                graded_by=author,
                graded_at=reported,
                sanitised_removed="{}",
                external_ref=ref,
                reported_on=reported,
                imported_from=f"{path.name} line {line}",
            )
        )
    for report in parsed:
        session.add(report)
        session.flush()
        _revise(session, report, who, at, f"imported from {report.imported_from}")
        added.append(report.id)
    return Imported(added, skipped)


def describe_grading(report: IntelReport) -> list[str]:
    """The grading in words, one line per part, with its scheme."""
    if not report.scheme:
        return ["Not graded."]
    words = SCHEMES[report.scheme]
    lines = [
        f"Grading scheme: {report.scheme}",
        f"Source evaluation {report.source_grade}: {words['source'][report.source_grade or '']}",
        f"Intelligence assessment {report.intelligence_grade}: "
        f"{words['intelligence'][report.intelligence_grade or '']}",
        f"Handling code {report.handling_code}: {words['handling'][report.handling_code or '']}",
    ]
    if report.handling_conditions:
        lines.append(f"Handling conditions: {report.handling_conditions}")
    return lines
