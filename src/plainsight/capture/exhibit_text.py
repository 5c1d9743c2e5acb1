"""The human-readable capture record of an exhibit bundle, and file-name extensions for it.

Written for a reader who has never heard of plainsight: what was seen, where (URL), when
(UTC), by which tool and profile, by whom, every hash, and how to check each one with
ordinary tools (``sha256sum``, ``dd``, ``zcat``, a few lines of Python).
"""

from __future__ import annotations

import contextlib
import textwrap
from datetime import UTC, datetime
from typing import Any

import orjson

import plainsight

MEDIA_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "application/json": ".json",
    "text/css": ".css",
    "text/javascript": ".js",
    "application/javascript": ".js",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
ENCODINGS = {"gzip": ".gz", "x-gzip": ".gz", "br": ".br", "deflate": ".deflate", "zstd": ".zst"}
MAGIC = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"GIF8", ".gif"),
    (b"\x1f\x8b", ".gz"),
)

CHAIN_CHECK = """\
python3 - <<'EOF'
import hashlib, json
for line in open("custody.jsonl", encoding="utf-8"):
    e = json.loads(line)
    fields = {k: v for k, v in e.items() if k not in ("id", "prev_hash", "hash")}
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256((e["prev_hash"] + "\\n" + body).encode("utf-8")).hexdigest()
    print(e["id"], "ok" if digest == e["hash"] else "DOES NOT MATCH")
EOF"""


def extension(payload: bytes, block: bytes | None = None) -> str:
    """A file-name extension for a picture or payload: from its HTTP head, else its bytes."""
    if block is not None:
        head = block.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
        fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head)}
        media = fields.get("content-type", "").split(";")[0].strip().lower()
        coding = ENCODINGS.get(fields.get("content-encoding", "").lower(), "")
        base = MEDIA_TYPES.get(media) or _sniff(payload)
        return base + coding if base != coding else base
    return _sniff(payload)


def _sniff(data: bytes) -> str:
    for magic, ext in MAGIC:
        if data.startswith(magic):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if data.lstrip()[:1] == b"<":
        return ".html"
    return ".bin"


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    return str(value) if value else "-"


def _wrap(label: str, value: Any, width: int = 92) -> list[str]:
    text = "-" if value is None or value == "" else str(value)
    lines = textwrap.wrap(text, width - 14, replace_whitespace=False) or ["-"]
    out = [f"  {label:<11} {lines[0]}"]
    out.extend(f"  {'':<11} {line}" for line in lines[1:])
    return out


