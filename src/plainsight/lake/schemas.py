"""The lake's table schemas: the one place stages meet.

Each table's columns are declared here once, with what they mean; stages write and read
these tables and never each other's internals. ``docs/lake.md`` documents them (a test
checks every column is there).
"""

from __future__ import annotations

import pyarrow as pa

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

SCHEMAS: dict[str, pa.Schema] = {
    "captures": CAPTURES,
    "adverts": ADVERTS,
    "images": IMAGES,
    "rejects": REJECTS,
    "imports": IMPORTS,
}
