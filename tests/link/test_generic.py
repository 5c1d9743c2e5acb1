"""Generic identifiers are found from the data: footers and helplines yes, booking lines no."""

from __future__ import annotations

import json

import pytest

from plainsight.capture.importer import advert_id
from plainsight.link.generic import GenericRule, find_generic
from plainsight.link.schemas import GENERIC_IDENTIFIERS

from .conftest import PersonaWorld


def _planted(world: PersonaWorld) -> dict[str, list[str]]:
    data = json.loads((world.world / "world.json").read_text())
    generic: dict[str, list[str]] = data["generic"]
    return generic


def _agency_phones(world: PersonaWorld) -> set[str]:
    agency = set()
    for line in (world.world / "truth.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["actor"] == "agency":
            agency.add(advert_id(row["source"], row["ad_id"]))
    facts = world.engine.run("SELECT advert_id, value FROM facts WHERE kind = 'phone'").to_pylist()
    return {f["value"] for f in facts if f["advert_id"] in agency}


def test_site_and_helpline_numbers_are_generic_and_no_one_elses(
    persona_world: PersonaWorld,
) -> None:
    table = find_generic(persona_world.engine)
    assert table.schema == GENERIC_IDENTIFIERS
    phones = {r["value"]: r for r in table.to_pylist() if r["kind"] == "phone"}
    planted = set(_planted(persona_world)["phones"])
    assert planted <= {v for v, r in phones.items() if r["generic"]}
    assert {v for v, r in phones.items() if r["generic"]} <= planted
    helpline = phones["+448000121700"]
    assert helpline["decided_by"] == "data"
    assert (
        "other phone numbers" in helpline["reason"]
        and f"{helpline['adverts']:,}" in (helpline["reason"])
    )


def test_an_agencys_booking_line_is_not_generic(persona_world: PersonaWorld) -> None:
    table = find_generic(persona_world.engine)
    judged = {r["value"]: r for r in table.to_pylist() if r["kind"] == "phone"}
    booking = _agency_phones(persona_world) - set(_planted(persona_world)["phones"])
    frequent = [p for p in booking if p in judged]
    assert frequent, "an agency line should be frequent enough to be judged"
    for phone in frequent:
        assert not judged[phone]["generic"], judged[phone]["reason"]
        assert "used for linking" in judged[phone]["reason"]


def test_footer_sentences_and_stock_pictures_are_generic(persona_world: PersonaWorld) -> None:
    table = find_generic(persona_world.engine).to_pylist()
    sentences = {r["value"] for r in table if r["kind"] == "sentence" and r["generic"]}
    helpline = "worried someone is being exploited?"
    assert helpline in sentences
    assert any("customer service" in s for s in sentences)
    pictures = [r for r in table if r["kind"] == "image" and r["generic"]]
    assert pictures, "site placeholders and logos should be generic"
    assert all(r["other_phones"] >= GenericRule().many_phones for r in pictures)


def test_analyst_decisions_override_the_data(persona_world: PersonaWorld) -> None:
    booking = sorted(_agency_phones(persona_world) - set(_planted(persona_world)["phones"]))[0]
    decisions = {("phone", "+448000121700"): False, ("phone", booking): True}
    table = find_generic(persona_world.engine, decisions)
    rows = {r["value"]: r for r in table.to_pylist() if r["kind"] == "phone"}
    assert rows["+448000121700"]["generic"] is False
    assert rows["+448000121700"]["decided_by"] == "analyst"
    assert rows[booking]["generic"] is True
    assert "marked generic by an analyst" in rows[booking]["reason"]


def test_unknown_kind_is_refused(persona_world: PersonaWorld) -> None:
    with pytest.raises(ValueError, match="unknown identifier kind"):
        find_generic(persona_world.engine, {("fax", "123"): True})
