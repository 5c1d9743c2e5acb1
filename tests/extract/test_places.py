"""Places in advert text: what is found, where, and what is rightly left alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainsight.extract.facts import AdvertText, Fact
from plainsight.extract.places import PlaceExtractor


@pytest.fixture(scope="module")
def extractor() -> PlaceExtractor:
    return PlaceExtractor()


def advert(**fields: str) -> AdvertText:
    return AdvertText("site", "ad-1", fields)


def values(facts: list[Fact]) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in facts]


def test_a_city_advert_yields_stations_and_postcodes_with_spans(
    extractor: PlaceExtractor,
) -> None:
    body = (
        "Hi gentlemen, sweet Anna new in town! Private flat 2 mins from Liverpool St station, "
        "EC2M 7PY. Also near Bank for outcall. Call 07700 900123."
    )
    facts = extractor.extract(advert(title="Anna - Moorgate tube", body=body, location_text="EC2M"))
    assert values(facts) == [
        ("place", "Moorgate station"),
        ("place", "Liverpool Street station"),
        ("postcode", "EC2M 7PY"),
        ("place", "Bank station"),
        ("postcode", "EC2M"),
    ]
    liverpool = facts[1]
    (span,) = liverpool.spans
    assert (span.field, span.text) == ("body", "Liverpool St station")
    assert body[span.start : span.end] == "Liverpool St station"
    assert liverpool.detail["kind"] == "station" and liverpool.detail["in_city"] is True
    assert liverpool.detail["lat"] == pytest.approx(51.5178, abs=0.001)
    postcode = facts[2]
    assert postcode.detail["kind"] == "postcode"
    assert postcode.detail["easting"] == 533216.0 and postcode.written == "plain"
    assert facts[4].detail["kind"] == "district"


def test_one_place_named_twice_is_one_fact_with_two_spans(extractor: PlaceExtractor) -> None:
    facts = extractor.extract(
        advert(title="Leeds - new girl", body="Leeds city centre, 5 min from the station")
    )
    assert values(facts) == [("place", "Leeds")]
    assert [(s.field, s.start, s.end) for s in facts[0].spans] == [
        ("title", 0, 5),
        ("body", 0, 5),
    ]
    assert facts[0].detail["kind"] == "town" and facts[0].detail["in_city"] is False


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("New in Manchester this week only", ("place", "Manchester")),
        ("Visiting Reading on Friday", ("place", "Reading")),
        ("Incall near Bank, outcall anywhere", ("place", "Bank station")),
        ("BANK STATION 3 mins", ("place", "Bank station")),
        ("Discreet flat by St. Paul\u2019s", ("place", "St Paul's station")),
        ("Opposite the Gherkin", ("place", "30 St Mary Axe")),
        ("Just off Bishopsgate", ("place", "Bishopsgate")),
        ("Stoke-on-Trent and Crewe", ("place", "Stoke-on-Trent")),
        ("staying in Bath this weekend", ("place", "Bath")),
        ("postcode ec2m7py", ("postcode", "EC2M 7PY")),
        ("based in E1, 5 mins walk", ("postcode", "E1")),
        ("flat in SE1 by the river", ("postcode", "SE1")),
        ("Aldgate East, E1 7AQ", ("place", "Aldgate East station")),
    ],
)
def test_places_are_found_in_everyday_wording(
    extractor: PlaceExtractor, body: str, expected: tuple[str, str]
) -> None:
    facts = extractor.extract(advert(body=body))
    assert expected in values(facts)
    for fact in facts:
        for span in fact.spans:
            assert body[span.start : span.end] == span.text


@pytest.mark.parametrize(
    "body",
    [
        "I love reading a book in the bath",
        "Reading is my hobby, and long walks",
        "Available every bank holiday",
        "Open over the Bank Holiday weekend",
        "Wells of passion, a great deal, sale now on",
        "Meet me on the street outside",
        "Only 3 dates left in March",
        "Call me Angel, I am your Victoria",
        "Driving down the M1 motorway",
        "Ref AB12 and AB12 3XZ or ZZ9 9ZZ",
        "size 8, 34C, price 150/h, age 21",
    ],
)
def test_common_words_and_look_alikes_are_not_places(extractor: PlaceExtractor, body: str) -> None:
    facts = extractor.extract(advert(body=body))
    assert [f for f in facts if f.value != "AB12 3XZ"] == []


def test_a_full_postcode_outside_the_built_in_data_falls_back_to_its_district(
    extractor: PlaceExtractor,
) -> None:
    (fact,) = extractor.extract(advert(body="Flat at LS1 4DY"))
    assert (fact.kind, fact.value) == ("postcode", "LS1 4DY")
    assert fact.detail["kind"] == "district"
    assert fact.detail["lat"] == pytest.approx(53.80, abs=0.02)


def test_the_location_field_accepts_what_free_text_would_doubt(
    extractor: PlaceExtractor,
) -> None:
    facts = extractor.extract(advert(location_text="bank, e1"))
    assert values(facts) == [("place", "Bank station"), ("postcode", "E1")]


def test_the_city_flag_separates_the_city_from_its_neighbours(
    extractor: PlaceExtractor,
) -> None:
    facts = extractor.extract(
        advert(body="Tower Hill or Old Street, or Fenchurch Street, or Shoreditch High Street")
    )
    flags = {f.value: f.detail["in_city"] for f in facts}
    assert flags == {
        "Tower Hill station": False,
        "Old Street station": False,
        "Fenchurch Street station": True,
        "Shoreditch High Street station": False,
    }


def test_hostile_text_is_read_without_crashing(extractor: PlaceExtractor) -> None:
    body = (
        "<div>💋💋 Liverpool\u00a0Street 💋</div>" * 2000
        + "\x00\ufffd\u202eEC2M 7PY\u202c İstanbul İİİ London"
    )
    facts = extractor.extract(advert(body=body, title="", location_text="\U0001f600"))
    found = dict(values(facts))
    assert found.get("place") is not None
    assert ("postcode", "EC2M 7PY") in values(facts)
    for fact in facts:
        for span in fact.spans:
            assert body[span.start : span.end] == span.text


@settings(max_examples=300, deadline=None)
@given(
    title=st.text(max_size=80),
    body=st.text(max_size=400)
    | st.lists(
        st.sampled_from(
            ["EC2M 7PY", "near Bank", "İ", "Liverpool St", "\u2019", " ", "Reading", "M1"]
        )
        | st.text(max_size=5)
    ).map("".join),
    location=st.text(max_size=40),
)
def test_any_text_gives_spans_that_are_slices_of_their_field(
    extractor: PlaceExtractor, title: str, body: str, location: str
) -> None:
    fields = {"title": title, "body": body, "location_text": location}
    for fact in extractor.extract(advert(**fields)):
        assert fact.kind in ("place", "postcode")
        for span in fact.spans:
            text = fields[span.field]
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start : span.end] == span.text
