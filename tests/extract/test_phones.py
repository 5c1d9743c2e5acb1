"""Phone extraction: the labelled set, spans, styles and hostile input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainsight.extract.facts import TEXT_FIELDS, AdvertText, Fact
from plainsight.extract.phones import PhoneExtractor

CASES_FILE = Path(__file__).with_name("phone_cases.jsonl")
CASES: list[dict[str, Any]] = [
    json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line
]
EXTRACTOR = PhoneExtractor()


def _advert(text: str, field: str = "body") -> AdvertText:
    return AdvertText("adsite-north", "ad-1", {field: text})


def _phones(text: str, field: str = "body") -> list[Fact]:
    return EXTRACTOR.extract(_advert(text, field))


def _assert_spans_match(advert: AdvertText, facts: list[Fact]) -> None:
    for fact in facts:
        assert fact.spans
        for span in fact.spans:
            text = advert.text(span.field)
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start : span.end] == span.text


def test_labelled_set_is_big_and_covers_every_style() -> None:
    styles = {case["style"] for case in CASES}
    assert len(CASES) >= 300
    assert sum(1 for case in CASES if not case["phones"]) >= 80
    assert styles >= {
        "plain", "spaced", "dotted", "dashed", "letters", "words", "keycaps", "unicode",
        "intl", "intl00", "intl_paren", "split", "negative", "foreign", "helpline",
    }  # fmt: skip


def test_precision_and_recall_on_labelled_set() -> None:
    true_pos = false_pos = false_neg = 0
    misses = []
    for case in CASES:
        got = {f.value for f in _phones(case["text"], case["field"])}
        want = set(case["phones"])
        true_pos += len(got & want)
        false_pos += len(got - want)
        false_neg += len(want - got)
        if got != want:
            misses.append((case["text"], sorted(got), sorted(want)))
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    print(f"phones: precision {precision:.4f} recall {recall:.4f} over {len(CASES)} cases")
    assert precision >= 0.99, misses
    assert recall >= 0.99, misses


@pytest.mark.parametrize(
    ("text", "written", "style"),
    [
        ("Call or text 07700900123 x", "plain", "plain"),
        ("Call me on 07700 900 123", "plain", "spaced"),
        ("Tel 07700.900.123", "plain", "dotted"),
        ("Mob +44 7700 900123", "plain", "intl"),
        ("Phone 0044 7700 900123", "plain", "intl00"),
        ("Text +44 (0) 7700 900123", "plain", "intl_paren"),
        ("Call O77OO 9OO l23 babe", "obfuscated", "letters"),
        ("oh seven seven double oh nine oh oh one two three", "obfuscated", "words"),
        ("0️⃣7️⃣7️⃣0️⃣0️⃣ 9️⃣0️⃣0️⃣ 1️⃣2️⃣3️⃣", "obfuscated", "keycaps"),
        ("０７７００ ９００１２３", "obfuscated", "unicode"),
        ("0 7 7 0 0 9 0 0 1 2 3", "obfuscated", "digit_spaced"),
        ("first 07700 then 900123", "obfuscated", "split"),
    ],
)
def test_how_a_number_was_written_is_recorded(text: str, written: str, style: str) -> None:
    facts = _phones(text)
    assert [f.value for f in facts] == ["+447700900123"]
    assert facts[0].written == written
    assert style in facts[0].detail["style"]
    assert facts[0].detail["valid"] is False  # drama range: possible, not assigned


def test_span_text_is_the_written_number() -> None:
    text = "Anna, 23. Call me on +44 (0) 7700 900 123 after 6pm."
    (fact,) = _phones(text)
    (span,) = fact.spans
    assert span.text == "+44 (0) 7700 900 123"
    assert text[span.start : span.end] == span.text
    assert span.field == "body"


def test_split_number_keeps_one_span_per_part() -> None:
    text = "Bookings: 07700 call me 900 123 (no withheld)"
    (fact,) = _phones(text)
    assert fact.value == "+447700900123"
    assert [s.text for s in fact.spans] == ["07700", "900 123"]
    assert fact.written == "obfuscated"
    assert "split" in fact.detail["style"]


def test_same_number_in_several_fields_is_one_fact_with_every_span() -> None:
    advert = AdvertText(
        "adsite-north",
        "ad-2",
        {"title": "Bella 07700 900456", "body": "Text O77OO 9OO 456", "phone": "07700900456"},
    )
    (fact,) = EXTRACTOR.extract(advert)
    assert fact.value == "+447700900456"
    assert [s.field for s in fact.spans] == ["title", "body", "phone"]
    assert fact.written == "obfuscated"  # one of its writings hides it
    _assert_spans_match(advert, [fact])


def test_valid_landline_and_helpline_are_marked_valid() -> None:
    facts = _phones("020 7946 0123 or the helpline 08000 121 700")
    assert {f.value: f.detail["valid"] for f in facts} == {
        "+442079460123": True,
        "+448000121700": True,
    }


def test_price_next_to_a_split_number_is_not_joined() -> None:
    assert _phones("07700 is my prefix, rates £900 123 roses") == []
    assert [f.value for f in _phones("£150 for 1 hour, 07700 call me 900 999")] == ["+447700900999"]


@pytest.mark.parametrize(
    "text",
    [
        "1h 150 2h 250 overnight 1000",
        "21yo, age 21, size 8, 34C, 5'6",
        "12/05/2023 2023-05-12 10:00-22:00",
        "EC2M 7PY and E1 6AN",
        "ref 12345678, ID: 99887766, Advert #4455667788",
        "Card 4111 1111 1111 1111",
        "01.05.2023-01.06.2023",
    ],
)
def test_look_alikes_are_not_numbers(text: str) -> None:
    assert _phones(text) == []


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown region"):
        PhoneExtractor(default_region="XX")


def test_huge_and_junk_bodies_return() -> None:
    bodies = [
        "0 " * 500_000,
        "7" * 1_000_000,
        "😀1️⃣" * 200_000,
        ("<div>O77OO 9OO l23</div>\u202e مرحبا " * 30_000),
        "oh seven " * 110_000,
        "lO" * 500_000,
    ]
    for body in bodies:
        advert = _advert(body)
        facts = EXTRACTOR.extract(advert)
        _assert_spans_match(advert, facts)


_JUNK = st.binary(max_size=300).map(lambda b: b.decode("utf-8", errors="replace"))
_PHONEY = st.lists(
    st.sampled_from(["07700", "900", "123", " ", "O", "l", "+44", "(0)", "oh", "seven", "£", "\n"]),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(TEXT_FIELDS), st.one_of(st.text(), _JUNK, _PHONEY)))
def test_any_text_never_breaks_extraction(fields: dict[str, str]) -> None:
    advert = AdvertText("adsite-north", "ad-3", fields)
    facts = EXTRACTOR.extract(advert)
    _assert_spans_match(advert, facts)
    for fact in facts:
        assert fact.kind == "phone"
        assert fact.value.startswith("+") and fact.value[1:].isdigit()
