"""The showcase in Chromium: post with an image, find it by a word of its story, react,
hide a comment; a consultant cannot author."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from programme.models import Role
from showcase.models import CaseComment, CaseReaction, CaseStudy
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_post_find_react_and_moderate(page, org, tmp_path):
    author, reader = member(org, Role.SELLER), member(org, Role.SELLER)
    consultant = member(org, Role.CONSULTANT)
    photo = tmp_path / "whiteboard.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 90, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    sign_in(page, author.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    nav_to(page, "Cases")
    page.get_by_role("link", name="Share what worked").click()
    page.get_by_label("Kind").select_option("meeting_booked")
    page.get_by_label("Title").fill("A poll that opened a door")
    page.get_by_label("Story").fill("I ran a poll about **cold-chain** audits; a buyer replied.")
    page.get_by_label("Images").set_input_files(str(photo))
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="A poll that opened a door")).to_be_visible()
    image = page.get_by_role("img", name="Image 1 of “A poll that opened a door”")
    expect(image).to_be_visible()
    # Served and decoded (decode() waits for the load, which may still be under way).
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, reader.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.goto(f"/o/{org.slug}/showcase/search/")
    page.get_by_label("Words from a title, a tag or a story").fill("audits")
    result = page.locator("#results").get_by_role("link", name="A poll that opened a door")
    expect(result).to_be_visible()  # search as you type, no button pressed
    expect(page.locator("#results mark")).to_have_text("audits")
    # Loaded: the reaction buttons are htmx's (deferred), else a plain form post.
    with page.expect_navigation(wait_until="load"):
        result.click()
    page.get_by_role("button", name="Useful").click()
    expect(page.get_by_role("button", name="Useful")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Your comment").fill("Which tool did you use for the poll?")
    page.get_by_role("button", name="Comment").click()
    expect(page.get_by_text("Which tool did you use for the poll?")).to_be_visible()
    assert CaseReaction.objects.filter(kind="useful").count() == 1
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, consultant.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.goto(f"/o/{org.slug}/showcase/")
    expect(page.get_by_role("link", name="Share what worked")).to_have_count(0)
    assert page.goto(f"/o/{org.slug}/showcase/new/").status == 403
    page.goto(f"/o/{org.slug}/showcase/{CaseStudy.objects.get().code}/")
    page.get_by_text("Hide this comment", exact=True).click()
    page.get_by_label("Why hide this comment").fill("Off topic")
    page.get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_text("Off topic")).to_be_visible()
    assert CaseComment.objects.get().hidden_reason == "Off topic"
    page.get_by_role("button", name="Sign out").click()

    # The author is told: the badge appears after the page loads, the inbox links the case.
    sign_in(page, author.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    expect(page.get_by_test_id("unread-count")).to_have_text("2 unread")
    page.get_by_role("link", name="Notifications").click()
    # The comment and the reaction are one line about the case, with both still unread.
    group = page.get_by_test_id("notification-group")
    expect(group).to_have_count(1)
    expect(group.get_by_test_id("unread")).to_have_text("2 unread")
    group.get_by_text("Show all 2").click()
    expect(group.get_by_role("link", name="commented on your case")).to_be_visible()
    with page.expect_navigation(wait_until="load"):
        group.get_by_role("link", name="reacted “Useful”").click()
    expect(page.get_by_role("heading", name="A poll that opened a door")).to_be_visible()
    # The badge arrives by htmx after the load: no count before it came proved nothing.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)


def test_marketing_pick_is_taken_up(page, org):
    marketing, seller = member(org, Role.MARKETING), member(org, Role.SELLER)
    sign_in(page, marketing.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.goto(f"/o/{org.slug}/showcase/picks/")
    page.get_by_label("Link to the company-page post").fill(
        "https://www.linkedin.com/feed/update/urn:li:activity:42"
    )
    page.get_by_label("Description").fill("Our cold-chain study is out")
    page.get_by_label("Suggested angle").fill("Ask which finding surprised them")
    page.get_by_role("button", name="Post for sellers").click()
    expect(page.get_by_text("Posted. Everyone in the programme is told.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, seller.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="New from marketing: Our cold-chain study is out").click()
    page.get_by_role("button", name="I shared it").click()
    expect(page.get_by_role("button", name="I shared it")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, marketing.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    page.goto(f"/o/{org.slug}/showcase/picks/uptake/")
    row = page.get_by_test_id("uptake").get_by_role("row", name="Our cold-chain study is out")
    expect(row.get_by_role("cell").nth(1)).to_have_text("1")
