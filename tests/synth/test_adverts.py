"""The synthetic advert world: valid, deterministic, and hard in the ways real data is hard."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from plainsight.synth.adverts import generate_adverts
from plainsight.synth.numbers import HELPLINE, is_drama
from plainsight.synth.places import CITIES, CITY_OF_LONDON
from tests.synth.synth_phone_reader import capture_numbers

GENERIC_NATIONAL = {"03069990118", "03069990442", "02079460771", "08081570305", "08000121700"}


@dataclass
class World:
    root: Path
    captures: list[dict[str, object]]
    truth: dict[tuple[str, str], dict[str, str]]
    meta: dict[str, object]

    def owner(self, capture: dict[str, object]) -> dict[str, str]:
        return self.truth[(str(capture["source"]), str(capture["ad_id"]))]


def _load(root: Path) -> World:
    captures = [json.loads(line) for line in (root / "adverts.jsonl").read_text().splitlines()]
    rows = [json.loads(line) for line in (root / "truth.jsonl").read_text().splitlines()]
    truth = {(r["source"], r["ad_id"]): r for r in rows}
    assert len(truth) == len(rows), "truth has one line per advert"
    return World(root, captures, truth, json.loads((root / "world.json").read_text()))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("world")
    generate_adverts(root, scale=1.0, seed=0, images=True)
    return _load(root)


def _advertiser_numbers(capture: dict[str, object]) -> set[str]:
    return {n for n in capture_numbers(capture) if n not in GENERIC_NATIONAL}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    paths = [tmp_path / name for name in ("a", "b", "c")]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        generate_adverts(path, scale=0.2, seed=seed, images=True)
    for name in ("adverts.jsonl", "truth.jsonl", "world.json"):
        assert (paths[0] / name).read_bytes() == (paths[1] / name).read_bytes()
        assert (paths[0] / name).read_bytes() != (paths[2] / name).read_bytes()
    images = [sorted(p.relative_to(root) for p in (root / "images").rglob("*.*")) for root in paths]
    assert images[0] == images[1] and images[0] != images[2]


def test_without_images_only_the_images_field_is_missing(world: World, tmp_path: Path) -> None:
    summary = generate_adverts(tmp_path, scale=1.0, seed=0, images=False)
    plain = _load(tmp_path)
    assert summary.images == 0 and not (tmp_path / "images").exists()
    assert all("images" not in c for c in plain.captures)
    stripped = [{k: v for k, v in c.items() if k != "images"} for c in world.captures]
    assert stripped == plain.captures


def test_every_line_is_valid_interchange_in_time_order(world: World) -> None:
    optional_str = ("url", "posted_at", "title", "body", "location_text", "name", "phone", "email")
    stamps = []
    for capture in world.captures:
        assert isinstance(capture["source"], str) and isinstance(capture["ad_id"], str)
        stamp = str(capture["captured_at"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
        stamps.append(stamp)
        for key in optional_str:
            assert key not in capture or isinstance(capture[key], str)
        assert str(capture["posted_at"]) < stamp
        age = capture.get("age")
        assert age is None or (isinstance(age, int) and 18 <= age <= 50)
        assert "extra" not in capture or isinstance(capture["extra"], dict)
        email = capture.get("email")
        assert email is None or re.fullmatch(r"[\w.]+@example\.(com|org|net)", str(email))
        for rel in capture.get("images", []):  # type: ignore[attr-defined]
            assert re.fullmatch(r"images/[0-9a-f]{2}/[0-9a-f]{24}\.(jpg|png)", rel)
            assert (world.root / rel).is_file()
    assert stamps == sorted(stamps)
    start = datetime.fromisoformat(str(world.meta["date_range"]["start"]))  # type: ignore[index]
    assert datetime.fromisoformat(stamps[0]) >= start


def test_truth_and_summary_describe_the_adverts(world: World) -> None:
    keys = {(str(c["source"]), str(c["ad_id"])) for c in world.captures}
    assert keys == set(world.truth)
    counts = world.meta["counts"]
    assert counts["adverts"] == len(keys) and counts["captures"] == len(world.captures)  # type: ignore[index]
    assert 2500 <= len(keys) <= 3800
    assert 1.25 <= len(world.captures) / len(keys) <= 1.6
    actors = Counter(r["actor"] for r in world.truth.values())
    assert set(actors) == {"independent", "network", "agency"}
    for row in world.truth.values():
        assert row["network_id"].startswith("N-solo-") == (row["actor"] == "independent")
    personas = {r["persona_id"]: r["actor"] for r in world.truth.values()}
    share = Counter(personas.values())["independent"] / len(personas)
    assert 0.4 <= share <= 0.7


def test_every_number_is_a_drama_number_or_the_helpline(world: World) -> None:
    for capture in world.captures:
        numbers = capture_numbers(capture)
        assert all(is_drama(n) or n == HELPLINE.national for n in numbers), numbers
        assert _advertiser_numbers(capture), capture


def test_every_obfuscation_style_appears(world: World) -> None:
    text = "\n".join(
        f"{c.get('phone', '')}\n{c.get('title')}\n{c.get('body')}" for c in world.captures
    )
    styles = {
        "spaced": r"\b07700 900 \d{3}\b",
        "dotted": r"\b07700\.900\.\d{3}\b",
        "dashed": r"\b07700-900-\d{3}\b",
        "letters": r"[Oo]77[Oo][Oo] 9[Oo][Oo] [\dlIiOo]{3}",
        "words": r"(?i)seven[ -]seven[ -](double[ -]oh|double[ -]zero|oh[ -]oh|zero[ -]zero)",
        "intl": r"\+44 7700 900\d{3}",
        "intl00": r"\b0044 7700 900\d{3}",
        "intl_paren": r"\+44 \(0\) 7700 900\d{3}",
        "keycaps": "0\ufe0f\u20e37\ufe0f\u20e37\ufe0f\u20e3",
        "split": r"(?i)(then|last part|rest of the number is|finish with) 900 ?\d{3}",
        "plain": r"\b07700900\d{3}\b",
    }
    missing = [name for name, pattern in styles.items() if not re.search(pattern, text)]
    assert not missing
    empty_field = [c for c in world.captures if c["source"] == "velvetlist" and "phone" not in c]
    assert empty_field, "some adverts leave the phone field empty and give the number in text"


def test_site_footers_carry_generic_identifiers(world: World) -> None:
    by_site: dict[str, list[bool]] = defaultdict(list)
    for capture in world.captures:
        by_site[str(capture["source"])].append("08000 121 700" in str(capture["body"]))
    helpline_sites = {site for site, seen in by_site.items() if all(seen)}
    assert len(helpline_sites) >= 2
    assert all(not any(seen) for site, seen in by_site.items() if site not in helpline_sites)
    generic = world.meta["generic"]
    assert HELPLINE.e164 in generic["phones"]  # type: ignore[index]
    body = "\n".join(str(c["body"]) for c in world.captures)
    for sentence in generic["sentences"]:  # type: ignore[index]
        assert body.count(sentence) >= 50


def test_stock_pictures_are_shared_by_unrelated_networks(world: World) -> None:
    generic = set(world.meta["generic"]["images"])  # type: ignore[index]
    users: dict[str, set[str]] = defaultdict(set)
    for capture in world.captures:
        for rel in capture.get("images", []):  # type: ignore[attr-defined]
            if rel in generic:
                users[rel].add(world.owner(capture)["network_id"])
    assert sum(len(networks) >= 2 for networks in users.values()) >= 3


def test_networks_reuse_pictures_between_personas(world: World) -> None:
    generic = set(world.meta["generic"]["images"])  # type: ignore[index]
    holders: dict[str, set[str]] = defaultdict(set)
    for capture in world.captures:
        owner = world.owner(capture)
        for rel in capture.get("images", []):  # type: ignore[attr-defined]
            if rel not in generic and owner["actor"] == "network":
                holders[rel].add(owner["persona_id"])
    assert any(len(personas) >= 2 for personas in holders.values())


def test_common_names_are_shared_by_unrelated_personas(world: World) -> None:
    networks_by_name: dict[str, set[str]] = defaultdict(set)
    for capture in world.captures:
        if "name" in capture:
            networks_by_name[str(capture["name"])].add(world.owner(capture)["network_id"])
    assert sum(len(n) >= 2 for n in networks_by_name.values()) >= 20
    assert max(len(n) for n in networks_by_name.values()) >= 15


def test_numbers_follow_the_actors(world: World) -> None:
    numbers: dict[str, set[str]] = defaultdict(set)
    personas_by_number: dict[str, set[str]] = defaultdict(set)
    networks_by_number: dict[str, set[str]] = defaultdict(set)
    actor_of: dict[str, str] = {}
    for capture in world.captures:
        owner = world.owner(capture)
        actor_of[owner["network_id"]] = owner["actor"]
        for number in _advertiser_numbers(capture):
            numbers[owner["network_id"]].add(number)
            personas_by_number[number].add(owner["persona_id"])
            networks_by_number[number].add(owner["network_id"])
    assert all(len(n) == 1 for n in networks_by_number.values()), "no number is shared by chance"
    controlled = [nid for nid, actor in actor_of.items() if actor == "network"]
    assert all(1 <= len(numbers[nid]) <= 3 for nid in controlled)
    assert any(len(numbers[nid]) >= 2 for nid in controlled)
    assert any(len(personas_by_number[n]) >= 3 for nid in controlled for n in numbers[nid])
    agencies = [nid for nid, actor in actor_of.items() if actor == "agency"]
    assert agencies and all(len(numbers[nid]) == 1 for nid in agencies)
    assert all(len(personas_by_number[next(iter(numbers[nid]))]) >= 5 for nid in agencies)
    switched = Counter(p for n, ps in personas_by_number.items() for p in ps)
    assert any(count >= 2 for count in switched.values()), "some persona changes number"


def _city(location: str) -> str | None:
    if "," in location:
        return location.rsplit(",", 1)[1].strip()
    names = {c.name for c in CITIES}
    if location in names:
        return location
    london = {s.postcode for s in CITY_OF_LONDON} | {s.district for s in CITY_OF_LONDON}
    if location in london:
        return "London"
    homes = {s.district: c.name for c in CITIES for s in c.spots}
    return homes.get(location)


def test_networks_move_between_cities(world: World) -> None:
    cities: dict[str, set[str]] = defaultdict(set)
    for capture in world.captures:
        owner = world.owner(capture)
        city = _city(str(capture["location_text"]))
        if city and owner["actor"] == "network":
            cities[owner["network_id"]].add(city)
    assert sum(len(c) >= 2 for c in cities.values()) >= 5


def test_people_repost_across_sites_names_and_edits(world: World) -> None:
    sites: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    bodies: dict[tuple[str, str], set[str]] = defaultdict(set)
    for capture in world.captures:
        persona = world.owner(capture)["persona_id"]
        sites[persona].add(str(capture["source"]))
        if "name" in capture:
            names[persona].add(str(capture["name"]))
        bodies[(str(capture["source"]), str(capture["ad_id"]))].add(str(capture["body"]))
    assert sum(len(s) >= 2 for s in sites.values()) >= 50
    assert sum(len(n) >= 2 for n in names.values()) >= 20
    assert sum(len(b) >= 2 for b in bodies.values()) >= 100


def _rate(world: World, actor: str, pattern: str) -> float:
    """Share of adverts matching ``pattern``, averaged over the actor's groups."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for capture in world.captures:
        owner = world.owner(capture)
        if owner["actor"] == actor:
            found = re.search(pattern, str(capture["body"]), re.IGNORECASE)
            hits[owner["network_id"]].append(bool(found))
    return sum(sum(h) / len(h) for h in hits.values()) / len(hits)


