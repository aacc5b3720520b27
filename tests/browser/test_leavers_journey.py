"""Leavers and the audit log in Chromium, on the demo (#18): the admin reads the audit log and
filters it, at 1280 px and on a 390 px phone; the consultant finds the demo's leavers with the
people list's filter and deactivates someone through the confirmation. Set
SNOWBALL_SCREENSHOTS=<folder> to keep a screenshot of each page."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "snowball-demo"
ADMIN, CONSULTANT = "admin@acme.example", "mia.novak@acme.example"


def _shot(page, name: str) -> None:
    folder = os.environ.get("SNOWBALL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _open(browser, base: str, email: str, path: str, width: int):
    context = browser.new_context(base_url=base, viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, email, PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(path)
    return context, page


def test_leavers_and_the_audit_log_on_the_demo(
    browser, live_server, django_db_setup, django_db_blocker
):
    # The live server's tests flush the database after each test: the demo is built once and
    # every journey runs inside this one test (as in test_phone_layouts).
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        try:
            for width in (1280, 390):
                _admin_reads_and_filters_the_audit_log(browser, live_server.url, width)
                _consultant_finds_leavers_and_deactivates(browser, live_server.url, width)
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _admin_reads_and_filters_the_audit_log(browser, demo: str, width: int) -> None:
    context, page = _open(browser, demo, ADMIN, "/o/acme/", width)
    try:
        # Reachable from the admin's account menu (the crawl clicks through the menus).
        link = page.locator('[data-nav-items="account"] a[href="/o/acme/audit/"]')
        assert link.count() == 1 and "Audit log" in link.inner_text()
        page.goto("/o/acme/audit/")
        rows = page.get_by_test_id("audit-entry")
        assert rows.count() >= 10
        assert page.get_by_text("Seller → Manager").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"audit-log-{width}")
        page.get_by_label("What").select_option("deactivated")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**action=deactivated**")
        assert page.get_by_test_id("audit-entry").count() >= 2
        assert page.get_by_text("SCIM", exact=True).first.is_visible()
        _shot(page, f"audit-log-filtered-{width}")
    finally:
        context.close()


def _consultant_finds_leavers_and_deactivates(browser, demo: str, width: int) -> None:
    context, page = _open(browser, demo, CONSULTANT, "/o/acme/people/?status=deactivated", width)
    try:
        assert page.get_by_text("Deactivated", exact=True).count() >= 2
        assert page.get_by_text("Roster import").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"people-deactivated-{width}")
        if width == 1280:
            page.goto("/o/acme/people/?q=andersen")
            page.get_by_role("link", name="Anna Andersen").click()
            page.get_by_text("Deactivate…").click()
            _shot(page, f"person-deactivate-confirm-{width}")
            # Loaded: a click waits only for the next page to start, and the checks below
            # do not wait (count() == 0 would pass on a page not parsed yet).
            with page.expect_navigation(wait_until="load"):
                page.get_by_role("button", name="Deactivate Anna Andersen").click()
            assert page.get_by_test_id("deactivated-banner").is_visible()
            _shot(page, f"person-deactivated-{width}")
            page.get_by_text("Reactivate…").click()
            with page.expect_navigation(wait_until="load"):
                page.get_by_role("button", name="Reactivate Anna Andersen").click()
            assert page.get_by_test_id("deactivated-banner").count() == 0
    finally:
        context.close()
