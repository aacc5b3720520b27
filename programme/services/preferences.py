"""E-mail preferences and organisation settings: writes."""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programme import policies
from programme.models import (
    AuditAction,
    EmailKind,
    EmailMode,
    EmailPreference,
    Membership,
    Organisation,
    User,
)

# The modes each kind offers, default first. Comments, reactions and marketing picks default
# to the daily digest: people drown in notifications. A weekly summary is a digest already.
KIND_MODES: dict[str, list[str]] = {
    EmailKind.ANNOUNCEMENT: [EmailMode.IMMEDIATE, EmailMode.DIGEST, EmailMode.OFF],
    EmailKind.CASE_ACTIVITY: [EmailMode.DIGEST, EmailMode.IMMEDIATE, EmailMode.OFF],
    EmailKind.CELEBRATION: [EmailMode.DIGEST, EmailMode.IMMEDIATE, EmailMode.OFF],
    EmailKind.MARKETING_PICK: [EmailMode.DIGEST, EmailMode.IMMEDIATE, EmailMode.OFF],
    EmailKind.WEEKLY_SUMMARY: [EmailMode.IMMEDIATE, EmailMode.OFF],
    EmailKind.OKRI: [EmailMode.IMMEDIATE, EmailMode.DIGEST, EmailMode.OFF],
    EmailKind.INTEGRATION: [EmailMode.IMMEDIATE, EmailMode.DIGEST, EmailMode.OFF],
}
# Kinds only some people are ever sent: a setting nobody else can receive is not offered them.
ONLY_FOR_ADMINS = {EmailKind.INTEGRATION}  # failing integrations are told to the admins alone


def email_kinds_for(membership: Membership) -> list[str]:
    """The kinds of e-mail this person can receive, in the order of KIND_MODES."""
    admin = policies.can_change_organisation_settings(membership)
    return [kind for kind in KIND_MODES if admin or kind not in ONLY_FOR_ADMINS]


# The unsubscribe link in a digest turns off every kind the person gets in digests.
DIGEST = "digest"
_UNSUBSCRIBE_SALT = "snowball.email-unsubscribe"

__all__ = [
    "DIGEST",
    "KIND_MODES",
    "email_kinds_for",
    "email_mode",
    "email_preference_set",
    "organisation_settings_change",
    "organisation_settings_update",
    "unsubscribe",
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
    # notifications imports this module; importing it at call time keeps the cycle open.
    from programme.services.notifications import digest_backlog_settle

    with transaction.atomic():
        was = email_mode(membership=membership, kind=kind)
        EmailPreference.objects.update_or_create(
            membership=membership, kind=kind, defaults={"mode": mode}
        )
        if was == EmailMode.DIGEST and mode != EmailMode.DIGEST:
            # A change applies to what happens next: what waited for the digest stays in it.
            digest_backlog_settle(membership=membership, kind=kind, mode=mode)


def unsubscribe_token(*, membership: Membership, kind: str) -> str:
    """A link in each e-mail turns that kind off without signing in (RFC 8058 style)."""
    return signing.dumps([str(membership.code), kind], salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(*, token: str) -> tuple[Membership, str] | None:
    try:
        code, kind = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in KIND_MODES and kind != DIGEST:
        return None
    membership = Membership.objects.select_related("organisation").filter(code=code).first()
    return (membership, kind) if membership else None


def unsubscribe(*, membership: Membership, kind: str) -> None:
    """What the one-click link does: that kind off, or for the digest every digest kind."""
    if kind != DIGEST:
        email_preference_set(membership=membership, kind=kind, mode=EmailMode.OFF)
        return
    for each in KIND_MODES:
        if email_mode(membership=membership, kind=each) == EmailMode.DIGEST:
            email_preference_set(membership=membership, kind=each, mode=EmailMode.OFF)


def organisation_settings_change(
    *,
    by: Membership,
    managers_see_individuals: bool,
    disclosure_line: str | None = None,
    language: str | None = None,
) -> None:
    """The settings page: an admin changes their own organisation's settings."""
    policies.require(
        policies.can_change_organisation_settings(by),
        by,
        by.organisation_id,
        "Only an administrator changes the organisation's settings.",
    )
    organisation = by.organisation
    before = (organisation.managers_see_individuals, organisation.disclosure_line,
              organisation.language)  # fmt: skip
    with transaction.atomic():
        organisation_settings_update(
            organisation=organisation, managers_see_individuals=managers_see_individuals,
            disclosure_line=disclosure_line, language=language,
        )  # fmt: skip
        _settings_audit(by, before)


def _settings_audit(by: Membership, before: tuple[bool, str, str]) -> None:
    """The audit log (#18): the manager-visibility switch on its own line, other settings
    together, each only when it really changed."""
    from programme.services.audit import audit_record

    organisation = by.organisation
    visible, disclosure, language = before
    if organisation.managers_see_individuals != visible:
        audit_record(
            organisation=organisation, action=AuditAction.MANAGER_VISIBILITY, actor=by,
            details={"from": visible, "to": organisation.managers_see_individuals},
        )  # fmt: skip
    changed = [
        name
        for name, old in (("disclosure line", disclosure), ("language", language))
        if getattr(organisation, name.replace(" ", "_")) != old
    ]
    if changed:
        audit_record(
            organisation=organisation, action=AuditAction.SETTINGS_CHANGED, actor=by,
            details={"fields": changed},
        )  # fmt: skip


def organisation_settings_update(
    *, organisation: Organisation, managers_see_individuals: bool,
    disclosure_line: str | None = None, language: str | None = None,
) -> None:  # fmt: skip
    """The organisation's own setup (the demo seeders); a person goes through
    `organisation_settings_change`. A `disclosure_line` or `language` of None leaves it as it
    is; a language Snowball does not have is refused."""
    from programme.i18n import supported_language

    organisation.managers_see_individuals = managers_see_individuals
    fields = ["managers_see_individuals", "updated_at"]
    if language is not None:
        organisation.language = supported_language(language)
        if not organisation.language:
            raise ValidationError({"language": _("Choose one of the languages offered.")})
        fields.append("language")
    if disclosure_line is not None:
        organisation.disclosure_line = " ".join(disclosure_line.split())[:100]
        fields.append("disclosure_line")
    organisation.save(update_fields=fields)


def person_locale_set(*, user: User, language: str, time_zone: str | None) -> None:
    """A person's language and time zone, for every organisation they belong to. A language
    or zone this installation does not know is refused; `time_zone=None` leaves it as it is
    ("" = each organisation's own)."""
    from programme.i18n import supported_language, zone_named

    chosen = supported_language(language)
    if not chosen:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    fields = ["language"]
    user.language = chosen
    if time_zone is not None:
        if time_zone and zone_named(time_zone) is None:
            raise ValidationError({"time_zone": _("Choose a time zone from the list.")})
        user.time_zone = time_zone
        fields.append("time_zone")
    user.save(update_fields=fields)
