"""Showcase search and feed with 100,000 case studies.

Generates (once; idempotent) 100,000 cases written by the 4,800 participants of the
`bench-4800` organisation, loaded with COPY. Their stories are 40-160 words drawn, Zipf-like,
from an English vocabulary of a few thousand words (taken from Django's own docstrings), so
a searched word matches from a handful to thousands of cases, as in real use. 10 cases go to
`bench-100` for the small feed. Then, in this one run:

- search: the search view as a seller uses it (htmx search-as-you-type request: ranking,
  highlighted snippets, rendering), for 300 one- and two-word queries drawn from the
  vocabulary, p50 and p95 server time;
- the feed's SQL query count with 10 cases and with 100,000.

    .venv/bin/python bench/showcase_search.py [--cases 100000]

Last line: search_p50_ms=A search_p95_ms=B feed_queries_10=C feed_queries_100000=D
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

from bench.prepare import django_ready  # noqa: E402

django_ready()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from programme.models import Membership, Organisation, Participant, Role  # noqa: E402
from showcase.models import CaseKind, CaseStudy, Technique  # noqa: E402

CHUNK = 10_000
QUERIES = 300
_STOP_WORDS = """
the and for with that this from are was were has have not but you your its into which when
will can may than then them they there their been being also only such each other more most
some any all one two none true false self return default value values django
"""
STOP = set(_STOP_WORDS.split())


def vocabulary(limit: int = 4000) -> list[str]:
    """English words from Django's docstrings, most frequent first."""
    words: Counter[str] = Counter()
    for path in sorted(Path(django.__file__).parent.rglob("*.py"))[:1500]:
        for found in re.findall(r'"""(.*?)"""', path.read_text(errors="ignore"), re.S):
            words.update(w for w in re.findall(r"[a-z]{4,12}", found.lower()) if w not in STOP)
    return [word for word, _ in words.most_common(limit)]


def seed_people(participants: int) -> Organisation:
    call_command("seed_bench", participants=participants, events=0, verbosity=0)
    return Organisation.objects.get(slug=f"bench-{participants}")


def seed_cases(organisation: Organisation, count: int, words: list[str]) -> float:
    have = CaseStudy.objects.filter(organisation=organisation).count()
    if have >= count:
        return 0.0
    started = time.perf_counter()
    rng = random.Random(3)
    authors = list(
        Participant.objects.filter(organisation=organisation).values_list("pk", "team_id")
    )
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf
    kinds, techniques = CaseKind.values, Technique.values
    now = timezone.now()
    columns = ("created_at, updated_at, code, kind, title, story, story_html, outcome, links, "
               "technique, segment, tags, visibility, hidden_reason, tags_text, author_id, "
               "organisation_id, team_id, feature_consent, language")  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(have, count, CHUNK):
            buffer = io.StringIO()
            for _ in range(start, min(count, start + CHUNK)):
                author, team = rng.choice(authors)
                story = " ".join(rng.choices(words, weights, k=rng.randint(40, 160)))
                title = " ".join(rng.choices(words, weights, k=rng.randint(4, 9))).capitalize()
                tags = sorted(set(rng.choices(words[:300], k=3)))
                when = (now - timedelta(seconds=rng.randrange(365 * 86400))).isoformat()
                visibility = rng.choices(["organisation", "team"], [9, 1])[0]
                buffer.write("\t".join([
                    when, when, str(uuid.uuid4()), rng.choice(kinds), title, story,
                    f"<p>{story}</p>", "", "", rng.choice(techniques), "", "{" + ",".join(tags)
                    + "}", visibility, "", " ".join(tags), str(author), str(organisation.pk),
                    str(team) if team else "\\N", "f", "en",
                ]) + "\n")  # fmt: skip
            buffer.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {CaseStudy._meta.db_table} ({columns}) FROM STDIN", buffer
            )
        cursor.execute(f"ANALYZE {CaseStudy._meta.db_table}")
    return time.perf_counter() - started


def seller_client(organisation: Organisation) -> Client:
    membership = Membership.objects.filter(
        organisation=organisation, role=Role.SELLER, participant__isnull=False
    ).first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(membership.user)
    return client


def feed_queries(organisation: Organisation) -> int:
    client = seller_client(organisation)
    url = reverse("showcase-case-feed", args=[organisation.slug])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=4800, help="the authors (bench-N)")
    args = parser.parse_args()
    words = vocabulary()
    large, small = seed_people(args.people), seed_people(100)
    seconds = seed_cases(large, args.cases, words) + seed_cases(small, 10, words)
    total = CaseStudy.objects.filter(organisation=large).count()
    print(f"data: {total} cases in {large.slug}, vocabulary {len(words)} words "
          f"(seeded in {seconds:.0f} s)")  # fmt: skip

    client = seller_client(large)
    url = reverse("showcase-case-search", args=[large.slug])
    rng = random.Random(7)
    queries = [" ".join(rng.sample(words[:2000], rng.choice([1, 1, 2]))) for _ in range(QUERIES)]
    client.get(url, {"q": queries[0]}, HTTP_HX_REQUEST="true")  # warm
    times, matched = [], 0
    for words_typed in queries:
        started = time.perf_counter()
        response = client.get(url, {"q": words_typed}, HTTP_HX_REQUEST="true")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        matched += "<mark>" in response.content.decode()
    q = statistics.quantiles(times, n=20)
    p50 = statistics.median(times)
    print(f"search: {QUERIES} queries, {matched} with results, p50_ms={p50:.1f}"
          f" p95_ms={q[18]:.1f} max_ms={max(times):.1f}")  # fmt: skip
    small_q, large_q = feed_queries(small), feed_queries(large)
    print(
        f"search_p50_ms={statistics.median(times):.1f} search_p95_ms={q[18]:.1f} "
        f"feed_queries_10={small_q} feed_queries_{args.cases}={large_q}"
    )


if __name__ == "__main__":
    main()
