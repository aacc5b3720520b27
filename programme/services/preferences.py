"""E-mail preferences and organisation settings: writes."""

from __future__ import annotations

from django.core import signing

from programme.models import EmailKind, EmailMode, EmailPreference, Membership, Organisation

# The modes each kind offers, default first. A weekly summary has no digest of its own.
KIND_MODES: dict[str, list[str]] = {
    EmailKind.WEEKLY_SUMMARY: [EmailMode.IMMEDIATE, EmailMode.OFF],
}
_UNSUBSCRIBE_SALT = "snowball.email-unsubscribe"

__all__ = [
    "KIND_MODES",
    "email_mode",
    "email_preference_set",
    "organisation_settings_update",
    "unsubscribe_target",
    "unsubscribe_token",
]


def email_mode(*, membership: Membership, kind: str) -> str:
    stored = (
        EmailPreference.objects.filter(membership=membership, kind=kind)
        .values_list("mode", flat=True)
        .first()
    )
    return stored or KIND_MODES[kind][0]


def email_preference_set(*, membership: Membership, kind: str, mode: str) -> None:
    if mode not in KIND_MODES[kind]:
        raise ValueError(f"{mode!r} is not offered for {kind!r}")
    EmailPreference.objects.update_or_create(
        membership=membership, kind=kind, defaults={"mode": mode}
    )


def unsubscribe_token(*, membership: Membership, kind: str) -> str:
    """A link in each e-mail turns that kind off without signing in (RFC 8058 style)."""
    return signing.dumps([str(membership.code), kind], salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(*, token: str) -> tuple[Membership, str] | None:
    try:
        code, kind = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in KIND_MODES:
        return None
    membership = Membership.objects.select_related("organisation").filter(code=code).first()
    return (membership, kind) if membership else None


def organisation_settings_update(
    *, organisation: Organisation, managers_see_individuals: bool
) -> None:
    organisation.managers_see_individuals = managers_see_individuals
    organisation.save(update_fields=["managers_see_individuals", "updated_at"])
