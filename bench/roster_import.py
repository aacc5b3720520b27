"""Roster import at programme scale: validation and set-based apply for 2,400 and 24,000 rows.

Prints figures measured in this one run (the machine is shared and noisy: read the ratios).
Runs against the configured database (embedded by default) in a throwaway organisation that
is deleted at the end.

    make bench        or        .venv/bin/python bench/roster_import.py [rows]
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.prepare import django_ready

django_ready()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from programme import services  # noqa: E402
from programme.models import Organisation, Role, RosterImport, User  # noqa: E402
from programme.roster import roster_parse  # noqa: E402


def roster(rows: int, tag: str) -> bytes:
    lines = ["email;first name;last name;team;role;job role;parent team"]
    for i in range(rows):
        team = f"Team {i % 120}"
        lines.append(
            f"b{i}.{tag}@bench.example;First{i};Last{i};{team};seller;seller;Region {i % 12}"
        )
    return ("\n".join(lines) + "\n").encode()


def measure(rows: int) -> dict[str, float]:
    tag = uuid.uuid4().hex[:8]
    org = Organisation.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    data = roster(rows, tag)
    try:
        start = time.perf_counter()
        result = roster_parse(data)
        parse_s = time.perf_counter() - start
        assert result.ok, result.errors[:3]
        consultant = services.membership_create(
            organisation=org, email=f"consultant.{tag}@bench.example", role=Role.CONSULTANT
        )  # who uploads the roster
        item = services.roster_import_create(by=consultant, filename="bench.csv", rows=result.rows)
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            services.roster_import_apply(roster_import_id=item.pk)
            apply_s = time.perf_counter() - start
        again = services.roster_import_create(by=consultant, filename="bench.csv", rows=result.rows)
        start = time.perf_counter()
        services.roster_import_apply(roster_import_id=again.pk)
        reimport_s = time.perf_counter() - start
        again.refresh_from_db()
        assert again.unchanged_count == rows
        return {
            "parse_s": parse_s,
            "apply_s": apply_s,
            "reimport_s": reimport_s,
            "queries": len(queries),
        }
    finally:
        User.objects.filter(email__endswith=f".{tag}@bench.example").delete()
        RosterImport.objects.filter(organisation=org).delete()
        org.delete()


def main() -> None:
    large = int(sys.argv[1]) if len(sys.argv) > 1 else 24_000
    small = max(large // 10, 1)
    figures = {}
    for rows in (small, large):
        figures[rows] = measure(rows)
        f = figures[rows]
        print(
            f"rows={rows} parse_s={f['parse_s']:.2f} apply_s={f['apply_s']:.2f} "
            f"reimport_s={f['reimport_s']:.2f} apply_queries={f['queries']} "
            f"rows_per_s={rows / (f['parse_s'] + f['apply_s']):.0f}"
        )
    per_row_small = (figures[small]["apply_s"]) / small
    per_row_large = (figures[large]["apply_s"]) / large
    print(
        f"scale_ratio={per_row_large / per_row_small:.2f} "
        f"(apply time per row at {large} / at {small}; 1.0 is linear) "
        f"query_ratio={figures[large]['queries'] / figures[small]['queries']:.2f} "
        "(1.0: the query count does not grow with the file)"
    )


if __name__ == "__main__":
    main()
