"""The SSO settings page: admins only, checked input, write-only secret, the audit log."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from identity.models import IdentityProvider
from programme.models import AuditAction, AuditEntry, Role
from tests.factories import member
from tests.identity.saml_idp import SamlIdp

pytestmark = pytest.mark.django_db

SECRET = "s3cret-value-never-shown"


def oidc_form(**changes: object) -> dict[str, object]:
    return {
        "protocol": "oidc",
        "display_name": "Acme sign-in",
        "domains": "acme.com, Acme.DE",
        "server_url": "https://login.acme.example/tenant/v2.0",
        "client_id": "snowball-client",
        "client_secret": SECRET,
        **changes,
    }


def url(org) -> str:
    return reverse("identity-sso-settings", args=[org.slug])


def test_an_admin_connects_an_oidc_provider(org, login) -> None:
    admin = member(org, Role.ADMIN)
    client = login(admin)
    assert client.get(url(org)).status_code == 200
    answer = client.post(url(org), oidc_form())
    assert answer.status_code == 302
    provider = IdentityProvider.objects.get(organisation=org)
    assert sorted(provider.domains.values_list("domain", flat=True)) == ["acme.com", "acme.de"]
    app = provider.social_app
    assert (app.provider, app.client_id, app.secret) == (
        "openid_connect",
        "snowball-client",
        SECRET,
    )
    assert app.settings["server_url"] == "https://login.acme.example/tenant/v2.0"
    page = client.get(url(org)).content.decode()
    assert SECRET not in page  # write-only
    assert f"/accounts/oidc/{app.provider_id}/login/callback/" in page  # for the IT admin
    entry = AuditEntry.objects.get(organisation=org, action=AuditAction.SSO_CONFIGURED)
    assert entry.actor_id == admin.pk
    assert SECRET not in str(entry.details)
    assert entry.details["after"]["domains"] == ["acme.com", "acme.de"]
    # Saving again without a secret keeps the stored one.
    assert (
        client.post(url(org), oidc_form(client_secret="", display_name="Acme SSO")).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.secret == SECRET and app.name == "Acme SSO"
    assert (
        AuditEntry.objects.filter(organisation=org, action=AuditAction.SSO_CONFIGURED).count() == 2
    )


def test_saml_from_pasted_metadata_shows_the_sp_details(org, login) -> None:
    idp = SamlIdp(
        entity_id="https://sts.windows.net/tenant/", sso_url="https://login.example/saml2"
    )
    client = login(member(org, Role.ADMIN))
    answer = client.post(
        url(org),
        {"protocol": "saml", "display_name": "Acme", "domains": "acme.com",
         "metadata_xml": idp.metadata_xml()},
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()
    provider = IdentityProvider.objects.get(organisation=org)
    idp_settings = provider.social_app.settings["idp"]
    assert idp_settings["entity_id"] == "https://sts.windows.net/tenant/"
    assert idp_settings["sso_url"] == "https://login.example/saml2"
    page = client.get(url(org)).content.decode()
    assert f"/accounts/saml/{provider.key}/acs/" in page
    assert f"/accounts/saml/{provider.key}/metadata/" in page


@pytest.mark.parametrize(
    ("changes", "field_text"),
    [
        ({"domains": ""}, "at least one e-mail domain"),
        ({"domains": "not a domain"}, "Not an e-mail domain"),
        ({"domains": "gmail.com"}, "public mail service"),
        ({"client_id": ""}, "client ID"),
        ({"client_secret": ""}, "client secret"),
        ({"server_url": "not a url"}, "Enter a valid URL"),
        ({"protocol": "saml"}, "IdP metadata URL, or paste"),
        ({"protocol": "saml", "metadata_xml": "<nonsense/>"}, "lacks the IdP&#x27;s entity ID"),
        ({"protocol": "saml", "metadata_xml": "<unclosed"}, "not SAML IdP metadata"),
        ({"protocol": "ldap"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    org, login, changes, field_text
) -> None:
    client = login(member(org, Role.ADMIN))
    answer = client.post(url(org), oidc_form(**changes))
    assert answer.status_code == 400
    assert field_text in answer.content.decode()
    assert not IdentityProvider.objects.exists() and not SocialApp.objects.exists()


def test_a_domain_belongs_to_one_organisation(org, other_org, login) -> None:
    login(member(other_org, Role.ADMIN)).post(url(other_org), oidc_form(domains="acme.com"))
    client = login(member(org, Role.ADMIN))
    answer = client.post(url(org), oidc_form(domains="acme.com"))
    assert answer.status_code == 400
    assert "already covers acme.com" in answer.content.decode()
    assert not IdentityProvider.objects.filter(organisation=org).exists()


def test_require_sso_needs_a_sign_in_through_the_provider_first(org, login) -> None:
    client = login(member(org, Role.ADMIN))
    client.post(url(org), oidc_form())
    answer = client.post(url(org), oidc_form(require_sso="on"))
    assert answer.status_code == 400
    assert "Sign in once with this provider" in answer.content.decode()
    assert not IdentityProvider.objects.get(organisation=org).require_sso


def test_removing_the_provider_is_audited(org, login) -> None:
    client = login(member(org, Role.ADMIN))
    client.post(url(org), oidc_form())
    answer = client.post(reverse("identity-sso-remove", args=[org.slug]))
    assert answer.status_code == 302
    assert not IdentityProvider.objects.exists() and not SocialApp.objects.exists()
    entry = AuditEntry.objects.get(organisation=org, action=AuditAction.SSO_REMOVED)
    assert entry.details["before"]["client_id"] == "snowball-client"


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SPONSOR, Role.MANAGER, Role.SELLER])
def test_other_roles_are_refused(org, login, role) -> None:
    client = login(member(org, role))
    assert client.get(url(org)).status_code == 403
    assert client.post(url(org), oidc_form()).status_code == 403
    assert client.post(reverse("identity-sso-remove", args=[org.slug])).status_code == 403
    assert not IdentityProvider.objects.exists()


def test_another_organisations_admin_gets_404(org, other_org, login) -> None:
    client = login(member(other_org, Role.ADMIN))
    assert client.get(url(org)).status_code == 404
    assert client.post(url(org), oidc_form()).status_code == 404
    assert client.post(reverse("identity-sso-remove", args=[org.slug])).status_code == 404
    assert not IdentityProvider.objects.exists()


def test_the_page_is_in_the_admins_navigation(org, login) -> None:
    page = login(member(org, Role.ADMIN)).get(
        reverse("programme-organisation-settings", args=[org.slug])
    )
    assert url(org) in page.content.decode()
    seller_page = login(member(org, Role.SELLER)).get(f"/o/{org.slug}/")
    assert url(org) not in seller_page.content.decode()


def test_the_settings_page_runs_a_fixed_number_of_queries(org, login, count_queries) -> None:
    client = login(member(org, Role.ADMIN))
    client.post(url(org), oidc_form(domains="acme.com"))
    client.get(url(org))  # sessions and caches warm
    first = count_queries(client.get, url(org))
    client.post(url(org), oidc_form(domains=", ".join(f"d{n}.acme.com" for n in range(20))))
    client.get(url(org))  # shows (and so clears) the "saved" message
    assert count_queries(client.get, url(org)) == first
