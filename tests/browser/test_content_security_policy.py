"""Under the Content-Security-Policy, in Chromium: pages with charts, htmx fragments and the two
small script behaviours work, and the browser reports no violation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programme.models import Role
from tests.browser.test_journeys import sign_in
from tests.factories import PASSWORD, foreign_world, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_work_under_the_policy_with_no_violation(page, org):
    world = foreign_world(org)  # one object of every kind, here in the consultant's organisation
    consultant = member(org, Role.CONSULTANT)
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip

    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    for name, args in [
        ("metrics-dashboard", []),
        ("showcase-case-feed", []),
        ("goals-okris", []),
        ("kickoff-report", [world["kickoff"].code]),
    ]:
        page.goto(reverse(name, args=[org.slug, *args]))
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    # The print button is wired by static/js/snowball.js, not an inline handler.
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") == 1

    page.goto(reverse("kickoff-stakeholder-map", args=[org.slug]))
    page.get_by_label("Person").select_option(index=0)
    page.get_by_role("button", name="Open").click()
    page.wait_for_url("**/stakeholders/**")
    # htmx still loads fragments (the notifications badge is one).
    expect(page.locator("nav [hx-get]").first).to_be_attached()
    assert violations == []
