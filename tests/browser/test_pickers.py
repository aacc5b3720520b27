"""People pickers and the announcement form in Chromium: search by team or e-mail with the
keyboard, the session's attendees first, the plain select without JavaScript, a phone's
width; the audience boxes that follow the audience, and publishing only after a confirmation."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kickoff import services as kickoff_services
from kickoff.models import KickoffSession
from programme import services
from programme.models import Announcement, Role
from tests.browser.test_journeys import sign_in
from tests.factories import PASSWORD, TeamFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(browser, live_server, membership, *, width=1280, javascript=True):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, membership.user.email, PASSWORD)
    page.wait_for_url("**/o/**")
    return page


@pytest.fixture
def people(org):
    consultant = member(org, Role.CONSULTANT)
    sponsor = member(org, Role.SPONSOR)
    north = TeamFactory(organisation=org, name="Nordics")
    south = TeamFactory(organisation=org, name="Iberia")
    nordics = [member(org, Role.SELLER, team=north) for _ in range(2)]
    iberia = [member(org, Role.SELLER, team=south) for _ in range(3)]
    programme = services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[sponsor],
        consultants=[consultant],
    )
    return {
        "consultant": consultant,
        "sponsor": sponsor,
        "nordics": nordics,
        "iberia": iberia,
        "programme": programme,
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_attendees_are_found_by_team_and_e_mail_with_the_keyboard(
    browser, live_server, org, people, width
):
    page = _open(browser, live_server, people["consultant"], width=width)
    page.goto(f"/o/{org.slug}/programmes/{people['programme'].code}/kickoffs/")
    page.get_by_label("Title").fill("Kick-off Oslo")
    page.get_by_label("Held on").fill(timezone.localdate().isoformat())
    picker = page.get_by_role("combobox", name="Attendees")  # the label names the search box
    picker.click()
    picker.press_sequentially("Nordics")
    dropdown = page.locator("#id_attendees-ts-dropdown .option")
    expect(dropdown).to_have_count(2)
    page.keyboard.press("Enter")
    iberian = people["iberia"][1]
    picker.press_sequentially(iberian.user.email.split("@")[0])
    expect(dropdown).to_have_count(1)
    page.keyboard.press("Enter")
    box = page.locator("#id_attendees-ts-dropdown").bounding_box()
    assert box is None or box["x"] + box["width"] <= width
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Plan kick-off").click()
    page.wait_for_url("**/kickoffs/**")
    session = KickoffSession.objects.get(title="Kick-off Oslo")
    attendees = set(session.attendees.all())
    assert len(attendees) == 2 and iberian in attendees
    assert attendees & set(people["nordics"])
    page.context.close()


def test_without_javascript_the_plain_select_works(browser, live_server, org, people):
    page = _open(browser, live_server, people["consultant"], javascript=False)
    page.goto(f"/o/{org.slug}/programmes/{people['programme'].code}/kickoffs/")
    page.get_by_label("Title").fill("Kick-off Madrid")
    page.get_by_label("Held on").fill(timezone.localdate().isoformat())
    chosen = people["iberia"][0]
    page.get_by_label("Attendees").select_option(str(chosen.pk))
    page.get_by_role("button", name="Plan kick-off").click()
    page.wait_for_url("**/kickoffs/**")
    assert list(KickoffSession.objects.get(title="Kick-off Madrid").attendees.all()) == [chosen]
    page.context.close()


def test_the_emotion_source_offers_the_sessions_attendees_first(browser, live_server, org, people):
    attendee = people["iberia"][2]
    session = kickoff_services.kickoff_save(
        by=people["consultant"],
        programme=people["programme"],
        data={"title": "Kick-off Lisbon", "held_on": timezone.localdate()},
        attendees=[attendee],
    )
    page = _open(browser, live_server, people["consultant"])
    page.goto(f"/o/{org.slug}/kickoffs/{session.code}/")
    # The searchable box, not the hidden native select that keeps the same label for axe.
    page.get_by_role("combobox", name="From (person)").and_(page.locator("input")).click()
    first_group = page.locator(".ts-dropdown .optgroup").first
    expect(first_group.locator(".optgroup-header")).to_have_text("In this session")
    expect(first_group.locator(".option")).to_have_count(1)
    expect(first_group.locator(".option")).to_contain_text(attendee.user.email)
    page.context.close()


def test_audience_boxes_follow_the_audience_and_publishing_is_confirmed(
    browser, live_server, org, people
):
    wave = services.wave_create(
        by=people["consultant"],
        programme=people["programme"],
        name="Supporters",
        start_date=timezone.localdate(),
    )
    services.wave_add_members(
        by=people["consultant"], wave=wave, participants=[m.participant for m in people["nordics"]]
    )
    page = _open(browser, live_server, people["sponsor"])
    page.goto(f"/o/{org.slug}/announcements/")
    page.get_by_role("link", name="New announcement").click()
    expect(page.get_by_label("Everyone in the organisation")).to_be_checked()
    expect(page.get_by_label("Supporters")).to_be_hidden()
    expect(page.get_by_label("Iberia")).to_be_hidden()
    page.get_by_label("Chosen waves").check()
    expect(page.get_by_label("Supporters")).to_be_visible()
    expect(page.get_by_label("Iberia")).to_be_hidden()
    page.get_by_label("Supporters").check()
    page.get_by_label("Title").fill("You go first")
    page.get_by_label("Body").fill("Thank you for leading.")
    # Loaded: "Publish in my name…" is htmx's (deferred); clicked before it ran, it is a plain
    # link to the publish page.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Save draft").click()

    page.get_by_role("link", name="Publish in my name…").click()
    # htmx brings the confirmation under the draft: the page did not change.
    expect(page.get_by_text("It goes to 2 people: everyone in Supporters")).to_be_visible()
    assert "/publish/" not in page.url
    assert Announcement.objects.get().status == "draft"
    page.get_by_role("button", name="Yes, publish to 2 people").click()
    expect(page.get_by_text("Published in your name to 2 people.")).to_be_visible()
    assert Announcement.objects.get().status == "published"
    page.context.close()
