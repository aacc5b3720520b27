from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "identity"

    def ready(self) -> None:
        register_scim_navigation()


def register_scim_navigation() -> None:
    """The SCIM page in the admin's account menu, beside the API tokens."""
    from django.utils.translation import gettext_lazy as _

    from identity import policies
    from programme.navigation import NavEntry, register_nav_entry

    register_nav_entry(
        NavEntry("account", _("User provisioning (SCIM)"), "identity-scim-tokens",
                 policies.can_manage_scim, order=52, active_for=("identity-scim-token",))
    )  # fmt: skip
