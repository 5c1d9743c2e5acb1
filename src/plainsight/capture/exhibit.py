"""``plainsight evidence export AD``: an exhibit bundle for one advert.

The bundle holds everything needed to show, years later and without plainsight, what was
seen, where, when, by which tool and by whom, and that it is unaltered:

``captures/``   each capture of the advert, as the interchange line stored in evidence
``pictures/``   its pictures, named by SHA-256
``warc/``       the WARC records of its pages and pictures, each a byte-for-byte copy of its
                gzip member in the original WARC file (so a standalone ``.warc.gz``), with
                the ``warcinfo`` record of each file they came from
``payloads/``   the body of each response record exactly as received (still compressed if
                the site sent it compressed), so ``sha256sum`` checks it against custody
``custody.jsonl`` the custody entries of all of the above, with their chain hashes
``CAPTURE-RECORD.txt`` the human-readable capture record and how to verify it
``SHA256SUMS``  the SHA-256 of every file above, for ``sha256sum -c``

Every piece is checked against its recorded hash before it is written; an exhibit is never
made from evidence that no longer matches. The bundle is built aside and moved into place
(or zipped) whole, and an existing bundle is never overwritten.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import or_, select

from plainsight.capture.custody import CustodyLog, as_dict, detail
from plainsight.capture.exhibit_text import capture_record, extension
from plainsight.capture.importer import advert_id as make_advert_id
from plainsight.capture.lines import LineReader
from plainsight.capture.warcread import parse_record, read_member
from plainsight.errors import PlainsightError
from plainsight.ops.models import CustodyEntry

if TYPE_CHECKING:
    from plainsight.workspace import Workspace

ADVERT_ID = re.compile(r"^A[0-9a-f]{20}$")


class ExhibitError(PlainsightError):
    """The exhibit cannot be made: unknown advert, altered evidence, or the output exists."""


@dataclass
class Exhibit:
    """What was exported: the advert, the counts, and the hash of the SHA256SUMS file."""

    advert_id: str
    source: str
    ad_id: str
    output: Path
    captures: int = 0
    pictures: int = 0
    records: int = 0
    files: list[tuple[str, str]] = field(default_factory=list)  # (path in bundle, sha256)
    sums_sha256: str = ""


def resolve_advert(ad: str) -> str:
    """An advert id from ``A`` + 20 hex digits, or ``source:ad_id``.

    Raises:
        ExhibitError: neither form.
    """
    if ADVERT_ID.match(ad):
        return ad
    source, sep, ad_id = ad.partition(":")
    if sep and source and ad_id:
        return make_advert_id(source, ad_id)
    raise ExhibitError(f"{ad!r} is neither an advert id (A + 20 hex digits) nor source:ad_id")


def _captures(workspace: Workspace, advert: str) -> list[dict[str, Any]]:
    with workspace.reading() as engine:
        if not engine.table_exists("captures"):
            return []
        rows: list[dict[str, Any]] = engine.run(
            "SELECT * FROM captures WHERE advert_id = ? ORDER BY captured_at, capture_id",
            [advert],
        ).to_pylist()
        return rows


def _stored_line(workspace: Workspace, file_sha256: str, number: int) -> bytes:
    path = workspace.evidence.path_for(file_sha256)
    if not workspace.evidence.verify(file_sha256):
        raise ExhibitError(f"the imported file {file_sha256} is missing or altered in evidence")
    for line in LineReader(path):
        if line.number == number:
            return line.raw
    raise ExhibitError(f"line {number} is not in the imported file {file_sha256}")


def custody_entries(
    workspace: Workspace, urls: set[str], pictures: set[str], files: set[str]
) -> list[CustodyEntry]:
    """Custody entries of the advert's pages and pictures, their requests, files and imports."""
    with workspace.ops.session() as session:
        responses = list(
            session.scalars(
                select(CustodyEntry)
                .where(CustodyEntry.kind == "warc_record")
                .where(
                    or_(
                        CustodyEntry.target_uri.in_(urls),
                        (CustodyEntry.record_type == "response")
                        & CustodyEntry.sha256.in_(pictures),
                    )
                )
            )
        )
        concurrent = {
            str(detail(e).get("warc_headers", {}).get("WARC-Concurrent-To", ""))
            for e in responses
            if e.record_type == "response"
        }
        have = {e.id for e in responses}
        warc_files = {e.path for e in responses}
        others = session.scalars(
            select(CustodyEntry).where(
                or_(
                    (CustodyEntry.kind == "warc_record") & CustodyEntry.record_id.in_(concurrent),
                    (CustodyEntry.kind == "warc_record")
                    & (CustodyEntry.record_type == "warcinfo")
                    & CustodyEntry.path.in_(warc_files),
                    (CustodyEntry.kind == "warc_file") & CustodyEntry.path.in_(warc_files),
                    (CustodyEntry.kind == "import_file") & CustodyEntry.path.in_(files),
                )
            )
        )
        entries = responses + [e for e in others if e.id not in have]
    return sorted(entries, key=lambda e: e.id)


