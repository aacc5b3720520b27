"""In Chromium: a seller searches the showcase from the feed (as they type, and with the
button when JavaScript is off); a seller finds the open kick-off from their home page, joins
it while the projector shows how, and cannot say "me too" to their own concern."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kickoff import services as kickoff_services
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role
from showcase import services as showcase_services
from tests.browser.test_journeys import sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORY = "I asked **20 water-utility buyers** what *their* teams miss:\n\n- 14 replied\n- 3 called"


def _signed_in(browser, live_server, membership, width=1280, **options):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, **options
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, membership.user.email, PASSWORD)
    page.wait_for_url("**/o/**")
    return page


def test_feed_search_while_typing_and_with_the_button(browser, live_server, org):
    author = member(org, Role.SELLER)
    showcase_services.case_save(author=author.participant, data={
        "kind": "post_worked", "title": "Asking utility buyers", "story": STORY,
        "visibility": "organisation", "tags": ""})  # fmt: skip
    page = _signed_in(browser, live_server, member(org, Role.SELLER), width=390)
    page.goto(f"/o/{org.slug}/showcase/")
    page.get_by_role("searchbox").press_sequentially("replied", delay=40)
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Asking utility buyers")).to_be_visible()
    expect(results.locator("mark")).to_have_text("replied")
    expect(results).to_contain_text("20 water-utility buyers")
    assert "**" not in results.inner_text() and "*their*" not in results.inner_text()
    expect(page).to_have_url(re.compile(r"/showcase/search/\?q=replied$"))  # a reload keeps it
    page.reload()
    expect(
        page.locator("#results").get_by_role("link", name="Asking utility buyers")
    ).to_be_visible()
    page.context.close()

    no_script = _signed_in(
        browser, live_server, member(org, Role.SELLER), java_script_enabled=False
    )
    no_script.goto(f"/o/{org.slug}/showcase/")
    no_script.get_by_role("searchbox").fill("water utility")
    no_script.get_by_role("button", name="Search", exact=True).click()
    expect(no_script.get_by_role("heading", name="Search the showcase")).to_be_visible()
    expect(no_script.locator("#results mark").first).to_be_visible()
    no_script.context.close()


def test_seller_joins_from_home_and_cannot_second_their_own_concern(browser, live_server, org):
    consultant = member(org, Role.CONSULTANT)
    programme = programme_services.programme_save(
        by=consultant, organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[], consultants=[consultant],
    )  # fmt: skip
    session = kickoff_services.kickoff_save(
        by=consultant, programme=programme,
        data={"title": "Kick-off Oslo", "held_on": timezone.localdate()},
        attendees=[],
    )  # fmt: skip
    kickoff_services.kickoff_open(by=consultant, session=session)

    projector = _signed_in(browser, live_server, consultant)
    projector.goto(f"/o/{org.slug}/kickoffs/{session.code}/projector/")
    expect(projector.get_by_role("img", name="QR code")).to_be_visible()
    expect(projector.get_by_label("Join code")).to_have_text(session.join_code)
    expect(projector.locator(".projector-url")).to_contain_text(f"/o/{org.slug}/join/")
    assert projector.locator("nav.navbar").count() == 0
    assert projector.get_by_text("Notifications").count() == 0
    expect(projector.get_by_test_id("joined")).to_have_text("0")

    seller = _signed_in(browser, live_server, member(org, Role.SELLER), width=390)
    seller.get_by_role("link", name=re.compile(r"^Join\W+Kick-off Oslo$")).click()
    seller.get_by_label("What worries me").fill("My manager will read my posts")
    seller.get_by_role("button", name="Send").click()
    expect(seller.get_by_text("Your concern is being added")).to_be_visible()
    mine = seller.get_by_role("listitem").filter(has_text="My manager will read my posts")
    expect(mine.get_by_text("yours, being added")).to_be_visible()
    anonymous_flush()  # beat's timer writes anonymous concerns in batches
    seller.reload()
    expect(mine.get_by_text("yours · 0")).to_be_visible()
    assert mine.get_by_role("button").count() == 0

    # The projector counts the seller in and shows the concern without being reloaded (a 3 s
    # poll; 15 s for the whole suite's load, as the other live checks).
    expect(projector.get_by_test_id("joined")).to_have_text("1", timeout=15_000)
    expect(projector.get_by_text("My manager will read my posts")).to_be_visible()
    # Escape takes the consultant back to the kick-off page.
    projector.keyboard.press("Escape")
    projector.wait_for_url(f"**/kickoffs/{session.code}/")
    for page in (projector, seller):
        page.context.close()
