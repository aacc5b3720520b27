"""SAML sign-in through the real code path: allauth's SAML views and python3-saml check responses
signed at test time with a key made here; Snowball decides who gets in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from identity.sso.session import SESSION_KEY
from programme.models import AuditAction, AuditEntry, Membership, Role, User
from tests.factories import UserFactory
from tests.identity.helpers import configure_saml, person
from tests.identity.saml_idp import key_pair, parse_authn_request

pytestmark = pytest.mark.django_db


def browser_client() -> Client:
    # A browser always sends Host; python3-saml builds the SP's URLs from it.
    return Client(HTTP_HOST="localhost")


def start(client: Client, provider) -> dict[str, str]:
    """Snowball's AuthnRequest, as the IdP receives it."""
    answer = client.post(
        reverse("saml_login", kwargs={"organization_slug": provider.key}), {"process": "login"}
    )
    assert answer.status_code == 302, answer.content
    query = parse_qs(urlparse(answer["Location"]).query)
    return parse_authn_request(query["SAMLRequest"][0])


def audience(provider) -> str:
    return f"http://localhost/accounts/saml/{provider.key}/metadata/"


def finish(client: Client, acs: str, saml_response: str):
    posted = client.post(urlparse(acs).path, {"SAMLResponse": saml_response})
    assert posted.status_code == 302
    return client.get(posted["Location"])


def sign_in(client, idp, provider, email, **options):
    request = start(client, provider)
    response = idp.response(
        email=email,
        in_response_to=request["id"],
        acs=request["acs"],
        audience=options.pop("audience", audience(provider)),
        **options,
    )
    return finish(client, request["acs"], response), response, request


def refused_reason(answer) -> str:
    assert answer.status_code in (403, 404), answer.status_code
    html = answer.content.decode()
    assert 'data-testid="sso-refused"' in html
    return html.split('data-reason="')[1].split('"')[0]


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_a_member_signs_in_and_lands_in_their_organisation(org, acme_saml, acme_idp) -> None:
    seller = person(org, Role.SELLER, email="sam@acme.com")
    client = browser_client()
    answer, _, _ = sign_in(client, acme_idp, acme_saml, "Sam@Acme.com")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert signed_in_user(client) == str(seller.user.pk)
    assert client.session[SESSION_KEY] == [org.pk]
    assert client.get(f"/o/{org.slug}/").status_code == 200


def test_wrong_audience_is_refused(org, acme_saml, acme_idp) -> None:
    person(org, Role.SELLER, email="sam@acme.com")
    client = browser_client()
    answer, _, _ = sign_in(
        client, acme_idp, acme_saml, "sam@acme.com", audience="https://another.app/metadata"
    )
    assert refused_reason(answer) == "audience"
    assert "wrong audience" in answer.content.decode()
    assert signed_in_user(client) is None


def test_a_signature_by_another_key_is_refused(org, acme_saml, acme_idp) -> None:
    person(org, Role.SELLER, email="sam@acme.com")
    key, cert = key_pair("Impostor")
    client = browser_client()
    answer, _, _ = sign_in(
        client, acme_idp, acme_saml, "sam@acme.com", signing_key=key, signing_cert=cert
    )
    assert refused_reason(answer) == "signature"
    assert signed_in_user(client) is None


def test_an_assertion_changed_after_signing_is_refused(org, acme_saml, acme_idp) -> None:
    person(org, Role.SELLER, email="sam@acme.com")
    person(org, Role.ADMIN, email="boss@acme.com")
    client = browser_client()
    answer, _, _ = sign_in(
        client, acme_idp, acme_saml, "sam@acme.com", tamper_email="boss@acme.com"
    )
    assert refused_reason(answer) == "signature"
    assert signed_in_user(client) is None


def test_an_expired_assertion_is_refused(org, acme_saml, acme_idp) -> None:
    person(org, Role.SELLER, email="sam@acme.com")
    client = browser_client()
    answer, _, _ = sign_in(
        client, acme_idp, acme_saml, "sam@acme.com",
        issued=datetime.now(UTC) - timedelta(hours=2), lifetime=timedelta(minutes=5),
    )  # fmt: skip
    assert refused_reason(answer) == "expired"
    assert "expired" in answer.content.decode()
    assert signed_in_user(client) is None


def test_a_replayed_assertion_is_refused(org, acme_saml, acme_idp) -> None:
    person(org, Role.SELLER, email="sam@acme.com")
    client = browser_client()
    answer, response, request = sign_in(client, acme_idp, acme_saml, "sam@acme.com")
    assert answer.status_code == 302
    # The same response posted again: in the same browser, and in an attacker's.
    for replayer in (client, browser_client()):
        replayer.logout()
        again = finish(replayer, request["acs"], response)
        assert refused_reason(again) == "replayed"
        assert "already used" in again.content.decode()
        assert signed_in_user(replayer) is None


def test_an_unsolicited_response_is_refused(org, acme_saml, acme_idp) -> None:
    person(org, Role.SELLER, email="sam@acme.com")
    client = browser_client()
    acs = f"http://localhost/accounts/saml/{acme_saml.key}/acs/"
    response = acme_idp.response(
        email="sam@acme.com", in_response_to="_never_asked", acs=acs, audience=audience(acme_saml)
    )
    answer = finish(client, acs, response)
    assert refused_reason(answer) == "replayed"
    assert signed_in_user(client) is None


