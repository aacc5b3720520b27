"""Every benchmark runs, tiny, in the suite: a script that breaks (a column its data does not
fill, an option renamed, a page it asks for moved) fails here rather than on the day someone
sits down to measure (the search benchmark once failed on a fresh clone for a release).

Each script runs as `make bench` runs it, in its own process, on this test process's migrated
test database (so its `migrate` is a no-op and the flush after the test empties what it
seeded) and on a Redis database of its own (a server it starts queues tasks there, never
where a later test's worker would take them). Figures are not asserted, only what a run says
of itself: every accepted concern stored, the load with no failed request, and each script's
last line as bench/README.md documents it.

Not here: `reference_model.py` (it runs tests/metrics/test_reference_model.py, which the suite
runs itself) and `make_run_restarts.py` (`make run` in a fresh folder, seeded, stopped 20 times;
the embedded services' recovery is tested in tests/operations)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.db import connection

from config import embedded

ROOT = Path(__file__).resolve().parent.parent
# Redis databases: 0 is `make run`'s, 1-7 and 9-14 test runs' (config/settings.py); 15 is free.
SMOKE_REDIS_DB = 15

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bench_env():
    if os.environ.get("REDIS_URL"):
        pytest.skip("runs on the embedded Redis (a configured server's databases are its own)")
    db = connection.settings_dict
    # The embedded server listens on a socket: its folder goes in the query (django-environ).
    where = urlencode({key.lower(): db[key] for key in ("HOST", "PORT") if db[key]})
    redis_url = embedded.redis_url(db=SMOKE_REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@/{db['NAME']}?{where}",
        "REDIS_URL": redis_url,
        "SNOWBALL_TESTING": "1",  # development settings, fast password hashing
    }
    yield env
    redis.Redis.from_url(redis_url).flushdb()


def bench(env: dict, script: str, *args: str) -> list[str]:
    """The script's output lines, once it has ended well."""
    run = subprocess.run(
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, f"{script} failed:\n{run.stdout[-3000:]}\n{run.stderr[-4000:]}"
    lines = run.stdout.strip().splitlines()
    assert lines, f"{script} printed nothing:\n{run.stderr[-3000:]}"
    return lines


NUMBER = r"[0-9]+(?:\.[0-9]+)?"


def test_kickoff_load(bench_env):
    last = bench(bench_env, "kickoff_load.py", "12", "4")[-1]
    found = re.fullmatch(rf"submitted=(\d+) stored=(\d+) p99_ms={NUMBER} rps={NUMBER}", last)
    assert found, last
    assert found[1] == found[2] == "12", last  # every phone's concern accepted and stored


def test_import_linkedin(bench_env):
    last = bench(bench_env, "import_linkedin.py", "1500")[-1]
    assert re.fullmatch(rf"rows_per_s={NUMBER} import_vs_copy={NUMBER} peak_rss_mb={NUMBER}", last)


def test_roster_import(bench_env):
    lines = bench(bench_env, "roster_import.py", "200")
    assert re.match(rf"scale_ratio={NUMBER} .* query_ratio={NUMBER}", lines[-1]), lines[-1]
    assert any(line.startswith("rows=200 ") for line in lines), lines


def test_rollup(bench_env):
    last = bench(bench_env, "rollup.py", "--scale", "0.005")[-1]
    assert re.fullmatch(
        rf"rollup_vs_raw_sql={NUMBER} incremental_s={NUMBER} dashboard_p95_ms={NUMBER} "
        rf"queries_small=\d+ queries_large=\d+ peak_rss_mb={NUMBER}",
        last,
    ), last


def test_rollup_growth(bench_env):
    last = bench(bench_env, "rollup_growth.py", "--scale", "0.005")[-1]
    assert re.fullmatch(
        rf"growth_ratio={NUMBER} dashboard_p95_small_ms={NUMBER} "
        rf"dashboard_p95_large_ms={NUMBER} queries_small=\d+ queries_large=\d+",
        last,
    ), last


def test_showcase_search(bench_env):
    last = bench(bench_env, "showcase_search.py", "--cases", "400", "--people", "120")[-1]
    assert re.fullmatch(
        rf"search_p50_ms={NUMBER} search_p95_ms={NUMBER} feed_queries_10=\d+ "
        rf"feed_queries_400=\d+",
        last,
    ), last


def test_load_and_the_page_profile_on_its_organisation(bench_env):
    lines = bench(bench_env, "load.py", "--users", "6", "--seconds", "6", "--pause", "0.2-0.5",
                  "--participants", "60", "--events", "3000")  # fmt: skip
    found = re.fullmatch(
        rf"errors=(\d+) p95_ms={NUMBER} rps={NUMBER} rps_vs_trivial={NUMBER} "
        rf"page_cpu_p50_ms={NUMBER}",
        lines[-1],
    )
    assert found, lines[-1]
    assert found[1] == "0", "\n".join(lines)  # no request failed
    profile = bench(bench_env, "page_profile.py", "--org", "bench-60", "--times", "2")
    rows = [line.split() for line in profile[2:]]
    assert rows and all(row[-5] == "200" for row in rows), "\n".join(profile)
