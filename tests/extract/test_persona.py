"""PersonaExtractor on realistic (non-explicit) advert text: exact values and spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainsight.extract.facts import TEXT_FIELDS, AdvertText, Fact
from plainsight.extract.persona import PersonaExtractor

EXTRACTOR = PersonaExtractor()


def advert(body: str = "", title: str = "", **fields: str) -> AdvertText:
    return AdvertText("site", "ad-1", {"title": title, "body": body, **fields})


def facts(body: str = "", title: str = "", **fields: str) -> list[Fact]:
    return EXTRACTOR.extract(advert(body, title, **fields))


def values(kind: str, body: str = "", title: str = "", **fields: str) -> list[str]:
    return [f.value for f in facts(body, title, **fields) if f.kind == kind]


def only(kind: str, body: str, title: str = "") -> Fact:
    found = [f for f in facts(body, title) if f.kind == kind]
    assert len(found) == 1, found
    return found[0]


def spans(fact: Fact) -> list[tuple[str, int, int, str]]:
    return [(s.field, s.start, s.end, s.text) for s in fact.spans]


# ------------------------------------------------------------------ names


def test_names_from_the_name_field_and_the_text_are_one_fact() -> None:
    body = "Hi gentlemen, I'm Anna, 23, living near Liverpool Street."
    (name,) = [
        f for f in facts(body, title="Sweet Anna in London", name="Anna") if f.kind == "name"
    ]
    assert name.value == "Anna"
    assert spans(name) == [("name", 0, 4, "Anna"), ("body", 18, 22, "Anna")]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Hello, my name is Ioana and I am 24.", "Ioana"),
        ("Meet Lara, 19, beautiful Bulgarian girl.", "Lara"),
        ("Hey there! Bella here.", "Bella"),
        ("Call me Roxy x", "Roxy"),
        ("Sweet Romanian girl Daria, 22.", "Daria"),
    ],
)
def test_advertised_names(body: str, name: str) -> None:
    assert values("name", body) == [name]


def test_words_after_i_am_that_are_not_names_are_not_names() -> None:
    body = "I'm Romanian, I'm new in town. I am Available now. This is Real."
    assert values("name", body) == []
    assert values("nationality", body) == ["Romanian"]


def test_shouted_title_name_is_normalised() -> None:
    name = only("name", "", title="NEW GIRL LARA 19 Soho")
    assert name.value == "Lara"
    assert spans(name) == [("title", 9, 13, "LARA")]


# ------------------------------------------------------------------ ages


def test_age_field_has_no_span_and_says_so() -> None:
    ad = AdvertText("site", "1", {"body": "Hello"}, age=21)
    (age,) = EXTRACTOR.extract(ad)
    assert (age.kind, age.value, age.spans, dict(age.detail)) == (
        "age",
        "21",
        (),
        {"from": "field"},
    )


@pytest.mark.parametrize(
    ("body", "age", "written"),
    [
        ("Petite 16yo, new here", "16", "16"),
        ("Sweet girl 17 y/o", "17", "17"),
        ("age 21, Polish", "21", "21"),
        ("Aged: 34 and elegant", "34", "34"),
        ("I am 19 years old and a student", "19", "19"),
        ("She is 18 and friendly", "18", "18"),
        ("a 23-year-old companion", "23", "23"),
        ("I am twenty one and love dinner dates", "21", "twenty one"),
        ("twenty-one years young", "21", "twenty-one"),
        ("I'm seventeen", "17", "seventeen"),
    ],
)
def test_ages_in_text(body: str, age: str, written: str) -> None:
    fact = only("age", body)
    assert fact.value == age
    assert fact.detail == {"from": "text"}
    (span,) = fact.spans
    assert span.text == written
    assert body[span.start : span.end] == written


@pytest.mark.parametrize(
    "body",
    [
        "Photos taken in 1999, still the same",
        "£150 per hour, £80 for 30 minutes",
        "Flat on 21st street, near the station",
        "Open 24/7",
        "10 years experience, 20 years of experience",
        "I am 100% real",
        "Anna 5ft 6",
        "Call 07700 900123",
        "I'm 12 minutes from Bank",
        "Meet at 22:30",
        "Aged 15",
        "Age 95",
    ],
)
def test_numbers_that_are_not_ages(body: str) -> None:
    assert values("age", body) == []


def test_sixteen_and_seventeen_are_kept_fifteen_is_not() -> None:
    assert values("age", "16yo") == ["16"]
    assert values("age", "aged 17") == ["17"]
    assert values("age", "15yo") == []


def test_name_comma_age() -> None:
    body = "Kasia, 22, Polish student"
    assert [(f.kind, f.value) for f in facts(body)][:3] == [
        ("name", "Kasia"),
        ("age", "22"),
        ("nationality", "Polish"),
    ]


# ------------------------------------------------------------------ nationality, ethnicity


@pytest.mark.parametrize(
    ("body", "value", "written"),
    [
        ("Sweet Romanian girl", "Romanian", "Romanian"),
        ("I'm from Brazil, here for you", "Brazilian", "Brazil"),
        ("originally from the Czech Republic", "Czech", "Czech Republic"),
        ("Filipina beauty", "Filipino", "Filipina"),
        ("COLOMBIAN NEW GIRL", "Colombian", "COLOMBIAN"),
    ],
)
def test_nationality_canonical(body: str, value: str, written: str) -> None:
    fact = only("nationality", body)
    assert fact.value == value
    assert [s.text for s in fact.spans] == [written]


def test_country_names_count_only_after_from() -> None:
    assert values("nationality", "First time in the UK, visiting Georgia next week") == []


def test_thai_massage_is_a_service_not_a_nationality() -> None:
    assert values("nationality", "Relaxing Thai massage") == []
    assert values("service", "Relaxing Thai massage") == ["massage"]


@pytest.mark.parametrize(
    ("body", "value", "as_written"),
    [
        ("Oriental beauty in the City", "East Asian", "Oriental"),
        ("Eastern European lady", "Eastern European", None),
        ("Latino girl", "Latina", "Latino"),
        ("Stunning black girl", "Black", "black girl"),
        ("Caucasian blonde", "White", "Caucasian"),
        ("Sweet Asian girl", "Asian", None),
    ],
)
def test_ethnicity_canonical(body: str, value: str, as_written: str | None) -> None:
    fact = only("ethnicity", body)
    assert fact.value == value
    assert fact.detail.get("as_written") == as_written


def test_black_dress_is_not_an_ethnicity() -> None:
    assert values("ethnicity", "I love my little black dress") == []


# ------------------------------------------------------------------ languages


def test_languages_listed_after_speaks() -> None:
    body = "I speak English and Russian, a little Polish."
    found = [
        (f.value, spans(f)[0][1:], dict(f.detail)) for f in facts(body) if f.kind == "language"
    ]
    assert found == [
        ("English", (8, 15, "English"), {}),
        ("Russian", (20, 27, "Russian"), {}),
        ("Polish", (38, 44, "Polish"), {"level": "little"}),
    ]
    assert values("nationality", body) == []


@pytest.mark.parametrize(
    ("body", "level"),
    [
        ("English: basic", "basic"),
        ("No English, text only", "none"),
        ("Fluent in English", "fluent"),
        ("good English", "good"),
    ],
)
def test_language_levels(body: str, level: str) -> None:
    fact = only("language", body)
    assert (fact.value, fact.detail) == ("English", {"level": level})
    assert values("nationality", body) == []


def test_english_rose_is_a_nationality_not_a_language() -> None:
    assert values("nationality", "English rose") == ["English"]
    assert values("language", "English rose") == []


# ------------------------------------------------------------------ prices


@pytest.mark.parametrize(
    ("body", "value", "amount", "minutes", "per_hour", "written"),
    [
        ("£150 per hour", "GBP 150/1h", 150, 60, 150.0, "£150 per hour"),
        ("only 150ph", "GBP 150/1h", 150, 60, 150.0, "150ph"),
        ("Rates 1h 150", "GBP 150/1h", 150, 60, 150.0, "1h 150"),
        ("30min 80", "GBP 80/30min", 80, 30, 160.0, "30min 80"),
        ("half hour £90", "GBP 90/30min", 90, 30, 180.0, "half hour £90"),
        ("2hrs: £250", "GBP 250/2h", 250, 120, 125.0, "2hrs: £250"),
        ("My rate is £200 an hour", "GBP 200/1h", 200, 60, 200.0, "£200 an hour"),
        ("Only £120/h.", "GBP 120/1h", 120, 60, 120.0, "£120/h"),
        ("€100 for 1 hour", "EUR 100/1h", 100, 60, 100.0, "€100 for 1 hour"),
    ],
)
def test_prices_normalised_per_hour(
    body: str, value: str, amount: int, minutes: int, per_hour: float, written: str
) -> None:
    fact = only("price", body)
    assert fact.value == value
    assert fact.detail["amount"] == amount
    assert fact.detail["minutes"] == minutes
    assert fact.detail["per_hour"] == per_hour
    assert [s.text for s in fact.spans] == [written]


def test_overnight_price_has_no_hourly_rate() -> None:
    fact = only("price", "£1,000 overnight")
    assert fact.value == "GBP 1000/overnight"
    assert fact.detail == {
        "amount": 1000,
        "currency": "GBP",
        "minutes": None,
        "period": "overnight",
    }


def test_rate_card_gives_one_price_per_duration() -> None:
    body = "Rates: 30min £90 / 1hr £160 / 2hrs £300"
    assert values("price", body) == ["GBP 90/30min", "GBP 160/1h", "GBP 300/2h"]


def test_durations_alone_are_not_prices() -> None:
    assert values("price", "1 hour 30 minutes, 24 hours notice, 2 girls") == []


# ------------------------------------------------------------------ calls, availability, services


def test_incall_outcall_and_availability() -> None:
    body = "Incall and outcall. Outcall only after 10pm. Available 24/7 and weekends."
    found = {(f.kind, f.value) for f in facts(body)}
    assert {("incall", "yes"), ("outcall", "yes"), ("availability", "outcall only")} <= found
    assert {("availability", "24/7"), ("availability", "weekends")} <= found


def test_no_outcall() -> None:
    assert values("outcall", "Incall only, no outcall") == ["no"]
    assert values("availability", "Incall only, no outcall") == ["incall only"]


def test_available_all_day_every_day_is_24_7() -> None:
    assert values("availability", "available all day every day") == ["24/7"]


def test_service_taxonomy() -> None:
    body = (
        "Dinner dates, social events and travel companion. GFE, duo bookings with my friend, "
        "couples welcome. Relaxing massage. Overnight stays."
    )
    assert values("service", body) == [
        "dinner_date",
        "travel",
        "gfe",
        "duo",
        "couples",
        "massage",
        "overnight",
    ]


def test_a_realistic_advert() -> None:
    title = "Ioana 22 - near Liverpool Street"
    body = (
        "Hello, my name is Ioana and I am 22. I'm a Romanian girl living in London 🌹. "
        "I speak English and Romanian. Incall near Liverpool Street, outcall to hotels. "
        "Rates: 30min £100 / 1hr £180. Available most evenings and weekends. Kisses, Ioana x"
    )
    got = [(f.kind, f.value) for f in facts(body, title)]
    assert got == [
        ("name", "Ioana"),
        ("age", "22"),
        ("nationality", "Romanian"),
        ("language", "English"),
        ("language", "Romanian"),
        ("incall", "yes"),
        ("outcall", "yes"),
        ("price", "GBP 100/30min"),
        ("price", "GBP 180/1h"),
        ("availability", "evenings"),
        ("availability", "weekends"),
    ]


# ------------------------------------------------------------------ bad input


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(TEXT_FIELDS), st.text(), max_size=6), st.none() | st.integers()
)
def test_never_crashes_and_spans_are_the_text(fields: dict[str, str], age: int | None) -> None:
    ad = AdvertText("site", "x", fields, age=age)
    for fact in EXTRACTOR.extract(ad):
        for span in fact.spans:
            text = ad.text(span.field)
            assert 0 <= span.start <= span.end <= len(text)
            assert text[span.start : span.end] == span.text


@pytest.mark.parametrize(
    "body",
    [
        "💋" * 20_000,
        "<div class='ad'><p>I&#39;m Anna, 23</p><br/></div>" * 2000,
        "أنا آنا، ٢٣ سنة. Anna, 23. מחיר £150 per hour " * 500,
        "İSTANBUL İ İ Anna, 23 " * 100,
        "\x00\x01\ufffd" * 10_000 + " Anna, 23",
        ("Romanian girl, £150 per hour. " * 35_000)[:1_000_000],
    ],
)
def test_hostile_text(body: str) -> None:
    ad = advert(body)
    for fact in EXTRACTOR.extract(ad):
        for span in fact.spans:
            assert body[span.start : span.end] == span.text