def test_an_address_outside_the_providers_domains_is_refused(org, acme_saml, acme_idp) -> None:
    person(org, Role.SELLER, email="sam@elsewhere.org")
    client = browser_client()
    answer, _, _ = sign_in(client, acme_idp, acme_saml, "sam@elsewhere.org")
    assert refused_reason(answer) == "domain"
    assert "sam@elsewhere.org" in answer.content.decode()
    assert signed_in_user(client) is None


def test_organisation_a_provider_never_signs_anyone_into_b(
    org, other_org, acme_saml, globex_saml, acme_idp, globex_idp
) -> None:
    """Globex's IdP vouching for a Globex-only person gets nobody into Acme, and Acme's IdP
    cannot vouch for a Globex address, even one with a Globex membership."""
    globex_person = person(other_org, Role.ADMIN, email="gina@globex.com")
    acme_only = person(org, Role.SELLER, email="sam@acme.com")
    client = browser_client()
    answer, _, _ = sign_in(client, acme_idp, acme_saml, "gina@globex.com")
    assert refused_reason(answer) == "domain"
    # Globex's IdP (right key, right audience for Globex) asserting an Acme address.
    answer, _, _ = sign_in(client, globex_idp, globex_saml, "sam@acme.com")
    assert refused_reason(answer) == "domain"
    # Acme's IdP answering Globex's SP: not the issuer Globex connected.
    answer, _, _ = sign_in(client, acme_idp, globex_saml, "gina@globex.com")
    assert refused_reason(answer) == "issuer"
    # Nor with Globex's issuer name but Acme's key: the signature is not Globex's IdP's.
    answer, _, _ = sign_in(
        client, globex_idp, globex_saml, "gina@globex.com",
        signing_key=acme_idp.key, signing_cert=acme_idp.cert,
    )  # fmt: skip
    assert refused_reason(answer) == "signature"
    assert signed_in_user(client) is None
    # And a real Globex sign-in opens Globex, never Acme.
    answer, _, _ = sign_in(client, globex_idp, globex_saml, "gina@globex.com")
    assert answer.status_code == 302
    assert signed_in_user(client) == str(globex_person.user.pk)
    assert client.get(f"/o/{org.slug}/").status_code == 404
    assert not Membership.objects.filter(user=globex_person.user, organisation=org).exists()
    assert acme_only.user.pk != globex_person.user.pk


def test_a_covered_address_with_no_membership_is_refused(
    org, other_org, acme_saml, acme_idp
) -> None:
    """An Acme address whose person is only in Globex: Acme's IdP gives no access to Acme."""
    only_globex = person(other_org, Role.SELLER, email="lee@acme.com")
    client = browser_client()
    answer, _, _ = sign_in(client, acme_idp, acme_saml, "lee@acme.com")
    assert refused_reason(answer) == "not_member"
    assert "Globex" not in answer.content.decode()  # says nothing about other organisations
    assert signed_in_user(client) is None
    assert not Membership.objects.filter(user=only_globex.user, organisation=org).exists()


def test_a_deactivated_member_is_refused(org, acme_saml, acme_idp) -> None:
    leaver = person(org, Role.SELLER, email="leo@acme.com")
    Membership.objects.filter(pk=leaver.pk).update(deactivated_at=timezone.now())
    client = browser_client()
    answer, _, _ = sign_in(client, acme_idp, acme_saml, "leo@acme.com")
    assert refused_reason(answer) == "deactivated"
    assert signed_in_user(client) is None


def test_jit_adds_a_seller_in_this_organisation_only(org, other_org, acme_idp) -> None:
    provider = configure_saml(org, acme_idp, ["acme.com"], allow_jit=True)
    UserFactory(email="new@acme.com")  # already a user (of no organisation)
    client = browser_client()
    answer, _, _ = sign_in(client, acme_idp, provider, "new@acme.com")
    assert answer.status_code == 302
    user = User.objects.get(email="new@acme.com")
    memberships = list(Membership.objects.filter(user=user))
    assert [(m.organisation_id, m.role) for m in memberships] == [(org.pk, Role.SELLER)]
    entry = AuditEntry.objects.get(organisation=org, action=AuditAction.PERSON_PROVISIONED)
    assert entry.target_label == "new@acme.com" and entry.details["source"] == "sso"
    # A brand-new person too.
    client = browser_client()
    answer, _, _ = sign_in(client, acme_idp, provider, "fresh@acme.com")
    assert answer.status_code == 302
    fresh = User.objects.get(email="fresh@acme.com")
    assert Membership.objects.get(user=fresh).role == Role.SELLER
    assert fresh.first_name == "Sam"


def test_the_sp_metadata_names_the_acs_and_entity_id(org, acme_saml) -> None:
    answer = browser_client().get(
        reverse("saml_metadata", kwargs={"organization_slug": acme_saml.key})
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert audience(acme_saml) in text
    assert f"/accounts/saml/{acme_saml.key}/acs/" in text


def test_a_request_without_a_host_header_is_refused_not_a_500(org, acme_saml) -> None:
    """HTTP/1.1 requires Host and a browser always sends it; python3-saml builds the provider's
    URLs from it, so a client that leaves it out is told so (400) before SAML runs."""
    bare = Client(raise_request_exception=False)  # the test client sends no Host header
    key = {"organization_slug": acme_saml.key}
    for answer in (
        bare.post(reverse("saml_login", kwargs=key), {"process": "login"}),
        bare.get(reverse("saml_metadata", kwargs=key)),
        bare.post(reverse("saml_acs", kwargs=key), {"SAMLResponse": "PHNhbWxwOlJlc3BvbnNlLz4="}),
    ):
        assert answer.status_code == 400, answer.status_code
        assert "Host" in answer.content.decode()
