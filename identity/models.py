"""Identity models: per-organisation SSO configuration and SCIM tokens (issue #18)."""

from __future__ import annotations

import uuid

from django.db import models

from programme.models import Membership, Organisation, Team, TimeStamped

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
