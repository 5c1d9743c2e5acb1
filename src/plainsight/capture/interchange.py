"""The advert interchange format, version 1: one line in, one checked record out.

Pure functions over bytes: no files, no workspace. See
``docs/contracts/advert-interchange.md`` for the format; anything that does not meet it raises
:class:`~plainsight.errors.Rejected` with the reason an analyst will read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from plainsight.errors import Rejected

REQUIRED = ("source", "ad_id", "captured_at")
STRINGS = ("source", "ad_id", "url", "title", "body", "location_text", "name", "phone", "email")
KNOWN = frozenset(
    (*STRINGS, "captured_at", "posted_at", "age", "images", "extra"),
)
JSON_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
    type(None): "null",
}


@dataclass(frozen=True)
class Record:
    """One capture as the interchange file gave it, checked and typed."""

    source: str
    ad_id: str
    captured_at: datetime
    posted_at: datetime | None
    url: str | None
    title: str | None
    body: str | None
    location_text: str | None
    name: str | None
    age: int | None
    phone: str | None
    email: str | None
    images: tuple[str, ...]
    extra: dict[str, Any] | None
    unknown_fields: dict[str, Any] | None


def _kind(value: object) -> str:
    return JSON_TYPES.get(type(value), type(value).__name__)


def _timestamp(field: str, value: object) -> datetime:
    if not isinstance(value, str):
        raise Rejected(
            f"field '{field}' must be an ISO 8601 date-time string, found {_kind(value)}"
        )
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Rejected(f"field '{field}' is not an ISO 8601 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        raise Rejected(f"field '{field}' has no UTC offset: {value!r} (add Z or +00:00)")
    return parsed.astimezone(UTC)


def decode_line(raw: bytes) -> dict[str, Any]:
    """Bytes of one line to a JSON object.

    Raises:
        Rejected: not UTF-8, not JSON, or not a JSON object.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} at position {exc.start} cannot be decoded"
        ) from None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise Rejected(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise Rejected(f"not a JSON object: the line holds a {_kind(value)}")
    return value


def check_record(obj: dict[str, Any]) -> Record:
    """A decoded JSON object to a :class:`Record`, checking the contract's rules.

    Optional fields given as ``null`` are treated as absent. Fields this version does not
    know are kept in ``unknown_fields`` (the format grows only by optional fields).

    Raises:
        Rejected: a required field is missing or empty, or a field has the wrong type.
    """
    for name in REQUIRED:
        if obj.get(name) is None:
            raise Rejected(f"missing required field '{name}'")
    for name in STRINGS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise Rejected(f"field '{name}' must be a string, found {_kind(value)}")
    for name in ("source", "ad_id"):
        if not obj[name].strip():
            raise Rejected(f"required field '{name}' is empty")
    age = obj.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        raise Rejected(f"field 'age' must be an integer, found {_kind(age)}")
    if age is not None and not -(2**31) <= age < 2**31:
        raise Rejected(f"field 'age' is out of range: {age}")
    images = obj.get("images")
    if images is not None and not (
        isinstance(images, list) and all(isinstance(i, str) for i in images)
    ):
        raise Rejected(f"field 'images' must be an array of strings, found {_kind(images)}")
    extra = obj.get("extra")
    if extra is not None and not isinstance(extra, dict):
        raise Rejected(f"field 'extra' must be an object, found {_kind(extra)}")
    posted = obj.get("posted_at")
    unknown = {k: v for k, v in obj.items() if k not in KNOWN}
    return Record(
        source=obj["source"],
        ad_id=obj["ad_id"],
        captured_at=_timestamp("captured_at", obj["captured_at"]),
        posted_at=None if posted is None else _timestamp("posted_at", posted),
        url=obj.get("url"),
        title=obj.get("title"),
        body=obj.get("body"),
        location_text=obj.get("location_text"),
        name=obj.get("name"),
        age=age,
        phone=obj.get("phone"),
        email=obj.get("email"),
        images=tuple(images or ()),
        extra=extra,
        unknown_fields=unknown or None,
    )


def parse_line(raw: bytes) -> Record:
    """One line of an interchange file to a checked :class:`Record` (raises Rejected)."""
    return check_record(decode_line(raw))
