"""Moderation in Chromium: the consultant blocks a word from the navigation, a seller's concern
holding it waits (the seller sees it waiting on the phone), and one click approves it: htmx
swaps the queue and the board in place, and the concern reaches the seller's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kickoff.models import Concern, Moderation
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.browser.test_journeys import nav_to, sign_in
from tests.browser.test_kickoff_journey import phone
from tests.factories import PASSWORD, member, open_kickoff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_held_concern_waits_and_one_click_shows_it(browser, live_server, org, page):
    consultant = member(org, Role.CONSULTANT)
    session = open_kickoff(org, consultant)

    # The consultant blocks a word, from the navigation.
    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url("**/o/**")
    nav_to(page, "Blocked words")
    page.get_by_label("Word or phrase to hold for moderation").fill("stupid")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("“stupid” added")).to_be_visible()

    # A seller sends a concern holding it (anonymously): it waits, and they see it waiting.
    seller = phone(browser, live_server, member(org, Role.SELLER))
    seller.goto(f"/o/{org.slug}/join/{session.join_code}/")
    seller.get_by_label("What worries me").fill("This plan is STUPID for key accounts")
    seller.get_by_role("button", name="Send").click()
    expect(seller.get_by_text("waits for the facilitator")).to_be_visible()
    anonymous_flush()  # the timer's batch
    seller.reload()
    expect(seller.get_by_test_id("concern-unshown")).to_contain_text(
        "yours, waiting for the facilitator"
    )

    # The consultant approves it in place: the queue empties, the board shows it.
    page.goto(f"/o/{org.slug}/kickoffs/{session.code}/")
    queue = page.get_by_test_id("moderation-queue")
    expect(queue).to_contain_text("holds a blocked word: stupid")
    page.evaluate("window.stillHere = true")  # a full page load would forget it
    queue.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("moderation-queue")).to_have_count(0)
    expect(page.locator("#concerns-board")).to_contain_text("This plan is STUPID")
    assert page.evaluate("window.stillHere === true")
    assert Concern.objects.get().moderation == Moderation.SHOWN

    # On the seller's phone it is now on the list like any other (still theirs).
    seller.reload()
    expect(seller.get_by_test_id("concern-unshown")).to_have_count(0)
    expect(seller.get_by_text("This plan is STUPID for key accounts")).to_be_visible()
    seller.context.close()
