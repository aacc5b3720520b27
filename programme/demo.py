"""Demo data contributed by the other apps: `seed_demo` runs every registered seeder.

Each seeder receives the demo organisation and must be idempotent (running twice changes
nothing); `programme` imports none of the apps that register here.
"""

from __future__ import annotations

from collections.abc import Callable

from programme.models import Organisation

_seeders: list[Callable[[Organisation], None]] = []


def register_demo_seeder(seeder: Callable[[Organisation], None]) -> Callable[[Organisation], None]:
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def run_demo_seeders(organisation: Organisation) -> None:
    for seeder in _seeders:
        seeder(organisation)


# --- Content in several languages (#20) ------------------------------------------------------

EVERYONE_TITLE = "What changes for all of us this year"
EVERYONE_TRANSLATIONS = {
    "fr": (
        "Ce qui change pour nous tous cette année",
        "Bonjour à toutes et à tous,\n\n"
        "Cette année, nous apprenons à vendre par la conversation sur LinkedIn. Un groupe de "
        "volontaires commence ; tous les autres suivent par vagues, avec formation et "
        "accompagnement.\n\n"
        "Personne ne sera évalué sur le nombre de publications. Posez-moi vos questions "
        "ci-dessous, anonymement si vous préférez.\n\nClaire",
    ),
    "de": (
        "Was sich dieses Jahr für uns alle ändert",
        "Liebe Kolleginnen und Kollegen,\n\n"
        "dieses Jahr lernen wir, über Gespräche auf LinkedIn zu verkaufen. Eine Gruppe von "
        "Freiwilligen fängt an; alle anderen folgen in Wellen, mit Training und Coaching.\n\n"
        "Niemand wird nach der Zahl seiner Beiträge bewertet. Fragen Sie mich unten alles, "
        "gern auch anonym.\n\nClaire",
    ),
}


@register_demo_seeder
def seed_announcement_translations(organisation: Organisation) -> None:
    """The sponsor's announcement to everyone, also in French and German. Idempotent."""
    from programme.models import Announcement
    from programme.services.translations import translation_write

    announcement = (
        Announcement.objects.filter(organisation=organisation, title=EVERYONE_TITLE)
        .select_related("published_by")
        .first()
    )
    if announcement is None:
        return
    for language, (title, body) in EVERYONE_TRANSLATIONS.items():
        if not announcement.translations.filter(language=language).exists():
            translation_write(announcement, announcement.published_by, language, title, body)


# --- Leavers and the audit log (#18) ---------------------------------------------------------

DEMO_ROSTER_FILE = "acme-roster-march.csv"


@register_demo_seeder
def seed_leavers_and_audit_log(organisation: Organisation) -> None:
    """Two leavers (one missing from a roster re-import, one ended by the company's identity
    provider through SCIM) and a few weeks of the admins' audit log: what the audit page shows.
    Idempotent: the history is written once, recognised by its roster import."""
    from datetime import timedelta

    from django.utils import timezone

    from programme.models import AuditAction, AuditEntry, DeactivationSource, Membership, Role

    history = AuditEntry.objects.filter(organisation=organisation)
    if history.filter(action=AuditAction.ROSTER_IMPORTED, details__file=DEMO_ROSTER_FILE).exists():
        return
    members = Membership.objects.filter(organisation=organisation).select_related("user")
    people = {m.user.email.split("@")[0]: m for m in members}
    admin, mia = people.get("admin"), people.get("mia.novak")
    sellers = list(members.active().filter(role=Role.SELLER).order_by("-pk"))
    if admin is None or mia is None or len(sellers) < 4:
        return
    # The newest two sellers leave (the demo's sign-ins are among the first).
    by_roster, by_scim = sellers[0], sellers[1]
    now = timezone.now()

    def ago(days: int, hours: int = 0) -> object:
        return now - timedelta(days=days, hours=hours)

    for leaver, source, when in (
        (by_roster, DeactivationSource.ROSTER, ago(9, 3)),
        (by_scim, DeactivationSource.SCIM, ago(2, 5)),
    ):
        Membership.objects.filter(pk=leaver.pk).update(
            deactivated_at=when, deactivated_by=source, updated_at=when
        )

    def entry(when, action, actor=None, target=None, actor_label="", **details) -> AuditEntry:
        return AuditEntry(
            organisation=organisation, at=when, action=action, actor=actor,
            actor_label=actor_label or (actor.user.email if actor else "Snowball"),
            target=target, target_label=target.user.email if target else "", details=details,
        )  # fmt: skip

    promoted = people.get("lena.koch") or admin
    entries = [
        entry(ago(41, 2), AuditAction.ROSTER_IMPORTED, mia, file="acme-roster-january.csv",
              rows=68, created=68, updated=0, unchanged=0, deactivated=0, reactivated=0),
        entry(ago(38, 6), AuditAction.MANAGER_VISIBILITY, admin, **{"from": False, "to": True}),
        entry(ago(35, 1), AuditAction.API_TOKEN_CREATED, admin, name="CRM sync",
              prefix="sbt_k3Xq9"),
        entry(ago(30, 4), AuditAction.INTEGRATION_CHANGED, admin, name="#linkedin-wins",
              kind="slack", change="added"),
        entry(ago(24, 3), AuditAction.SETTINGS_CHANGED, mia, setting="blocked words",
              added="guaranteed returns"),
        entry(ago(9, 3), AuditAction.ROSTER_IMPORTED, mia, file=DEMO_ROSTER_FILE, rows=67,
              created=0, updated=2, unchanged=65, deactivated=1, reactivated=0),
        entry(ago(9, 3), AuditAction.ROLE_CHANGED, mia, promoted, source="roster",
              **{"from": "seller", "to": "manager"}),
        entry(ago(9, 3), AuditAction.DEACTIVATED, mia, by_roster, source="roster"),
        entry(ago(6, 2), AuditAction.API_TOKEN_REVOKED, admin, name="CRM sync",
              prefix="sbt_k3Xq9"),
        entry(ago(2, 5), AuditAction.DEACTIVATED, None, by_scim, actor_label="SCIM",
              source="scim"),
        entry(ago(1, 1), AuditAction.DATA_EXPORTED, sellers[2], sellers[2]),
    ]  # fmt: skip
    times = [made.at for made in entries]
    AuditEntry.objects.bulk_create(entries)
    # auto_now_add replaces the given time on insert: set the history's times afterwards.
    for made, when in zip(entries, times, strict=True):
        AuditEntry.objects.filter(pk=made.pk).update(at=when)
