"""The SCIM page in Chromium: an admin reaches it from the account menu, creates a token, copies
it (shown once) and revokes it; the page fits a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programme.models import Role
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_creates_and_revokes_a_scim_token(page, org, width, tmp_path):
    admin = member(org, Role.ADMIN)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, admin.user.email, PASSWORD)
    nav_to(page, "User provisioning (SCIM)")
    expect(page.get_by_role("heading", name="User provisioning (SCIM)")).to_be_visible()
    expect(page.get_by_test_id("scim-base-url")).to_contain_text("/scim/v2/")
    page.get_by_label("Name").fill("Entra ID production")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("new-token")
    expect(secret).to_contain_text("scim_")
    page.screenshot(path=str(tmp_path / f"scim-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Revoke Entra ID production").click()
    expect(page.get_by_text("can no longer use it")).to_be_visible()
    expect(page.get_by_role("cell", name="revoked", exact=False)).to_be_visible()
