from __future__ import annotations

from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Success, rituals, celebrations and OKRIs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # demo data; milestones and key results refreshed after rollups
        from goals import demo, measures, milestones  # noqa: F401
