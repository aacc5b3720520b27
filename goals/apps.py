from __future__ import annotations

from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Success, rituals and celebrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from goals import demo, milestones  # noqa: F401 - demo data; milestones after rollups
