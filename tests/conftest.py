from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from programme.models import Membership, Organisation, Role
from tests.factories import OrganisationFactory, member

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the same
# thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """No autovacuum on the test database's tables (TOAST tables follow their table).

    Tests that flush the database (live-server journeys) take every table's exclusive lock,
    and an autovacuum ANALYZE started by the rows the demo just wrote could hold one table
    while waiting for another: a deadlock that failed a journey now and then under load. The
    tests' data is small and thrown away; code that needs fresh statistics analyses the
    tables itself (metrics.rollups)."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cursor.fetchall():
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} SET (autovacuum_enabled = false)"
            )


@pytest.fixture(autouse=True)
def _clean_redis() -> None:
    """Each test starts with an empty test Redis database (cache, rate limits, task queue)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def org(db) -> Organisation:
    return OrganisationFactory(name="Acme", slug="acme")


@pytest.fixture
def other_org(db) -> Organisation:
    return OrganisationFactory(name="Globex", slug="globex")


@pytest.fixture
def make_member(db) -> Callable[..., Membership]:
    return member


@pytest.fixture
def login() -> Callable[[Membership], Client]:
    def _login(membership: Membership) -> Client:
        client = Client()
        client.force_login(membership.user)
        return client

    return _login


@pytest.fixture
def count_queries(db) -> Callable[..., int]:
    """How many SQL statements `action(*args, **kwargs)` runs: the one helper the query-count
    tests share (dashboards and lists must run a fixed number whatever the data size)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(action: Callable[..., object], *args: object, **kwargs: object) -> int:
        with CaptureQueriesContext(connection) as captured:
            action(*args, **kwargs)
        return len(captured)

    return count


@pytest.fixture
def consultant(org: Organisation) -> Membership:
    return member(org, Role.CONSULTANT)


@pytest.fixture
def seller(org: Organisation) -> Membership:
    return member(org, Role.SELLER)


@pytest.fixture
def outsider(other_org: Organisation) -> Membership:
    """A consultant of another organisation: powerful there, nobody here."""
    return member(other_org, Role.CONSULTANT)


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[object]:
    """A real Celery worker (in this process, solo pool) consuming the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


# --- Browser -----------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own download."""
    if path := os.environ.get("CHROMIUM_PATH"):
        return path if Path(path).exists() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    if found := shutil.which("chromium"):
        return found
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            own = playwright.chromium.executable_path
        return own if Path(own).exists() else None
    except Exception:
        return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_executable()
    if path is None:
        message = (
            "NO CHROMIUM FOUND: browser journeys cannot run. Install Debian's chromium "
            "(apt-get install chromium) or set CHROMIUM_PATH."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " Under CI a missing browser is a failure.", pytrace=False)
        print(f"\n{'!' * 78}\n{message}\n{'!' * 78}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def pytest_configure(config: pytest.Config) -> None:
    """The test run uses the embedded services (when no URLs are given) until it ends, and
    the translation catalogues compiled (what `make run` and the image do)."""
    from django.conf import settings

    from config import catalogues

    if not os.environ.get("PYTEST_XDIST_WORKER"):  # once, before xdist starts its workers
        catalogues.compile_all()
    if getattr(settings, "EMBEDDED_SERVICES", False):
        from config import embedded

        embedded.hold()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop embedded servers this test run started, unless another command (`make run`) is
    using them; leave ones that were already up."""
    from django.db import connections

    from config import embedded

    connections.close_all()
    embedded.release(stop=bool(embedded.started_here))


# --- Fuzzing ----------------------------------------------------------------------------------
# "ci": a few dozen examples per fuzz test, the same ones every run (a failure reproduces);
# "bench": 1,000 fresh examples per upload (`make bench`); pick with HYPOTHESIS_PROFILE.
_FUZZ = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    "print_blob": True,
}  # fmt: skip
hypothesis_settings.register_profile("ci", max_examples=40, derandomize=True, **_FUZZ)
hypothesis_settings.register_profile("bench", max_examples=1000, **_FUZZ)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
