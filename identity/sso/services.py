"""Writes for single sign-on: an organisation's provider (with the allauth SocialApp that speaks
its protocol), and who a provider's sign-in lets in (`sso_sign_in_member`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from allauth.socialaccount.models import SocialAccount, SocialApp
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity import policies
from identity.models import IdentityProvider, IdentityProviderDomain, SamlAssertionUse, SsoProtocol
from identity.sso import selectors
from programme import policies as programme_policies
from programme.models import AuditAction, Membership, User
from programme.services import audit_record, membership_create

logger = logging.getLogger(__name__)

# What SAML attribute names carry, in the order tried: Entra ID sends the claims' URIs, Okta
# the names its admin typed (Snowball's guide asks for email, firstName, lastName).
SAML_ATTRIBUTES = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": [
        "email",
        "mail",
        "emailAddress",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "urn:oid:0.9.2342.19200300.100.1.3",
    ],
    "first_name": [
        "firstName",
        "givenName",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "urn:oid:2.5.4.42",
    ],
    "last_name": [
        "lastName",
        "sn",
        "surname",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "urn:oid:2.5.4.4",
    ],
}


@dataclass(frozen=True)
class SsoSettings:
    """What the settings page submits (already validated by identity.sso.forms)."""

    protocol: str
    display_name: str
    domains: list[str]
    require_sso: bool = False
    allow_jit: bool = False
    # OpenID Connect
    server_url: str = ""
    client_id: str = ""
    client_secret: str = ""  # "" keeps the stored secret (the page never shows it back)
    # SAML: the IdP's values, from its metadata (a URL allauth re-reads, or pasted XML)
    idp_entity_id: str = ""
    idp_sso_url: str = ""
    idp_x509cert: str = ""
    idp_metadata_url: str = ""
    extra: dict = field(default_factory=dict)


def _app_settings(data: SsoSettings) -> dict:
    if data.protocol == SsoProtocol.OIDC:
        return {
            "server_url": data.server_url,
            "oauth_pkce_enabled": True,
            "fetch_userinfo": True,
        }
    idp: dict[str, str] = {"entity_id": data.idp_entity_id}
    if data.idp_metadata_url:
        # allauth reads the metadata again every few hours: a rotated certificate just works.
        # (The sign-in URL is kept too, for the sign-in page's Content-Security-Policy.)
        idp.update({"metadata_url": data.idp_metadata_url, "sso_url": data.idp_sso_url})
    else:
        idp.update({"sso_url": data.idp_sso_url, "x509cert": data.idp_x509cert})
    return {
        "idp": idp,
        "attribute_mapping": SAML_ATTRIBUTES,
        "advanced": {
            "strict": True,  # audience, destination, recipient and validity times are checked
            "want_assertion_signed": True,
            "reject_idp_initiated_sso": True,  # only answers to Snowball's own requests
            "reject_deprecated_algorithm": True,  # no SHA-1 signatures
            "allow_single_label_domains": False,
        },
    }


def _required_cache_clear() -> None:
    # Now, and again after the commit: a page read between the two must not keep the old list.
    cache.delete(selectors.REQUIRED_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(selectors.REQUIRED_CACHE_KEY))


@transaction.atomic
def sso_configure(
    *, by: Membership, data: SsoSettings, signed_in_with_provider: bool = False
) -> IdentityProvider:
    """Connect or change the organisation's identity provider, its SocialApp and its domains.

    Refused (ValidationError, nothing changed): a domain another organisation's provider
    covers; "require SSO" asked by an admin who has not signed in with this provider in this
    session (they would lock themselves out with a provider that may not work yet)."""
    organisation = by.organisation
    programme_policies.require(
        policies.can_configure_sso(by), by, organisation.pk, "Only an admin configures SSO."
    )
    provider = (
        IdentityProvider.objects.select_for_update()
        .select_related("social_app")
        .filter(organisation=organisation)
        .first()
    )
    taken = selectors.domains_taken_elsewhere(data.domains, organisation_id=organisation.pk)
    if taken:
        raise ValidationError(
            {
                "domains": _(
                    "Another organisation's sign-in already covers %(domains)s: a domain can "
                    "belong to one organisation only."
                )
                % {"domains": ", ".join(taken)}
            }
        )
    protocol_changed = provider is not None and provider.protocol != data.protocol
    before = None if provider is None else selectors.provider_summary(provider)
    if data.require_sso and not signed_in_with_provider:
        raise ValidationError(
            {
                "require_sso": _(
                    "Sign in once with this provider (sign out, then use the button on the "
                    "sign-in page) before requiring it: otherwise a mistake in these settings "
                    "would lock everyone out, you included."
                )
            }
        )
    if provider is None:
        key = selectors.free_provider_key(organisation.slug)
        app = SocialApp(provider=data.protocol, provider_id=f"{data.protocol}-{key}")
        provider = IdentityProvider(organisation=organisation, key=key)
    elif protocol_changed:
        # The links people had to the other protocol's accounts identify nobody here any more.
        old = provider.social_app
        SocialAccount.objects.filter(provider=old.provider_id).delete()
        app = old
    else:
        app = provider.social_app
    if not data.client_secret and (app.pk is None or protocol_changed):
        app.secret = ""
    app.provider = "openid_connect" if data.protocol == SsoProtocol.OIDC else "saml"
    app.provider_id = f"{data.protocol}-{provider.key}"
    app.name = data.display_name[:40]
    if data.protocol == SsoProtocol.OIDC:
        app.client_id = data.client_id
        if data.client_secret:
            app.secret = data.client_secret
    else:
        app.client_id = provider.key  # the {organization_slug} of allauth's SAML URLs
        app.secret = ""
    app.settings = _app_settings(data)
    app.save()
    provider.social_app = app
    provider.protocol = data.protocol
    provider.display_name = data.display_name
    provider.require_sso = data.require_sso
    provider.allow_jit = data.allow_jit
    provider.save()
    provider.domains.exclude(domain__in=data.domains).delete()
    existing = set(provider.domains.values_list("domain", flat=True))
    try:
        IdentityProviderDomain.objects.bulk_create(
            [
                IdentityProviderDomain(provider=provider, domain=domain)
                for domain in data.domains
                if domain not in existing
            ]
        )
    except IntegrityError:  # another organisation took it a moment ago
        raise ValidationError(
            {"domains": _("One of these domains was just claimed by another organisation.")}
        ) from None
    after = selectors.provider_summary(provider)
    details = {"after": after}
    if before is not None:
        details["before"] = before
    if data.client_secret:
        details["client_secret"] = "changed"  # noqa: S105 - never the secret itself
    audit_record(
        organisation=organisation, action=AuditAction.SSO_CONFIGURED, actor=by, details=details
    )
    _required_cache_clear()
    return provider


@transaction.atomic
def sso_remove(*, by: Membership) -> bool:
    """Disconnect the organisation's provider: its members sign in with passwords again."""
    organisation = by.organisation
    programme_policies.require(
        policies.can_configure_sso(by), by, organisation.pk, "Only an admin configures SSO."
    )
    provider = (
        IdentityProvider.objects.select_for_update()
        .select_related("social_app")
        .filter(organisation=organisation)
        .first()
    )
    if provider is None:
        return False
    summary = selectors.provider_summary(provider)
    app = provider.social_app
    SocialAccount.objects.filter(provider=app.provider_id).delete()
    provider.delete()
    app.delete()
    audit_record(
        organisation=organisation,
        action=AuditAction.SSO_REMOVED,
        actor=by,
        details={"before": summary},
    )
    _required_cache_clear()
    return True


