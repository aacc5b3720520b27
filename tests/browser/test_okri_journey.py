"""OKRIs in Chromium: a consultant sets an objective for the supporters' wave, adds a key result
linked to "regular" (baseline captured on the spot) and a manual one with a check-in; the real
worker's rollup moves the linked key result; revenue in the first phase waits for the sponsor,
who confirms it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from metrics import rollups
from metrics import tasks as metrics_tasks
from metrics.indicators import monday
from metrics.ingest import Event, EventWriter, Summary
from metrics.models import EventKind
from programme import services as programme_services
from programme.models import Role
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_every_week(org, sellers):
    start = monday(timezone.now().date())
    writer = EventWriter(organisation=org, source="quick_log", summary=Summary())
    with transaction.atomic():
        for seller in sellers:
            pid = seller.participant.pk
            for ago in range(8):
                day = start - timedelta(weeks=ago)
                when = timezone.now().replace(year=day.year, month=day.month, day=day.day, hour=10)
                writer.add(Event(pid, EventKind.POST_PUBLISHED, when, f"{pid}-{ago}"))
        writer.flush()


def test_okris_from_objective_to_sponsor_confirmation(page, org, celery_worker):
    org.time_zone = "UTC"
    org.save()
    sponsor, consultant = member(org, Role.SPONSOR), member(org, Role.CONSULTANT)
    today = timezone.localdate()
    programme = programme_services.programme_save(
        by=consultant, organisation=org, data={"name": "Social selling", "start_date": today},
        sponsors=[sponsor], consultants=[consultant],
    )  # fmt: skip
    wave = programme_services.wave_create(
        by=consultant, programme=programme, name="Supporters", start_date=today
    )
    sellers = [member(org, Role.SELLER) for _ in range(5)]
    programme_services.wave_add_members(
        by=consultant, wave=wave, participants=[s.participant for s in sellers]
    )
    post_every_week(org, sellers[:2])
    rollups.rollup_full(organisation_id=org.pk)  # 2 of 5 regular: 40%

    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    nav_to(page, "Objectives")
    page.get_by_role("link", name="New objective").click()
    page.get_by_label("Objective").fill("LinkedIn becomes a weekly habit for the supporters")
    page.get_by_label("Programme").select_option(label="Social selling")
    page.get_by_label("For").select_option("wave")
    page.get_by_label("Wave").select_option(index=1)
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("Until").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Set the objective").click()
    expect(page.get_by_text("Objective set.")).to_be_visible()

    form = page.locator("#add-key-result")
    form.get_by_label("Key result", exact=True).fill("60% of the supporters regular by March")
    form.get_by_label("Indicator", exact=True).select_option("regular")
    form.get_by_label("Target", exact=True).fill("60")
    form.get_by_role("button", name="Add the key result").click()
    expect(page.get_by_text("Added, with a baseline of 40.")).to_be_visible()

    form = page.locator("#add-key-result")
    form.get_by_label("Key result", exact=True).fill("Real cases shared each month")
    form.get_by_label("Checked in by hand").check()
    form.get_by_label("Baseline today").fill("1")
    form.get_by_label("Target", exact=True).fill("5")
    form.get_by_role("button", name="Add the key result").click()
    manual = page.locator("section", has_text="Real cases shared each month")
    manual.get_by_label("Value now").fill("3")
    manual.get_by_label("Confidence (1-10)").fill("7")
    manual.get_by_label("Comment").fill("Ambassadors went first")
    manual.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Checked in.")).to_be_visible()
    manual = page.locator("section", has_text="Real cases shared each month")
    expect(manual.get_by_test_id("progress")).to_have_text("50%")

    form = page.locator("#add-key-result")
    form.get_by_label("Key result", exact=True).fill("€1M bookings sourced through LinkedIn")
    form.get_by_label("Checked in by hand").check()
    form.get_by_label("Baseline today").fill("0")
    form.get_by_label("Target", exact=True).fill("1000")
    form.get_by_role("button", name="Add the key result").click()
    expect(page.get_by_test_id("revenue-warning")).to_contain_text("Waiting for a sponsor")
    # The revenue key result does not count yet: (0% + 50%) / 2 = 25%.
    expect(page.get_by_test_id("progress").first).to_have_text("25%")

    # One more supporter becomes regular; the real worker's rollup moves the key result.
    post_every_week(org, sellers[2:3])
    metrics_tasks.rollup_full.delay(org.pk)
    linked = page.locator("section", has_text="60% of the supporters regular by March")
    for _ in range(30):
        page.reload()
        if linked.get_by_test_id("current").inner_text() == "60":
            break
        page.wait_for_timeout(500)
    expect(linked.get_by_test_id("current")).to_have_text("60")
    expect(linked.get_by_test_id("progress")).to_have_text("100%")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, sponsor.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="A key result about revenue in the first phase").click()
    page.get_by_role("button", name="Keep it: I confirm").click()
    expect(page.get_by_text("Confirmed: it counts toward")).to_be_visible()
    # Now three count: (100% + 50% + 0%) / 3 = 50%.
    expect(page.get_by_test_id("progress").first).to_have_text("50%")
