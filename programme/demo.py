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
