"""An advert's evidence: its captures side by side, what changed, its facts and its custody.

:func:`advert` reads the lake: every capture with indicator evidence highlighted, the facts,
persona and network. :func:`compare` sets two captures side by side, word by word, with
what was deleted and inserted marked. :func:`custody` reads the custody log (``ops.db``) for
the WARC records and files the captures came from, and checks each entry there and then:
its hash over its fields and link, and the stored bytes it describes.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select

from plainsight.capture.custody import CustodyLog, detail, entry_digest, entry_fields
from plainsight.capture.exhibit import custody_entries
from plainsight.capture.warcread import read_member
from plainsight.lake.engine import Engine
from plainsight.ops.models import CustodyEntry

if TYPE_CHECKING:
    from plainsight.workspace import Workspace

TEXT_FIELDS = ("title", "body", "location_text", "name", "phone", "email")
"""Fields of a capture shown with indicator evidence highlighted."""
DIFF_FIELDS = ("title", "body", "name", "phone", "email", "price", "location_text")
"""Fields compared between two captures (``price``: the prices read from the capture)."""
DIFF_WORDS = 4000
"""Longest text (in words) diffed word by word; longer ones are shown whole, unmarked."""

_TOKEN = re.compile(r"\S+\s*|\s+")
Pieces = list[tuple[str, str | None]]


def _rows(engine: Engine, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(engine.run(sql, params).to_pylist())


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Pieces:
    """``text`` cut into pieces, each with the note of the hit covering it (or None).

    Overlapping spans are merged into the first one; spans outside the text are dropped.
    """
    pieces: Pieces = []
    at = 0
    for start, end, note in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], note))
        at = end
    if at < len(text) or not pieces:
        pieces.append((text[at:], None))
    return pieces


def word_diff(old: str, new: str) -> tuple[Pieces, Pieces]:
    """The old and new text cut into pieces marked ``"del"``, ``"ins"`` or None (the same).

    Words are compared without the spaces after them, so re-spacing is not a change.

    >>> word_diff("call me now", "call me later")
    ([('call me ', None), ('now', 'del')], [('call me ', None), ('later', 'ins')])
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(a) > DIFF_WORDS or len(b) > DIFF_WORDS:
        return [(old, None if old == new else "del")], [(new, None if old == new else "ins")]
    left: Pieces = []
    right: Pieces = []
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b], False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _put(left, "".join(a[i1:i2]), None)
            _put(right, "".join(b[j1:j2]), None)
            continue
        if i2 > i1:
            _put(left, "".join(a[i1:i2]), "del")
        if j2 > j1:
            _put(right, "".join(b[j1:j2]), "ins")
    return left, right


def _put(pieces: Pieces, text: str, mark: str | None) -> None:
    """Add a piece; a changed piece keeps its trailing space outside the mark."""
    if not text:
        return
    if mark is not None and text != text.rstrip():
        core = text.rstrip()
        _put(pieces, core, mark)
        _put(pieces, text[len(core) :], None)
        return
    if pieces and pieces[-1][1] == mark:
        pieces[-1] = (pieces[-1][0] + text, mark)
    else:
        pieces.append((text, mark))


