"""Alignment in Chromium: a consultant builds programme → wave → team objectives through the
forms (each under the one above), adds a decreasing key result with a weight and checks it in;
the Alignment page, reached from the Goals menu, rolls the progress up every level, and a phone
shows the tree without scrolling sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goals import services
from goals.models import Objective
from programme import services as programme_services
from programme.models import Role, Team
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _create(page, *, title: str, scope: str, under: str | None = None, group: str = "") -> None:
    nav_to(page, "Objectives")
    page.get_by_role("link", name="New objective").click()
    today = timezone.localdate()
    page.get_by_label("Objective").fill(title)
    page.get_by_label("Programme").select_option(label="Social selling")
    page.get_by_label("For").select_option(scope)
    if scope == "wave":
        page.get_by_label("Wave").select_option(index=1)
    if scope == "team":
        page.get_by_label("Team").select_option(label=group)
    if under:
        page.get_by_label("Sits under").select_option(label=under)
    page.get_by_label("From").fill((today - timedelta(days=7)).isoformat())
    page.get_by_label("Until").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Set the objective").click()
    expect(page.get_by_text("Objective set.")).to_be_visible()


def _manual(objective: Objective, by, title: str, value: float) -> None:
    key_result = services.key_result_add(objective=objective, by=by, title=title,
                                         source="manual", baseline=0, target=10)  # fmt: skip
    services.check_in(key_result=key_result, by=by, value=value, confidence=7)


def test_a_three_level_tree_rolls_up(page, org):
    consultant = member(org, Role.CONSULTANT)
    today = timezone.localdate()
    programme = programme_services.programme_save(
        by=consultant, organisation=org, data={"name": "Social selling", "start_date": today},
        sponsors=[member(org, Role.SPONSOR)], consultants=[consultant],
    )  # fmt: skip
    programme_services.wave_create(by=consultant, programme=programme, name="Supporters",
                                   start_date=today)  # fmt: skip
    Team.objects.create(organisation=org, name="Nordics")

    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    top, wave, team = "Conversations, not posts", "A weekly habit", "Nordics answer"
    _create(page, title=top, scope="programme")
    _create(page, title=wave, scope="wave", under=f"{top} (the whole programme)")
    _create(page, title=team, scope="team", group="Nordics", under=f"{wave} (one wave)")
    objectives = {o.title: o for o in Objective.objects.all()}
    assert objectives[team].parent == objectives[wave]
    assert objectives[wave].parent == objectives[top]
    _manual(objectives[top], consultant, "Meetings booked", 0)  # 0 %
    _manual(objectives[wave], consultant, "Cases shared", 10)  # 100 %
    _manual(objectives[team], consultant, "Posts", 5)  # 50 %

    # On the team objective's page (we are there): a key result that should go down, weight 3.
    form = page.locator("#add-key-result")
    form.get_by_label("Key result", exact=True).fill("Messages left unanswered")
    form.get_by_label("Checked in by hand").check()
    form.get_by_label("Baseline today").fill("24")
    form.get_by_label("Direction").select_option("decrease")
    form.get_by_label("Target", exact=True).fill("4")
    form.get_by_label("Weight").fill("3")
    form.get_by_role("button", name="Add the key result").click()
    expect(page.get_by_text("Added, with a baseline of 24.")).to_be_visible()
    card = page.locator("section.card", has_text="Messages left unanswered")
    card.get_by_label("Value now").fill("19")
    card.get_by_label("Confidence (1-10)").fill("6")
    card.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Checked in.")).to_be_visible()

    nav_to(page, "Alignment")
    expect(page.get_by_role("heading", name="Alignment")).to_be_visible()
    branches = page.get_by_test_id("branch")
    expect(branches).to_have_count(3)
    # team: (0.5 + 3 x 0.25) / 4 = 31 %; wave: (1 + 0.3125) / 2 = 66 %; top: (0 + 0.656) / 2 = 33 %
    percents = page.get_by_test_id("progress")
    expect(percents).to_have_text(["33%", "66%", "31%"])
    for depth, title in enumerate((top, wave, team)):
        expect(branches.nth(depth)).to_have_attribute("data-depth", str(depth))
        expect(branches.nth(depth).get_by_role("link").first).to_have_text(title)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(percents.nth(2)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    deepest = page.get_by_test_id("branch").nth(2).bounding_box()
    assert deepest["x"] + deepest["width"] <= 390
