"""The custody log: append-only, hash-chained, and honest about files a killed crawl left."""

from __future__ import annotations

import gzip
import hashlib
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from plainsight.capture.crawlwarcs import CrawlWarcs
from plainsight.capture.custody import CustodyLog, Entry, detail
from plainsight.capture.verify import verify_evidence
from plainsight.capture.warcfile import HttpMessage, Provenance
from plainsight.capture.warcread import scan_file
from plainsight.workspace import Workspace

PROVENANCE = Provenance(
    crawl_id="c-2024-03-01",
    operator="dc.patel",
    tool="plainsight/0.1.0 Scrapy/2.13",
    profile="adsite-north",
    profile_sha256="b" * 64,
)
WHEN = datetime(2024, 3, 1, 10, 30, tzinfo=UTC)


def entry(n: int, **fields: object) -> Entry:
    values: dict[str, object] = {
        "kind": "warc_record",
        "path": "evidence/warc/c/00001.warc.gz",
        "sha256": hashlib.sha256(f"payload {n}".encode()).hexdigest(),
        "size": 100 + n,
        "operator": "dc.patel",
        "tool": "plainsight/0.1.0",
        "crawl_id": "c",
        "record_id": f"<urn:uuid:0000000{n}-0000-0000-0000-000000000000>",
        "record_type": "response",
        "target_uri": f"https://adsite.example/ad/{n}",
        "captured_at": WHEN,
        "detail": {"offset": n * 1000},
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


def response(n: int) -> tuple[HttpMessage, HttpMessage]:
    body = f"<html><h1>Advert {n}</h1><p>Call 07700 900{n:03d}</p></html>".encode()
    request = HttpMessage(f"GET /ad/{n} HTTP/1.1\r\nHost: adsite.example\r\n\r\n".encode(), b"")
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
    return request, HttpMessage(head.encode(), body)


def test_entries_come_back_in_order_with_a_chain_that_verifies(workspace: Workspace) -> None:
    log = CustodyLog(workspace)
    hashes = log.append([entry(1), entry(2)]) + log.append([entry(3)])
    got = list(log.entries())
    assert [e.hash for e in got] == hashes
    assert [e.target_uri for e in got] == [f"https://adsite.example/ad/{n}" for n in (1, 2, 3)]
    assert got[0].prev_hash == "0" * 64 and got[1].prev_hash == got[0].hash
    assert got[0].captured_at is not None
    assert got[0].captured_at.replace(tzinfo=UTC) == WHEN
    assert detail(got[2]) == {"offset": 3000}
    check = log.verify()
    assert check.ok and check.events == 3
    assert [e.record_id for e in log.entries(crawl_id="other")] == []


def test_an_edited_entry_breaks_the_chain_where_it_was_edited(workspace: Workspace) -> None:
    log = CustodyLog(workspace)
    log.append([entry(n) for n in range(1, 5)])
    with workspace.ops.session() as session:
        session.execute(
            text("UPDATE custody_entries SET sha256 = :s WHERE id = 3"), {"s": "c" * 64}
        )
    check = log.verify()
    assert not check.ok and check.broken_at == 3
    assert "does not match its hash" in check.reason


def test_a_removed_entry_breaks_the_link_of_the_next(workspace: Workspace) -> None:
    log = CustodyLog(workspace)
    log.append([entry(n) for n in range(1, 5)])
    with workspace.ops.session() as session:
        session.execute(text("DELETE FROM custody_entries WHERE id = 2"))
    check = log.verify()
    assert check.broken_at == 3 and "link" in check.reason


def test_the_chain_cannot_fork(workspace: Workspace) -> None:
    log = CustodyLog(workspace)
    log.append([entry(1)])
    first = next(log.entries())
    with pytest.raises(IntegrityError), workspace.ops.session() as session:
        session.execute(
            text(
                "INSERT INTO custody_entries (kind, path, sha256, size, recorded_at, operator,"
                " tool, profile, profile_sha256, detail, prev_hash, hash) VALUES ('warc_file',"
                " 'x', :s, 1, '2024-03-01 10:00:00', 'x', 'x', '', '', '{}', :prev, :h)"
            ),
            {"s": "d" * 64, "prev": first.prev_hash, "h": "e" * 64},
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"kind": "note"}, "unknown custody entry kind"), ({"sha256": "abc"}, "SHA-256")],
)
def test_bad_entries_are_refused_with_a_clear_message(
    fields: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        entry(1, **fields)


def test_a_sealed_file_is_entered_whole(workspace: Workspace) -> None:
    folder = workspace.home / "evidence" / "warc" / PROVENANCE.crawl_id
    warcs = CrawlWarcs(folder, PROVENANCE, CustodyLog(workspace), clock=lambda: WHEN)
    for n in range(3):
        request, answer = response(n)
        warcs.write("request", f"https://adsite.example/ad/{n}", request, WHEN)
        warcs.write("response", f"https://adsite.example/ad/{n}", answer, WHEN, http_status=200)
    warcs.close()
    path = folder / "00001.warc.gz"
    entries = list(CustodyLog(workspace).entries(path="evidence/warc/c-2024-03-01/00001.warc.gz"))
    assert [e.kind for e in entries] == ["warc_file"] + ["warc_record"] * 7
    assert entries[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert detail(entries[0])["state"] == "closed"
    for record in entries[1:]:
        where = detail(record)
        stored = path.read_bytes()[where["offset"] : where["offset"] + where["length"]]
        assert hashlib.sha256(stored).hexdigest() == where["member_sha256"]
        if record.record_type == "response":
            assert b"Advert" in gzip.decompress(stored)
            assert where["http_status"] == 200
    assert verify_evidence(workspace).ok


def _killed_crawl(folder: Path, workspace: Workspace, torn_bytes: bytes) -> Path:
    """Write records as a crawl would, then stop as a SIGKILL would: no seal, a torn tail."""
    warcs = CrawlWarcs(folder, PROVENANCE, CustodyLog(workspace), clock=lambda: WHEN)
    for n in range(2):
        request, answer = response(n)
        warcs.write("request", f"https://adsite.example/ad/{n}", request, WHEN)
        warcs.write("response", f"https://adsite.example/ad/{n}", answer, WHEN)
    current = warcs._current
    assert current is not None
    current._fh.write(torn_bytes)
    current._fh.close()
    return current.open_path


def test_a_killed_crawls_file_is_entered_whole_on_resume(workspace: Workspace) -> None:
    folder = workspace.home / "evidence" / "warc" / PROVENANCE.crawl_id
    torn = gzip.compress(b"WARC/1.1\r\n" + random.Random(5).randbytes(4000))[:1500]
    left = _killed_crawl(folder, workspace, torn)
    before = verify_evidence(workspace)
    assert [p.what for p in before.problems] == ["not in custody"]
    assert "open file" in before.problems[0].found
    original = left.read_bytes()

    resumed = CrawlWarcs(folder, PROVENANCE, CustodyLog(workspace), clock=lambda: WHEN)
    (sealed,) = resumed.recovered
    assert sealed.recovered and sealed.incomplete_tail_bytes == len(torn)
    assert len(sealed.records) == 5  # warcinfo and two pairs; the torn record is not one
    final = folder / "00001.warc.gz"
    assert not left.exists() and final.read_bytes() == original  # kept whole, never cut
    assert verify_evidence(workspace).ok
    file_entry = CustodyLog(workspace).file_entry("evidence/warc/c-2024-03-01/00001.warc.gz")
    assert file_entry is not None and detail(file_entry)["state"] == "recovered"
    assert file_entry.operator == PROVENANCE.operator  # from the file's own warcinfo

    _, answer = response(9)
    resumed.write("response", "https://adsite.example/ad/9", answer, WHEN)
    resumed.close()
    assert (folder / "00002.warc.gz").exists()  # new records never go into the old file
    assert scan_file(folder / "00002.warc.gz").incomplete_tail_bytes == 0


def test_without_custody_a_left_file_stays_untrusted(workspace: Workspace) -> None:
    folder = workspace.home / "evidence" / "warc" / PROVENANCE.crawl_id
    left = _killed_crawl(folder, workspace, b"")
    CrawlWarcs(folder, PROVENANCE, None)
    assert left.exists()
    assert not verify_evidence(workspace).ok


def test_a_file_killed_after_entering_custody_is_only_renamed(workspace: Workspace) -> None:
    folder = workspace.home / "evidence" / "warc" / PROVENANCE.crawl_id
    custody = CustodyLog(workspace)
    warcs = CrawlWarcs(folder, PROVENANCE, custody, clock=lambda: WHEN)
    _, answer = response(1)
    warcs.write("response", "https://adsite.example/ad/1", answer, WHEN)
    current = warcs._current
    assert current is not None
    custody.enter_warc(current.seal(WHEN))  # killed here, before the rename
    CrawlWarcs(folder, PROVENANCE, custody)
    assert (folder / "00001.warc.gz").exists()
    assert len(list(custody.entries(kind="warc_file"))) == 1
    assert verify_evidence(workspace).ok


def test_an_imported_file_is_entered_once(workspace: Workspace) -> None:
    sha = workspace.evidence.put_bytes(b'{"source": "a", "ad_id": "1"}\n')
    log = CustodyLog(workspace)
    assert log.enter_import(sha, "in/ads.jsonl", operator="dc.patel", tool="plainsight/0.1.0")
    assert not log.enter_import(sha, "in/ads.jsonl", operator="dc.patel", tool="plainsight/0.1.0")
    (found,) = log.entries(kind="import_file")
    assert found.sha256 == sha and detail(found) == {"original": "in/ads.jsonl"}
    assert verify_evidence(workspace).ok
