"""The sanitised copy: exactly what is removed, and what is kept for the reader."""

from __future__ import annotations

import pytest

from plainsight.act.intel_sanitise import Sanitiser

KNOWN = {
    "name": ["Anna", "Ruby Rose"],
    "ad_id": ["ci-yli2y2", "67737330"],
    "handle": ["telegram:@evexx696"],
    "postcode": ["EC1M 3HE"],
}


def clean(text: str, **extra: list[str]) -> str:
    return Sanitiser(KNOWN, **extra).sanitise(text).text


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Call +447700900909 (11 adverts).", "Call [phone removed] (11 adverts)."),
        ("Call 07700 900399 today.", "Call [phone removed] today."),
        ("Landline (020) 7946 0771.", "Landline [phone removed]."),
        ("Spaced +44 20 7946-0771.", "Spaced [phone removed]."),
    ],
)
def test_phone_numbers_in_every_common_writing_are_removed(written: str, expected: str) -> None:
    assert clean(written) == expected


def test_numbers_that_are_not_phones_are_kept() -> None:
    text = "Weight 0.5 x 3.1699 = +1.58; 14 May 2023 – 29 Sep 2023; 44 of 44 adverts; GBP 60/30min."
    assert clean(text) == text


def test_emails_urls_and_handles_are_removed_without_eating_punctuation() -> None:
    text = (
        "Mail Bookings.Secret12@example.com, see https://www.velvetlist.example/ads/1 "
        "or www.x.example. Also telegram:@evexx696, snapchat:@x_y and @someone."
    )
    assert clean(text) == (
        "Mail [e-mail removed], see [URL removed] or [URL removed]. Also [handle removed], "
        "[handle removed] and [handle removed]."
    )


def test_advert_ids_are_removed_but_persona_and_network_ids_kept() -> None:
    text = (
        "Adverts A43c67c6ac701b0da0bfc, ci-yli2y2 and 67737330 of P-1ecec791209c in N-175a8cd3fb8c."
    )
    assert clean(text) == (
        "Adverts [advert id removed], [advert id removed] and [advert id removed] of "
        "P-1ecec791209c in N-175a8cd3fb8c."
    )


def test_names_are_removed_as_whole_words_in_any_case_longest_first() -> None:
    text = "Ruby Rose, ANNA and anna; Annabel and Rubyx stay; Maria Popescu too."
    assert clean(text, names=["Maria Popescu"]) == (
        "[name removed], [name removed] and [name removed]; Annabel and Rubyx stay; "
        "[name removed] too."
    )


def test_exact_addresses_go_and_postcodes_are_cut_to_their_district() -> None:
    text = (
        "At Flat 3, 12 Coleman Street, EC2M 7PY; also 4 High Road; EC1M 3HE; "
        "Block C, Mile End Estate. Towns Liverpool, L1; Farringdon station."
    )
    result = Sanitiser(KNOWN, addresses=["Block C, Mile End Estate"]).sanitise(text)
    assert result.text == (
        "At [address removed], EC2M; also [address removed]; EC1M; [address removed]. "
        "Towns Liverpool, L1; Farringdon station."
    )
    assert result.removed == {"address": 3, "postcode": 2}


def test_counts_say_what_was_removed() -> None:
    result = Sanitiser(KNOWN).sanitise("Anna on 07700 900399 and anna@example.com")
    assert result.removed == {"email": 1, "phone": 1, "name": 1}
    assert result.text == "[name removed] on [phone removed] and [e-mail removed]"


def test_a_very_short_site_ad_id_is_not_treated_as_a_term() -> None:
    result = Sanitiser({"ad_id": ["12", "ci-yli2y2"]}).sanitise("12 adverts; ad ci-yli2y2.")
    assert result.text == "12 adverts; ad [advert id removed]."
