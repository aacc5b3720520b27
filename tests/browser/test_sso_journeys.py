"""Single sign-on in Chromium against real identity providers on this machine: the sign-in page
asks the e-mail, sends an Acme address to Acme's provider, and the person lands signed in on
Acme's home page. OpenID Connect: django-oauth-toolkit in its own process; SAML: a small IdP on
a socket, signing with a key made here, answered through allauth's and python3-saml's checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from identity.sso.services import SsoSettings, sso_configure
from programme.models import Role
from tests.factories import member
from tests.identity.helpers import person
from tests.identity.oidc_idp import IDP_PASSWORD, running_oidc_idp
from tests.identity.saml_idp import IdpServer, SamlIdp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def continue_with_provider(page, email: str) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)  # fmt: skip
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Continue", exact=True).click()
    button = page.get_by_role("button", name="Continue with Acme sign-in")
    expect(button).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_count(0)
    button.click()
    page.wait_for_load_state()
    assert violations == []


def test_oidc_journey(page, org, django_db_blocker) -> None:
    seller = person(org, Role.SELLER, email="sam@acme.com")
    with running_oidc_idp(
        [{"email": "sam@acme.com", "password": IDP_PASSWORD, "first_name": "Sam"}]
    ) as idp:
        sso_configure(
            by=member(org, Role.ADMIN),
            data=SsoSettings(
                protocol="oidc", display_name="Acme sign-in", domains=["acme.com"],
                server_url=idp.url, client_id=idp.client_id, client_secret=idp.client_secret,
            ),
        )  # fmt: skip
        continue_with_provider(page, "sam@acme.com")
        # The provider's own sign-in page, on its own origin.
        expect(page.get_by_role("heading", name="Test IdP")).to_be_visible()
        assert page.url.startswith(idp.url.rsplit("/o", 1)[0])
        page.get_by_label("IdP username").fill("sam@acme.com")
        page.get_by_label("IdP password").fill(IDP_PASSWORD)
        page.get_by_role("button", name="IdP sign in").click()
        page.wait_for_url(f"**/o/{org.slug}/")
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert seller.user.email == "sam@acme.com"


def test_saml_journey_and_a_refusal(page, org, other_org) -> None:
    person(org, Role.SELLER, email="sam@acme.com")
    person(other_org, Role.SELLER, email="lee@acme.com")  # an Acme address, only in Globex
    idp = SamlIdp(entity_id="https://idp.acme.test/meta")
    with IdpServer(idp, audience_for=lambda acs: acs.replace("/acs/", "/metadata/")) as server:
        idp.sso_url = f"{server.url}/sso"
        sso_configure(
            by=member(org, Role.ADMIN),
            data=SsoSettings(
                protocol="saml", display_name="Acme sign-in", domains=["acme.com"],
                idp_entity_id=idp.entity_id, idp_sso_url=idp.sso_url, idp_x509cert=idp.cert,
            ),
        )  # fmt: skip
        server.user_email = "sam@acme.com"
        continue_with_provider(page, "sam@acme.com")
        expect(page.get_by_text("Test IdP: signing in sam@acme.com")).to_be_visible()
        page.get_by_role("button", name="Continue to Snowball").click()
        page.wait_for_url(f"**/o/{org.slug}/")
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()

        # Acme's IdP vouching for someone who is only in Globex: refused, in words.
        page.context.clear_cookies()
        server.user_email = "lee@acme.com"
        continue_with_provider(page, "lee@acme.com")
        page.get_by_role("button", name="Continue to Snowball").click()
        expect(page.get_by_test_id("sso-refused")).to_contain_text("has no access to Acme")
        page.goto(f"/o/{other_org.slug}/")
        page.wait_for_url("**/accounts/login/**")  # signed into nothing
