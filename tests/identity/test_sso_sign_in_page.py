"""The e-mail-first sign-in page, require-SSO, and which sessions open which organisation."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from identity.models import IdentityProvider
from identity.sso.session import SESSION_KEY
from tests.factories import PASSWORD
from tests.identity.helpers import configure_saml, person
from tests.identity.saml_idp import SamlIdp

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_provider(org):
    return configure_saml(org, SamlIdp(), ["acme.com"])


def step(client: Client, email: str, which: str = "email"):
    return client.post(reverse("account_login"), {"login": email, "step": which})


def test_step_one_asks_only_the_address(db) -> None:
    page = Client().get(reverse("account_login")).content.decode()
    assert 'name="login"' in page and 'name="password"' not in page
    assert 'name="step" value="email"' in page


def test_an_address_of_a_covered_domain_goes_to_its_provider(org, acme_provider) -> None:
    answer = step(Client(), "someone@ACME.com")
    page = answer.content.decode()
    assert "Continue with Acme sign-in" in page
    assert f'action="/accounts/saml/{acme_provider.key}/login/"' in page
    assert 'name="password"' not in page
    assert "Use my password instead" in page  # SSO not required here


def test_other_addresses_get_the_password_form_whether_or_not_they_exist(
    org, acme_provider
) -> None:
    known = person(org, email="known@elsewhere.org")
    pages = [
        step(Client(), email).content.decode()
        for email in (known.user.email, "nobody@elsewhere.org")
    ]
    for page in pages:
        assert 'name="password"' in page and "Continue with" not in page

    def strip(page: str) -> str:
        page = page.replace(known.user.email, "X").replace("nobody@elsewhere.org", "X")
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", page)  # the CSRF tokens

    assert strip(pages[0]) == strip(pages[1])


def test_an_invalid_address_stays_on_step_one(db) -> None:
    page = step(Client(), "not an address").content.decode()
    assert "Enter a valid e-mail address." in page and 'name="password"' not in page


def test_the_password_still_signs_in_and_the_lockout_still_speaks(org) -> None:
    seller = person(org, email="pat@elsewhere.org")
    client = Client()
    answer = client.post(
        reverse("account_login"), {"login": seller.user.email, "password": PASSWORD}
    )
    assert answer.status_code == 302
    assert client.session[SESSION_KEY] == []  # signed in by password, through no provider


def test_password_sign_in_is_refused_for_members_when_sso_is_required(org, acme_provider) -> None:
    IdentityProvider.objects.filter(pk=acme_provider.pk).update(require_sso=True)
    seller = person(org, email="sam@acme.com")
    client = Client()
    answer = client.post(
        reverse("account_login"), {"login": seller.user.email, "password": PASSWORD}
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Acme requires you to sign in with Acme sign-in, not with a password." in page
    assert "Continue with Acme sign-in" in page
    assert "_auth_user_id" not in client.session
    # Step 1 offers no password at all.
    page = step(Client(), "sam@acme.com", "password").content.decode()
    assert "Continue with Acme sign-in" in page and "Use my password instead" not in page
    # A wrong password says nothing about SSO or the account.
    wrong = client.post(reverse("account_login"), {"login": seller.user.email, "password": "nope"})
    assert "requires you" not in wrong.content.decode()


def test_a_require_sso_organisation_refuses_a_session_its_provider_did_not_sign_in(
    org, other_org, acme_provider, login
) -> None:
    """Someone in Acme and Globex who signed in with Globex's provider (or a password) does
    not get into Acme once Acme requires its own provider."""
    both = person(org, email="dual@acme.com")
    person(other_org, email="dual@acme.com")
    IdentityProvider.objects.filter(pk=acme_provider.pk).update(require_sso=True)
    cache.clear()  # what the service does after its change
    client = login(both)
    session = client.session
    session[SESSION_KEY] = [other_org.pk]
    session.save()
    answer = client.get(f"/o/{org.slug}/")
    assert answer.status_code == 403
    assert "Acme requires you to sign in with Acme sign-in" in answer.content.decode()
    assert client.get(f"/o/{other_org.slug}/").status_code == 200
    session = client.session
    session[SESSION_KEY] = [org.pk]
    session.save()
    assert client.get(f"/o/{org.slug}/").status_code == 200


def test_the_access_check_costs_no_query_on_a_warm_page(org, login, count_queries) -> None:
    seller = person(org, email="pat@elsewhere.org")
    client = login(seller)
    client.get(f"/o/{org.slug}/")
    before = count_queries(client.get, f"/o/{org.slug}/")
    configure_saml(org, SamlIdp(), ["acme.com"])  # clears the cached list after its commit
    client.get(f"/o/{org.slug}/")
    assert count_queries(client.get, f"/o/{org.slug}/") == before