def compare(older: dict[str, Any], newer: dict[str, Any]) -> list[dict[str, Any]]:
    """Two captures side by side: per field, both texts marked, and whether it changed."""
    rows = []
    for name in DIFF_FIELDS:
        old, new = _text(older.get(name)), _text(newer.get(name))
        if not old and not new:
            continue
        left, right = word_diff(old, new)
        rows.append({"field": name, "old": left, "new": right, "changed": old != new})
    old_pics = list(older.get("image_sha256") or [])
    new_pics = list(newer.get("image_sha256") or [])
    rows.append(
        {
            "field": "pictures",
            "old_pictures": [(s, None if s in new_pics else "del") for s in old_pics],
            "new_pictures": [(s, None if s in old_pics else "ins") for s in new_pics],
            "changed": old_pics != new_pics,
        }
    )
    return rows


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def advert(
    engine: Engine, advert_id: str, left: str | None = None, right: str | None = None
) -> dict[str, Any] | None:
    """An advert's evidence, or None when the lake has no such advert.

    Captures come oldest first, each with ``fields`` (indicator evidence highlighted),
    ``hits`` and ``price``. ``pair`` is the two captures compared (``left`` and ``right``
    by capture id, else the previous and the latest) and ``changes`` their comparison.
    """
    if not engine.table_exists("captures"):
        return None
    heads = (
        _rows(engine, "SELECT * FROM adverts WHERE advert_id = ?", [advert_id])
        if engine.table_exists("adverts")
        else []
    )
    captures = _rows(
        engine,
        "SELECT * FROM captures WHERE advert_id = ? ORDER BY captured_at, capture_id",
        [advert_id],
    )
    if not heads and not captures:
        return None
    hits = _optional(
        engine,
        "indicator_hits",
        "SELECT * FROM indicator_hits WHERE advert_id = ? ORDER BY indicator, capture_id",
        [advert_id],
    )
    prices = _optional(
        engine,
        "facts",
        "SELECT capture_id, value FROM facts WHERE advert_id = ? AND kind = 'price' "
        "ORDER BY capture_id, value",
        [advert_id],
    )
    for capture in captures:
        mine = [h for h in hits if h["capture_id"] == capture["capture_id"]]
        capture["fields"] = _highlighted(capture, mine)
        capture["hits"] = mine
        capture["price"] = "; ".join(
            p["value"] for p in prices if p["capture_id"] == capture["capture_id"]
        )
    facts = _optional(
        engine,
        "facts",
        "SELECT DISTINCT kind, value, written FROM facts WHERE advert_id = ? ORDER BY kind, value",
        [advert_id],
    )
    persona = _optional(
        engine, "personas", "SELECT persona_id FROM personas WHERE advert_id = ?", [advert_id]
    )
    persona_id = persona[0]["persona_id"] if persona else None
    network_id = None
    if persona_id:
        nets = _optional(
            engine, "networks", "SELECT network_id FROM networks WHERE persona_id = ?", [persona_id]
        )
        network_id = nets[0]["network_id"] if nets else None
    head = heads[0] if heads else {k: captures[0][k] for k in ("advert_id", "source", "ad_id")}
    pair = _pair(captures, left, right)
    return {
        "advert": head,
        "captures": captures,
        "hits": hits,
        "facts": facts,
        "persona_id": persona_id,
        "network_id": network_id,
        "pair": pair,
        "changes": compare(pair[0], pair[1]) if pair else [],
    }


