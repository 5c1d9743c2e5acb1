"""SQL of the advert import, as plain strings: built here, run by the engine."""

from __future__ import annotations

NEW_CAPTURES = """
SELECT b.* FROM (
    SELECT * FROM batch_captures
    QUALIFY row_number() OVER (PARTITION BY capture_id ORDER BY line) = 1
) AS b
WHERE NOT EXISTS (SELECT 1 FROM captures AS c WHERE c.capture_id = b.capture_id)
ORDER BY b.line
"""

NEW_IMAGES = """
SELECT b.* FROM batch_images AS b
WHERE NOT EXISTS (SELECT 1 FROM images AS i WHERE i.sha256 = b.sha256)
ORDER BY b.sha256
"""

NEW_REJECTS = """
SELECT b.* FROM batch_rejects AS b
WHERE NOT EXISTS (SELECT 1 FROM rejects AS r WHERE r.reject_id = b.reject_id)
ORDER BY b.line
"""

RESOLVED_REJECTS = """
SELECT count(*) FROM rejects AS r WHERE r.reject_id IN (SELECT reject_id FROM accepted)
"""

REJECTS_WITHOUT_RESOLVED = """
SELECT * FROM rejects AS r WHERE r.reject_id NOT IN (SELECT reject_id FROM accepted)
ORDER BY r.file_sha256, r.line
"""

IMPORTS_WITH = """
SELECT * FROM imports WHERE file_sha256 <> ?
UNION ALL
SELECT * FROM this_import
ORDER BY file_sha256
"""

ADVERTS = """
WITH ranked AS (
    SELECT
        advert_id, source, ad_id, captured_at, capture_id,
        count(*) OVER (PARTITION BY advert_id) AS captures,
        min(captured_at) OVER (PARTITION BY advert_id) AS first_captured_at,
        row_number() OVER (
            PARTITION BY advert_id ORDER BY captured_at DESC, capture_id DESC
        ) AS recency
    FROM captures
)
SELECT
    advert_id, source, ad_id, captures, first_captured_at,
    captured_at AS last_captured_at, capture_id AS latest_capture_id
FROM ranked
WHERE recency = 1
ORDER BY advert_id
"""
