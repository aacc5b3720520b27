"""LinkedIn export import at scale: speed against a raw COPY, and memory that stays flat.

Builds a realistic export ZIP of N rows (default 200,000: reactions, comments, shares and
messages) and one of 2N rows, imports each in a fresh process for a fresh seller, and COPYs N
rows of the same shape straight into the events table for comparison. Figures come from this
one run on a shared machine.

    .venv/bin/python bench/import_linkedin.py [rows]

Last line: rows_per_s=N import_vs_copy=R peak_rss_mb=M
(R is the import's speed divided by COPY's; M is the larger import's peak memory.)
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.prepare import django_ready  # noqa: E402

django_ready()

from django.db import connection, transaction  # noqa: E402

from metrics.importers import import_linkedin_export  # noqa: E402
from metrics.models import ActivityEvent  # noqa: E402
from programme import services  # noqa: E402
from programme.models import Organisation, Participant, Role, User  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=UTC)
FEED = "https://www.linkedin.com/feed/update/urn:li"
PEOPLE = "https://www.linkedin.com/in"


def build_export(path: Path, rows: int) -> None:
    """Shares 10%, comments 30%, reactions 40%, messages 20% (half of them replies)."""
    rng = random.Random(rows)
    shares, comments, messages = rows // 10, rows * 3 // 10, rows // 5
    reactions = rows - shares - comments - messages

    def stamp(i: int) -> str:
        return (START + timedelta(minutes=i * 7 % 900_000)).strftime("%Y-%m-%d %H:%M:%S")

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("Shares.csv", "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
            out.write("Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n")
            for i in range(shares):
                out.write(f'{stamp(i)},{FEED}:share:{i},"Post {i}",,,MEMBER_NETWORK\n')
        with archive.open("Comments.csv", "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
            out.write("Date,Link,Message\n")
            for i in range(comments):
                out.write(f'{stamp(i)},{FEED}:activity:{i},"Comment {i}, well said"\n')
        with archive.open("Reactions.csv", "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
            out.write("Date,Type,Link\n")
            for i in range(reactions):
                out.write(
                    f"{stamp(i)},LIKE,https://www.linkedin.com/feed/update/urn:li:activity:{i}\n"
                )
        with archive.open("messages.csv", "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
            out.write(
                "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,"
                "RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n"
            )
            for i in range(messages):
                mine = i % 2 == 0
                name = "Bench Seller" if mine else "Someone"
                sender = f"{PEOPLE}/bench-seller" if mine else f"{PEOPLE}/p{rng.randrange(5000)}"
                out.write(f"c-{i // 2},,{name},{sender},x,y,{stamp(i)} UTC,,Hello {i},INBOX\n")


def child(path: str, org_slug: str, email: str) -> None:
    org = Organisation.objects.get(slug=org_slug)
    participant = Participant.objects.select_related("membership__user").get(
        organisation=org, membership__user__email=email
    )
    started = time.perf_counter()
    summary = import_linkedin_export(
        organisation=org, participant=participant, path=Path(path), filename="export.zip"
    )
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": summary.rows_read, "created": summary.created,
                      "errors": len(summary.errors), "rss_mb": rss_mb}))  # fmt: skip


def copy_baseline(org: Organisation, participant: Participant, rows: int) -> float:
    """COPY the same number of rows, same shape, straight into the table, committed like the
    import is (the rows are deleted afterwards)."""
    table = ActivityEvent._meta.db_table
    columns = ("organisation_id, participant_id, kind, occurred_at, week, quantity, url, details, "
               "source, external_id, ingested_at")  # fmt: skip
    buffer = io.StringIO()
    now = datetime.now(UTC).isoformat()
    for i in range(rows):
        when = START + timedelta(minutes=i * 7 % 900_000)
        week = (when - timedelta(days=when.weekday())).date()
        buffer.write(f"{org.pk}\t{participant.pk}\treaction_made\t{when.isoformat()}\t{week}\t1\t"
                     f"https://www.linkedin.com/feed/update/urn:li:activity:{i}\t{{}}\tapi\t"
                     f"copy:{i}\t{now}\n")  # fmt: skip
    buffer.seek(0)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
    seconds = time.perf_counter() - started
    ActivityEvent.objects.filter(organisation=org, external_id__startswith="copy:").delete()
    return seconds


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    tag = uuid.uuid4().hex[:8]
    org = Organisation.objects.create(name=f"Import bench {tag}", slug=f"import-{tag}")
    try:
        results = []
        with tempfile.TemporaryDirectory() as folder:
            for size in (rows, rows * 2):
                email = f"seller-{size}-{tag}@bench.example"
                membership = services.membership_create(
                    organisation=org, email=email, role=Role.SELLER, verified=True,
                    linkedin_url="https://www.linkedin.com/in/bench-seller",
                )  # fmt: skip
                path = Path(folder) / f"export-{size}.zip"
                build_export(path, size)
                output = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), org.slug, email],
                    capture_output=True, text=True, check=True, cwd=ROOT,
                ).stdout.strip().splitlines()[-1]  # fmt: skip
                result = json.loads(output)
                results.append(result)
                print(f"rows={size} rows_read={result['rows']} created={result['created']} "
                      f"errors={result['errors']} seconds={result['seconds']:.1f} "
                      f"peak_rss_mb={result['rss_mb']:.0f}")  # fmt: skip
            copy_seconds = copy_baseline(org, membership.participant, rows)
        first, second = results
        rows_per_s = first["rows"] / first["seconds"]
        copy_rows_per_s = rows / copy_seconds
        print(f"copy_rows_per_s={copy_rows_per_s:.0f} rss_growth_when_doubled="
              f"{second['rss_mb'] / first['rss_mb']:.2f}")  # fmt: skip
        print(f"rows_per_s={rows_per_s:.0f} import_vs_copy={rows_per_s / copy_rows_per_s:.2f} "
              f"peak_rss_mb={max(first['rss_mb'], second['rss_mb']):.0f}")  # fmt: skip
    finally:
        User.objects.filter(email__endswith=f"-{tag}@bench.example").delete()
        org.delete()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()
