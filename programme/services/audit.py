"""Writing the audit log (issue #18): one call per change, in the caller's transaction, so an
entry exists exactly when its change does."""

from __future__ import annotations

from programme.models import AuditAction, AuditEntry, Membership, Organisation

# The actor label of changes no person made in Snowball.
SCIM_ACTOR = "SCIM"
SYSTEM_ACTOR = "Snowball"


def audit_record(
    *,
    organisation: Organisation | int,
    action: AuditAction | str,
    actor: Membership | None = None,
    actor_label: str = "",
    target: Membership | None = None,
    target_label: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Add one entry. `actor` is the membership acting (None for SCIM or the system, then say
    who in `actor_label`); `target` the person changed, if any. `details` holds plain values
    only (no secrets: a token's name and prefix, never the token)."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    if actor is not None and not actor_label:
        actor_label = actor.user.email
    if target is not None and not target_label:
        target_label = target.user.email
    return AuditEntry.objects.create(
        organisation_id=organisation_id,
        action=action,
        actor=actor,
        actor_label=actor_label or SYSTEM_ACTOR,
        target=target,
        target_label=target_label,
        details=details or {},
    )


def audit_forget_person(*, membership: Membership) -> int:
    """Erasure: the entries keep what happened, not who it happened to or who did it."""
    as_target = AuditEntry.objects.filter(target=membership).update(target=None, target_label="")
    as_actor = AuditEntry.objects.filter(actor=membership).update(actor=None, actor_label="")
    return as_target + as_actor


__all__ = ["SCIM_ACTOR", "SYSTEM_ACTOR", "audit_forget_person", "audit_record"]
