from __future__ import annotations

from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Success, rituals, celebrations and OKRIs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # demo data; milestones and key results refreshed after rollups; the home panel
        from goals import demo, measures, milestones, panels  # noqa: F401

        register_navigation()
        register_page_links()
        from goals import privacy

        privacy.register()  # goals' share of "My data"


def register_navigation() -> None:
    from django.utils.translation import gettext_lazy as _

    from programme.navigation import NavEntry, everyone, register_nav_entry

    for entry in (
        NavEntry("goals", _("Objectives"), "goals-okris", everyone, order=10,
                 active_for=("goals-objective", "goals-key-result", "goals-initiative",
                             "goals-evaluation")),
        NavEntry("goals", _("Alignment"), "goals-alignment", everyone, order=15),
        NavEntry("goals", _("Success"), "goals-success", everyone, order=20,
                 active_for=("goals-proposal", "goals-window")),
        NavEntry("goals", _("Rituals"), "goals-rituals", everyone, order=30),
        NavEntry("goals", _("Celebrations"), "goals-celebrations", everyone, order=40,
                 active_for=("goals-celebration",)),
    ):  # fmt: skip
        register_nav_entry(entry)


def register_page_links() -> None:
    from django.urls import reverse

    from programme.home import register_page_link

    # Metrics' dashboards say where the indicator thresholds were agreed with the sellers.
    register_page_link(
        "indicator-definitions",
        lambda membership: reverse("goals-success", args=[membership.organisation.slug]),
    )
