"""The briefing for a welfare check: who, where, by when and what is known, in plain words.

Built from the lake (adverts, extracted facts, personas, networks and their explanations) for
a local officer who has never seen the analysis. It is a safeguarding briefing: it says so at
the top, and it calls what the adverts show leads, never findings. Rendered as one
self-contained HTML file and, from that HTML, an A4 PDF (WeasyPrint, nothing fetched).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from plainsight.assess.explain import LEAD, explain_network
from plainsight.lake.engine import Engine
from plainsight.report.documents import stylesheet, templates, write_pdf

PURPOSE = (
    "This is a welfare check for safeguarding, not an enforcement action. Its purpose is to "
    "see whether the person advertised is safe and to offer support. Nothing in this "
    "briefing is a finding that anyone has committed an offence."
)
SHOWN = 12
"""At most this many values of each kind are listed (most advertised first)."""


@dataclass
class Briefing:
    """What an officer is told for one check. Stored as JSON with the check."""

    subject_kind: str  # persona | network
    subject_id: str
    network_id: str | None
    personas: list[str]
    adverts: int
    names: list[str]
    ages: list[str]
    pictures: int
    phones: list[str]
    towns: list[str]
    postcodes: list[str]
    first_posted: str | None
    last_posted: str | None
    known: list[str] = field(default_factory=list)
    analysis: str = ""
    officer: str = ""
    due: str = ""
    check_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The briefing as plain JSON-ready data."""
        return asdict(self)


def _adverts_sql(kind: str) -> str:
    if kind == "persona":
        return "SELECT advert_id FROM personas WHERE persona_id = ?"
    return (
        "SELECT p.advert_id FROM personas p JOIN networks n ON n.persona_id = p.persona_id "
        "WHERE n.network_id = ?"
    )


def _values(engine: Engine, kind: str, subject: str, fact: str) -> list[str]:
    """The values of one kind of fact in the subject's adverts, most advertised first.

    Phone numbers the linking stage judged generic (helplines, agency switchboards) are
    left out: an officer should not ring or visit on the strength of them.
    """
    generic = ""
    params: list[Any] = [fact, subject]
    if fact == "phone" and engine.table_exists("generic_identifiers"):
        generic = (
            "AND value NOT IN (SELECT value FROM generic_identifiers "
            "WHERE kind = 'phone' AND generic) "
        )
    rows = engine.run(
        f"SELECT value, count(DISTINCT advert_id) AS n FROM facts WHERE kind = ? "
        f"AND advert_id IN ({_adverts_sql(kind)}) {generic}GROUP BY value "
        f"ORDER BY n DESC, value LIMIT {SHOWN}",
        params,
    ).to_pylist()
    return [str(r["value"]) for r in rows]


def _network_of(engine: Engine, persona: str) -> str | None:
    rows = engine.run("SELECT network_id FROM networks WHERE persona_id = ?", [persona]).to_pylist()
    return str(rows[0]["network_id"]) if rows else None


def _ages(engine: Engine, kind: str, subject: str) -> list[str]:
    values = _values(engine, kind, subject, "age")
    return sorted(values, key=lambda v: (not v.isdigit(), int(v) if v.isdigit() else 0, v))


