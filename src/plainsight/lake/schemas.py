"""The lake's table schemas: the one place stages meet.

Each table's columns are declared here once, with what they mean; stages write and read
these tables and never each other's internals. ``docs/lake.md`` documents them (a test
checks every column is there).
"""

from __future__ import annotations

import pyarrow as pa

from plainsight.assess import schemas as assess_schemas
from plainsight.link import schemas as link_schemas

TS = pa.timestamp("us", tz="UTC")

CAPTURES = pa.schema(
    [
        ("capture_id", pa.string()),  # SHA-256 of the capture's canonical content
        ("advert_id", pa.string()),  # stable id of (source, ad_id)
        ("source", pa.string()),
        ("ad_id", pa.string()),
        ("captured_at", TS),
        ("posted_at", TS),
        ("url", pa.string()),
        ("title", pa.string()),
        ("body", pa.string()),
        ("location_text", pa.string()),
        ("name", pa.string()),
        ("age", pa.int32()),
        ("phone", pa.string()),
        ("email", pa.string()),
        ("image_sha256", pa.list_(pa.string())),  # evidence hashes, in the advert's order
        ("image_paths", pa.list_(pa.string())),  # the paths as the interchange file gave them
        ("extra", pa.string()),  # JSON, as it came
        ("unknown_fields", pa.string()),  # JSON of fields newer than this reader, kept
        ("file_sha256", pa.string()),  # the original import file, in evidence
        ("line", pa.int64()),  # line number in that file (1-based)
        ("imported_at", TS),
        ("imported_by", pa.string()),
    ]
)

ADVERTS = pa.schema(
    [
        ("advert_id", pa.string()),
        ("source", pa.string()),
        ("ad_id", pa.string()),
        ("captures", pa.int64()),
        ("first_captured_at", TS),
        ("last_captured_at", TS),
        ("latest_capture_id", pa.string()),
    ]
)

