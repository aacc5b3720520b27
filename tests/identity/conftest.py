from __future__ import annotations

import pytest

from tests.identity.helpers import configure_saml
from tests.identity.saml_idp import SamlIdp


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
