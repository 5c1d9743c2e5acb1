"""Generic identifiers: numbers, e-mails, handles, pictures and sentences unrelated adverts share.

Site footers, the Modern Slavery Helpline, a site's customer-service number, stock pictures and
site boilerplate appear in adverts by people who have nothing to do with each other; linking on
them would join a whole city. Which identifiers are generic is read from the data, never from a
list: an identifier is generic when the adverts carrying it hold too many *other* identities.

* **Many other numbers.** The adverts carrying it hold ``many_phones`` or more distinct other
  phone numbers. One advertiser's number sits beside at most her second number; a network's
  or agency's booking line, shared by 30 personas, sits beside its one to three sister lines,
  because the agency's adverts are otherwise coherent (one agency, its lines, one website). A
  helpline sits beside hundreds, a stock picture beside a dozen.

  Footer numbers sit beside everything, so the count runs in two passes: first phone numbers
  beside ``footer_phones`` or more others (counting every number) are found; then every
  identifier is judged on the other numbers it sits beside *not counting those*.
* **Most of one site.** It is in ``site_share`` or more of one site's adverts (with at least
  ``site_min_adverts`` of them) and beside ``site_phones`` or more other numbers: a footer.

An analyst's decision (stored in ops.db, passed in as a mapping) overrides the rule either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from plainsight.lake.engine import Engine
from plainsight.link import sql
from plainsight.link.schemas import GENERIC_IDENTIFIERS, GENERIC_KINDS

__all__ = ["GenericRule", "find_generic", "generic_set"]

Decisions = Mapping[tuple[str, str], bool]

_NOUN = {
    "phone": "phone number",
    "email": "e-mail address",
    "handle": "handle",
    "image": "picture",
    "image_phash": "picture (by pHash)",
    "sentence": "sentence",
}


@dataclass(frozen=True)
class GenericRule:
    """The thresholds of the data's rule (see the module's docstring)."""

    min_adverts: int = 8
    """Identifiers in fewer adverts are not judged (nor shown) unless an analyst decided."""
    footer_phones: int = 15
    many_phones: int = 5
    site_share: float = 0.5
    site_min_adverts: int = 30
    site_phones: int = 8

    def judge(self, row: Mapping[str, object]) -> tuple[bool, str]:
        """(generic, reason in plain English) for one row of evidence counts."""
        adverts, sites = int(str(row["adverts"])), int(str(row["sites"]))
        phones, share = int(str(row["other_phones"])), float(str(row["site_share"] or 0.0))
        top = str(row["top_site"] or "")
        where = f"appears in {adverts:,} adverts on {sites} site{'s' if sites != 1 else ''}"
        beside = (
            f"alongside {phones:,} other phone number{'s' if phones != 1 else ''}"
            " (site and helpline numbers not counted)"
        )
        if phones >= self.many_phones:
            return True, (
                f"{where} {beside}: shared by unrelated advertisers "
                "(a site footer, helpline, stock item or boilerplate)"
            )
        if (
            share >= self.site_share
            and adverts >= self.site_min_adverts
            and phones >= (self.site_phones)
        ):
            return True, (
                f"{where}, including {share:.0%} of {top}'s adverts, {beside}: "
                "site boilerplate or a site's own contact"
            )
        return False, (
            f"{where} but only {beside}: one advertiser's, network's or agency's own, "
            "so it is used for linking"
        )


def find_generic(
    engine: Engine, decisions: Decisions | None = None, rule: GenericRule | None = None
) -> pa.Table:
    """Judge every frequent identifier of the lake: a ``GENERIC_IDENTIFIERS`` table.

    Args:
        engine: bound to a workspace lake (``adverts``, ``captures``, ``facts``,
            ``image_fingerprints``).
        decisions: an analyst's ``{(kind, value): generic}``; they win over the data.
        rule: the thresholds; the defaults are documented in :class:`GenericRule`.

    Returns:
        One row per judged identifier, sorted by kind then adverts (most first).

    Example:
        >>> generic = find_generic(engine, {("phone", "+447700900123"): False})
    """
    rule = rule or GenericRule()
    decided = dict(decisions or {})
    unknown = {kind for kind, _ in decided} - set(GENERIC_KINDS)
    if unknown:
        raise ValueError(f"unknown identifier kind(s) {sorted(unknown)}; use {GENERIC_KINDS}")
    engine.register("link_occurrences", engine.run(sql.identifier_occurrences_sql()))
    engine.register(
        "link_decisions",
        pa.table(
            {
                "kind": pa.array([k for k, _ in decided], pa.string()),
                "value": pa.array([v for _, v in decided], pa.string()),
                "generic": pa.array(list(decided.values()), pa.bool_()),
            }
        ),
    )
    engine.register("link_uncounted", pa.table({"value": pa.array([], pa.string())}))
    first = engine.run(sql.identifier_stats_sql(rule.min_adverts, ("phone",))).to_pylist()
    footers = [r["value"] for r in first if int(r["other_phones"]) >= rule.footer_phones]
    engine.register("link_uncounted", pa.table({"value": pa.array(footers, pa.string())}))
    stats = engine.run(sql.identifier_stats_sql(rule.min_adverts, GENERIC_KINDS)).to_pylist()
    rows = []
    for row in stats:
        generic, reason = rule.judge(row)
        decided_by = "data"
        key = (str(row["kind"]), str(row["value"]))
        if key in decided:
            said = "generic" if decided[key] else "not generic"
            reason = f"marked {said} by an analyst (the data: {reason})"
            generic, decided_by = decided[key], "analyst"
        rows.append(
            {
                "kind": key[0],
                "value": key[1],
                "adverts": row["adverts"],
                "sites": row["sites"],
                "other_phones": row["other_phones"],
                "other_names": row["other_names"],
                "site_share": float(row["site_share"] or 0.0),
                "generic": generic,
                "decided_by": decided_by,
                "reason": f"{_NOUN[key[0]]} {reason}",
            }
        )
    return pa.Table.from_pylist(rows, schema=GENERIC_IDENTIFIERS)


def generic_set(generic: pa.Table) -> pa.Table:
    """The (kind, value) pairs judged generic, for linking to leave out."""
    mask = pc.fill_null(generic.column("generic"), False)
    return generic.filter(mask).select(["kind", "value"])
