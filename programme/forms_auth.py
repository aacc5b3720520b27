"""The sign-in form: allauth's, asking the e-mail address first (issue #18), and knowing when the
account is locked after wrong passwords.

Step 1 asks only the address. An address at a domain an organisation connected to its identity
provider goes on to "Continue with <provider>"; any other to the password (step 2). The answer
depends on the domain alone, so the page never tells whether an address has an account. A
direct POST of address and password (step 2, or any client that skips step 1) signs in as it
always did, unless the person belongs to an organisation that requires its provider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.forms.forms import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from programme.models import Membership


@dataclass(frozen=True)
class SignInRoute:
    """Where an address signs in instead of with a password: its organisation's provider."""

    organisation_id: int
    organisation_name: str
    provider_name: str
    url: str  # the POST target that starts the provider's sign-in
    required: bool  # the organisation refuses its members' passwords
    # The provider's origins: the page with the button lets forms go there (a form's redirect
    # is held to the page's Content-Security-Policy form-action), see identity.sso.middleware.
    form_action: tuple[str, ...] = ()


# Finders other apps register (identity, from its AppConfig.ready: programme imports no app):
# each takes an e-mail address and answers its SignInRoute, or None.
sign_in_routes: list[Callable[[str], SignInRoute | None]] = []


def register_sign_in_route(finder: Callable[[str], SignInRoute | None]) -> None:
    if finder not in sign_in_routes:
        sign_in_routes.append(finder)


def sign_in_route_for(email: str, request: object = None) -> SignInRoute | None:
    for finder in sign_in_routes:
        if (route := finder(email)) is not None:
            if request is not None:
                request.sso_form_action = route.form_action  # type: ignore[attr-defined]
            return route
    return None


STEPS = ("email", "password")


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        requested = self.data.get("step") if self.is_bound else "email"
        # "email": step 1; "password": step 2 asked for; None: a plain sign-in POST.
        self.requested_step = requested if requested in STEPS else None
        self.step = self.requested_step or "password"
        self.sso_route: SignInRoute | None = None

    @property
    def locked_out(self) -> bool:
        """The account is locked for a few minutes (the page offers the password reset)."""
        return self.has_error(NON_FIELD_ERRORS, "too_many_login_attempts")

    def is_valid(self) -> bool:
        if self.requested_step is None:
            return super().is_valid()
        # Steps 1 and 2 only choose what the page asks next: nothing is authenticated and
        # nothing counts against the rate limits. The form stays "invalid" so allauth's view
        # renders the page again at the next step.
        self._errors = ErrorDict()
        self.cleaned_data = {}
        email = (self.data.get("login") or "").strip()
        try:
            forms.EmailField().clean(email)
        except forms.ValidationError:
            self._errors["login"] = self.error_class([_("Enter a valid e-mail address.")])
            self.step = "email"
            return False
        self.sso_route = sign_in_route_for(email, self.request)
        if self.sso_route is not None and (
            self.requested_step == "email" or self.sso_route.required
        ):
            self.step = "sso"
        else:
            self.step = "password"
        return False

    def clean(self) -> dict:
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if user is not None and not self.errors:
            route = sign_in_route_for(user.email, self.request)
            if route is not None and route.required and self._is_member(user, route):
                self.sso_route = route
                self.step = "sso"
                raise forms.ValidationError(
                    _(
                        "%(organisation)s requires you to sign in with %(provider)s, not with a "
                        "password."
                    )
                    % {
                        "organisation": route.organisation_name,
                        "provider": route.provider_name,
                    },
                    code="sso_required",
                )
        return cleaned

    @staticmethod
    def _is_member(user: object, route: SignInRoute) -> bool:
        return Membership.objects.filter(
            user=user, organisation_id=route.organisation_id, deactivated_at__isnull=True
        ).exists()
