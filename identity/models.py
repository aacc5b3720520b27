"""Identity models: per-organisation SSO configuration and SCIM tokens (issue #18)."""

from __future__ import annotations

import uuid

from allauth.socialaccount.models import SocialApp
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from programme.models import Membership, Organisation, Team, TimeStamped

# --- SSO ------------------------------------------------------------------------------------------


class SsoProtocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class IdentityProvider(TimeStamped):
    """An organisation's own identity provider (at most one). allauth speaks the protocol through
    the SocialApp this row owns (identity.sso.services writes both together); this row holds
    what Snowball decides with: which e-mail domains the provider vouches for, whether members
    must use it, and whether it may add sellers who are not members yet."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # In the provider's URLs (redirect URI, ACS URL, SP entity id), which the IT admin registers
    # at their IdP: set once from the organisation's slug and never changed with it.
    key = models.SlugField(max_length=60, unique=True)
    protocol = models.CharField(max_length=10, choices=SsoProtocol.choices)
    display_name = models.CharField(max_length=100)  # the button: "Continue with <this>"
    require_sso = models.BooleanField(default=False)
    allow_jit = models.BooleanField(default=False)
    social_app = models.OneToOneField(SocialApp, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_protocol_display()})"


class IdentityProviderDomain(models.Model):
    """An e-mail domain a provider vouches for. A domain belongs to one organisation's provider:
    the sign-in page sends its addresses there, and the provider is trusted for them only."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)  # stored lower-case

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="sso_domain_unique_ci"),
        ]
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class SamlAssertionUse(models.Model):
    """SAML assertions already consumed, kept until they expire: the same assertion posted
    again (a replay) is refused even where allauth's one-time request state would not catch it
    (a response without InResponseTo, or one replayed into the session that started it)."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "assertion_id"], name="sso_assertion_used_once"
            ),
        ]
        # The nightly-free pruning: `DELETE ... WHERE expires_at < now()` on every new assertion.
        indexes = [models.Index(fields=["expires_at"], name="sso_assertion_expiry_idx")]

    def __str__(self) -> str:
        return self.assertion_id


# --- SCIM ---------------------------------------------------------------------------------------


class ScimToken(TimeStamped):
    """A bearer token an admin created for their identity provider. The token names the
    organisation SCIM requests act on; only its SHA-256 is stored and it is shown once (as the
    ingestion API tokens)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    # Every SCIM request looks its token up by this (the unique index serves it).
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ScimUser(TimeStamped):
    """A member the identity provider provisioned (or adopted by e-mail): the SCIM `User` is the
    membership, its id the membership's code. Members without this row (added from the roster
    or by hand and never claimed by SCIM) are invisible to SCIM, so a provider can only read or
    change the people it manages."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="scim")
    external_id = models.CharField(max_length=255, blank=True, default="")
    # What the provider calls the person when it is not "given family" (kept to answer it back).
    display_name = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="scim_user_unique_external_id",
            ),
        ]
        indexes = [
            # The user list of one organisation, in provisioning order (paged by startIndex).
            models.Index(fields=["organisation", "created_at", "id"], name="scim_user_org_idx"),
        ]

    def __str__(self) -> str:
        return f"SCIM user {self.membership_id}"


class ScimGroup(TimeStamped):
    """A team the identity provider manages as a SCIM `Group` (its id is the team's code)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="scim")
    external_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="scim_group_unique_external_id",
            ),
        ]
        indexes = [
            # The group list of one organisation, in provisioning order.
            models.Index(fields=["organisation", "created_at", "id"], name="scim_group_org_idx"),
        ]

    def __str__(self) -> str:
        return f"SCIM group {self.team_id}"
