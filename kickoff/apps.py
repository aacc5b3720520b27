from __future__ import annotations

from django.apps import AppConfig


class KickoffConfig(AppConfig):
    name = "kickoff"
    default_auto_field = "django.db.models.BigAutoField"
