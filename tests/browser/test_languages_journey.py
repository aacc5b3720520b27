"""In the reader's own language, in Chromium: a seller whose browser speaks German signs in, joins
a kick-off on their phone and posts a concern, all in German; the sign-in page's switcher."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from kickoff.models import Concern
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import PASSWORD, member, open_kickoff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def german(message: str, context: str | None = None) -> str:
    """The German of an English message; the test fails if there is none."""
    with translation.override("de"):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    assert text != message, f"no German for {message!r}"
    return text


def test_a_seller_joins_a_kickoff_and_posts_a_concern_in_german(browser, live_server, org):
    session = open_kickoff(org)
    seller = member(org, Role.SELLER)
    context = browser.new_context(
        base_url=live_server.url, locale="de-DE", viewport={"width": 390, "height": 844},
        is_mobile=True,
    )  # fmt: skip
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "de"
    expect(page.get_by_role("heading", name=german("Sign in to Snowball"))).to_be_visible()
    page.locator("input[name=login]").fill(seller.user.email)
    page.locator("form.login-form button[type=submit]").click()  # the e-mail first (#18)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url("**/o/**")
    seller.user.refresh_from_db()
    assert seller.user.language == "de"  # the browser's language, kept from the first sign-in

    page.goto("/join/")
    page.get_by_label(german("Session code")).fill(session.join_code.lower())
    page.get_by_role("button", name=german("Join")).click()
    page.get_by_label(german("What worries me")).fill("Meine Kunden halten das für Werbung")
    page.get_by_role("button", name=german("Send")).click()
    expect(page.get_by_text(german("yours, being added"))).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the German page is wider than the phone"
    anonymous_flush()
    assert Concern.objects.filter(session=session, worry__startswith="Meine Kunden").exists()
    context.close()


def test_the_sign_in_page_switches_language(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "en-gb"
    page.get_by_label("Language").select_option("cs")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cs"
    with translation.override("cs"):
        heading = translation.gettext("Sign in to Snowball")
    assert heading != "Sign in to Snowball"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    context.close()
