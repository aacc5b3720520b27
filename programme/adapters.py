from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Five wrong passwords lock the account for five minutes, for its owner too: say so,
        # and the sign-in page offers the password reset (programme.forms_auth.LoginForm).
        "too_many_login_attempts": _(
            "Too many wrong passwords for this account: it is locked for five minutes, to stop "
            "anyone guessing. To get in now, reset your password: we e-mail you a link."
        ),
    }

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address (through TRUSTED_PROXY_COUNT proxies). A request that did not
        come through the proxies (fewer X-Forwarded-For entries than trusted proxies) is
        counted under its own connection's address instead of failing."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            address = request.META.get("REMOTE_ADDR")
            if not address:
                raise PermissionDenied("Unable to determine client IP address") from None
            return address

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join through their organisation's roster and an invitation e-mail.
        return settings.SIGNUP_OPEN
