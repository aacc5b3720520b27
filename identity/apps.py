from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "identity"

    def ready(self) -> None:
        register_scim_navigation()
        register_sso()


def register_scim_navigation() -> None:
    """The SCIM page in the admin's account menu, beside the API tokens."""
    from django.utils.translation import gettext_lazy as _

    from identity import policies
    from programme.navigation import NavEntry, register_nav_entry

    register_nav_entry(
        NavEntry("account", _("User provisioning (SCIM)"), "identity-scim-tokens",
                 policies.can_manage_scim, order=52, active_for=("identity-scim-token",))
    )  # fmt: skip


def register_sso() -> None:
    """Single sign-on's hooks in programme, which imports no app: the tenant pages' access
    check, the sign-in page's provider lookup, the navigation entry; and the session's record
    of which provider signed it in."""
    from allauth.account.signals import user_logged_in
    from django.utils.translation import gettext_lazy as _

    from identity import policies
    from identity.sso import session
    from identity.sso.routes import sign_in_route
    from programme.forms_auth import register_sign_in_route
    from programme.navigation import NavEntry, register_nav_entry
    from programme.tenancy import register_access_check

    register_access_check(session.sso_access_check)
    register_sign_in_route(sign_in_route)
    user_logged_in.connect(session.on_user_logged_in, dispatch_uid="identity-sso-sign-in")
    register_nav_entry(
        NavEntry(
            "account", _("Single sign-on"), "identity-sso-settings",
            policies.can_configure_sso, order=43, active_for=("identity-sso",),
        )
    )  # fmt: skip
