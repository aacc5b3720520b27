"""Which organisations' providers signed this session in.

A person may belong to several organisations; signing in with organisation A's provider proves
nothing to organisation B. Each sign-in replaces the list (a password sign-in empties it), and
`sso_access_check` (registered with programme.tenancy) closes an organisation that requires
SSO to a session its own provider did not sign in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from identity.sso import selectors
from identity.sso.middleware import REQUEST_ATTRIBUTE
from identity.sso.pages import provider_login_url, provider_origins

SESSION_KEY = "identity_sso_organisations"


def record_sign_in(request: HttpRequest, *, organisation_id: int | None) -> None:
    request.session[SESSION_KEY] = [organisation_id] if organisation_id else []


def signed_in_through(request: HttpRequest) -> list[int]:
    return list(request.session.get(SESSION_KEY, []))


def on_user_logged_in(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """allauth's user_logged_in: after every sign-in, password or provider."""
    from identity.sso.adapter import REQUEST_ORGANISATION

    if request is None or not hasattr(request, "session"):
        return
    organisation_id = (
        getattr(request, REQUEST_ORGANISATION, None) if kwargs.get("sociallogin") else None
    )
    record_sign_in(request, organisation_id=organisation_id)


def sso_access_check(request: HttpRequest, membership) -> HttpResponse | None:
    """programme.tenancy access check: None lets the page open."""
    if membership.organisation_id not in selectors.organisations_requiring_sso():
        return None
    if membership.organisation_id in signed_in_through(request):
        return None
    provider = selectors.provider_by_organisation_id(membership.organisation_id)
    if provider is None:  # removed a moment ago
        return None
    setattr(request, REQUEST_ATTRIBUTE, provider_origins(provider))
    return render(
        request,
        "identity/sso_required.html",
        {
            "organisation_name": membership.organisation.name,
            "provider_name": provider.display_name,
            "login_url": provider_login_url(provider),
            "next": request.get_full_path(),
        },
        status=403,
    )