def _record_ids(extra: str | None) -> list[str]:
    """WARC record ids a crawler cited in a capture's ``extra`` (any depth)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith("<urn:uuid:"):
            found.append(value)

    if extra:
        with contextlib.suppress(orjson.JSONDecodeError):
            walk(orjson.loads(extra))
    return found


def _heading(text: str) -> list[str]:
    return ["", text, "-" * len(text)]


def capture_record(context: dict[str, Any]) -> str:
    """The capture record of an exhibit, as plain text."""
    exhibit = context["exhibit"]
    captures: list[dict[str, Any]] = context["captures"]
    records: list[dict[str, Any]] = context["records"]
    files = {e.path: e for e in context["entries"] if e.kind == "warc_file"}
    by_id = {r["entry"].record_id: r["warc_file"] for r in records}
    out = [
        "CAPTURE RECORD",
        "==============",
        f"Advert {exhibit.ad_id} on {exhibit.source} (plainsight advert id {exhibit.advert_id}).",
        f"Exhibit exported {_when(context['exported_at'])} by {context['operator']} with "
        f"plainsight {plainsight.__version__}.",
        f"It holds {len(captures)} capture(s) of the advert, {len(context['pictures'])} "
        f"picture(s) and {len(records)} web record(s) (WARC).",
        "All times are UTC. SHA-256 hashes are in hexadecimal.",
    ]
    out += _heading("1. What was seen, where and when")
    for number, capture in enumerate(captures, 1):
        out += ["", f"Capture {number} of {len(captures)}"]
        out += _wrap("Where:", capture["url"])
        out += _wrap("When:", f"{_when(capture['captured_at'])} (when it was captured)")
        out += _wrap("Posted:", _when(capture["posted_at"]))
        for label, key in (("Title:", "title"), ("Name:", "name"), ("Age:", "age")):
            out += _wrap(label, capture[key])
        for label, key in (("Location:", "location_text"), ("Phone:", "phone")):
            out += _wrap(label, capture[key])
        out += _wrap("E-mail:", capture["email"])
        out += _wrap("Text:", capture["body"])
        for sha in capture["image_sha256"] or []:
            out += _wrap("Picture:", f"{context['pictures'][sha]} (SHA-256 {sha})")
        for record_id in _record_ids(capture.get("extra")):
            if record_id in by_id:
                out += _wrap("Web record:", f"{by_id[record_id]} (the page as received)")
        out += _wrap(
            "Stored as:",
            f"{capture['bundle_file']}: line {capture['line']} of the imported file whose "
            f"SHA-256 is {capture['file_sha256']}, imported {_when(capture['imported_at'])} "
            f"by {capture['imported_by']}",
        )
    out += _heading("2. Web evidence: the WARC records of its pages and pictures")
    if not records:
        out.append("None: these captures came from imported files, not from plainsight's crawler.")
    for record in records:
        entry, where = record["entry"], record["detail"]
        source = files.get(entry.path)
        out += ["", record["warc_file"]]
        status = f", HTTP {where['http_status']}" if where.get("http_status") else ""
        out += _wrap("Type:", f"{entry.record_type}{status}")
        out += _wrap("Where:", entry.target_uri or "-")
        out += _wrap("When:", _when(entry.captured_at))
        out += _wrap("Tool:", entry.tool)
        out += _wrap("Profile:", f"{entry.profile or '-'} (SHA-256 {entry.profile_sha256 or '-'})")
        out += _wrap("By:", f"{entry.operator}, crawl {entry.crawl_id}")
        out += _wrap("Record id:", entry.record_id)
        out += _wrap(
            "From:",
            f"{entry.path}"
            + (f" (SHA-256 {source.sha256}, {source.size} bytes)" if source else "")
            + f", bytes {where['offset']} to {where['offset'] + where['length'] - 1}",
        )
        out += _wrap("Stored:", f"SHA-256 {where['member_sha256']} ({where['length']} bytes)")
        digest = f"SHA-256 {entry.sha256} ({entry.size} bytes)"
        if entry.record_type == "response":
            where_kept = f", in {record['payload_file']}" if record["payload_file"] else ""
            out += _wrap("Payload:", f"{digest}{where_kept}: the body exactly as received")
        elif entry.record_type == "request":
            out += _wrap("Body:", f"{digest}: the body of the request sent")
        else:
            out += _wrap("Content:", f"{digest}: the description of the crawl")
        out += _wrap("Custody:", f"entry {entry.id}, hash {entry.hash}")
    out += _heading("3. How to verify this exhibit independently")
    out += [
        "a) Nothing in this bundle has changed since it was exported:",
        "     sha256sum -c SHA256SUMS",
        "b) Each picture's file name is its SHA-256:  sha256sum pictures/*",
        "c) Each payload is what the site sent: `sha256sum payloads/FILE` equals the",
        "   'Payload' SHA-256 above and the sha256 of the record's custody entry.",
        "d) Each warc/*.warc.gz is an exact copy of bytes of the original WARC file kept in",
        "   the workspace ('From' above). On the original:",
        "     sha256sum ORIGINAL                       (equals its SHA-256 above)",
        "     dd if=ORIGINAL bs=1 skip=FIRST count=LENGTH status=none | sha256sum",
        "   equals the 'Stored' SHA-256, and that of the warc/ file here.",
        "e) Any WARC tool reads the records, e.g. `zcat warc/FILE` or `warcio index warc/FILE`;",
        "   WARC-Payload-Digest inside each record is warcio's own SHA-1 (base 32).",
        "f) custody.jsonl holds the custody entries, one JSON object a line. Each entry's",
        "   hash is the SHA-256 of its prev_hash, a newline, and its other fields (all but",
        "   id, prev_hash and hash) as JSON with sorted keys and no spaces. This checks them:",
        "",
    ]
    out += ["     " + line for line in CHAIN_CHECK.splitlines()]
    out += [
        "",
        "   The whole chain, and every file in the workspace, is re-checked by",
        "   `plainsight evidence verify`.",
        "",
    ]
    return "\n".join(out)
