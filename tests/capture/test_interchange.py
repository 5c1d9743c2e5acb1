from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plainsight.capture.interchange import parse_line
from plainsight.errors import Rejected
from tests.conftest import advert


def line(**fields: object) -> bytes:
    return orjson.dumps(advert(7, **fields))


def test_a_full_record_is_typed_and_times_are_utc() -> None:
    record = parse_line(line(captured_at="2023-06-01T10:30:00+01:00", extra={"verified": True}))
    assert record.source == "adsite-north"
    assert record.captured_at == datetime(2023, 6, 1, 9, 30, tzinfo=UTC)
    assert record.age == 28
    assert record.extra == {"verified": True}
    assert record.unknown_fields is None


def test_fields_newer_than_the_reader_are_kept_not_dropped() -> None:
    record = parse_line(line(languages=["en", "ro"]))
    assert record.unknown_fields == {"languages": ["en", "ro"]}


def test_null_optional_fields_count_as_absent() -> None:
    record = parse_line(line(age=None, images=None, email=None))
    assert (record.age, record.images, record.email) == (None, (), None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object: the line holds a array"),
        (b'"just a string"', "not a JSON object"),
        (
            b'{"source": "a", "captured_at": "2023-01-01T00:00:00Z"}',
            "missing required field 'ad_id'",
        ),
        (
            b'{"ad_id": "1", "captured_at": "2023-01-01T00:00:00Z"}',
            "missing required field 'source'",
        ),
        (b'{"source": "a", "ad_id": "1"}', "missing required field 'captured_at'"),
        (
            b'{"source": " ", "ad_id": "1", "captured_at": "2023-01-01T00:00:00Z"}',
            "'source' is empty",
        ),
        (line(ad_id=12345), "field 'ad_id' must be a string, found integer"),
        (line(age="21"), "field 'age' must be an integer, found string"),
        (line(age=21.5), "field 'age' must be an integer, found number"),
        (line(age=True), "field 'age' must be an integer, found boolean"),
        (line(images="a.jpg"), "field 'images' must be an array of strings"),
        (line(images=["a.jpg", 3]), "field 'images' must be an array of strings"),
        (line(extra=[1]), "field 'extra' must be an object, found array"),
        (line(captured_at="yesterday"), "field 'captured_at' is not an ISO 8601 date-time"),
        (line(captured_at="2023-13-01T00:00:00Z"), "is not an ISO 8601 date-time"),
        (line(captured_at="2023-03-01T10:00:00"), "has no UTC offset"),
        (line(captured_at=1677664800), "must be an ISO 8601 date-time string, found integer"),
        (line(posted_at="soon"), "field 'posted_at' is not an ISO 8601"),
        (
            b'{"source": "caf\xe9", "ad_id": "1", "captured_at": "2023-01-01T00:00:00Z"}',
            "not UTF-8: byte 0xe9",
        ),
    ],
)
def test_bad_lines_are_rejected_with_a_reason_an_analyst_can_act_on(
    raw: bytes, reason: str
) -> None:
    with pytest.raises(Rejected) as caught:
        parse_line(raw)
    assert reason in caught.value.reason


@given(st.binary(max_size=400))
def test_any_bytes_either_parse_or_are_rejected(raw: bytes) -> None:
    try:
        parse_line(raw)
    except Rejected as rejected:
        assert rejected.reason


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["source", "ad_id", "captured_at", "age", "images", "extra", "title", "x"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**63), 2**63 - 1),
            st.floats(),
            st.text(),
            st.lists(st.text(max_size=5), max_size=3),
        ),
    )
)
def test_any_json_object_either_parses_or_is_rejected(obj: dict[str, object]) -> None:
    try:
        record = parse_line(orjson.dumps(obj))
    except Rejected as rejected:
        assert rejected.reason
    else:
        assert record.source.strip() and record.ad_id.strip()
