"""The admin's SCIM page: a token is created with a name and shown once (only its hash is kept),
listed with its prefix, creator and last use, revoked; each creation and revocation is in the
audit log. Only admins open it; another organisation's token answers 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from identity.models import ScimToken
from identity.scim import services
from programme.models import AuditEntry, Role
from tests.factories import member
from tests.identity.conftest import ScimClient


def page_url(org) -> str:
    return reverse("identity-scim-tokens", kwargs={"org": org.slug})


def test_an_admin_creates_a_token_shown_once_and_the_provider_can_use_it(org, admin, login):
    client = login(admin)
    page = client.get(page_url(org))
    assert page.status_code == 200
    text = page.content.decode()
    assert "User provisioning (SCIM)" in text and "http://testserver/scim/v2/" in text
    assert "No token yet." in text

    created = client.post(page_url(org), {"name": "Entra ID production"})
    assert created.status_code == 200
    secret = created.context["secret"]
    assert secret.startswith("scim_") and secret in created.content.decode()
    token = ScimToken.objects.get()
    assert token.organisation == org and token.created_by == admin
    assert token.token_hash == services.token_hash(secret) and secret not in token.token_hash
    assert token.prefix == secret[:10]
    entry = AuditEntry.objects.get(action="scim_token_created")
    assert entry.actor == admin and entry.details == {
        "name": "Entra ID production", "prefix": token.prefix
    }  # fmt: skip
    assert secret not in str(entry.details)

    # The list shows it again without the secret, with who made it and when it was last used.
    assert ScimClient(secret).get("Users").status_code == 200
    again = client.get(page_url(org)).content.decode()
    assert secret not in again and token.prefix in again and admin.user.email in again
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_nameless_token_is_refused_and_nothing_is_made(org, admin, login):
    response = login(admin).post(page_url(org), {"name": ""})
    assert response.status_code == 400
    assert not ScimToken.objects.exists() and not AuditEntry.objects.exists()


def test_revoking_stops_the_token_and_is_audited(org, admin, login):
    token, secret = services.scim_token_create(by=admin, name="Okta")
    client = login(admin)
    url = reverse("identity-scim-token-revoke", kwargs={"org": org.slug, "code": token.code})
    response = client.post(url, follow=True)
    assert "revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ScimClient(secret).get("Users").status_code == 401
    assert AuditEntry.objects.filter(action="scim_token_revoked", actor=admin).count() == 1
    client.post(url)  # twice: nothing more
    assert AuditEntry.objects.filter(action="scim_token_revoked").count() == 1
    assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    "role", [Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.SELLER, Role.MARKETING]
)
def test_only_admins_open_the_page_or_revoke(org, admin, login, role):
    token, _secret = services.scim_token_create(by=admin, name="Okta")
    client = login(member(org, role))
    assert client.get(page_url(org)).status_code == 403
    assert client.post(page_url(org), {"name": "Mine"}).status_code == 403
    url = reverse("identity-scim-token-revoke", kwargs={"org": org.slug, "code": token.code})
    assert client.post(url).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None and ScimToken.objects.count() == 1


def test_another_organisations_admin_sees_nothing_of_ours(org, other_org, admin, login):
    token, _secret = services.scim_token_create(by=admin, name="Ours")
    theirs = login(member(other_org, Role.ADMIN))
    assert theirs.get(page_url(org)).status_code == 404
    url = reverse("identity-scim-token-revoke", kwargs={"org": other_org.slug, "code": token.code})
    assert theirs.post(url).status_code == 404
    their_page = theirs.get(page_url(other_org)).content.decode()
    assert "Ours" not in their_page
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_is_in_the_admins_navigation_only(org, admin, seller, login):
    home = reverse("programme-organisation-home", kwargs={"org": org.slug})
    assert page_url(org) in login(admin).get(home).content.decode()
    assert page_url(org) not in login(seller).get(home).content.decode()


def test_the_token_list_runs_a_fixed_number_of_queries(org, admin, login, count_queries):
    client = login(admin)
    client.get(page_url(org))
    services.scim_token_create(by=admin, name="One")
    few = count_queries(client.get, page_url(org))
    for n in range(5):
        services.scim_token_create(by=member(org, Role.ADMIN), name=f"Token {n}")
    assert count_queries(client.get, page_url(org)) == few