IMAGES = pa.schema(
    [
        ("sha256", pa.string()),
        ("bytes", pa.int64()),
        ("format", pa.string()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("first_seen_file_sha256", pa.string()),
    ]
)

REJECTS = pa.schema(
    [
        ("reject_id", pa.string()),  # SHA-256 of (file_sha256, line): one per bad line
        ("file", pa.string()),  # the path as given to the import
        ("file_sha256", pa.string()),
        ("line", pa.int64()),
        ("reason", pa.string()),
        ("raw", pa.binary()),  # the line exactly as read, so it can be mended and re-imported
        ("rejected_at", TS),
    ]
)

IMPORTS = pa.schema(
    [
        ("file_sha256", pa.string()),
        ("file", pa.string()),
        ("bytes", pa.int64()),
        ("lines", pa.int64()),
        ("captures", pa.int64()),  # lines that became captures (new or seen before)
        ("rejected", pa.int64()),
        ("imported_at", TS),
        ("imported_by", pa.string()),
    ]
)

SPAN = pa.struct(
    [("field", pa.string()), ("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())]
)

FACTS = pa.schema(
    [
        ("capture_id", pa.string()),
        ("advert_id", pa.string()),
        ("kind", pa.string()),  # phone, email, url, handle, name, age, place, postcode, price...
        ("value", pa.string()),  # normal form: E.164, lower-case e-mail, "EC2M 7PY"...
        ("written", pa.string()),  # plain | obfuscated
        ("spans", pa.list_(SPAN)),  # where in the capture's fields it was written
        ("detail", pa.string()),  # JSON: style, coordinates, amounts...
    ]
)

INDICATOR_HITS = pa.schema(
    [
        ("capture_id", pa.string()),
        ("advert_id", pa.string()),
        ("indicator", pa.string()),  # id in the catalogue
        ("level", pa.string()),  # advert | persona | network
        ("weight", pa.float64()),
        ("evidence", pa.list_(SPAN)),
        ("note", pa.string()),  # plain English: why it fired
    ]
)

EXTRACTIONS = pa.schema(
    [
        ("capture_id", pa.string()),
        ("extracted_at", TS),
        ("version", pa.string()),  # the extractors' version: a change re-extracts
    ]
)

IMAGE_FINGERPRINTS = pa.schema(
    [
        ("sha256", pa.string()),
        ("phash", pa.string()),
        ("dhash", pa.string()),
        ("phash_mirror", pa.string()),
        ("phash_centre", pa.string()),
        ("pdq", pa.string()),
        ("pdq_quality", pa.int32()),
        ("pdq_dihedral", pa.list_(pa.string())),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("error", pa.string()),  # why it could not be fingerprinted, else null
    ]
)

PRICE_MEDIANS = pa.schema(
    [
        ("area", pa.string()),  # a town, London, or "default" (the whole country)
        ("median_per_hour", pa.float64()),
        ("adverts", pa.int64()),  # priced adverts the median rests on
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "captures": CAPTURES,
    "adverts": ADVERTS,
    "images": IMAGES,
    "rejects": REJECTS,
    "imports": IMPORTS,
    "facts": FACTS,
    "indicator_hits": INDICATOR_HITS,
    "extractions": EXTRACTIONS,
    "image_fingerprints": IMAGE_FINGERPRINTS,
    "price_hits": INDICATOR_HITS,
    "price_medians": PRICE_MEDIANS,
}

SCHEMAS.update(
    {
        "generic_identifiers": link_schemas.GENERIC_IDENTIFIERS,
        "advert_features": link_schemas.ADVERT_FEATURES,
        "personas": link_schemas.PERSONAS,
        "persona_links": link_schemas.PERSONA_LINKS,
        "networks": assess_schemas.NETWORKS,
        "network_links": assess_schemas.NETWORK_LINKS,
        "network_scores": assess_schemas.NETWORK_SCORES,
    }
)

# Crime records imported by ``plainsight crime import`` (plainsight.crime.store): one whole
# snapshot of a force's export, replaced together. Times are the force's local wall clock.
CRIME_RECORDS = pa.schema(
    [
        ("crime_ref", pa.string()),
        ("recorded", pa.timestamp("us")),
        ("recorded_date_only", pa.bool_()),
        ("reported", pa.timestamp("us")),
        ("reported_date_only", pa.bool_()),
        ("committed", pa.date32()),
        ("ho_offence_code", pa.string()),
        ("offence_title", pa.string()),
        ("ms_flag", pa.bool_()),
        ("status", pa.string()),
        ("lsoa_code", pa.string()),
        ("easting", pa.float64()),
        ("northing", pa.float64()),
        ("mo_text", pa.string()),
        ("file", pa.string()),
        ("line", pa.int64()),
    ]
)
CRIME_VICTIMS = pa.schema(
    [
        ("crime_ref", pa.string()),
        ("victim_ref", pa.string()),
        ("sex", pa.string()),
        ("age", pa.int32()),
        ("date_of_birth", pa.date32()),
        ("ethnicity_ic", pa.string()),
        ("ethnicity_sde", pa.string()),
        ("nationality", pa.string()),
        ("exploitation_type", pa.string()),
        ("file", pa.string()),
        ("line", pa.int64()),
    ]
)
CRIME_OUTCOMES = pa.schema(
    [
        ("crime_ref", pa.string()),
        ("outcome_code", pa.string()),
        ("outcome_date", pa.date32()),
        ("file", pa.string()),
        ("line", pa.int64()),
    ]
)
CRIME_REJECTS = pa.schema(
    [("file", pa.string()), ("line", pa.int64()), ("reason", pa.string()), ("raw", pa.string())]
)
CRIME_IMPORTS = pa.schema(
    [
        ("import_id", pa.string()),
        ("folder", pa.string()),
        ("files", pa.list_(pa.string())),
        ("file_sha256", pa.list_(pa.string())),
        ("mdsht_codes", pa.list_(pa.string())),
        ("crimes", pa.int64()),
        ("victims", pa.int64()),
        ("outcomes", pa.int64()),
        ("rejects", pa.int64()),
        ("imported_at", TS),
        ("imported_by", pa.string()),
    ]
)
SCHEMAS.update(
    {
        "crime_records": CRIME_RECORDS,
        "crime_victims": CRIME_VICTIMS,
        "crime_outcomes": CRIME_OUTCOMES,
        "crime_rejects": CRIME_REJECTS,
        "crime_imports": CRIME_IMPORTS,
    }
)

# The crawler (plainsight.crawl.state): which adverts each crawl saw, what it could not read,
# and the crawls themselves. Written in one commit at the end of each crawl session.
ADVERT_PRESENCE = pa.schema(
    [
        ("advert_id", pa.string()),
        ("source", pa.string()),
        ("ad_id", pa.string()),
        ("url", pa.string()),  # the advert's link as last seen in a listing
        ("profile", pa.string()),  # the profile whose crawls keep this row
        ("first_seen", TS),  # first page fetch that showed it
        ("last_seen", TS),  # latest page fetch that showed it
        ("removed_at", TS),  # when a crawl found it gone (never deleted); null while present
        ("removed_why", pa.string()),
        ("last_crawl_id", pa.string()),
        ("last_status", pa.string()),  # captured, unchanged, removed, failed
        ("content_sha256", pa.string()),  # digest of the page as last captured; null: take again
        ("last_captured_at", TS),  # captured_at of the crawler's latest capture of it
    ]
)
CRAWL_PROBLEMS = pa.schema(
    [
        ("crawl_id", pa.string()),
        ("url", pa.string()),
        ("page", pa.string()),  # listing or advert
        ("kind", pa.string()),  # failed, partial, unreadable, disallowed, set_aside
        ("reason", pa.string()),
        ("missing", pa.list_(pa.string())),  # fields a partial page did not show
        ("source", pa.string()),
        ("ad_id", pa.string()),
        ("at", TS),
    ]
)
CRAWLS = pa.schema(
    [
        ("crawl_id", pa.string()),
        ("profile", pa.string()),
        ("profile_version", pa.string()),
        ("profile_sha256", pa.string()),
        ("crawler", pa.string()),
        ("user_agent", pa.string()),
        ("operator", pa.string()),
        ("started_at", TS),
        ("finished_at", TS),
        ("sessions", pa.int32()),
        ("finish_reason", pa.string()),
        ("complete", pa.bool_()),
        ("warc", pa.bool_()),
        ("listings", pa.int64()),
        ("captured", pa.int64()),
        ("unchanged", pa.int64()),
        ("gone", pa.int64()),
        ("removed", pa.int64()),
        ("problems", pa.int64()),
    ]
)
SCHEMAS.update(
    {"advert_presence": ADVERT_PRESENCE, "crawl_problems": CRAWL_PROBLEMS, "crawls": CRAWLS}
)
