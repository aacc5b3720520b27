"""The sign-in form: allauth's, knowing when the account is locked after wrong passwords."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.forms.forms import NON_FIELD_ERRORS


class LoginForm(AllauthLoginForm):
    @property
    def locked_out(self) -> bool:
        """The account is locked for a few minutes (the page offers the password reset)."""
        return self.has_error(NON_FIELD_ERRORS, "too_many_login_attempts")