def build_briefing(engine: Engine, subject_kind: str, subject_id: str) -> Briefing:
    """Gather the briefing for a persona (``P-...``) or a network (``N-...``).

    Raises:
        KeyError: no such persona or network in the lake (or the lake is not linked yet).
    """
    if subject_kind not in ("persona", "network"):
        raise KeyError(f"a check is on a persona or a network, not {subject_kind!r}")
    for table in ("personas", "networks", "facts", "captures"):
        if not engine.table_exists(table):
            raise KeyError(f"the lake has no {table} table yet: run `plainsight run` first")
    adverts = [
        r["advert_id"] for r in engine.run(_adverts_sql(subject_kind), [subject_id]).to_pylist()
    ]
    if not adverts:
        raise KeyError(f"no {subject_kind} {subject_id}")
    if subject_kind == "persona":
        network_id = _network_of(engine, subject_id)
        personas = [subject_id]
    else:
        network_id = subject_id
        personas = [
            str(r["persona_id"])
            for r in engine.run(
                "SELECT persona_id FROM networks WHERE network_id = ? ORDER BY persona_id",
                [subject_id],
            ).to_pylist()
        ]
    captures = engine.run(
        f"SELECT image_sha256, posted_at FROM captures "
        f"WHERE advert_id IN ({_adverts_sql(subject_kind)})",
        [subject_id],
    ).to_pylist()
    pictures = {sha for c in captures for sha in (c["image_sha256"] or [])}
    posted = sorted(c["posted_at"] for c in captures if c["posted_at"] is not None)
    briefing = Briefing(
        subject_kind=subject_kind,
        subject_id=subject_id,
        network_id=network_id,
        personas=personas,
        adverts=len(adverts),
        names=_values(engine, subject_kind, subject_id, "name"),
        ages=_ages(engine, subject_kind, subject_id),
        pictures=len(pictures),
        phones=_values(engine, subject_kind, subject_id, "phone"),
        towns=_values(engine, subject_kind, subject_id, "place"),
        postcodes=_values(engine, subject_kind, subject_id, "postcode"),
        first_posted=f"{posted[0]:%d %b %Y}" if posted else None,
        last_posted=f"{posted[-1]:%d %b %Y}" if posted else None,
    )
    briefing.known = _known(engine, briefing)
    if network_id is not None and engine.table_exists("network_scores"):
        try:
            briefing.analysis = explain_network(engine, network_id)
        except KeyError:
            briefing.analysis = ""
    return briefing


def _known(engine: Engine, b: Briefing) -> list[str]:
    """Plain sentences for a local officer: what the adverts show, and why they are linked."""
    who = "this person" if b.subject_kind == "persona" else "these people"
    span = ""
    if b.first_posted == b.last_posted and b.first_posted:
        span = f" on {b.first_posted}"
    elif b.first_posted:
        span = f" between {b.first_posted} and {b.last_posted}"
    known = [f"{b.adverts} online advert(s) for {who} were found{span}."]
    if b.subject_kind == "network":
        known.append(
            f"The adverts appear to be for {len(b.personas)} different people (personas) whose "
            "adverts share phone numbers, pictures or wording, which can mean one person or "
            "group placing or managing them."
        )
    elif b.network_id is not None:
        others = engine.run(
            "SELECT count(*) AS n FROM networks WHERE network_id = ?", [b.network_id]
        ).to_pylist()[0]["n"]
        if others > 1:
            known.append(
                f"Their adverts share details with those of {others - 1} other persona(s) "
                f"(network {b.network_id}), which can mean a third party is involved."
            )
    if engine.table_exists("network_scores") and b.network_id is not None:
        rows = engine.run(
            "SELECT movement FROM network_scores WHERE network_id = ?", [b.network_id]
        ).to_pylist()
        if rows and rows[0]["movement"]:
            whose = "The adverts" if b.subject_kind == "network" else "Adverts in the network"
            known.append(f"{whose} moved between towns over time: {rows[0]['movement']}.")
    if engine.table_exists("indicator_hits"):
        notes = engine.run(
            f"SELECT indicator, min(note) AS note, count(DISTINCT advert_id) AS n "
            f"FROM indicator_hits WHERE weight > 0 "
            f"AND advert_id IN ({_adverts_sql(b.subject_kind)}) "
            f"GROUP BY indicator ORDER BY n DESC, indicator LIMIT 6",
            [b.subject_id],
        ).to_pylist()
        for row in notes:
            known.append(f"In {row['n']} advert(s): {row['note']}")
    known.append(LEAD)
    return known


def render_html(briefing: dict[str, Any], *, produced: date) -> str:
    """The briefing (as stored with its check) as one self-contained HTML document."""
    return (
        templates("plainsight.act")
        .get_template("briefing.html.j2")
        .render(
            b=briefing,
            css=stylesheet("plainsight.act", "briefing.css"),
            purpose=PURPOSE,
            produced=f"{produced:%d %B %Y}",
        )
    )


def render_pdf(briefing: dict[str, Any], path: Path, *, produced: date) -> Path:
    """Write the briefing as an A4 PDF to ``path``; nothing outside the HTML is fetched."""
    return write_pdf(render_html(briefing, produced=produced), path)
