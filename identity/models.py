"""Identity models: per-organisation SSO configuration and SCIM tokens (issue #18)."""

from __future__ import annotations

import uuid

from allauth.socialaccount.models import SocialApp
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from programme.models import Organisation
from programme.models.core import TimeStamped

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