class _Bundle:
    """Files written into the bundle folder, each hashed as it is written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[tuple[str, str]] = []

    def write(self, relative: str, data: bytes) -> None:
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files.append((relative, hashlib.sha256(data).hexdigest()))


def export_exhibit(workspace: Workspace, ad: str, output: Path) -> Exhibit:
    """Write the exhibit bundle for one advert to ``output`` (a folder, or a ``.zip``).

    Raises:
        ExhibitError: the advert has no captures, some evidence no longer matches its
            recorded hash, or ``output`` already exists.
    """
    advert = resolve_advert(ad)
    if output.exists() and (output.is_file() or any(output.iterdir())):
        raise ExhibitError(f"{output} already exists; an exhibit is never overwritten")
    captures = _captures(workspace, advert)
    if not captures:
        raise ExhibitError(f"no captures of advert {ad} in this workspace")
    custody = CustodyLog(workspace)
    exhibit = Exhibit(advert, captures[0]["source"], captures[0]["ad_id"], output)
    staging = output.parent / f".{output.name}.{uuid.uuid4().hex}.tmp"
    bundle = _Bundle(staging)
    try:
        context = _fill(workspace, custody, bundle, captures, exhibit)
        text = capture_record(context)
        bundle.write("CAPTURE-RECORD.txt", text.encode("utf-8"))
        sums = "".join(f"{sha}  {name}\n" for name, sha in sorted(bundle.files)).encode()
        (staging / "SHA256SUMS").write_bytes(sums)
        exhibit.files = sorted(bundle.files)
        exhibit.sums_sha256 = hashlib.sha256(sums).hexdigest()
        _install(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return exhibit


def _fill(
    workspace: Workspace,
    custody: CustodyLog,
    bundle: _Bundle,
    captures: list[dict[str, Any]],
    exhibit: Exhibit,
) -> dict[str, Any]:
    pictures: dict[str, str] = {}  # sha256 -> path in bundle
    for number, capture in enumerate(captures, 1):
        raw = _stored_line(workspace, capture["file_sha256"], capture["line"])
        when = capture["captured_at"].strftime("%Y%m%dT%H%M%SZ")
        name = f"captures/{number:02d}-{when}-{capture['capture_id'][:12]}.json"
        bundle.write(name, raw)
        capture["bundle_file"] = name
        for sha in capture["image_sha256"] or []:
            if sha in pictures:
                continue
            if not workspace.evidence.verify(sha):
                raise ExhibitError(f"picture {sha} is missing or altered in evidence")
            data = workspace.evidence.path_for(sha).read_bytes()
            pictures[sha] = f"pictures/{sha}{extension(data)}"
            bundle.write(pictures[sha], data)
    exhibit.captures, exhibit.pictures = len(captures), len(pictures)

    imports = {custody.relative(workspace.evidence.path_for(c["file_sha256"])) for c in captures}
    urls = {c["url"] for c in captures if c["url"]}
    entries = custody_entries(workspace, urls, set(pictures), imports)
    records = []
    for number, entry in enumerate((e for e in entries if e.kind == "warc_record"), 1):
        records.append(_copy_record(custody, bundle, entry, number))
    exhibit.records = len(records)
    bundle.write(
        "custody.jsonl",
        b"".join(orjson.dumps(as_dict(e), option=orjson.OPT_SORT_KEYS) + b"\n" for e in entries),
    )
    return {
        "exhibit": exhibit,
        "captures": captures,
        "pictures": pictures,
        "records": records,
        "entries": entries,
        "operator": workspace.settings.operator,
        "exported_at": workspace.clock(),
    }


def _copy_record(
    custody: CustodyLog, bundle: _Bundle, entry: CustodyEntry, number: int
) -> dict[str, Any]:
    where = detail(entry)
    member = read_member(custody.absolute(entry.path), int(where["offset"]), int(where["length"]))
    if hashlib.sha256(member).hexdigest() != where.get("member_sha256"):
        raise ExhibitError(
            f"the record {entry.record_id} in {entry.path} no longer matches its custody "
            "entry; run `plainsight evidence verify`"
        )
    uid = (entry.record_id or "").removeprefix("<urn:uuid:").removesuffix(">")[:36]
    stem = f"{number:03d}-{entry.record_type}-{uid}"
    bundle.write(f"warc/{stem}.warc.gz", member)
    payload_file = ""
    record = parse_record(gzip.decompress(member))
    if entry.record_type == "response" and record.payload:
        payload_file = f"payloads/{stem}{extension(record.payload, record.block)}"
        bundle.write(payload_file, record.payload)
    return {
        "entry": entry,
        "detail": where,
        "warc_file": f"warc/{stem}.warc.gz",
        "payload_file": payload_file,
    }


def _install(staging: Path, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == ".zip":
        partial = output.with_name(f".{output.name}.{uuid.uuid4().hex}.part")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(staging.rglob("*")):
                    if path.is_file():
                        name = f"{output.stem}/{path.relative_to(staging).as_posix()}"
                        archive.write(path, name)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    else:
        if output.exists():
            output.rmdir()  # empty: checked before
        staging.replace(output)
