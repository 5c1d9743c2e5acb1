"""Explanations read as evidence for a report: numbers, places, reasons; never a verdict."""

from __future__ import annotations

import pyarrow as pa
import pytest

from plainsight.assess.explain import LEAD, explain_link, explain_network
from plainsight.assess.score import score_networks
from plainsight.link.networks import build_networks
from tests.link.test_networks import World, make_world


@pytest.fixture(scope="module")
def explained(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, pa.Table, pa.Table]:
    w = make_world(tmp_path_factory.mktemp("explain"))
    networks, links = build_networks(w.engine, w.personas, w.generic)
    w.engine.register("networks", networks)
    w.engine.register("network_links", links)
    w.engine.register("personas", w.personas)
    scores = score_networks(w.engine, networks, w.personas)
    w.engine.register("network_scores", scores)
    return w, networks, scores


def test_top_network_explained_part_by_part(explained: tuple[World, pa.Table, pa.Table]) -> None:
    w, _, scores = explained
    top = scores.to_pylist()[0]
    text = explain_network(w.engine, top["network_id"])
    assert f"rank 1, score {top['score']:.2f}" in text
    assert f"{top['personas']} persona(s) across {top['adverts']} adverts" in text
    assert "+44" in text and "Both advertise" in text and text.endswith(LEAD)
    with pytest.raises(KeyError):
        explain_network(w.engine, "N-000000000000")


def test_link_between_adverts_of_one_network_names_the_path(
    explained: tuple[World, pa.Table, pa.Table],
) -> None:
    w, networks, _ = explained
    member = dict(
        zip(networks["persona_id"].to_pylist(), networks["network_id"].to_pylist(), strict=True)
    )
    by_network: dict[str, list[str]] = {}
    for r in w.truth:
        if r["actor"] == "network":
            by_network.setdefault(member[r["persona_id"]], []).append(r)  # type: ignore[arg-type]
    rows = next(v for v in by_network.values() if len({x["persona_id"] for x in v}) > 2)  # type: ignore[index]
    a = rows[0]
    b = next(x for x in rows if x["persona_id"] != a["persona_id"])  # type: ignore[index]
    text = explain_link(w.engine, a["advert_id"], b["advert_id"])  # type: ignore[index]
    assert "are in the same network, joined through" in text and text.endswith(LEAD)


def test_same_persona_and_unlinked_adverts(explained: tuple[World, pa.Table, pa.Table]) -> None:
    w, _, _ = explained
    solo = [r for r in w.truth if r["actor"] == "independent"]
    first = solo[0]
    twin = next((r for r in solo[1:] if r["persona_id"] == first["persona_id"]), None)
    if twin is not None:
        text = explain_link(w.engine, first["advert_id"], twin["advert_id"])
        assert "same persona" in text
    other = next(r for r in solo if r["persona_id"] != first["persona_id"])
    text = explain_link(w.engine, first["advert_id"], other["advert_id"])
    assert "are not linked into one network" in text
    assert "set aside as generic or too common" in text and "+44" in text
