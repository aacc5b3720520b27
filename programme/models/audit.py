"""The audit log (issue #18): what administrators, consultants and provisioning changed about
people and settings. Rows are only ever added (`programme.services.audit_record`); nobody edits
them. The actor and target keep a label (the e-mail at the time, or "SCIM") so an entry still
reads after the membership is gone; erasing a person blanks their labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from programme.models.core import Membership, Organisation


class AuditAction(models.TextChoices):
    # Translators: an entry of the audit log: what was changed.
    ROLE_CHANGED = "role_changed", pgettext_lazy("audit", "Role changed")
    DEACTIVATED = "deactivated", pgettext_lazy("audit", "Person deactivated")
    REACTIVATED = "reactivated", pgettext_lazy("audit", "Person reactivated")
    PERSON_PROVISIONED = "provisioned", pgettext_lazy("audit", "Person provisioned")
    PERSON_UPDATED = "person_updated", pgettext_lazy("audit", "Person updated")
    ROSTER_IMPORTED = "roster_imported", pgettext_lazy("audit", "Roster imported")
    SSO_CONFIGURED = "sso_configured", pgettext_lazy("audit", "Single sign-on configured")
    SSO_REMOVED = "sso_removed", pgettext_lazy("audit", "Single sign-on removed")
    SCIM_TOKEN_CREATED = "scim_token_created", pgettext_lazy("audit", "SCIM token created")
    SCIM_TOKEN_REVOKED = "scim_token_revoked", pgettext_lazy("audit", "SCIM token revoked")
    API_TOKEN_CREATED = "api_token_created", pgettext_lazy("audit", "API token created")
    API_TOKEN_REVOKED = "api_token_revoked", pgettext_lazy("audit", "API token revoked")
    TEAM_PROVISIONED = "team_provisioned", pgettext_lazy("audit", "Team provisioned")
    SETTINGS_CHANGED = "settings_changed", pgettext_lazy("audit", "Settings changed")
    MANAGER_VISIBILITY = "manager_visibility", pgettext_lazy("audit", "Manager visibility changed")
    INTEGRATION_CHANGED = "integration_changed", pgettext_lazy("audit", "Integration changed")
    PERSON_ERASED = "erased", pgettext_lazy("audit", "Person erased")
    DATA_EXPORTED = "data_exported", pgettext_lazy("audit", "Data exported")


class AuditEntry(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_entries"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    actor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    target = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_label = models.CharField(max_length=254, blank=True)
    # What changed, in plain values: {"from": "seller", "to": "manager"}, {"count": 12}, ...
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-at"], name="audit_org_at_idx"),
            models.Index(fields=["organisation", "action", "-at"], name="audit_org_action_idx"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"


__all__ = ["AuditAction", "AuditEntry"]