# --- Signing in ----------------------------------------------------------------------------------


class SsoRefused(Exception):
    """A provider's sign-in that Snowball does not accept; `reason` picks the page's words."""

    def __init__(self, reason: str, **context: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.context = context


def sso_sign_in_member(
    *,
    provider: IdentityProvider,
    email: str,
    email_verified: bool,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """The person this provider's sign-in is for, or SsoRefused.

    The provider speaks for its own organisation only, and only for the e-mail domains it
    covers: the person must already be an active member there (roster, SCIM, invitation), or,
    if the organisation's admin allowed it, becomes a seller there and nowhere else."""
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise SsoRefused("no_email")
    domain = email.rsplit("@", 1)[1]
    if not provider.domains.filter(domain=domain).exists():
        raise SsoRefused("domain", email=email)
    if not email_verified:
        raise SsoRefused("unverified", email=email)
    user = User.objects.filter(email__iexact=email).first()
    membership = (
        Membership.objects.filter(user=user, organisation_id=provider.organisation_id).first()
        if user is not None
        else None
    )
    if membership is not None:
        if membership.deactivated_at is not None:
            raise SsoRefused("deactivated", email=email)
        if not user.is_active:
            raise SsoRefused("not_member", email=email)
        return user
    if not provider.allow_jit or (user is not None and not user.is_active):
        raise SsoRefused("not_member", email=email)
    with transaction.atomic():
        membership = membership_create(
            organisation=provider.organisation,
            email=email,
            role=policies.sso_jit_role(),
            first_name=first_name[:150],
            last_name=last_name[:150],
            verified=True,
        )
        audit_record(
            organisation=provider.organisation_id,
            action=AuditAction.PERSON_PROVISIONED,
            actor_label=provider.display_name,
            target=membership,
            details={"source": "sso", "role": membership.role},
        )
    return membership.user


def saml_assertion_use(
    *, provider: IdentityProvider, assertion_id: str, expires_at: datetime
) -> None:
    """Record a SAML assertion as consumed; SsoRefused("replayed") if it already was."""
    now = timezone.now()
    SamlAssertionUse.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            SamlAssertionUse.objects.create(
                provider=provider, assertion_id=assertion_id[:200], expires_at=max(expires_at, now)
            )
    except IntegrityError:
        raise SsoRefused("replayed") from None
