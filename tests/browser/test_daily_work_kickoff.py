"""The programme team's daily work in Chromium (#27): closing a kick-off asks first (in place
with htmx, on its own page without JavaScript), the projector still leads back, a named concern
shows its author, the report prints in two columns, a wave is renamed, and featuring a case asks
its author, at 1280 and 390 px."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kickoff import services
from kickoff.models import Concern, EmotionSignal, KickoffSession
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role
from showcase import services as showcase_services
from tests.browser.test_journeys import signed_in_tab
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [(1280, 900), (390, 844)]


def _named(org, role, first, last):
    person = member(org, role)
    person.user.first_name, person.user.last_name = first, last
    person.user.save()
    return person


@pytest.fixture
def live_kickoff(org):
    consultant = _named(org, Role.CONSULTANT, "Mia", "Novak")
    programme = programme_services.programme_save(
        by=consultant, organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[], consultants=[consultant],
    )  # fmt: skip
    session = services.kickoff_save(
        by=consultant, programme=programme,
        data={"title": "Kick-off Lyon", "held_on": timezone.localdate(), "facilitator": consultant,
              "sponsor_notes": "Claire told how a comment became a deal."},
        attendees=[],
    )  # fmt: skip
    services.kickoff_open(by=consultant, session=session)
    session.refresh_from_db()
    anna = _named(org, Role.SELLER, "Anna", "Andersen")
    services.concern_submit(
        session=session, by=anna, worry="No time next to my quota", would_help="", anonymous=False
    )
    shy = member(org, Role.SELLER)
    quiet = services.concern_submit(
        session=session, by=shy, worry="Being judged on likes", would_help="", anonymous=True
    )
    anonymous_flush()  # anonymous concerns are written in batches by the timer
    services.concern_vote(concern=quiet, by=anna)
    EmotionSignal.objects.create(
        session=session, kind="anxiety", intensity=2, participant=anna.participant
    )
    return {"consultant": consultant, "session": session, "programme": programme}


@pytest.mark.parametrize("width, height", WIDTHS)
def test_closing_asks_first_in_place_and_the_projector_leads_back(
    browser, live_server, org, live_kickoff, width, height
):
    session = live_kickoff["session"]
    page = signed_in_tab(browser, live_server, live_kickoff["consultant"], width, height)
    page.goto(f"/o/{org.slug}/kickoffs/{session.code}/projector/")
    live = page.locator("#live-concerns")
    expect(live.get_by_text("from Anna Andersen")).to_be_visible()
    expect(live.get_by_text("Being judged on likes")).to_be_visible()
    assert live.locator("[data-testid=concern-author]").count() == 1
    page.keyboard.press("Escape")
    page.wait_for_url(f"**/kickoffs/{session.code}/")

    page.get_by_role("link", name="Close session…").click()
    question = page.locator("#close-question")
    expect(question).to_contain_text("1 “me too” vote by 1 person on 1 concern")
    assert page.url.endswith(f"/kickoffs/{session.code}/")  # in place, with htmx
    overflow = page.evaluate("document.querySelector('main').scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Loaded: "Close session…" is htmx's (deferred), else a plain link to its own page.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="No, keep it open").click()
    session.refresh_from_db()
    assert session.status == KickoffSession.Status.OPEN

    page.get_by_role("link", name="Close session…").click()
    page.get_by_role("button", name="Yes, close and forget the voters").click()
    expect(page.get_by_text("Session closed.")).to_be_visible()
    session.refresh_from_db()
    assert session.status == KickoffSession.Status.CLOSED
    assert Concern.objects.get(worry="Being judged on likes").votes == 1
    page.context.close()


def test_without_javascript_closing_asks_on_its_own_page(browser, live_server, org, live_kickoff):
    session = live_kickoff["session"]
    page = signed_in_tab(
        browser, live_server, live_kickoff["consultant"], 390, 844, javascript=False
    )
    page.goto(f"/o/{org.slug}/kickoffs/{session.code}/")
    page.get_by_role("link", name="Close session…").click()
    page.wait_for_url("**/close/")
    expect(page.get_by_role("heading", name="Close “Kick-off Lyon”?")).to_be_visible()
    page.get_by_role("button", name="Yes, close and forget the voters").click()
    page.wait_for_url(f"**/kickoffs/{session.code}/")
    session.refresh_from_db()
    assert session.status == KickoffSession.Status.CLOSED
    page.context.close()


def test_the_report_prints_emotions_beside_stances(browser, live_server, org, live_kickoff):
    session = live_kickoff["session"]
    # About the printable width of an A4 page.
    page = signed_in_tab(browser, live_server, live_kickoff["consultant"], 700, 1000)
    page.goto(f"/o/{org.slug}/kickoffs/{session.code}/report/")
    expect(page.get_by_text("Claire told how a comment became a deal.")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Anna Andersen", exact=True)
    ).to_be_visible()  # emotion source
    page.emulate_media(media="print")
    emotions = page.locator("#emotions-heading").bounding_box()
    stances = page.locator("#stance-heading").bounding_box()
    assert abs(emotions["y"] - stances["y"]) < 2 and stances["x"] > emotions["x"] + 200
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.context.close()


@pytest.mark.parametrize("width, height", WIDTHS)
def test_a_wave_is_renamed_from_the_planner(browser, live_server, org, live_kickoff, width, height):
    programme = live_kickoff["programme"]
    programme_services.wave_create(
        by=live_kickoff["consultant"],
        programme=programme,
        name="Supporters",
        start_date=timezone.localdate(),
    )
    page = signed_in_tab(browser, live_server, live_kickoff["consultant"], width, height)
    page.goto(f"/o/{org.slug}/programmes/{programme.code}/wave-planner/")
    expect(page.get_by_label("Name")).to_have_value("Wave 2")
    page.get_by_role("link", name="Rename Supporters").click()
    page.get_by_label("New name").fill("Pioneers")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Supporters is now called Pioneers.")).to_be_visible()
    expect(page.get_by_role("link", name="Pioneers", exact=True)).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("width, height", WIDTHS)
def test_featuring_asks_the_author_who_says_yes(browser, live_server, org, width, height):
    author = _named(org, Role.SELLER, "Maja", "Garcia")
    manager = _named(org, Role.MANAGER, "Lena", "Koch")
    case = showcase_services.case_save(
        author=author.participant,
        data={"kind": "deal_won", "title": "A deal from one comment", "story": "It worked.",
              "visibility": "organisation"},
    )  # fmt: skip
    boss = signed_in_tab(browser, live_server, manager, width, height)
    boss.goto(f"/o/{org.slug}/showcase/{case.code}/")
    boss.get_by_role("button", name="Ask the author to feature it").click()
    expect(boss.get_by_text("their answer is awaited")).to_be_visible()

    seller = signed_in_tab(browser, live_server, author, width, height)
    seller.goto(f"/o/{org.slug}/me/notifications/")
    seller.get_by_role("link", name="Lena Koch asks to feature your case").first.click()
    expect(seller.get_by_role("heading", name="May we feature your case")).to_be_visible()
    overflow = seller.evaluate("document.querySelector('main').scrollWidth - window.innerWidth")
    assert overflow <= 0
    seller.get_by_role("button", name="Yes, feature it").click()
    expect(seller.get_by_text("your case is on the home page")).to_be_visible()
    case.refresh_from_db()
    assert case.featured_at is not None and case.featured_by == manager
    for tab in (boss, seller):
        tab.context.close()
