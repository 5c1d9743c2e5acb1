"""The tables linking and assessment write: networks, the links between personas, scores.

Declared once here, with what each column means; the network stage
(:mod:`plainsight.link.networks`) writes ``networks`` and ``network_links``, the scoring
stage (:mod:`plainsight.assess.score`) writes ``network_scores``, and explanations
(:mod:`plainsight.assess.explain`) read all three.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

NETWORKS = pa.schema(
    [
        ("persona_id", pa.string()),  # the persona (from the persona stage)
        ("network_id", pa.string()),  # "N-" + 12 hex of SHA-256 of its earliest persona's id
        ("component_id", pa.string()),  # the connected component it came from (same id form)
        ("split", pa.bool_()),  # True when community detection split that component
    ]
)

NETWORK_LINKS = pa.schema(
    [
        ("persona_a", pa.string()),  # the pair, persona_a < persona_b
        ("persona_b", pa.string()),
        ("kind", pa.string()),  # phone | email | handle | picture | text
        ("value", pa.string()),  # the shared number/e-mail/handle; picture: "sha_a sha_b"
        ("advert_a", pa.string()),  # an advert of persona_a showing it
        ("advert_b", pa.string()),  # an advert of persona_b showing it
        ("weight", pa.float64()),  # how much the link counts in the graph (see networks.py)
        ("reason", pa.string()),  # plain English: why these personas are linked
        ("within", pa.bool_()),  # both personas ended in the same network (False: cut)
    ]
)

NETWORK_SCORES = pa.schema(
    [
        ("network_id", pa.string()),
        ("rank", pa.int64()),  # 1 = highest score; ties broken by network_id
        ("score", pa.float64()),  # the sum of the parts' contributions
        ("parts", pa.string()),  # JSON list of {name, weight, value, contribution, text}
        ("personas", pa.int64()),
        ("adverts", pa.int64()),
        ("numbers", pa.int64()),  # distinct phone numbers, generic ones left out
        ("numbers_per_persona", pa.float64()),  # mean distinct numbers per persona
        ("personas_per_number", pa.int64()),  # most personas behind one number
        ("sites", pa.int64()),
        ("towns", pa.list_(pa.string())),  # towns advertised in, first seen first
        ("movement", pa.string()),  # "London (2–16 Mar) → Manchester (17–30 Mar)", or ""
        ("age_min", pa.int32()),  # youngest and oldest stated age, null if none
        ("age_max", pa.int32()),
        ("hits", pa.int64()),  # advert-level indicator hits (adverts x indicators)
        ("first_seen", TS),  # first and last time an advert of the network was posted
        ("last_seen", TS),
        ("summary", pa.string()),  # one line for a ranked list
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "networks": NETWORKS,
    "network_links": NETWORK_LINKS,
    "network_scores": NETWORK_SCORES,
}
