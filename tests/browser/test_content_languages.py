"""Content in several languages (#20), in Chromium: a French reader gets the French version
of an announcement and may switch to the original; the showcase filters cases by language."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programme import services
from programme.models import Role
from programme.services.translations import announcement_translation_save
from showcase import services as showcase_services
from tests.browser.test_journeys import sign_in
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_french_reader_sees_the_french_version(browser, live_server, org):
    sponsor = member(org, Role.SPONSOR)
    reader = member(org, Role.SELLER)
    reader.user.language = "fr"
    reader.user.save(update_fields=["language"])
    programme = services.programme_save(
        by=member(org, Role.CONSULTANT), organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[sponsor], consultants=[],
    )  # fmt: skip
    announcement = services.announcement_save(
        programme=programme, author=sponsor, title="Why we start",
        body="We learn to **sell in conversations**.", audience="organisation",
    )  # fmt: skip
    announcement_translation_save(
        announcement=announcement, by=sponsor, language="fr", title="Pourquoi nous commençons",
        body="Nous apprenons à **vendre par la conversation**.",
    )  # fmt: skip
    services.announcement_publish(announcement=announcement, publisher=sponsor)
    author = member(org, Role.SELLER)
    for language, title in (("fr", "Une question aux acheteurs"), ("en", "Asking buyers")):
        showcase_services.case_save(author=author.participant, data={
            "kind": "post_worked", "title": title, "story": "…", "visibility": "organisation",
            "language": language,
        })  # fmt: skip

    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, reader.user.email, "correct horse battery staple")
        page.wait_for_url("**/o/**")
        page.goto(f"/o/{org.slug}/announcements/")
        page.get_by_role("link", name="Pourquoi nous commençons").click()
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Pourquoi nous commençons")
        expect(heading).to_have_attribute("lang", "fr")
        expect(page.locator(".announcement-body strong")).to_have_text("vendre par la conversation")
        # Found by test id: the reader's pages are in French once the catalogues are there.
        languages = page.get_by_test_id("announcement-languages")
        expect(languages.locator("[aria-current]")).to_have_text("Français")
        languages.get_by_role("link", name="English").click()
        expect(heading).to_have_text("Why we start")
        expect(heading).to_have_attribute("lang", "en")
        # Nothing wider than the screen on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.goto(f"/o/{org.slug}/showcase/")
        page.locator("#id_language").select_option("fr")
        page.locator(".feed-filters button[type=submit]").click()
        expect(page.get_by_role("link", name="Une question aux acheteurs")).to_be_visible()
        expect(page.get_by_role("link", name="Asking buyers")).to_have_count(0)
        context.close()
