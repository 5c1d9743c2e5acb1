"""The profile file: the worked example loads, and a bad profile is one line naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from plainsight.crawl.profile import ProfileError, load_profile
from tests.crawl.conftest import EXAMPLE


def test_the_worked_example_loads_and_says_who_is_crawling() -> None:
    profile = load_profile(EXAMPLE)
    assert profile.name == "local-site"
    assert profile.politeness.obey_robots
    assert profile.politeness.agent() == (
        "plainsight/0.1.0 (+City of London Police; contact: capture-team@example.org)"
    )
    assert profile.domains() == ["127.0.0.1"]
    assert set(profile.fields.rules()) == {
        "title", "body", "name", "age", "location_text", "phone", "email", "posted_at", "images"
    }  # fmt: skip
    assert len(profile.fields.rules()["age"].select) == 2  # usual layout, then ad-v2


def broken(old: str, new: str) -> str:
    text = EXAMPLE.read_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'contact = "capture-team@example.org"',
            'contact = "call us"',
            "politeness.contact: must give a contact",
        ),
        ('contact = "capture-team@example.org"', "", "politeness: give 'contact'"),
        (
            'title = ["article.advert h1.title"',
            'title = ["article.advert h1..title"',
            "fields.title.select[0]: not a valid css selector",
        ),
        (
            "xpath://dl[contains(@class, 'ad-facts')]/dt[normalize-space(.)='Age']",
            "xpath://dl[contains(@class, 'ad-facts']/dt[normalize-space(.)='Age']",
            "fields.age.select[1]: not a valid xpath selector",
        ),
        ("'url:/s/([^/?#]+)/ad/'", "'url:/s/[^/?#]+/ad/'", "needs a group"),
        ("delay_seconds = 1.0", "delay = 1.0", "politeness.delay: unknown field"),
        ("delay_seconds = 1.0", "delay_seconds = -1", "politeness.delay_seconds: Input should be"),
        ('# hours = "20:00-06:00"', 'hours = "8pm-6am"', "politeness.hours: hours must look like"),
        ('timezone = "Europe/London"', 'timezone = "Mars/Olympus"', "unknown time zone"),
        ('start_urls = ["http://127.0.0.1:8765/"]', 'start_urls = ["ftp://x/"]', "start_urls"),
        ('name = "local-site"', 'name = "Local Site!"', "name: String should match"),
        ('expected = ["title"', 'expected = ["headline"', "advert.expected: unknown field"),
        ('version = "1"\n', "", "version: required"),
        ("[links]", "[links", "not valid TOML"),
    ],
)
def test_a_bad_profile_is_one_line_naming_the_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(broken(old, new))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    text = str(caught.value)
    assert message.lower() in text.lower(), text
    assert "\n" not in text and text.startswith(str(path))


def test_a_missing_profile_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(tmp_path / "nowhere.toml")


def test_allowed_hours_may_wrap_midnight_in_local_time(tmp_path: Path) -> None:
    path = tmp_path / "night.toml"
    path.write_text(broken('# hours = "20:00-06:00"', 'hours = "20:00-06:00"'))
    polite = load_profile(path).politeness
    # London is on GMT in January and BST (UTC+1) in July.
    assert polite.allowed_now(datetime(2024, 1, 10, 21, 0, tzinfo=UTC))
    assert polite.allowed_now(datetime(2024, 1, 10, 5, 59, tzinfo=UTC))
    assert not polite.allowed_now(datetime(2024, 1, 10, 12, 0, tzinfo=UTC))
    assert polite.allowed_now(datetime(2024, 7, 10, 19, 30, tzinfo=UTC))  # 20:30 BST
    assert not polite.allowed_now(datetime(2024, 7, 10, 5, 30, tzinfo=UTC))  # 06:30 BST


def test_a_whole_user_agent_must_still_give_a_contact(tmp_path: Path) -> None:
    path = tmp_path / "ua.toml"
    path.write_text(broken('organisation = "City of London Police"', 'user_agent = "Mozilla/5.0"'))
    with pytest.raises(ProfileError, match=r"politeness\.user_agent: must give a contact"):
        load_profile(path)
