"""Picks that are easy to share well, end to end in Chromium: marketing posts a pick whose page
a local server serves, the preview arrives while the page waits, a seller writes their own
angle, opens LinkedIn's dialog (intercepted: the test reaches no network) and says they
shared it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from programme.models import Role
from showcase.models import PickUptake
from tests.browser.test_announcement_journey import as_user
from tests.factories import TeamFactory, member
from tests.showcase.test_pick_previews import site  # noqa: F401 - the local page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marketing_posts_the_preview_arrives_a_seller_shares(
    browser,
    live_server,
    org,
    celery_worker,
    site,  # noqa: F811 - the fixture imported above
    settings,
):
    settings.PICK_PREVIEW_ALLOW_PRIVATE_ADDRESSES = True
    org.disclosure_line = "#employee"
    org.save(update_fields=["disclosure_line"])
    marketing = member(org, Role.MARKETING)
    seller = member(org, Role.SELLER, team=TeamFactory(organisation=org, name="Nordics"))

    page = as_user(browser, live_server, marketing)
    page.goto(f"/o/{org.slug}/showcase/picks/")
    page.get_by_label("Link to the company-page post").fill(site + "/post")
    page.get_by_label("Description").fill("Our study is out")
    page.get_by_label("Suggested angle").fill("Ask which finding surprised them")
    page.get_by_role("button", name="Post for sellers").click()
    # "Fetching the preview…" first, then the worker's result, without reloading.
    expect(page.get_by_test_id("preview")).to_contain_text("Cold-chain study 2026",
                                                           timeout=20_000)  # fmt: skip
    expect(page.locator("img.pick-preview-image")).to_be_visible()

    page = as_user(browser, live_server, seller)
    page.goto(f"/o/{org.slug}/showcase/picks/")
    page.get_by_role("link", name="Share on LinkedIn").click()
    expect(page.get_by_test_id("suggested-angle")).to_have_text("Ask which finding surprised them")
    expect(page.get_by_test_id("my-angle")).to_have_value("")  # never pre-filled
    expect(page.get_by_test_id("disclosure-line")).to_have_text("#employee")
    # Shown by its script once it can work (a click before the script ran did nothing once,
    # under the whole suite's load): the click waits for it.
    page.get_by_role("button", name="Copy my angle").click()
    expect(page.locator("#copy-status")).to_have_text("Write your angle first.")
    page.get_by_test_id("my-angle").fill("We saw the same at three customers.")

    opened = []
    page.context.route("https://www.linkedin.com/**", lambda route: (
        opened.append(route.request.url),
        route.fulfill(status=200, body="LinkedIn", content_type="text/plain"),
    ))  # fmt: skip
    with page.context.expect_page() as popup:
        page.get_by_role("link", name="Open LinkedIn to share").click()
    popup.value.close()
    shared = parse_qs(urlsplit(opened[0]).query)["url"][0]
    assert "utm_content=pick-" in shared and "utm_term=team-" in shared

    page.get_by_role("button", name="Yes, I shared it").click()
    expect(page.get_by_text("marked as shared")).to_be_visible()
    assert PickUptake.objects.filter(membership=seller, action="shared").count() == 1
