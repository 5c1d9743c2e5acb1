"""Reading pages with the worked example profile: every advert of a world, in both layouts,
whole and truncated, gives the fields the page shows (the local site's own account of them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector

from plainsight.crawl.page import links, read_advert
from plainsight.crawl.profile import load_profile
from plainsight.synth import site_pages
from plainsight.synth.site_plan import SitePlan, advert_path, load_world
from tests.crawl.conftest import EXAMPLE

BASE = "http://127.0.0.1:9"
PROFILE = load_profile(EXAMPLE)


@pytest.fixture(scope="module")
def plan(world: Path) -> SitePlan:
    adverts, skipped = load_world(world, None)
    assert not skipped
    return SitePlan(world, adverts, seed=5, faults=True)


@pytest.mark.parametrize("round_", [1, 2])
def test_every_advert_page_reads_as_the_site_shows_it(plan: SitePlan, round_: int) -> None:
    expected = plan.expected(round_, BASE)
    assert expected.changed_layout and expected.truncated  # both hard cases are exercised
    for key, shown in expected.adverts.items():
        capture = plan.capture(round_, key)
        assert capture is not None
        html = site_pages.advert_page(
            key,
            capture,
            v2=key in plan.faults.changed_layout,
            truncated=key in plan.faults.truncated,
        )
        reading = read_advert(html, BASE + advert_path(key), PROFILE)
        got = {"source": reading.source, "ad_id": reading.ad_id, "url": reading.url}
        got.update(reading.fields)
        if reading.image_urls:
            got["images"] = reading.image_urls
        assert got == shown, key
        assert reading.truncated == (key in plan.faults.truncated)
        if reading.truncated:
            assert "images" in reading.missing and reading.problem
        else:
            assert reading.missing == [] and reading.problem is None


def test_a_page_that_is_not_an_advert_has_no_key() -> None:
    reading = read_advert(site_pages.private_page(), BASE + "/private/admin", PROFILE)
    assert reading.source is None and reading.ad_id is None
    assert set(reading.missing) == {"title", "body", "location_text", "posted_at"}


def test_the_url_pattern_is_the_last_resort_for_the_key() -> None:
    html = "<html><body><h1 class='x'>Hi</h1></body></html>"
    reading = read_advert(html, BASE + "/s/velvetlist/ad/123", PROFILE)
    assert (reading.source, reading.ad_id) == ("velvetlist", "123")


def test_unusable_values_are_left_out_with_a_note() -> None:
    html = (
        '<html><article class="advert" data-source="s" data-ad-id="1">'
        '<h1 class="title">T</h1><span class="age">twenty</span>'
        '<time class="posted" datetime="2024-03-01T10:00:00">then</time></article></html>'
    )
    reading = read_advert(html, BASE + "/s/s/ad/1", PROFILE)
    assert "age" not in reading.fields and "posted_at" not in reading.fields
    assert any("age is not a number" in note for note in reading.notes)
    assert any("posted_at" in note and "offset" in note for note in reading.notes)
    assert reading.problem is not None and "not found on the page: body" in reading.problem


def test_the_digest_ignores_the_host_but_not_the_content() -> None:
    html = site_pages.advert_page(
        ("s", "1"), {"title": "A", "body": "x", "images": ["images/a.jpg"]}, v2=False,
        truncated=False,
    )  # fmt: skip
    here = read_advert(html, "http://127.0.0.1:1/s/s/ad/1", PROFILE)
    there = read_advert(html, "http://127.0.0.1:2/s/s/ad/1", PROFILE)
    assert here.digest() == there.digest()
    edited = read_advert(html.replace(">A<", ">B<"), "http://127.0.0.1:1/s/s/ad/1", PROFILE)
    assert edited.digest() != here.digest()


def test_listing_links_are_absolute_and_private_links_are_not_adverts(plan: SitePlan) -> None:
    keys = plan.listing(1, plan.sources[0]) or []
    html = site_pages.listing_page(
        plan.sources[0], 1, 2, [(k, plan.capture(1, k) or {}) for k in keys[:20]]
    )
    url = f"{BASE}/s/{plan.sources[0]}/?page=1"
    page = Selector(text=html)
    adverts = links(page, url, PROFILE.links.advert)
    assert adverts == [BASE + advert_path(k) for k in keys[:20]]
    assert links(page, url, PROFILE.links.next_page) == [f"{BASE}/s/{plan.sources[0]}/?page=2"]
    assert not any("/private/" in link for link in adverts)
