"""What extraction yields: facts found in an advert, each with where and how it was written.

Every extractor turns an :class:`AdvertText` into :class:`Fact` objects; every indicator
turns facts and text into :class:`Hit` objects. A fact or hit always carries the character
spans it rests on, so an analyst can see the evidence highlighted in the advert itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

TEXT_FIELDS = ("title", "body", "name", "location_text", "phone", "email")

Written = Literal["plain", "obfuscated"]


@dataclass(frozen=True)
class AdvertText:
    """The text fields of one capture (absent fields are empty strings), plus its age field."""

    source: str
    ad_id: str
    fields: Mapping[str, str]
    age: int | None = None

    def text(self, name: str) -> str:
        return self.fields.get(name, "") or ""


@dataclass(frozen=True, order=True)
class Span:
    """Characters ``start``..``end`` (end exclusive) of one field, and the text there."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fact:
    """One thing an advert says: a phone number, a place, an age...

    ``kind`` names what it is (``phone``, ``email``, ``url``, ``handle``, ``name``, ``age``,
    ``nationality``, ``ethnicity``, ``language``, ``price``, ``incall``, ``outcall``,
    ``availability``, ``service``, ``postcode``, ``place``); ``value`` is its normal form
    (E.164 for phones, lower-case for e-mails, upper-case ``EC2M 7PY`` for postcodes);
    ``spans`` are where it was written (a number split across the text has several);
    ``written`` says whether it was written plainly or to defeat a scraper.
    """

    kind: str
    value: str
    spans: tuple[Span, ...]
    written: Written = "plain"
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """An indicator that fired on an advert: a lead for a person to review, never a finding."""

    indicator: str
    level: Literal["advert", "persona", "network"]
    weight: float
    evidence: tuple[Span, ...]
    note: str = ""
