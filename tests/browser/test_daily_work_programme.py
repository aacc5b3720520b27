"""The programme team's daily work in Chromium (issue #27): a session entered at 14:00 Paris
time reads 14:00; the meetings page after a meeting; a seller corrects the day's SSI. Each at
a desktop's and a phone's width."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from metrics.models import ActivityEvent, EventKind
from programme import services
from programme.models import Role, Session
from tests.browser.test_journeys import sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(browser, live_server, membership, *, width):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, membership.user.email, PASSWORD)
    page.wait_for_url("**/o/**")
    return page


@pytest.fixture
def paris(org):
    org.time_zone = "Europe/Paris"
    org.save()
    start = timezone.localdate() - datetime.timedelta(days=60)
    programme = services.programme_save(
        by=member(org, Role.CONSULTANT), organisation=org,
        data={"name": "Social selling", "start_date": start,
              "meeting_cadence_days": 14, "problem_flag_days": 7},
        sponsors=[member(org, Role.SPONSOR)],
        consultants=[],
    )  # fmt: skip
    return programme


@pytest.mark.parametrize("width", [1280, 390])
def test_consultant_plans_a_session_at_14_00_paris_and_reads_14_00(
    browser, live_server, org, paris, width
):
    consultant = member(org, Role.CONSULTANT)
    page = _open(browser, live_server, consultant, width=width)
    page.goto(reverse("programme-session-list", args=[org.slug, paris.code]))
    page.get_by_label("Kind").select_option("consultation")
    page.get_by_label("Title").fill("Clinic in Paris")
    page.get_by_label("Starts at").fill("2030-01-15T14:00")
    page.get_by_label("Duration minutes").fill("60")
    page.get_by_label("Hands-on practice (minutes)").fill("45")
    page.get_by_role("button", name="Plan session").click()
    expect(page.get_by_text("Tuesday 15 January 2030, 14:00")).to_be_visible()
    session = Session.objects.get(title="Clinic in Paris")
    assert session.starts_at == datetime.datetime(2030, 1, 15, 13, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("width", [1280, 390])
def test_manager_records_todays_meeting_and_the_cadence_warning_goes(
    browser, live_server, org, paris, width
):
    manager = member(org, Role.MANAGER)
    services.meeting_create(
        by=manager, programme=paris, held_on=timezone.localdate() - datetime.timedelta(days=40),
        attendees=[manager], notes="", decisions="",
    )  # fmt: skip
    page = _open(browser, live_server, manager, width=width)
    url = reverse("programme-meeting-list", args=[org.slug, paris.code])
    page.goto(url)
    expect(page.get_by_text("The cadence was missed")).to_be_visible()
    page.get_by_label("Held on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record meeting").click()
    page.wait_for_url("**/meetings/*/")
    page.goto(url)
    expect(page.get_by_text("The cadence was missed")).to_have_count(0)
    first = page.locator(".list-group-item").first
    expect(first).to_contain_text(date_format(timezone.localdate(), "DATE_FORMAT"))


@pytest.mark.parametrize("width", [1280, 390])
def test_seller_sees_and_corrects_todays_ssi(browser, live_server, org, width):
    seller = member(org, Role.SELLER)
    page = _open(browser, live_server, seller, width=width)
    page.goto(reverse("metrics-activity-home", args=[org.slug]))
    for label, value in (("SSI total", "60"), ("Establish brand", "15"), ("Find people", "15"),
                         ("Engage insights", "15"), ("Build relationships", "15")):  # fmt: skip
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Save SSI").click()
    expect(page.get_by_test_id("ssi-latest")).to_contain_text("60")
    # A typo: corrected in place, the form holds today's numbers.
    page.get_by_label("SSI total").fill("62")
    page.get_by_label("Build relationships").fill("17")
    page.get_by_role("button", name="Correct today's SSI").click()
    expect(page.get_by_text("corrected")).to_be_visible()
    expect(page.get_by_test_id("ssi-latest")).to_contain_text("62")
    expect(page.get_by_test_id("ssi-latest")).to_contain_text("17 / 25")
    assert ActivityEvent.objects.filter(kind=EventKind.SSI_SNAPSHOT).count() == 1