def _optional(engine: Engine, table: str, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return _rows(engine, sql, params) if engine.table_exists(table) else []


def _highlighted(capture: dict[str, Any], hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fields = []
    for name in TEXT_FIELDS:
        value = capture.get(name)
        if not value:
            continue
        spans = [
            (int(s["start"]), int(s["end"]), f"{h['indicator']}: {h['note']}")
            for h in hits
            for s in (h["evidence"] or [])
            if s["field"] == name and s["start"] is not None and s["end"] is not None
        ]
        fields.append({"field": name, "pieces": highlight(str(value), spans)})
    return fields


def _pair(
    captures: list[dict[str, Any]], left: str | None, right: str | None
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The two captures to compare, older on the left; None with fewer than two."""
    if len(captures) < 2:
        return None
    index = {c["capture_id"]: i for i, c in enumerate(captures)}
    i = index.get(left or "", len(captures) - 2)
    j = index.get(right or "", len(captures) - 1)
    if i == j:
        i, j = len(captures) - 2, len(captures) - 1
    i, j = min(i, j), max(i, j)
    return captures[i], captures[j]


# -- custody -----------------------------------------------------------------------------


def custody(workspace: Workspace, captures: list[dict[str, Any]]) -> dict[str, Any]:
    """The custody entries of the captures' pages, pictures, WARC files and imported files.

    Each entry is checked: ``sealed`` (its hash still covers its fields and its link to the
    entry before it holds) and ``stored`` (the bytes it describes are still as recorded: a
    WARC record re-read and re-hashed; a whole file, WARC or imported, by its size), with
    ``problem`` saying what is wrong. ``page_of`` maps a WARC record id to the capture ids
    that cite it as their page, ``picture_of`` a picture's SHA-256 to the captures showing it.
    """
    log = CustodyLog(workspace)
    files = {
        log.relative(workspace.evidence.path_for(c["file_sha256"]))
        for c in captures
        if c.get("file_sha256")
    }
    urls = {c["url"] for c in captures if c.get("url")}
    pictures = {s for c in captures for s in (c.get("image_sha256") or [])}
    entries = custody_entries(workspace, urls, pictures, files)
    before = _previous_hashes(workspace, [e.id for e in entries])
    page_of: dict[str, list[str]] = {}
    for capture in captures:
        for record_id in _cited(capture.get("extra")):
            page_of.setdefault(record_id, []).append(capture["capture_id"])
    picture_of: dict[str, list[str]] = {}
    for capture in captures:
        for sha in capture.get("image_sha256") or []:
            picture_of.setdefault(sha, []).append(capture["capture_id"])
    rows = [_checked(log, e, before.get(e.id - 1)) for e in entries]
    return {
        "entries": rows,
        "page_of": page_of,
        "picture_of": picture_of,
        "holds": all(r["sealed"] and r["stored"] for r in rows),
        "imported_only": not rows,
    }


def _previous_hashes(workspace: Workspace, ids: list[int]) -> dict[int, str]:
    wanted = [i - 1 for i in ids if i > 1]
    if not wanted:
        return {}
    with workspace.ops.session() as session:
        found = session.execute(
            select(CustodyEntry.id, CustodyEntry.hash).where(CustodyEntry.id.in_(wanted))
        )
        return {int(i): str(h) for i, h in found}


def _checked(log: CustodyLog, entry: CustodyEntry, previous: str | None) -> dict[str, Any]:
    where = detail(entry)
    problems = []
    link = previous if entry.id > 1 else "0" * 64
    if entry.prev_hash != link:
        problems.append("its link to the entry before it is wrong")
    if entry_digest(entry.prev_hash, entry_fields(entry)) != entry.hash:
        problems.append("its fields no longer match its hash")
    sealed = not problems
    stored_problem = _stored_problem(log, entry, where)
    if stored_problem:
        problems.append(stored_problem)
    return {
        "id": entry.id,
        "kind": entry.kind,
        "record_type": entry.record_type or "",
        "record_id": entry.record_id or "",
        "target_uri": entry.target_uri or "",
        "path": entry.path,
        "offset": where.get("offset"),
        "length": where.get("length"),
        "sha256": entry.sha256,
        "size": entry.size,
        "captured_at": entry.captured_at,
        "recorded_at": entry.recorded_at,
        "operator": entry.operator,
        "crawl_id": entry.crawl_id or "",
        "hash": entry.hash,
        "sealed": sealed,
        "stored": stored_problem is None,
        "problem": "; ".join(problems),
    }


def _stored_problem(log: CustodyLog, entry: CustodyEntry, where: dict[str, Any]) -> str | None:
    path = log.absolute(entry.path)
    if not path.is_file():
        return "the file is missing"
    if entry.kind == "warc_record":
        offset, length = int(where.get("offset", -1)), int(where.get("length", 0))
        member = read_member(path, offset, length) if offset >= 0 else b""
        if hashlib.sha256(member).hexdigest() != where.get("member_sha256"):
            return "the stored record differs from the one recorded"
        return None
    size = path.stat().st_size  # whole files are re-hashed by `plainsight evidence verify`
    return None if size == entry.size else f"the file is {size} bytes, not {entry.size}"


def _cited(extra: str | None) -> list[str]:
    """WARC record ids a crawler cited in a capture's ``extra``."""
    if not extra:
        return []
    try:
        value = orjson.loads(extra)
    except orjson.JSONDecodeError:
        return []
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item.startswith("<urn:uuid:"):
            found.append(item)
    return found
