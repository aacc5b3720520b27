"""The sponsor's voice, end to end in Chromium, as each role in turn."""

from __future__ import annotations

import time

import pytest
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from programme import services, tasks
from programme.models import Announcement, Role
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import TeamFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def as_user(browser, live_server, membership):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, membership.user.email, "correct horse battery staple")
    page.wait_for_url("**/o/**")
    return page


def test_drafted_published_read_and_measured(browser, live_server, org, celery_worker):
    sponsor = member(org, Role.SPONSOR)
    consultant = member(org, Role.CONSULTANT)
    team = TeamFactory(organisation=org, name="Lyon")
    wave1_seller = member(org, Role.SELLER, team=team)
    wave1_other = member(org, Role.SELLER, team=team)
    wave2_seller = member(org, Role.SELLER, team=team)
    programme = services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling 2027", "start_date": timezone.localdate()},
        sponsors=[sponsor],
        consultants=[consultant],
    )
    wave1 = services.wave_create(
        by=consultant, programme=programme, name="Supporters", start_date=timezone.localdate()
    )
    wave2 = services.wave_create(
        by=consultant, programme=programme, name="Second", start_date=timezone.localdate()
    )
    services.wave_add_members(
        by=consultant, wave=wave1, participants=[wave1_seller.participant, wave1_other.participant]
    )
    services.wave_add_members(by=consultant, wave=wave2, participants=[wave2_seller.participant])

    # The consultant drafts for wave 1 and cannot publish.
    page = as_user(browser, live_server, consultant)
    nav_to(page, "Programmes")
    page.get_by_role("link", name="Social selling 2027").click()
    page.get_by_role("link", name="Draft an announcement").click()
    page.get_by_label("Title").fill("Why we start with the supporters")
    page.get_by_label("Body").fill("Dear all,\n\n**You go first.** Thank you.")
    page.get_by_label("Chosen waves").check()
    page.get_by_label("Supporters").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Only a sponsor can publish it.")).to_be_visible()
    expect(page.get_by_role("link", name="Publish in my name…")).to_have_count(0)
    page.context.close()

    # The sponsor finds the draft on their home page and publishes it.
    page = as_user(browser, live_server, sponsor)
    expect(page.get_by_text("1 draft awaiting publication")).to_be_visible()
    # Loaded: "Publish in my name…" is htmx's (deferred), else a plain link to its own page.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Why we start with the supporters").click()
    page.get_by_role("link", name="Publish in my name…").click()
    expect(page.get_by_text("It goes to 2 people: everyone in Supporters")).to_be_visible()
    page.get_by_role("button", name="Yes, publish to 2 people").click()
    expect(page.get_by_text("Published in your name to 2 people.")).to_be_visible()
    expect(page.get_by_test_id("reach-audience")).to_have_text("2")
    expect(page.get_by_test_id("reach-acknowledged")).to_have_text("0")
    sponsor_page = page

    announcement = Announcement.objects.get()
    wait_for(lambda: len(mail.outbox) == 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [wave1_seller.user.email, wave1_other.user.email]
    )
    # Running the e-mail task again sends nothing more: both runs finish having sent 0.
    finished: dict[str, object] = {}

    def record(sender=None, task_id=None, retval=None, **kwargs) -> None:
        finished[task_id] = retval

    task_postrun.connect(record, weak=False)
    try:
        runs = [tasks.announcement_send.delay(announcement.pk).id for _ in range(2)]
        wait_for(lambda: all(run in finished for run in runs))
    finally:
        task_postrun.disconnect(record)
    assert [finished[run] for run in runs] == [0, 0]
    assert len(mail.outbox) == 2

    # A wave 1 seller sees it on their home page, reads it and confirms.
    page = as_user(browser, live_server, wave1_seller)
    expect(page.get_by_text("1 announcement to read")).to_be_visible()
    page.get_by_role("link", name="Why we start with the supporters").click()
    expect(page.locator(".announcement-body strong")).to_have_text("You go first.")
    page.get_by_role("button", name="I have read this").click()
    expect(page.get_by_text("You confirmed reading this")).to_be_visible()
    page.context.close()

    # A wave 2 seller does not see it at all.
    page = as_user(browser, live_server, wave2_seller)
    expect(page.get_by_text("announcement to read")).to_have_count(0)
    nav_to(page, "Announcements")
    expect(page.get_by_text("Why we start with the supporters")).to_have_count(0)
    response = page.goto(f"/o/{org.slug}/announcements/{announcement.code}/")
    assert response.status == 404
    page.context.close()

    # The sponsor's reach now counts one reader; a reminder goes to the other only.
    sponsor_page.reload()
    expect(sponsor_page.get_by_test_id("reach-acknowledged")).to_have_text("1")
    expect(sponsor_page.get_by_test_id("reach-opened")).to_have_text("1")
    sponsor_page.get_by_role("button", name="Remind the 1 person who has not confirmed").click()
    wait_for(lambda: len(mail.outbox) == 3)
    assert mail.outbox[2].to == [wave1_other.user.email]
    assert mail.outbox[2].subject.startswith("Reminder:")
    sponsor_page.context.close()
