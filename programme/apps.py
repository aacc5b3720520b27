from __future__ import annotations

from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Programme"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from programme import choice_labels
        from programme.services import privacy

        choice_labels.install()  # get_FOO_display() without translating every choice

        privacy.register()  # the core's share of "My data", first of the providers
        from programme import (
            demo_calendar,  # noqa: F401 - the calendars' demo data
            i18n,  # noqa: F401 - a person's first language is remembered at sign-in
            integrations_demo,  # noqa: F401 - registers its demo seeder
        )
