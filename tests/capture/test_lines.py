from __future__ import annotations

import gzip
from pathlib import Path

from plainsight.capture.lines import LineReader


def lines_of(path: Path) -> list[tuple[int, bytes, str | None]]:
    return [(line.number, line.raw, line.fault) for line in LineReader(path)]


def test_plain_file_lines_are_numbered_and_crlf_is_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a":1}\r\n\n{"b":2}')
    assert lines_of(path) == [(1, b'{"a":1}', None), (2, b"", None), (3, b'{"b":2}', None)]


def test_gzip_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "adverts.data"
    path.write_bytes(gzip.compress(b"one\ntwo\n"))
    assert [raw for _, raw, _ in lines_of(path)] == [b"one", b"two"]


def test_truncated_gzip_yields_whole_lines_then_the_broken_tail(tmp_path: Path) -> None:
    body = b"".join(b'{"n": %d, "pad": "%s"}\n' % (i, b"x" * 50) for i in range(2000))
    packed = gzip.compress(body)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    read = lines_of(path)
    good = [r for r in read if r[2] is None]
    assert good, "the lines before the break are read"
    assert all(raw == b'{"n": %d, "pad": "%s"}' % (n - 1, b"x" * 50) for n, raw, _ in good)
    last_number, _, fault = read[-1]
    assert fault is not None and "truncated" in fault
    assert last_number == len(good) + 1


def test_large_lines_spanning_chunks_are_whole(tmp_path: Path) -> None:
    big = b"y" * (3 * (1 << 20) + 17)
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"a\n" + big + b"\nb\n")
    assert [raw for _, raw, _ in lines_of(path)] == [b"a", big, b"b"]