def test_indicator_vocabulary_differs_by_actor(world: World) -> None:
    movement = r"new in town|just arrived|only here this week"
    assert _rate(world, "independent", movement) > _rate(world, "network", movement) > 0
    third = r"\bshe is\b|\bshe will\b|my manager|booking line|call my friend|girls available"
    assert _rate(world, "network", third) > 3 * _rate(world, "independent", third)
    youth = r"\byoung\b|petite|fresh"
    assert _rate(world, "network", youth) > 1.5 * _rate(world, "independent", youth)
    assert _rate(world, "agency", r"www\.\w+\.example\.com") > 0.9


def test_networks_price_below_independents(world: World) -> None:
    prices: dict[str, list[int]] = defaultdict(list)
    for capture in world.captures:
        match = re.search(r"£(\d+) (per hour|1 hour)|1hr £(\d+)|1h £(\d+)", str(capture["body"]))
        if match and "London" in str(capture["body"]):
            value = next(g for g in match.groups() if g and g.isdigit())
            prices[world.owner(capture)["actor"]].append(int(value))
    median = {actor: sorted(v)[len(v) // 2] for actor, v in prices.items() if v}
    assert median["network"] < 0.85 * median["independent"]


def test_naive_phone_linking_collapses_into_one_cluster(world: World) -> None:
    keys = sorted(world.truth)
    index = {key: i for i, key in enumerate(keys)}
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_holder: dict[str, int] = {}
    for capture in world.captures:
        me = index[(str(capture["source"]), str(capture["ad_id"]))]
        for number in capture_numbers(capture):
            other = first_holder.setdefault(number, me)
            parent[find(me)] = find(other)
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        clusters[find(i)].append(i)
    assert max(len(c) for c in clusters.values()) >= 0.95 * len(keys)
    true_pairs = found_pairs = 0
    for members in clusters.values():
        found_pairs += len(members) * (len(members) - 1) // 2
        by_network = Counter(world.truth[keys[i]]["network_id"] for i in members)
        true_pairs += sum(n * (n - 1) // 2 for n in by_network.values())
    assert true_pairs / found_pairs < 0.05


def test_adverts_grow_linearly_with_scale(tmp_path: Path) -> None:
    small = generate_adverts(tmp_path / "s", scale=0.25, seed=3, images=False)
    large = generate_adverts(tmp_path / "l", scale=1.0, seed=3, images=False)
    assert 3.2 <= large.adverts / small.adverts <= 4.8
    assert 3.2 <= large.personas / small.personas <= 4.8


def test_progress_is_reported_and_scale_checked(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    generate_adverts(
        tmp_path, scale=0.5, images=False, on_progress=lambda d, t: calls.append((d, t))
    )
    assert len(calls) >= 2 and calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    with pytest.raises(ValueError, match="scale"):
        generate_adverts(tmp_path, scale=0)
