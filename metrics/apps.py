from __future__ import annotations

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the demo activity seeder and the indicators panel of a person's page.
        from metrics import demo, panels  # noqa: F401

        register_navigation()
        from metrics import privacy

        privacy.register()  # activity's share of "My data"


def register_navigation() -> None:
    from django.utils.translation import gettext_lazy as _

    from metrics import policies
    from programme.navigation import NavEntry, register_nav_entry

    for entry in (
        NavEntry("main", _("Dashboard"), policies.dashboard_route, policies.has_dashboard,
                 order=10, key="dashboard"),
        NavEntry("main", _("My activity"), "metrics-activity-home",
                 policies.can_view_own_progress, order=40),
        # The programme team uploads exports for sellers, and CRM and SSI files for many.
        NavEntry("programme", _("Activity imports"), "metrics-import-upload",
                 policies.can_import_for_others, order=90, active_for=("metrics-import",)),
        NavEntry("insights", _("Programme dashboard"), "metrics-dashboard-sponsor",
                 policies.can_view_programme_dashboard, order=10),
        NavEntry("insights", _("Team dashboards"), "metrics-dashboard-manager",
                 policies.can_view_team_dashboard, order=20),
        NavEntry("insights", _("Consultant dashboard"), "metrics-dashboard-consultant",
                 policies.can_view_consultant_dashboard, order=30),
        NavEntry("insights", _("My progress"), "metrics-dashboard-seller",
                 policies.can_view_own_progress, order=40),
        NavEntry("account", _("API tokens"), "metrics-api-tokens",
                 policies.can_manage_api_tokens, order=50, active_for=("metrics-api-token",)),
    ):  # fmt: skip
        register_nav_entry(entry)
