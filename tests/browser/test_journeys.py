"""Key journeys driven in headless Chromium against the live server."""

from __future__ import annotations

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from programme import services
from programme.models import Membership, Role
from tests.factories import PASSWORD, MembershipFactory, ParticipantFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()  # the e-mail first (#18)
    page.get_by_label("Password").fill(password)
    # The next page loaded (the home page, or this form again with its message): a click
    # waits only for it to start, and the steps after it act on what it shows.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Sign In").click()


def signed_in_tab(browser, live_server, membership, width, height, javascript=True):
    """A new browser tab of the given size, signed in as `membership` and on its home page."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height},
        java_script_enabled=javascript,
    )  # fmt: skip
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, membership.user.email, PASSWORD)
    page.wait_for_url("**/o/**")
    return page


def nav_to(page, name: str) -> None:
    """Follow the navigation entry `name`: top level, or in a menu (opened first), behind the
    toggler on a phone."""
    # Loaded: the menus and the toggler are Bootstrap's (its script ends the page); clicked
    # before it ran, they do nothing.
    page.wait_for_load_state("load")
    link = page.locator("#main-nav").get_by_role("link", name=name, exact=True, include_hidden=True)
    link = link.first
    if not link.is_visible():
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
        menu = link.locator("xpath=ancestor::li[contains(@class, 'dropdown')]/button")
        if menu.count() and not link.is_visible():
            menu.click()
    # Until the entry's page has loaded (a click waits only for it to start; under the whole
    # suite's load the next step's 5 s once ran out on the page before).
    with page.expect_navigation(wait_until="load"):
        link.click()


def test_sign_in_wrong_then_right_password(page, org) -> None:
    seller = member(org, Role.SELLER)
    page.goto("/")
    assert "/accounts/login/" in page.url
    sign_in(page, seller.user.email, "not the password")
    expect(page.get_by_text("not correct")).to_be_visible()  # is_visible() would not wait
    sign_in(page, seller.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    assert page.get_by_role("heading", name=org.name).is_visible()
    assert page.get_by_text("You take part as seller").is_visible()
    # A seller's navigation offers no roster import or people directory.
    assert page.get_by_role("link", name="Roster", include_hidden=True).count() == 0
    assert page.get_by_role("link", name="People", include_hidden=True).count() == 0

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    page.goto(f"/o/{org.slug}/")
    assert "/accounts/login/" in page.url


def test_invitation_acceptance_then_sign_in(page, org) -> None:
    user = UserFactory(email="new.seller@example.com", password=False, first_name="Nadia")
    EmailAddress.objects.filter(user=user).delete()
    membership = MembershipFactory(user=user, organisation=org, joined_at=None)
    ParticipantFactory(membership=membership)
    services.invitations_send(organisation_id=org.pk)
    [message] = mail.outbox
    path = "/" + re.search(r"https?://[^/\s]+/(\S+)", message.body).group(1)

    page.goto(path)
    assert page.get_by_text("Hello Nadia").is_visible()
    page.get_by_label("New password:", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Join").click()
    # A click waits for the next page to start, not to be parsed: expect() waits for it.
    expect(page.get_by_text("This password is too short")).to_be_visible()

    page.get_by_label("New password:", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(f"**/o/{org.slug}/")
    assert page.get_by_text(f"Welcome to {org.name}").is_visible()
    membership.refresh_from_db()
    assert membership.joined_at is not None

    # The spent link now explains itself instead of offering the form again.
    page.goto(path)
    assert page.get_by_role("heading", name="This invitation link cannot be used").is_visible()

    page.context.clear_cookies()
    sign_in(page, "new.seller@example.com", PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")


def test_consultant_imports_a_roster_and_watches_it_finish(
    page, org, celery_worker, tmp_path
) -> None:
    consultant = member(org, Role.CONSULTANT)
    good = tmp_path / "roster.csv"
    bad = tmp_path / "roster-bad.csv"
    header = "email;first name;last name;team;role;job role\n"
    rows = [f"p{i}@example.com;P{i};Person{i};Team {i % 2};seller;seller\n" for i in range(20)]
    good.write_text(header + "".join(rows), encoding="utf-8-sig")
    rows[7] = "p7@example.com;P7;Person7;Team 1;wizard;seller\n"
    bad.write_text(header + "".join(rows), encoding="utf-8")

    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.get_by_role("link", name="Roster").first.click()

    page.get_by_label("Roster CSV").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Line 9")).to_be_visible()  # the click waits only for the commit
    expect(page.get_by_text("Unknown role “wizard”")).to_be_visible()
    assert Membership.objects.filter(organisation=org).count() == 1

    page.get_by_label("Roster CSV").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    # htmx polls the status until the worker has finished.
    page.get_by_text("20 new").wait_for(timeout=30_000)
    assert Membership.objects.filter(organisation=org).count() == 21
    deadline = time.monotonic() + 20
    while len(mail.outbox) < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == 20

    # Loaded: the search as you type is htmx's (deferred); typed before it ran, nothing asked.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="See the people").click()
    page.get_by_label("Name or e-mail").fill("Person13")
    expect(page.get_by_text("p12@example.com")).to_have_count(0)
    expect(page.get_by_text("p13@example.com")).to_be_visible()
    assert "q=Person13" in page.url  # the filtered list has its own address


def test_pages_fit_a_phone(browser, live_server, org) -> None:
    consultant = member(org, Role.CONSULTANT)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    try:
        sign_in(page, consultant.user.email, PASSWORD)
        page.wait_for_url(f"**/o/{org.slug}/")
        for path in (f"/o/{org.slug}/", f"/o/{org.slug}/people/", f"/o/{org.slug}/roster/"):
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        # The menu collapses behind a toggle and opens on tap.
        page.get_by_role("button", name="Show navigation").click()
        page.get_by_role("button", name="Programme").click()
        page.get_by_role("link", name="People").click()
        page.wait_for_url("**/people/")
    finally:
        context.close()
