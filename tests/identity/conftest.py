"""SSO fixtures: SAML identity providers of Acme and Globex. SCIM fixtures: a token of the
organisation (made the way an admin makes one) and a client
that speaks to /scim/v2/ as an identity provider does."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from identity.scim import services
from programme.models import Membership, Organisation, Role
from tests.factories import member
from tests.identity.helpers import configure_saml
from tests.identity.saml_idp import SamlIdp


class ScimClient:
    """Requests as Entra ID and Okta send them: JSON bodies as application/scim+json, the token
    in the Authorization header, CSRF checks on (the API must not need a CSRF token)."""

    def __init__(self, token: str | None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.client.raise_request_exception = False
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token is not None else {}

    def request(self, method: str, path: str, body: object = None, **extra):
        url = path if path.startswith("/") else f"/scim/v2/{path}"
        data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
        call = getattr(self.client, method.lower())
        kwargs = {"headers": self._headers(), **extra}
        if data is not None:
            kwargs.update(data=data, content_type="application/scim+json")
        return call(url, **kwargs)

    def get(self, path: str, **params):
        return self.client.get(
            path if path.startswith("/") else f"/scim/v2/{path}", params, headers=self._headers()
        )

    def post(self, path: str, body: object = None, **extra):
        return self.request("POST", path, body, **extra)

    def put(self, path: str, body: object = None, **extra):
        return self.request("PUT", path, body, **extra)

    def patch(self, path: str, body: object = None, **extra):
        return self.request("PATCH", path, body, **extra)

    def delete(self, path: str, **extra):
        return self.request("DELETE", path, **extra)


@pytest.fixture
def admin(org: Organisation) -> Membership:
    return member(org, Role.ADMIN)


@pytest.fixture
def make_scim_token() -> Callable[[Organisation], str]:
    def make(organisation: Organisation) -> str:
        _token, secret = services.scim_token_create(
            by=member(organisation, Role.ADMIN), name="Entra ID"
        )
        return secret

    return make


@pytest.fixture
def scim(org, make_scim_token) -> ScimClient:
    return ScimClient(make_scim_token(org))


@pytest.fixture
def other_scim(other_org, make_scim_token) -> ScimClient:
    return ScimClient(make_scim_token(other_org))


def entra_user(email: str, **extra: object) -> dict[str, object]:
    """The body Microsoft Entra ID posts to create a user (its default attribute mapping)."""
    body: dict[str, object] = {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "externalId": email.split("@")[0],
        "userName": email,
        "active": True,
        "displayName": "Ada Lovelace",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"},
        "title": "Account executive",
        "preferredLanguage": "en-GB",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "Sales",
            "manager": {"value": "someone-in-entra"},
        },
    }
    body.update(extra)
    return body


def okta_user(email: str, **extra: object) -> dict[str, object]:
    """The body Okta posts to create a user."""
    body: dict[str, object] = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Grace", "familyName": "Hopper"},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": "Grace Hopper",
        "locale": "en-US",
        "externalId": "00u1abcd" + email.split("@")[0],
        "groups": [],
        "password": "Not-stored-1",
        "active": True,
    }
    body.update(extra)
    return body


@pytest.fixture
def acme_idp() -> SamlIdp:
    return SamlIdp(entity_id="https://idp.acme.test/meta", sso_url="https://idp.acme.test/sso")


@pytest.fixture
def globex_idp() -> SamlIdp:
    return SamlIdp(entity_id="https://idp.globex.test/meta", sso_url="https://idp.globex.test/sso")


@pytest.fixture
def acme_saml(org, acme_idp):
    return configure_saml(org, acme_idp, ["acme.com"])


@pytest.fixture
def globex_saml(other_org, globex_idp):
    return configure_saml(other_org, globex_idp, ["globex.com"])
