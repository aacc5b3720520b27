from __future__ import annotations

from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "showcase"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from showcase import demo, panels  # noqa: F401 - register demo data and the home panel
