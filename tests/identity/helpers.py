"""Helpers of the SSO tests."""

from __future__ import annotations

from identity.sso.services import SsoSettings, sso_configure
from programme.models import Membership, Role
from tests.factories import MembershipFactory, ParticipantFactory, member
from tests.identity.saml_idp import SamlIdp


def person(organisation, role: str = Role.SELLER, *, email: str) -> Membership:
    """A joined member with this e-mail address (the user is reused if it exists)."""
    from programme.models import User

    user = User.objects.filter(email=email.lower()).first()
    membership = (
        MembershipFactory(organisation=organisation, role=role, user=user)
        if user
        else MembershipFactory(organisation=organisation, role=role, user__email=email.lower())
    )
    ParticipantFactory(membership=membership)
    return membership


def configure_saml(organisation, idp: SamlIdp, domains: list[str], **options):
    admin = member(organisation, Role.ADMIN)
    return sso_configure(
        by=admin,
        data=SsoSettings(
            protocol="saml",
            display_name=f"{organisation.name} sign-in",
            domains=domains,
            idp_entity_id=idp.entity_id,
            idp_sso_url=idp.sso_url,
            idp_x509cert=idp.cert,
            **options,
        ),
        signed_in_with_provider=True,
    )
