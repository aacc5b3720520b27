from __future__ import annotations

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the demo activity seeder and the indicators panel of a person's page.
        from metrics import demo, panels  # noqa: F401
