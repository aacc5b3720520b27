"""Profile distinctiveness: clusters of near-identical LinkedIn headlines and summaries.

Hired profile writers once made a whole sales force look the same; differentiation is the
point of social selling. PostgreSQL's trigram extension is not available everywhere Snowball
runs (the embedded server ships no contrib), so this is the core-SQL equivalent: MinHash over
word 3-shingles with locality-sensitive banding, all set-based in one statement.

- each profile's text becomes word 3-shingles; 32 min-hashes make its signature;
- 16 bands of 2 hashes: profiles sharing a band land in the same bucket; each profile is
  paired with the first (smallest id) profile of each of its buckets;
- the exact Jaccard similarity of the two shingle sets is computed for those candidate pairs
  only; the first candidate at or above SIMILAR is the cluster the profile belongs to.
"""

from __future__ import annotations

from django.db import connection, transaction

from metrics.models import LinkedInProfileText
from programme.models import Participant

HASHES, ROWS_PER_BAND = 32, 2  # 16 bands: a pair at 0.6 shares one with 99.9% odds
SIMILAR = 0.6  # Jaccard similarity of the word 3-shingle sets (one swapped word in 20: 0.7)
MIN_TEXT = 20  # characters: shorter profiles say too little to compare


# The MinHash steps, shared with metrics.authenticity (copy-paste posts). From a CTE `words`
# (pid, w: the text's words), `shingles` (pid, s) and `signature` (pid, k, h: the k-th
# min-hash); binds %(hashes)s.
SIGNATURE_CTES = """shingles AS (
            SELECT pid, array_to_string(w[i:i + 2], ' ') AS s
            FROM words, generate_series(1, GREATEST(cardinality(w) - 2, 1)) AS i
        ), signature AS (
            SELECT pid, k, MIN(hashtext(k || '|' || s)) AS h
            FROM shingles CROSS JOIN generate_series(1, %(hashes)s) AS k
            GROUP BY pid, k
        )"""
# From `signature`, the candidate pairs `anchors` (pid, anchor); binds %(rows)s.
CANDIDATE_CTES = """bands AS (
            SELECT pid, (k - 1) / %(rows)s AS band,
                   md5(string_agg(h::text, ',' ORDER BY k)) AS bucket
            FROM signature GROUP BY pid, (k - 1) / %(rows)s
        ), anchors AS (
            -- Every text is paired with the first (smallest id) text of each bucket it is in:
            -- at most one pair per band, however big a cluster of copies grows.
            SELECT DISTINCT pid, anchor FROM (
                SELECT pid, MIN(pid) OVER (PARTITION BY band, bucket) AS anchor FROM bands
            ) banded WHERE anchor <> pid
        )"""
# A text's words, lower case, split on anything not a letter or digit: format with the text.
WORDS_SQL = "array_remove(regexp_split_to_array(lower({}), '[^[:alnum:]]+'), '')"


def profiles_compare(*, organisation_id: int) -> int:
    """Recompute the look-alike flags of one organisation. Returns how many are flagged."""
    table = LinkedInProfileText._meta.db_table
    profile_words = WORDS_SQL.format("t.headline || ' ' || t.summary")
    sql = f"""
        WITH words AS (
            SELECT t.participant_id AS pid,
                   {profile_words} AS w
            FROM {table} t JOIN {Participant._meta.db_table} p ON p.id = t.participant_id
            WHERE p.organisation_id = %(org)s
              AND length(t.headline || t.summary) >= %(min_text)s
        ), {SIGNATURE_CTES}, {CANDIDATE_CTES}, distinct_shingles AS (
            SELECT DISTINCT pid, s FROM shingles
        ), sizes AS (
            SELECT pid, COUNT(*) AS n FROM distinct_shingles GROUP BY pid
        ), shared AS (
            SELECT c.pid, c.anchor, COUNT(*) AS n
            FROM anchors c
            JOIN distinct_shingles a ON a.pid = c.pid
            JOIN distinct_shingles b ON b.pid = c.anchor AND b.s = a.s
            GROUP BY c.pid, c.anchor
        ), verified AS (
            -- The exact Jaccard similarity of each candidate pair the bands proposed.
            SELECT shared.pid, shared.anchor,
                   shared.n::float / (mine.n + theirs.n - shared.n) AS similarity
            FROM shared
            JOIN sizes mine ON mine.pid = shared.pid
            JOIN sizes theirs ON theirs.pid = shared.anchor
        ), scored AS (
            SELECT DISTINCT ON (pid) pid, anchor AS first_pid, similarity
            FROM verified WHERE similarity >= %(similar)s
            ORDER BY pid, anchor
        )
        UPDATE {table} t
        SET lookalike_of_id = s.first_pid, similarity = s.similarity
        FROM {Participant._meta.db_table} p
        LEFT JOIN scored s ON s.pid = p.id
        WHERE p.id = t.participant_id AND p.organisation_id = %(org)s
    """  # noqa: S608 - table names from the models, values bound
    params = {
        "org": organisation_id,
        "min_text": MIN_TEXT,
        "hashes": HASHES,
        "rows": ROWS_PER_BAND,
        "similar": SIMILAR,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return LinkedInProfileText.objects.filter(
        participant__organisation_id=organisation_id, lookalike_of__isnull=False
    ).count()
