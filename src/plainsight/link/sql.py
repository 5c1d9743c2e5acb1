"""The linking stage's SQL, built by pure functions and run by the caller through the engine.

Tables read: ``adverts``, ``captures``, ``facts``, ``image_fingerprints`` (the lake) and the
stage's own registered tables (``link_generic``, ``link_features``, ``link_decisions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plainsight.link.personas_model import Comparison

SENTENCE_PATTERN = r"[^.!?\n]+[.!?]*"
"""A sentence: text up to and including its closing marks, or up to a line break."""

MIN_SENTENCE_CHARS = 12
"""Shorter fragments ("xx", "Hi!") are not worth judging as sentences."""


def _sentences_sql(text_sql: str) -> str:
    """Normalised sentences of a text expression: lower case, single spaces, trimmed."""
    return (
        f"list_filter(list_transform(regexp_extract_all({text_sql}, '{SENTENCE_PATTERN}'), "
        "lambda s: lower(trim(regexp_replace(s, '\\s+', ' ', 'g')))), "
        f"lambda s: length(s) >= {MIN_SENTENCE_CHARS})"
    )


def identifier_occurrences_sql(within: str = "") -> str:
    """One row per (kind, value, advert_id, source): every identifier an advert carries.

    WhatsApp handles inferred from a phone number repeat that number and are left out.
    ``within``, a query giving ``advert_id``s, keeps to those adverts (read before the text is
    cut into sentences, so a network's identifiers cost what its adverts do, not the lake's).
    """
    only = f"AND advert_id IN ({within})" if within else ""
    return f"""
    WITH ad AS (SELECT advert_id, source FROM adverts WHERE true {only}),
    contact AS (
        SELECT DISTINCT f.kind, f.value, f.advert_id
        FROM facts f
        WHERE f.kind IN ('phone', 'email', 'handle') AND NOT starts_with(f.value, 'whatsapp:+')
            {only}
    ),
    pictures AS (
        SELECT DISTINCT c.advert_id, unnest(c.image_sha256) AS sha256 FROM captures c
        WHERE true {only}
    ),
    image AS (
        SELECT 'image' AS kind, sha256 AS value, advert_id FROM pictures
        UNION ALL
        SELECT DISTINCT 'image_phash', fp.phash, p.advert_id
        FROM pictures p JOIN image_fingerprints fp ON fp.sha256 = p.sha256
        WHERE fp.phash IS NOT NULL
    ),
    sentence AS (
        SELECT DISTINCT 'sentence' AS kind, unnest({_sentences_sql("c.body")}) AS value,
            c.advert_id
        FROM captures c
        WHERE true {only}
    )
    SELECT o.kind, o.value, o.advert_id, ad.source
    FROM (SELECT * FROM contact UNION ALL SELECT * FROM image UNION ALL SELECT * FROM sentence)
        AS o
    JOIN ad USING (advert_id)
    """


def identifier_stats_sql(min_adverts: int, kinds: tuple[str, ...]) -> str:
    """Evidence counts for identifiers in ``min_adverts`` or more adverts (or decided on).

    Reads ``link_occurrences`` (from :func:`identifier_occurrences_sql`), ``link_decisions``
    (kind, value, generic) and ``link_uncounted`` (value): phone numbers already known to be
    generic, which do not count as "other phone numbers".
    """
    listed = ", ".join("'" + k.replace("'", "''") + "'" for k in kinds)
    return f"""
    WITH counted AS (
        SELECT kind, value, count(DISTINCT advert_id) AS adverts,
            count(DISTINCT source) AS sites
        FROM link_occurrences WHERE kind IN ({listed}) GROUP BY kind, value
    ),
    candidates AS (
        SELECT c.* FROM counted c
        LEFT JOIN link_decisions d ON d.kind = c.kind AND d.value = c.value
        WHERE c.adverts >= {int(min_adverts)} OR d.kind IS NOT NULL
    ),
    carried AS (
        SELECT o.kind, o.value, o.advert_id, o.source
        FROM link_occurrences o SEMI JOIN candidates c ON c.kind = o.kind AND c.value = o.value
    ),
    phones AS (
        SELECT DISTINCT advert_id, value FROM link_occurrences
        WHERE kind = 'phone' AND value NOT IN (SELECT value FROM link_uncounted)
    ),
    names AS (SELECT DISTINCT advert_id, value FROM facts WHERE kind = 'name'),
    other_phones AS (
        SELECT c.kind, c.value, count(DISTINCT p.value) AS other_phones
        FROM carried c JOIN phones p ON p.advert_id = c.advert_id
        WHERE NOT (c.kind = 'phone' AND p.value = c.value)
        GROUP BY c.kind, c.value
    ),
    other_names AS (
        SELECT c.kind, c.value, count(DISTINCT n.value) AS other_names
        FROM carried c JOIN names n ON n.advert_id = c.advert_id
        GROUP BY c.kind, c.value
    ),
    site_size AS (SELECT source, count(*) AS n FROM adverts GROUP BY source),
    per_site AS (
        SELECT c.kind, c.value, c.source,
            count(DISTINCT c.advert_id) / any_value(s.n) AS share
        FROM carried c JOIN site_size s USING (source)
        GROUP BY c.kind, c.value, c.source
    ),
    share AS (SELECT kind, value, max(share) AS site_share FROM per_site GROUP BY kind, value),
    top AS (
        SELECT s.kind, s.value, min(p.source) AS top_site
        FROM share s JOIN per_site p
            ON p.kind = s.kind AND p.value = s.value AND p.share = s.site_share
        GROUP BY s.kind, s.value
    )
    SELECT k.kind, k.value, k.adverts, k.sites,
        coalesce(op.other_phones, 0) AS other_phones,
        coalesce(om.other_names, 0) AS other_names,
        sh.site_share, t.top_site
    FROM candidates k
    LEFT JOIN other_phones op USING (kind, value)
    LEFT JOIN other_names om USING (kind, value)
    LEFT JOIN share sh USING (kind, value)
    LEFT JOIN top t USING (kind, value)
    ORDER BY k.kind, k.adverts DESC, k.value
    """


def _sorted_set(value: str, where: str) -> str:
    """The distinct values of a group, sorted (an empty group: NULL on DuckDB)."""
    return f"list_sort(list_distinct(list({value}) FILTER (WHERE {where})))"


def advert_features_sql() -> str:
    """One row per advert: its identifiers over all captures, generic ones set aside.

    Reads ``link_generic`` (kind, value) of the identifiers judged generic. The text is the
    latest capture's title and body without generic sentences, in their order. Pictures'
    pHashes come as hex strings (sorted; 16 digits, so as numbers too); the caller makes them
    numbers, and the text's shingles and bands, in Python, the same on every engine.
    """
    town = "json_extract_string(detail, '$.kind') = 'town'"
    age_ok = "TRY_CAST(value AS INTEGER) IS NOT NULL"
    return f"""
    WITH generic AS (SELECT kind, value FROM link_generic),
    f AS (
        SELECT advert_id, kind, value, detail FROM facts
        WHERE kind IN ('name', 'age', 'phone', 'email', 'handle', 'place', 'postcode')
          AND NOT starts_with(value, 'whatsapp:+')
    ),
    kept AS (
        SELECT f.* FROM f ANTI JOIN generic g ON g.kind = f.kind AND g.value = f.value
    ),
    ignored AS (
        SELECT f.advert_id, list_sort(list_distinct(list(f.kind || ':' || f.value))) AS ignored
        FROM f SEMI JOIN generic g ON g.kind = f.kind AND g.value = f.value
        GROUP BY f.advert_id
    ),
    grouped AS (
        SELECT advert_id,
            {_sorted_set("value", "kind = 'name'")} AS names,
            {_sorted_set("TRY_CAST(value AS INTEGER)", "kind = 'age' AND " + age_ok)} AS ages,
            {_sorted_set("value", "kind = 'phone'")} AS phones,
            {_sorted_set("value", "kind = 'email'")} AS emails,
            {_sorted_set("value", "kind = 'handle'")} AS handles,
            {_sorted_set("value", f"kind = 'place' AND {town}")} AS towns,
            {_sorted_set("value", f"kind = 'place' AND NOT coalesce({town}, false)")} AS areas,
            {_sorted_set("value", "kind = 'postcode'")} AS postcodes
        FROM kept GROUP BY advert_id
    ),
    pictures AS (
        SELECT DISTINCT c.advert_id, unnest(c.image_sha256) AS sha256 FROM captures c
    ),
    kept_pictures AS (
        SELECT p.advert_id, p.sha256, fp.phash, fp.phash_mirror
        FROM pictures p LEFT JOIN image_fingerprints fp ON fp.sha256 = p.sha256
        WHERE p.sha256 NOT IN (SELECT value FROM generic WHERE kind = 'image')
          AND coalesce(fp.phash, '') NOT IN (SELECT value FROM generic WHERE kind = 'image_phash')
    ),
    ignored_pictures AS (
        SELECT p.advert_id, list_sort(list_distinct(list('image:' || p.sha256))) AS ignored
        FROM pictures p ANTI JOIN kept_pictures k
            ON k.advert_id = p.advert_id AND k.sha256 = p.sha256
        GROUP BY p.advert_id
    ),
    picture_lists AS (
        SELECT advert_id,
            {_sorted_set("sha256", "sha256 IS NOT NULL")} AS image_sha256,
            {_sorted_set("phash", "phash IS NOT NULL")} AS phashes,
            {_sorted_set("phash_mirror", "phash_mirror IS NOT NULL")} AS phashes_mirror
        FROM kept_pictures GROUP BY advert_id
    ),
    latest AS (
        SELECT a.advert_id, coalesce(c.title, '') || '\n' || coalesce(c.body, '') AS raw
        FROM adverts a JOIN captures c ON c.capture_id = a.latest_capture_id
    ),
    pieces AS (
        SELECT l.advert_id, p.piece, p.pos
        FROM latest l,
            unnest(regexp_extract_all(l.raw, '{SENTENCE_PATTERN}')) WITH ORDINALITY AS p(piece, pos)
    ),
    text AS (
        SELECT advert_id, string_agg(trim(piece), ' ' ORDER BY pos) AS text
        FROM pieces
        WHERE lower(trim(regexp_replace(piece, '\\s+', ' ', 'g')))
            NOT IN (SELECT value FROM generic WHERE kind = 'sentence')
        GROUP BY advert_id
    )
    SELECT a.advert_id, a.source, a.ad_id, a.first_captured_at, a.last_captured_at,
        coalesce(g.names, []) AS names, coalesce(g.ages, []) AS ages,
        coalesce(g.phones, []) AS phones, coalesce(g.emails, []) AS emails,
        coalesce(g.handles, []) AS handles, coalesce(g.towns, []) AS towns,
        coalesce(g.areas, []) AS areas, coalesce(g.postcodes, []) AS postcodes,
        coalesce(p.image_sha256, []) AS image_sha256, coalesce(p.phashes, []) AS phashes,
        coalesce(p.phashes_mirror, []) AS phashes_mirror,
        coalesce(t.text, '') AS text,
        list_sort(list_distinct(coalesce(i.ignored, []) || coalesce(ip.ignored, [])))
            AS ignored
    FROM adverts a
    LEFT JOIN grouped g ON g.advert_id = a.advert_id
    LEFT JOIN picture_lists p ON p.advert_id = a.advert_id
    LEFT JOIN text t ON t.advert_id = a.advert_id
    LEFT JOIN ignored i ON i.advert_id = a.advert_id
    LEFT JOIN ignored_pictures ip ON ip.advert_id = a.advert_id
    ORDER BY a.advert_id
    """


PHASH_BANDS = 2
"""pHash blocking: 2 bands of 32 bits, so two pictures within 1 bit share a band. (4 bands of
16 bits, with a shared name, gave 9 times the pairs at scale 10 for no gain in F1: the
world's pictures share rooms, so 16-bit bands collide by the thousand.)"""

ALONE_RULES = ("phone", "email", "handle")
"""Contacts also block on their own (an alias on one site), but only in small groups."""


def blocking_keys_sql() -> str:
    """(advert_id, rule, key): each advert's blocking keys, read from ``link_features``.

    Rules: the same picture (SHA-256) or a 32-bit pHash band (a mirrored copy keyed by its
    mirror hash too); a shared phone, e-mail, handle or MinHash-LSH text band *with the same
    name* (``+name``); and a shared phone, e-mail or handle alone (:data:`ALONE_RULES`),
    which :func:`blocked_pairs_sql` keeps to small groups. Blocking on a name as well keeps
    an agency's booking line (30 personas, hundreds of adverts) from pairing every advert.
    """
    alone = ", ".join(f"'{r}'" for r in ALONE_RULES)
    bands = " UNION ALL ".join(
        f"SELECT advert_id, '{b}:' || ((h >> {32 * b}) & 4294967295)::VARCHAR AS key FROM hashes"
        for b in range(PHASH_BANDS)
    )
    return f"""
    WITH hashes AS (
        SELECT DISTINCT advert_id, unnest(list_concat(phashes, phashes_mirror)) AS h
        FROM link_features
    ),
    named AS (
        SELECT advert_id,
            unnest(CASE WHEN array_length(names) = 0 THEN [''] ELSE names END) AS name
        FROM link_features
    ),
    contact AS (
        SELECT DISTINCT advert_id, 'phone' AS rule, unnest(phones) AS key FROM link_features
        UNION ALL SELECT DISTINCT advert_id, 'email', unnest(emails) FROM link_features
        UNION ALL SELECT DISTINCT advert_id, 'handle', unnest(handles) FROM link_features
        UNION ALL SELECT DISTINCT advert_id, 'text', band::VARCHAR
            FROM (SELECT advert_id, unnest(lsh_bands) AS band FROM link_features)
    )
    SELECT DISTINCT advert_id, 'picture' AS rule, unnest(image_sha256) AS key FROM link_features
    UNION ALL SELECT DISTINCT advert_id, 'phash', key FROM ({bands})
    UNION ALL
    SELECT c.advert_id, c.rule || '+name', c.key || '|' || n.name
    FROM contact c JOIN named n USING (advert_id)
    UNION ALL
    SELECT advert_id, rule, key FROM contact WHERE rule IN ({alone})
    """


def blocked_pairs_sql(max_block: int, max_alone: int, max_text: int | None = None) -> str:
    """Candidate pairs (match_key, join_key_l, join_key_r) in Splink's blocked-pairs shape.

    Reads ``link_keys``. A key held by more than ``max_block`` adverts (``max_alone`` for the
    contact-alone rules, ``max_text`` for a text band with a name) is skipped: too common to
    say anything, and skipping it keeps the pair count linear in the adverts. ``match_key``
    names the first rule (alphabetically) that brought the pair together.
    """
    alone = ", ".join(f"'{r}'" for r in ALONE_RULES)
    return f"""
    WITH sized AS (
        SELECT rule, key FROM link_keys GROUP BY rule, key
        HAVING count(*) >= 2 AND count(*) <= CASE WHEN rule IN ({alone})
            THEN {int(max_alone)} WHEN rule = 'text+name' THEN {int(max_text or max_block)}
            ELSE {int(max_block)} END
    ),
    k AS (SELECT l.* FROM link_keys l SEMI JOIN sized s ON s.rule = l.rule AND s.key = l.key)
    SELECT min(l.rule) AS match_key, l.advert_id AS join_key_l, r.advert_id AS join_key_r
    FROM k l JOIN k r ON l.rule = r.rule AND l.key = r.key AND l.advert_id < r.advert_id
    GROUP BY l.advert_id, r.advert_id
    """


def splink_input_sql() -> str:
    """The columns Splink compares, from ``link_features``; e-mails and handles as contacts."""
    return """
    SELECT advert_id, names, ages, phones, list_concat(emails, handles) AS contacts, towns,
        image_sha256, phashes, phashes_mirror, shingles, ignored
    FROM link_features
    """


def scored_pairs_sql(
    predictions: str, comparisons: Sequence[Comparison], *, reasons: bool = True
) -> str:
    """Splink's predictions as (advert_a, advert_b, weights, gamma_*, reasons JSON).

    Each reason is ``{comparison, level, weight, text}`` for a level whose weight is not zero,
    then one for the generic identifiers both adverts carried (ignored, weight 0).
    """
    gammas = ", ".join(f'"gamma_{c.name}"' for c in comparisons)
    parts = []
    for c in comparisons:
        real = [level for level in c.levels if not level.null]
        cases_label = " ".join(
            f"WHEN {len(real) - 1 - i} THEN '{level.label}'" for i, level in enumerate(real)
        )
        cases_text = " ".join(
            f"WHEN {len(real) - 1 - i} THEN {level.text}" for i, level in enumerate(real)
        )
        parts.append(
            f"struct_pack(comparison := '{c.name}', "
            f"level := CASE \"gamma_{c.name}\" {cases_label} ELSE 'missing' END, "
            f'weight := (round("mw_{c.name}" * 100) / 100)::DOUBLE, '
            f'text := CASE "gamma_{c.name}" {cases_text} ELSE NULL END)'
        )
    generic = (
        "struct_pack(comparison := 'generic', level := 'ignored', weight := 0.0::DOUBLE, "
        "text := 'ignored (generic): ' || array_to_string(array_intersect(ignored_l, ignored_r), "
        "', '))"
    )
    reasons_sql = (
        f"to_json(list_concat(list_filter([{', '.join(parts)}], lambda x: x.weight <> 0), "
        f"CASE WHEN list_has_any(ignored_l, ignored_r) THEN [{generic}] "
        "ELSE [] END))"
        if reasons
        else "NULL"
    )
    return f"""
    SELECT advert_id_l AS advert_a, advert_id_r AS advert_b, match_weight, match_probability,
        match_key AS blocked_on, {gammas}, {reasons_sql}::VARCHAR AS reasons
    FROM {predictions}
    ORDER BY advert_a, advert_b
    """
