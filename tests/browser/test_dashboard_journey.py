"""Dashboards in Chromium: charts render, a manager drills down, a seller sees their progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from metrics import rollups
from metrics.indicators import monday, organisation_today
from metrics.models import ParticipantWeek
from programme.models import Role, Team
from tests.browser.test_journeys import sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def activity(org):
    region = Team.objects.create(organisation=org, name="Region West")
    team = Team.objects.create(organisation=org, name="Team Harbour", parent=region)
    sellers = [member(org, Role.SELLER, team=team) for _ in range(6)]
    current = monday(organisation_today(org))
    for i, seller in enumerate(sellers):
        for ago in range(10):
            silent = i == 0 and ago < 3  # the first one posts into the void lately
            ParticipantWeek.objects.create(
                organisation=org, participant=seller.participant,
                week=current - timedelta(weeks=ago), posts=1, interactions_tracked=True,
                reactions_received=0 if silent else 4, meetings_via_linkedin=1 if ago == 5 else 0,
            )  # fmt: skip
    rollups.refresh_indicators(organisation_id=org.pk)
    return {"region": region, "team": team, "sellers": sellers}


def test_sponsor_sees_the_programme_dashboard_with_charts(page, org, activity):
    sponsor = member(org, Role.SPONSOR)
    sign_in(page, sponsor.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Programme dashboard")).to_be_visible()
    for name in ("Funnel", "Usage trend", "Snowball"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    charts = page.locator("figure.chart svg")
    assert charts.count() >= 3
    box = charts.first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150  # drawn, not collapsed
    expect(page.get_by_role("row", name="Team Harbour")).to_contain_text("6")


def test_manager_drills_down_and_consultant_sees_who_is_at_risk(page, org, activity):
    org.managers_see_individuals = True
    org.save()
    manager = member(org, Role.MANAGER, team=activity["region"])
    sign_in(page, manager.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Team dashboard: Region West")).to_be_visible()
    page.get_by_role("link", name="Team Harbour").click()
    expect(page.get_by_role("heading", name="Team dashboard: Team Harbour")).to_be_visible()
    quiet = activity["sellers"][0].user.get_full_name()
    first_row = page.locator("#sellers tbody tr").first  # needs attention first
    expect(first_row).to_contain_text(quiet)
    expect(first_row).to_contain_text("about to quit")
    page.get_by_role("button", name="Sign out").click()

    consultant = member(org, Role.CONSULTANT)
    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.goto(f"/o/{org.slug}/dashboard/")
    row = page.get_by_role("row", name=quiet)
    expect(row).to_contain_text("no interaction received in the last 3 weeks")


def test_seller_sees_own_progress(page, org, activity):
    seller = activity["sellers"][1]
    sign_in(page, seller.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    expect(page.get_by_test_id("streak")).to_have_text("10 weeks")
    expect(page.get_by_text("Compared with your", exact=False)).to_have_count(0)
    expect(page.get_by_text("Compared with everyone")).to_be_visible()
    assert page.locator("figure.chart svg:visible").count() == 1  # one of its two renditions
