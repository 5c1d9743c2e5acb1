"""The indicator catalogue and engine: each indicator fires on its evidence, and only there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainsight.extract.facts import TEXT_FIELDS, AdvertText, Fact, Hit, Span
from plainsight.extract.indicators import (
    ADVERT_CHECKS,
    CATALOGUE_FILE,
    Catalogue,
    IndicatorEngine,
)
from plainsight.extract.persona import PersonaExtractor

DOCS = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"
PERSONA = PersonaExtractor()
ENGINE = IndicatorEngine(price_medians={"default": 150.0, "Leeds": 120.0})

INDEPENDENT = (
    "Hi gentlemen, I'm Sophie, 29. I work alone and choose my own clients. I love good "
    "conversation, theatre and a glass of wine. Incall in my flat, outcall to hotels. "
    "£180 per hour. Independent, not an agency, no driver. Text me first please x"
)


def advert(body: str, title: str = "", **fields: str) -> AdvertText:
    return AdvertText("site", "ad-1", {"title": title, "body": body, **fields})


def hits(body: str, title: str = "", extra: list[Fact] | None = None, **fields: str) -> list[Hit]:
    ad = advert(body, title, **fields)
    return ENGINE.evaluate(ad, PERSONA.extract(ad) + (extra or []))


def hit(indicator: str, body: str, title: str = "", **fields: str) -> Hit | None:
    found = [h for h in hits(body, title, None, **fields) if h.indicator == indicator]
    return found[0] if found else None


def evidence(h: Hit | None) -> list[str]:
    assert h is not None, "indicator did not fire"
    return [s.text for s in h.evidence]


# ------------------------------------------------------------------ text indicators


@pytest.mark.parametrize(
    ("indicator", "body", "expected"),
    [
        ("youth_language", "Young, slim and playful. Petite size 6.", ["Young", "Petite"]),
        ("youth_language", "Fresh face, new to this.", ["Fresh face", "new to this"]),
        (
            "reassurance_language",
            "Real photos 100%. Genuine and safe.",
            ["Real photos", "Genuine", "safe"],
        ),
        (
            "movement_language",
            "New in town! Only here this week.",
            ["New in town", "Only here this week"],
        ),
        ("third_person", "She is very friendly. Book this girl now.", ["She", "this girl"]),
        (
            "several_workers",
            "2 girls available, new girls every week.",
            ["2 girls", "new girls every week"],
        ),
        ("controller_cues", "Call my manager to book.", ["my manager"]),
        (
            "controller_cues",
            "Booking line open 11am until late. Driver available.",
            ["Booking line", "Driver"],
        ),
        ("controller_cues", "Please call my friend to arrange.", ["call my friend"]),
    ],
)
def test_text_indicators_fire_with_their_evidence(
    indicator: str, body: str, expected: list[str]
) -> None:
    found = hit(indicator, body)
    assert evidence(found) == expected
    for span in found.evidence if found else ():
        assert body[span.start : span.end] == span.text


@pytest.mark.parametrize(
    ("indicator", "body"),
    [
        ("youth_language", "Mature gentlemen are welcome, I am young at heart."),
        ("reassurance_language", "I love art galleries and good food."),
        ("movement_language", "I have lived in Leeds for years."),
        ("third_person", "I am new in town and I love to laugh."),
        ("several_workers", "I work alone, just me."),
        ("controller_cues", "Independent, not an agency. No manager, no driver."),
    ],
)
def test_text_indicators_stay_quiet_on_negatives(indicator: str, body: str) -> None:
    assert hit(indicator, body) is None


def test_an_independent_first_person_advert_fires_no_control_indicator() -> None:
    fired = {h.indicator for h in hits(INDEPENDENT, title="Sophie - elegant companion")}
    assert not fired & {"third_person", "controller_cues", "several_workers"}


def test_movement_lowers_and_the_others_raise() -> None:
    (movement,) = hits("Just arrived in Leeds.")
    assert movement.indicator == "movement_language"
    assert movement.weight == -0.5
    assert hit("controller_cues", "my manager") is not None
    assert all(
        h.weight > 0 for h in hits("Young, call my manager.") if h.indicator != "movement_language"
    )


def test_evidence_points_into_the_right_field() -> None:
    found = hit("youth_language", "Friendly and relaxed.", title="Young Mia in Leeds")
    assert found is not None
    assert [(s.field, s.start, s.end) for s in found.evidence] == [("title", 0, 5)]


# ------------------------------------------------------------------ fact indicators


def test_obscured_contact_fires_on_obfuscated_phones_only() -> None:
    body = "Call o7700 9OO 123 now"
    written = "o7700 9OO 123"
    hidden = Fact("phone", "+447700900123", (Span("body", 5, 18, written),), written="obfuscated")
    plain = Fact("phone", "+447700900456", (Span("body", 0, 4, "Call"),), written="plain")
    found = [h for h in hits(body, extra=[hidden, plain]) if h.indicator == "obscured_contact"]
    assert [s.text for h in found for s in h.evidence] == [written]
    assert "+447700900123" in found[0].note
    assert not [h for h in hits(body, extra=[plain]) if h.indicator == "obscured_contact"]


def test_stated_ethnicity_and_nationality() -> None:
    assert evidence(hit("stated_ethnicity", "Sweet Romanian girl, Oriental beauty")) == [
        "Oriental",
        "Romanian",
    ]
    assert hit("stated_ethnicity", "Sweet girl next door") is None


def test_restricted_availability() -> None:
    assert evidence(hit("restricted_availability", "Outcall only. Open 24/7, no rush.")) == [
        "Outcall only",
        "24/7",
        "no rush",
    ]
    assert hit("restricted_availability", "Available most evenings and weekends.") is None


def test_price_far_below_the_median() -> None:
    found = hit("price_below_median", "Cheap prices, £80 1 hour.")
    assert evidence(found) == ["£80 1 hour"]
    assert found is not None and "150" in found.note
    assert hit("price_below_median", "£120 per hour") is None  # 0.8 of the default median
    assert hit("price_below_median", "£80 for 30 minutes") is None  # not a one-hour price


def test_price_median_by_town() -> None:
    assert hit("price_below_median", "£80 per hour", location_text="Leeds") is None
    assert hit("price_below_median", "£70 per hour", location_text="Leeds") is not None
    ad = advert("£80 per hour")
    assert not [h for h in IndicatorEngine().evaluate(ad, PERSONA.extract(ad))]


def test_very_young_stated_age() -> None:
    found = hit("very_young_age", "Fresh new girl, 17yo.")
    assert evidence(found) == ["17"]
    assert found is not None and "Under 18" in found.note
    assert hit("very_young_age", "Elegant lady, 24 years old.") is None
    ad = AdvertText("site", "1", {"body": "Hello"}, age=19)
    (from_field,) = [h for h in ENGINE.evaluate(ad, PERSONA.extract(ad))]
    assert (from_field.indicator, from_field.evidence) == ("very_young_age", ())


def test_hits_follow_catalogue_order_and_carry_notes() -> None:
    body = "This is Lara, she is 18 and Romanian. Young and petite. Call my manager. Outcall only."
    found = hits(body)
    order = [i.id for i in Catalogue.load()]
    assert [h.indicator for h in found] == sorted((h.indicator for h in found), key=order.index)
    assert {"third_person", "youth_language", "controller_cues", "very_young_age"} <= {
        h.indicator for h in found
    }
    assert all(h.note and h.level == "advert" for h in found)


# ------------------------------------------------------------------ weights per force


def test_weights_override_per_force() -> None:
    catalogue = Catalogue.load(weights={"youth_language": 2.5, "movement_language": 1.0})
    assert catalogue.get("youth_language").weight == 2.5
    assert catalogue.get("controller_cues").weight == Catalogue.load().get("controller_cues").weight
    engine = IndicatorEngine(catalogue)
    ad = advert("Young and new in town.")
    weights = {h.indicator: h.weight for h in engine.evaluate(ad, [])}
    assert weights == {"youth_language": 2.5, "movement_language": -1.0}


def test_weight_zero_switches_an_indicator_off() -> None:
    engine = IndicatorEngine(Catalogue.load(weights={"youth_language": 0}))
    assert engine.evaluate(advert("Young and petite"), []) == []


def test_unknown_ids_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no_such_thing, youth_langauge"):
        Catalogue.load(weights={"youth_langauge": 1.0, "no_such_thing": 2.0})


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf")])
def test_bad_weights_are_refused(weight: float) -> None:
    with pytest.raises(ValueError, match="youth_language"):
        Catalogue.load(weights={"youth_language": weight})


def test_a_malformed_catalogue_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    entry = 'id = "x"\nlabel = "X"\nlevel = "street"\nweight = 1\ndirection = "raises"\n'
    entry += 'basis = "b"\ndescription = "d"\n'
    path.write_text("[[indicator]]\n" + entry, encoding="utf-8")
    with pytest.raises(ValueError, match="level"):
        Catalogue.load(path)


# ------------------------------------------------------------------ the catalogue file and docs


def test_catalogue_file_parses_and_is_complete() -> None:
    raw = tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["indicator"]
    ids = [entry["id"] for entry in raw]
    assert len(ids) == len(set(ids))
    catalogue = Catalogue.load()
    assert [i.id for i in catalogue] == ids
    for indicator in catalogue:
        assert indicator.label and indicator.basis and indicator.description
        assert indicator.weight >= 0
    levels = {i.level for i in catalogue}
    assert levels == {"advert", "persona", "network"}


def test_every_advert_indicator_has_a_check_and_every_check_an_indicator() -> None:
    catalogue = Catalogue.load()
    advert_ids = {i.id for i in catalogue if i.level == "advert"}
    assert advert_ids == {ident for ident, _ in ADVERT_CHECKS}


def test_the_basis_is_honest_about_the_evidence() -> None:
    catalogue = Catalogue.load()
    for ident in ("obscured_contact", "youth_language", "stated_ethnicity", "reassurance_language"):
        assert "Lugo-Graulich" in catalogue.get(ident).basis
    assert catalogue.get("movement_language").direction == "lowers"
    assert "LESS common" in catalogue.get("movement_language").basis
    for ident in ("third_person", "several_workers", "controller_cues", "restricted_availability"):
        assert "Screening signal" in catalogue.get(ident).basis


def test_docs_list_every_indicator_with_its_weight() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for indicator in Catalogue.load():
        row = re.search(rf"^\|\s*`{indicator.id}`\s*\|.*$", text, re.MULTILINE)
        assert row is not None, f"{indicator.id} missing from docs/indicators.md"
        assert f"| {indicator.weight:g} |" in row.group(), indicator.id
        assert f"| {indicator.direction} |" in row.group(), indicator.id


# ------------------------------------------------------------------ bad input


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(TEXT_FIELDS), st.text(), max_size=6))
def test_never_crashes_and_evidence_is_the_text(fields: dict[str, str]) -> None:
    ad = AdvertText("site", "x", fields)
    for h in ENGINE.evaluate(ad, PERSONA.extract(ad)):
        for span in h.evidence:
            assert ad.text(span.field)[span.start : span.end] == span.text


def test_a_megabyte_of_text() -> None:
    body = ("She is young, call my manager. 💋 " * 40_000)[:1_000_000]
    found = {h.indicator: len(h.evidence) for h in hits(body)}
    assert found["third_person"] > 1000
    assert found["controller_cues"] > 1000
