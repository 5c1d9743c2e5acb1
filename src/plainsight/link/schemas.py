"""The linking stage's tables: advert features, generic identifiers, personas and their links.

Declared here until they move into :mod:`plainsight.lake.schemas` with the other lake tables.
Every column says what it holds; lists are sorted and free of duplicates so a table built
twice from the same lake is byte-for-byte the same.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

GENERIC_KINDS = ("phone", "email", "handle", "image", "image_phash", "sentence")
"""What a generic identifier can be: a picture by SHA-256 (``image``) or by exact pHash."""

GENERIC_IDENTIFIERS = pa.schema(
    [
        ("kind", pa.string()),  # one of GENERIC_KINDS
        ("value", pa.string()),  # E.164, lower-case e-mail, handle, SHA-256, pHash hex, sentence
        ("adverts", pa.int64()),  # distinct adverts that carry it
        ("sites", pa.int64()),  # distinct sites those adverts are on
        ("other_phones", pa.int64()),  # distinct other phone numbers in those adverts
        ("other_names", pa.int64()),  # distinct working names in those adverts
        ("site_share", pa.float64()),  # largest share of one site's adverts that carry it
        ("generic", pa.bool_()),  # kept out of linking when true
        ("decided_by", pa.string()),  # "data" (the rule) or "analyst" (a stored decision)
        ("reason", pa.string()),  # plain English, for `plainsight generic` and explanations
    ]
)

ADVERT_FEATURES = pa.schema(
    [
        ("advert_id", pa.string()),  # the lake's advert id
        ("source", pa.string()),  # the site
        ("ad_id", pa.string()),  # the site's own id
        ("first_captured_at", TS),  # first capture of the advert
        ("last_captured_at", TS),  # latest capture of the advert
        ("names", pa.list_(pa.string())),  # working names over all captures
        ("ages", pa.list_(pa.int32())),  # stated ages over all captures
        ("phones", pa.list_(pa.string())),  # E.164 numbers, generic ones removed
        ("emails", pa.list_(pa.string())),  # lower-case e-mails, generic ones removed
        ("handles", pa.list_(pa.string())),  # "telegram:@x", "snapchat:x"... generic removed
        ("towns", pa.list_(pa.string())),  # places of kind town
        ("areas", pa.list_(pa.string())),  # other places: areas, stations, streets, districts
        ("postcodes", pa.list_(pa.string())),  # postcodes and postcode districts
        ("image_sha256", pa.list_(pa.string())),  # pictures, generic ones removed
        ("phashes", pa.list_(pa.uint64())),  # pHash of those pictures
        ("phashes_mirror", pa.list_(pa.uint64())),  # pHash of the mirrored pictures
        ("text", pa.string()),  # title + body of the latest capture, generic sentences removed
        ("shingles", pa.list_(pa.uint64())),  # hashed word 3-grams of ``text`` (Jaccard)
        ("lsh_bands", pa.list_(pa.uint64())),  # MinHash-LSH band keys of ``text`` (rensa)
        ("ignored", pa.list_(pa.string())),  # "kind:value" generic identifiers it carried
    ]
)

PERSONAS = pa.schema(
    [
        ("advert_id", pa.string()),  # every advert, in exactly one persona
        ("persona_id", pa.string()),  # "P-" + 12 hex of the SHA-256 of its earliest advert
    ]
)

PERSONA_LINKS = pa.schema(
    [
        ("advert_a", pa.string()),  # the smaller advert id of the pair
        ("advert_b", pa.string()),  # the larger
        ("match_weight", pa.float64()),  # log2 Bayes factor including the prior (Splink)
        ("match_probability", pa.float64()),  # the same on the 0..1 scale
        ("blocked_on", pa.string()),  # why the pair was compared: "phone", "image", "text"...
        ("linked", pa.bool_()),  # at or above the clustering threshold
        ("reasons", pa.large_string()),  # JSON list of {comparison, level, weight, text}
    ]
)
