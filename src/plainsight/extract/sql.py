"""SQL of the extraction stage, as plain strings: built here, run by the engine."""

from __future__ import annotations

STALE_EXTRACTIONS = "SELECT count(*) FROM extractions WHERE version <> ?"

PENDING_CAPTURES = """
SELECT c.capture_id FROM captures AS c
WHERE NOT EXISTS (SELECT 1 FROM extractions AS e WHERE e.capture_id = c.capture_id)
ORDER BY c.capture_id
"""

CAPTURE_TEXT = """
SELECT capture_id, advert_id, source, ad_id, title, body, name, location_text, phone, email, age
FROM captures
WHERE capture_id IN (SELECT capture_id FROM chunk_ids)
ORDER BY capture_id
"""

UNFINGERPRINTED_IMAGES = """
SELECT i.sha256 FROM images AS i
WHERE NOT EXISTS (SELECT 1 FROM image_fingerprints AS f WHERE f.sha256 = i.sha256)
ORDER BY i.sha256
"""

PRICE_FACTS = """
SELECT f.capture_id, f.advert_id, f.kind, f.value, f.written, f.spans, f.detail,
       a.latest_capture_id IS NOT NULL AS latest
FROM facts AS f
LEFT JOIN adverts AS a ON a.latest_capture_id = f.capture_id
WHERE f.capture_id IN (SELECT capture_id FROM facts WHERE kind = 'price')
  AND f.kind IN ('price', 'place', 'postcode')
ORDER BY f.capture_id, f.kind, f.value
"""

ALL_HITS = """
SELECT * FROM indicator_hits
UNION ALL
SELECT * FROM price_hits
"""
"""Every advert-level indicator hit, the price indicator's included."""
