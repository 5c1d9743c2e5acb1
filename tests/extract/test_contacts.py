"""Contacts: e-mails (plain and spelled out), URLs and messaging handles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainsight.extract.contacts import ContactExtractor
from plainsight.extract.facts import TEXT_FIELDS, AdvertText, Fact

EXTRACTOR = ContactExtractor()


def _facts(text: str, field: str = "body", **other: str) -> list[Fact]:
    return EXTRACTOR.extract(AdvertText("adsite-north", "ad-1", {field: text, **other}))


def _values(text: str, kind: str, **other: str) -> list[str]:
    return [f.value for f in _facts(text, **other) if f.kind == kind]


@pytest.mark.parametrize(
    ("text", "email", "written"),
    [
        ("Email me: anna.1234@example.com", "anna.1234@example.com", "plain"),
        ("ANNA.1234@EXAMPLE.COM for bookings", "anna.1234@example.com", "plain"),
        ("write to anna.1234@example.com.", "anna.1234@example.com", "plain"),
        ("(anna_ldn@example.co.uk)", "anna_ldn@example.co.uk", "plain"),
        ("anna dot 1234 at example dot com", "anna.1234@example.com", "obfuscated"),
        ("anna(at)example(dot)com", "anna@example.com", "obfuscated"),
        ("Anna [at] Example [dot] co [dot] uk", "anna@example.co.uk", "obfuscated"),
        ("anna @ example.com", "anna@example.com", "obfuscated"),
    ],
)
def test_emails_plain_and_spelled_out(text: str, email: str, written: str) -> None:
    facts = [f for f in _facts(text) if f.kind == "email"]
    assert [f.value for f in facts] == [email]
    assert facts[0].written == written
    (span,) = facts[0].spans
    assert text[span.start : span.end] == span.text
    assert not span.text.endswith(".")


@pytest.mark.parametrize(
    "text",
    [
        "I am at the hotel. Dot is my friend",
        "Meet me at Liverpool Street at 9",
        "telegram @anna.ldn",
        "follow @anna_ldn",
    ],
)
def test_no_email_where_there_is_none(text: str) -> None:
    assert _values(text, "email") == []


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see https://Example.org/anna?x=1, thanks", "https://example.org/anna?x=1"),
        ("www.example.com/anna/", "https://example.com/anna"),
        ("My site: annaescort.co.uk.", "https://annaescort.co.uk"),
        ("HTTP://WWW.EXAMPLE.COM", "https://example.com"),
    ],
)
def test_urls_with_and_without_scheme(text: str, url: str) -> None:
    assert _values(text, "url") == [url]


def test_email_domain_is_not_also_a_url() -> None:
    assert _values("anna@example.com", "url") == []
    assert _values("Hi.Im new in town.No rush", "url") == []


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("telegram: @anna_ldn", "telegram:@anna_ldn"),
        ("Telegram @Bella_LDN565", "telegram:@bella_ldn565"),
        ("t.me/anna_ldn", "telegram:@anna_ldn"),
        ("https://t.me/anna_ldn.", "telegram:@anna_ldn"),
        ("snap: annaxx", "snapchat:annaxx"),
        ("Snapchat: annaxx", "snapchat:annaxx"),
        ("SC annaxx", "snapchat:annaxx"),
        ("insta @anna.ldn", "instagram:anna.ldn"),
        ("instagram.com/anna.ldn", "instagram:anna.ldn"),
        ("onlyfans.com/annaxx", "onlyfans:annaxx"),
        ("twitter @AnnaLdn", "x:annaldn"),
        ("x.com/annaldn", "x:annaldn"),
        ("wa.me/447700900123", "whatsapp:+447700900123"),
    ],
)
def test_handles(text: str, handle: str) -> None:
    assert _values(text, "handle") == [handle]


@pytest.mark.parametrize(
    "text",
    ["snapshot of me", "snapchat available", "discreet night, big smile", "Telegram/WhatsApp"],
)
def test_no_handle_where_there_is_none(text: str) -> None:
    assert _values(text, "handle") == []


def test_whatsapp_number_next_to_the_keyword() -> None:
    facts = [f for f in _facts("Bookings by WhatsApp 07700 900123 only") if f.kind == "handle"]
    (fact,) = facts
    assert fact.value == "whatsapp:+447700900123"
    assert [s.text for s in fact.spans] == ["WhatsApp", "07700 900123"]
    assert fact.detail["inferred"] is False


def test_whatsapp_same_number_uses_the_phone_field() -> None:
    body = (
        "WhatsApp same number. Site customer service: 03069 990442. "
        "Modern Slavery Helpline 08000 121 700."
    )
    facts = _facts(body, phone="07700 900123")
    handles = [f for f in facts if f.kind == "handle"]
    assert [f.value for f in handles] == ["whatsapp:+447700900123"]
    assert handles[0].detail["inferred"] is True


def test_whatsapp_without_any_number_gives_nothing() -> None:
    assert _values("WhatsApp me", "handle") == []


def test_huge_and_junk_bodies_return() -> None:
    for body in [
        "a" * 1_000_000,
        "a." * 500_000,
        "anna at example dot com " * 40_000,
        "snap: x " * 120_000,
        "WhatsApp 07700900123 " * 20_000,
        "@" * 1_000_000,
        "http://" + "x" * 1_000_000,
    ]:
        advert = AdvertText("adsite-north", "ad-2", {"body": body})
        for fact in EXTRACTOR.extract(advert):
            for span in fact.spans:
                assert body[span.start : span.end] == span.text


_JUNK = st.binary(max_size=300).map(lambda b: b.decode("utf-8", errors="replace"))
_CONTACTY = st.lists(
    st.sampled_from(
        [
            "anna",
            " at ",
            " dot ",
            "@",
            ".",
            "com",
            "(at)",
            "t.me/",
            "snap: ",
            "WhatsApp ",
            "07700 900123",
            "https://",
            "www.",
            "/",
            " ",
            "_",
            "SC ",
        ]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(TEXT_FIELDS), st.one_of(st.text(), _JUNK, _CONTACTY)))
def test_any_text_never_breaks_extraction(fields: dict[str, str]) -> None:
    advert = AdvertText("adsite-north", "ad-3", fields)
    for fact in EXTRACTOR.extract(advert):
        assert fact.kind in {"email", "url", "handle"}
        assert fact.spans
        for span in fact.spans:
            text = advert.text(span.field)
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start : span.end] == span.text


def test_a_handle_of_only_punctuation_is_no_handle() -> None:
    # found by hypothesis: "SNAP:__" once raised IndexError
    assert _values("SNAP:__", "handle") == []
