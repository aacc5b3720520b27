from __future__ import annotations

from django.apps import AppConfig


class KickoffConfig(AppConfig):
    name = "kickoff"
    verbose_name = "Kick-off"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kickoff import demo, panels  # noqa: F401 - register the home panel and demo data

        register_navigation()
        from kickoff import privacy

        privacy.register()  # the kick-off's share of "My data"
        from kickoff import calendar

        calendar.register()  # kick-offs in invitations and calendar feeds


def register_navigation() -> None:
    from django.utils.translation import gettext_lazy as _

    from kickoff import policies
    from programme.navigation import NavEntry, everyone, register_nav_entry

    for entry in (
        # Anyone may join a kick-off with the code shown in the room.
        NavEntry("programme", _("Join a kick-off"), "kickoff-join-by-code", everyone, order=30,
                 in_organisation=False, active_for=("kickoff-join",)),
        NavEntry("programme", _("Stakeholders"), "kickoff-stakeholder-map",
                 policies.can_map_stakeholders, order=40,
                 active_for=("kickoff-stakeholder", "kickoff-engagement")),
        # Reusable kick-off formats and their wave-over-wave comparison.
        NavEntry("programme", _("Kick-off formats"), "kickoff-format-list",
                 policies.can_compare_kickoffs, order=35, active_for=("kickoff-format",)),
    ):  # fmt: skip
        register_nav_entry(entry)
