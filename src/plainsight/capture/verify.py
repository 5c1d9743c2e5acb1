"""``plainsight evidence verify``: re-hash the evidence and compare it with custody.

Four checks, each mismatch reported with the file, what custody (or the file's name)
expected and what was found:

1. the custody chain: every entry's hash and link, from the first;
2. every WARC file in custody: present, same size, same SHA-256; and every record in it:
   present at the same place, same id, same payload SHA-256, same stored bytes; no record
   in the file that custody does not list;
3. every WARC file on disk that custody does not list (including ``.open`` files a running
   or killed crawl left), so nothing is trusted silently;
4. every content-addressed file in ``evidence/sha256/`` (pictures, imported files): its
   SHA-256 is its name; and every imported file custody lists is there.

``--crawl`` limits checks 2-4 to one crawl's WARC files (the chain is always checked whole,
since each entry depends on every one before it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from plainsight.capture.custody import CustodyLog, detail
from plainsight.capture.evidence import sha256_file
from plainsight.capture.warcfile import OPEN_SUFFIX, WARC_SUFFIX
from plainsight.capture.warcread import Scan, read_record_at, scan_file
from plainsight.ops.audit import ChainCheck
from plainsight.ops.models import CustodyEntry

if TYPE_CHECKING:
    from plainsight.workspace import Workspace

Progress = Callable[[str, int, int], None]  # (what, bytes done, bytes in all)


@dataclass(frozen=True)
class Problem:
    """One mismatch: which file, what was expected, what was found."""

    path: str
    what: str
    expected: str
    found: str


@dataclass
class Verification:
    """What ``evidence verify`` checked and every problem it found."""

    chain: ChainCheck = field(default_factory=lambda: ChainCheck(0, None))
    warc_files: int = 0
    records: int = 0
    evidence_files: int = 0
    bytes: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def verify_evidence(
    workspace: Workspace, crawl_id: str | None = None, progress: Progress | None = None
) -> Verification:
    """Re-hash everything in scope and compare it with the custody log."""
    custody = CustodyLog(workspace)
    result = Verification(chain=custody.verify())
    if not result.chain.ok:
        result.problems.append(
            Problem(
                "ops.db custody_entries",
                f"custody chain broken at entry {result.chain.broken_at}",
                "each entry's hash over the previous hash and its fields",
                result.chain.reason,
            )
        )
    files: dict[str, CustodyEntry] = {}
    records: dict[str, list[CustodyEntry]] = {}
    imports: list[CustodyEntry] = []
    for entry in custody.entries(crawl_id=crawl_id):
        if entry.kind == "warc_file":
            files[entry.path] = entry
        elif entry.kind == "warc_record":
            records.setdefault(entry.path, []).append(entry)
        else:
            imports.append(entry)

    warc_root = workspace.home / "evidence" / "warc"
    folder = warc_root / crawl_id if crawl_id else warc_root
    on_disk = sorted(folder.rglob(f"*{WARC_SUFFIX}*")) if folder.is_dir() else []
    store = workspace.evidence.root / "sha256"
    stored = [] if crawl_id else sorted(p for p in store.glob("*/*") if not p.name.startswith("."))
    total = sum(p.stat().st_size for p in (*on_disk, *stored) if p.is_file())
    done = 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        if progress:
            progress("evidence", done, total)

    for path in on_disk:
        recorded = custody.relative(path)
        if recorded not in files:
            found = "an open file (a crawl running, or killed and not resumed)"
            if not path.name.endswith(OPEN_SUFFIX):
                found = "a WARC file custody does not list"
            result.problems.append(Problem(recorded, "not in custody", "a custody entry", found))
            advance(path.stat().st_size)
    for recorded, entry in files.items():
        path = custody.absolute(recorded)
        result.warc_files += 1
        if not path.is_file():
            result.problems.append(Problem(recorded, "WARC file missing", entry.sha256, "nothing"))
            continue
        scan = scan_file(path)
        advance(scan.size)
        result.bytes += scan.size
        result.problems.extend(_compare_file(recorded, entry, scan))
        listed = records.get(recorded, [])
        result.records += len(listed)
        result.problems.extend(_compare_records(path, recorded, listed, scan))

    for entry in imports:
        path = custody.absolute(entry.path)
        if not path.is_file():
            result.problems.append(Problem(entry.path, "imported file missing", entry.sha256, "-"))
        elif crawl_id:  # otherwise the store check below re-hashes it
            found = sha256_file(path)
            if found != entry.sha256:
                result.problems.append(Problem(entry.path, "file changed", entry.sha256, found))
    for path in stored:
        found = sha256_file(path)
        result.evidence_files += 1
        result.bytes += path.stat().st_size
        advance(path.stat().st_size)
        if found != path.name:
            result.problems.append(
                Problem(custody.relative(path), "evidence file changed", path.name, found)
            )
    return result


def _compare_file(recorded: str, entry: CustodyEntry, scan: Scan) -> list[Problem]:
    problems = []
    if scan.size != entry.size:
        problems.append(Problem(recorded, "size differs", f"{entry.size} bytes", f"{scan.size}"))
    if scan.sha256 != entry.sha256:
        problems.append(Problem(recorded, "file SHA-256 differs", entry.sha256, scan.sha256))
    expected_tail = int(detail(entry).get("incomplete_tail_bytes", 0))
    if scan.incomplete_tail_bytes != expected_tail:
        problems.append(
            Problem(
                recorded,
                "cannot be read to the end",
                f"{expected_tail} unfinished byte(s) at the end",
                f"the last {scan.incomplete_tail_bytes} byte(s) do not read as WARC records",
            )
        )
    return problems


def _compare_records(
    path: Path, recorded: str, listed: list[CustodyEntry], scan: Scan
) -> list[Problem]:
    """Each listed record against the file; records past damage are read at their offset."""
    problems = []
    found = {r.member.offset: r for r in scan.records}
    for entry in listed:
        where = detail(entry)
        offset, length = int(where.get("offset", -1)), int(where.get("length", 0))
        label = f"{recorded} @{offset} {entry.record_type} {entry.target_uri or ''}".rstrip()
        record = found.pop(offset, None) or read_record_at(path, offset, length)
        if record.record is None:
            problems.append(
                Problem(label, "record unreadable", entry.record_id or "", record.problem)
            )
            if record.member.sha256 != where.get("member_sha256"):
                problems.append(
                    Problem(
                        label,
                        "stored record differs",
                        str(where.get("member_sha256")),
                        record.member.sha256,
                    )
                )
            continue
        if record.record.record_id != entry.record_id:
            problems.append(
                Problem(label, "record id differs", entry.record_id or "", record.record.record_id)
            )
        if record.payload_sha256 != entry.sha256:
            problems.append(
                Problem(label, "payload SHA-256 differs", entry.sha256, record.payload_sha256)
            )
        if record.member.sha256 != where.get("member_sha256"):
            problems.append(
                Problem(
                    label,
                    "stored record differs",
                    str(where.get("member_sha256")),
                    record.member.sha256,
                )
            )
    for offset, extra in sorted(found.items()):
        rid = extra.record.record_id if extra.record else extra.problem
        problems.append(
            Problem(f"{recorded} @{offset}", "record not in custody", "a custody entry", rid)
        )
    return problems
