"""Closing a period in Chromium (#22): the owner of an objective whose period ended closes and
grades it (each grade prefilled from progress), sees it read-only, copies it forward to the
next period, and opens the period's evaluation from the Objectives page; on a phone too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goals import services
from programme import services as programme_services
from programme.models import Role
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_close_grade_copy_forward_and_read_the_evaluation(page, org, width):
    org.time_zone = "UTC"
    org.save()
    consultant, today = member(org, Role.CONSULTANT), timezone.localdate()
    programme = programme_services.programme_save(
        by=consultant, organisation=org, sponsors=[member(org, Role.SPONSOR)],
        data={"name": "Social selling", "start_date": today - timedelta(days=120)},
        consultants=[consultant],
    )  # fmt: skip
    objective = services.objective_create(
        by=consultant, programme=programme, scope="programme", owner=consultant,
        title="Sellers share real cases", starts_on=today - timedelta(days=100),
        ends_on=today - timedelta(days=5),
    )  # fmt: skip
    cases = services.key_result_add(objective=objective, by=consultant, title="Cases a month",
                                    source="manual", baseline=0, target=10)  # fmt: skip
    services.check_in(key_result=cases, by=consultant, value=7, confidence=6)

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    nav_to(page, "Objectives")
    page.get_by_role("link", name="Sellers share real cases").click()
    expect(page.get_by_test_id("ended")).to_contain_text("The period ended on")
    page.get_by_role("link", name="Close and grade").click()

    grade = page.get_by_label("Grade (0.0 to 1.0)")
    expect(grade).to_have_value("0.7")  # 7 of 10
    grade.fill("0.6")
    page.get_by_label("Comment").fill("The summer cost us a month.")
    page.get_by_role("button", name="Close and grade").click()
    expect(page.get_by_text("This field is required")).to_be_visible()  # no lessons yet
    page.get_by_label("What we learned").fill("Cases come from ambassadors first.")
    page.get_by_role("button", name="Close and grade").click()

    expect(page.get_by_test_id("closed")).to_contain_text("read-only")
    expect(page.get_by_test_id("kr-grade")).to_contain_text("Grade 0.6")
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)
    page.get_by_role("link", name="Copy forward to the next period").click()
    start = page.get_by_label("Next period from")
    expect(start).to_have_value((objective.ends_on + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Copy forward").click()
    expect(page.get_by_test_id("copied-from")).to_contain_text("Sellers share real cases")
    expect(page.get_by_test_id("current")).to_have_text("7")  # its baseline is where it ended

    nav_to(page, "Objectives")
    page.get_by_test_id("evaluations").get_by_role("link").click()
    expect(page.get_by_test_id("evaluated-objective")).to_contain_text("Cases come from")
    expect(page.get_by_test_id("mean-grade")).to_have_text("Average grade: 0.60")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
