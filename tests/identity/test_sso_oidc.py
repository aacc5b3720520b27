"""OpenID Connect sign-in against a real provider (django-oauth-toolkit, its own process and
database, RS256 keys made here), over HTTP: allauth's code flow with PKCE, then Snowball's
matching. The browser journey is in tests/browser/test_sso_journeys.py."""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from identity.sso.services import SsoSettings, sso_configure
from identity.sso.session import SESSION_KEY
from programme.models import Membership, Role
from tests.factories import member
from tests.identity.helpers import person
from tests.identity.oidc_idp import IDP_PASSWORD, running_oidc_idp

pytestmark = pytest.mark.django_db

USERS = [
    {"email": "sam@acme.com", "first_name": "Sam", "last_name": "Seller"},
    {"email": "una@acme.com", "first_name": "Una", "last_name": "Unverified"},
    {"email": "leo@acme.com", "first_name": "Leo", "last_name": "Leaver"},
    {"email": "lee@acme.com", "first_name": "Lee", "last_name": "Globex"},
    {"email": "new@acme.com", "first_name": "Nia", "last_name": "New"},
    {"email": "gina@globex.com", "first_name": "Gina", "last_name": "Globex"},
]


@pytest.fixture(scope="module")
def oidc_idp(django_db_blocker):
    with (
        django_db_blocker.unblock(),
        running_oidc_idp([{**user, "password": IDP_PASSWORD} for user in USERS]) as idp,
    ):
        yield idp


def configure_oidc(organisation, idp, domains, **options):
    return sso_configure(
        by=member(organisation, Role.ADMIN),
        data=SsoSettings(
            protocol="oidc", display_name=f"{organisation.name} sign-in", domains=domains,
            server_url=idp.url, client_id=idp.client_id, client_secret=idp.client_secret,
            **options,
        ),
        signed_in_with_provider=True,
    )  # fmt: skip


def sign_in(client: Client, provider, email: str, callbacks: list[str] | None = None):
    """The whole code flow: Snowball -> IdP authorize -> IdP sign-in -> callback."""
    start = client.post(
        reverse("openid_connect_login", kwargs={"provider_id": provider.social_app.provider_id}),
        {"process": "login"},
    )
    assert start.status_code == 302, start.content.decode()[:500]
    authorize = start["Location"]
    assert "code_challenge=" in authorize  # PKCE
    idp = requests.Session()
    answer = idp.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    login_url = urljoin(authorize, answer.headers["Location"])
    idp.get(login_url)
    answer = idp.post(
        login_url,
        data={"username": email, "password": IDP_PASSWORD, "next": urlparse(authorize).path
              + "?" + urlparse(authorize).query, "csrfmiddlewaretoken": idp.cookies["idp_csrf"]},
        headers={"Referer": login_url}, allow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 302, answer.text[:500]
    answer = idp.get(urljoin(login_url, answer.headers["Location"]), allow_redirects=False)
    callback = answer.headers["Location"]
    assert callback.startswith("http://localhost/accounts/oidc/"), callback
    parsed = urlparse(callback)
    if callbacks is not None:
        callbacks.append(f"{parsed.path}?{parsed.query}")
    return client.get(f"{parsed.path}?{parsed.query}")


def refused_reason(answer) -> str:
    assert answer.status_code == 403, answer.status_code
    return answer.content.decode().split('data-reason="')[1].split('"')[0]


def test_oidc_sign_in_and_refusals(org, other_org, oidc_idp) -> None:
    provider = configure_oidc(org, oidc_idp, ["acme.com"])
    sam = person(org, email="sam@acme.com")
    person(org, email="una@acme.com")
    leaver = person(org, email="leo@acme.com")
    Membership.objects.filter(pk=leaver.pk).update(deactivated_at=timezone.now())
    person(other_org, email="lee@acme.com")  # only in Globex
    person(other_org, email="gina@globex.com")

    def client():
        return Client(HTTP_HOST="localhost")

    signed_in = client()
    answer = sign_in(signed_in, provider, "sam@acme.com")
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert signed_in.session["_auth_user_id"] == str(sam.user.pk)
    assert signed_in.session[SESSION_KEY] == [org.pk]
    assert signed_in.get(f"/o/{org.slug}/").status_code == 200

    for email, reason in [
        ("una@acme.com", "unverified"),
        ("leo@acme.com", "deactivated"),
        ("lee@acme.com", "not_member"),  # Acme's provider never signs a Globex person into Acme
        ("gina@globex.com", "domain"),  # nor vouches for another company's domain
        ("new@acme.com", "not_member"),  # JIT is off
    ]:
        browser = client()
        answer = sign_in(browser, provider, email)
        assert refused_reason(answer) == reason, email
        assert "_auth_user_id" not in browser.session
    assert not Membership.objects.filter(user__email="new@acme.com").exists()


def test_oidc_jit_and_a_replayed_callback(org, oidc_idp) -> None:
    provider = configure_oidc(org, oidc_idp, ["acme.com"], allow_jit=True)
    browser = Client(HTTP_HOST="localhost")
    callbacks: list[str] = []
    assert sign_in(browser, provider, "new@acme.com", callbacks).status_code == 302
    assert Membership.objects.get(user__email="new@acme.com", organisation=org).role == Role.SELLER
    # The same callback (code and state) again, in the same browser and in another one.
    for replayer in (browser, Client(HTTP_HOST="localhost")):
        replayer.logout()
        assert refused_reason(replayer.get(callbacks[0])) == "stale"
        assert "_auth_user_id" not in replayer.session
