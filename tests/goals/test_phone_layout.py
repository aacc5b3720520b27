"""The Objectives pages on a 390 px phone (#16 item 9): the key-result table was 536 px wide in a
390 px screen; each key result now stacks as a small card with its column names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals import services
from goals.progress import Direction
from tests.factories import PASSWORD
from tests.goals.test_okris import setup  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_objectives_fit_a_phone_and_keep_their_numbers_and_status(page, org, setup):  # noqa: F811
    from tests.browser.test_journeys import sign_in

    consultant, objective = setup["consultant"], setup["objective"]
    made = services.key_result_add(
        objective=objective, by=consultant, source="manual", baseline=24, target=5,
        title="LinkedIn messages left unanswered for more than a week, across the wave",
        unit="unanswered messages", direction=Direction.DECREASE,
    )  # fmt: skip
    services.check_in(key_result=made, by=consultant, value=20, confidence=6)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    for url in (
        reverse("goals-okris", args=[org.slug]),
        reverse("goals-objective-detail", args=[org.slug, objective.code]),
    ):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        status = page.get_by_test_id("status").last
        assert status.is_visible() and status.inner_text() in ("On track", "At risk", "Off track")
    page.goto(reverse("goals-okris", args=[org.slug]))
    table = page.locator("table.okr-table").first.bounding_box()
    assert table["width"] <= 390
    target = page.locator("td[data-label=Target]").first
    assert target.is_visible() and "decrease to 5 unanswered messages" in target.inner_text()
    # The reason under a key result's bar ("... points behind the time gone ...") is read in full,
    # not squeezed beside the bar and cut at the card's edge.
    for reason in page.locator("td[data-label] [data-testid=status-reason]").all():
        box = reason.bounding_box()
        assert box["x"] + box["width"] <= 390 and box["width"] >= 200, reason.inner_text()
