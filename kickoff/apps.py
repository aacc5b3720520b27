from __future__ import annotations

from django.apps import AppConfig


class KickoffConfig(AppConfig):
    name = "kickoff"
    verbose_name = "Kick-off"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kickoff import demo, panels  # noqa: F401 - register the home panel and demo data
