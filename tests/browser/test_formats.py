"""Kick-off formats in Chromium: the consultant saves wave 1's kick-off as a format, plans wave
2's from it, a seller answers its questions on a phone, and the comparison shows both waves
(from the navigation, at 1280 px and at 390 px)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kickoff import services
from kickoff.models import KickoffSession
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate()


def test_a_format_carries_wave_one_into_wave_two(browser, live_server, org, page):
    consultant = member(org, Role.CONSULTANT)
    programme = programme_services.programme_save(
        by=consultant, organisation=org, sponsors=[], consultants=[consultant],
        data={"name": "Social selling", "start_date": TODAY - timedelta(days=40)},
    )  # fmt: skip
    for name in ("Supporters", "Second wave"):
        programme_services.wave_create(
            programme=programme, by=consultant, name=name, start_date=TODAY
        )
    first = services.kickoff_save(
        by=consultant, programme=programme, attendees=[],
        data={"title": "Kick-off wave 1", "held_on": TODAY - timedelta(days=30)},
    )  # fmt: skip
    services.kickoff_open(session=first, by=consultant)
    services.kickoff_close(session=first, by=consultant)

    # Wave 1's kick-off, saved as a format with its own questions and a timed agenda.
    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url("**/o/**")
    page.goto(f"/o/{org.slug}/kickoffs/{first.code}/")
    page.get_by_role("link", name="Save as a format").click()
    page.get_by_label("Name").fill("Wave kick-off (90 min)")
    page.get_by_label("Agenda").fill("Welcome — 15\nWhat worries you — 45\nNext steps — 30")
    page.get_by_label('The "what worries you" question').fill("What worries you about LinkedIn?")
    page.get_by_role("button", name="Save format").click()
    expect(page.get_by_text("Format: Wave kick-off (90 min)")).to_be_visible()

    # Wave 2's kick-off, planned from it, starting at 09:00: the run-sheet shows the clock.
    page.goto(f"/o/{org.slug}/programmes/{programme.code}/kickoffs/")
    page.get_by_role("link", name="plan from a format").click()
    page.get_by_label("Title").fill("Kick-off wave 2")
    page.get_by_label("Held on").fill(TODAY.isoformat())
    page.get_by_label("Starts at").fill("09:00")
    page.get_by_label("Wave").select_option(label="Second wave")
    page.get_by_role("button", name="Plan kick-off").click()
    run_sheet = page.get_by_test_id("run-sheet")
    expect(run_sheet).to_contain_text("09:15\u201310:00")
    expect(run_sheet).to_contain_text("What worries you")
    page.get_by_role("button", name="Open for concerns").click()
    page.wait_for_url("**/projector/")
    second = KickoffSession.objects.get(title="Kick-off wave 2")

    # A seller on a phone answers the format's question.
    seller = member(org, Role.SELLER)
    phone_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 800}, is_mobile=True
    )
    phone = phone_context.new_page()
    sign_in(phone, seller.user.email, PASSWORD)
    phone.wait_for_url("**/o/**")
    phone.goto(f"/o/{org.slug}/join/{second.join_code}/")
    phone.get_by_label("What worries you about LinkedIn?").fill("No examples from my sector")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_text("yours, being added")).to_be_visible()
    anonymous_flush()
    phone_context.close()

    # The comparison, from the navigation: both waves side by side, the later one with changes.
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/o/{org.slug}/")
        nav_to(page, "Kick-off formats")
        page.get_by_role("link", name="Compare waves").first.click()
        table = page.get_by_test_id("comparison")
        expect(table.get_by_test_id("session-column")).to_have_count(2)
        expect(table.get_by_test_id("session-column").nth(1)).to_contain_text("Second wave")
        expect(table).to_contain_text("+1 on the previous wave")  # concerns: 0, then 1
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
