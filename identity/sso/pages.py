"""The pages single sign-on answers with when it does not let someone in: each reason in words
the person can act on, and the way forward (their provider's button, or the sign-in page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from identity.models import IdentityProvider, SsoProtocol

MESSAGES = {
    "unknown_provider": _("This sign-in provider is not connected to Snowball any more."),
    "no_email": _(
        "%(provider)s did not tell Snowball your e-mail address, so we cannot tell who you "
        "are. Ask your IT administrator to send the e-mail claim or attribute."
    ),
    "domain": _(
        "%(email)s is not an address %(provider)s signs in for %(organisation)s: its domain "
        "is not one the organisation's administrator connected. Sign in with your password, or "
        "ask your administrator to add the domain."
    ),
    "unverified": _(
        "%(provider)s has not verified that %(email)s is yours, so Snowball cannot rely on it. "
        "Verify the address with your IT department, then try again."
    ),
    "not_member": _(
        "%(email)s has no access to %(organisation)s in Snowball yet. Signing in with "
        "%(provider)s does not give access by itself: ask the programme team for an invitation."
    ),
    "deactivated": _(
        "Your access to %(organisation)s has ended. If you think this is a mistake, ask its "
        "programme team."
    ),
    "audience": _(
        "The answer from %(provider)s was meant for another application (wrong audience), so "
        "Snowball refused it. Your IT administrator should check the identifier they gave "
        "Snowball's entry at the provider."
    ),
    "signature": _(
        "The answer from %(provider)s was not signed with the provider's key, so Snowball "
        "refused it. If your IT administrator changed the provider's certificate, they should "
        "update it in Snowball."
    ),
    "issuer": _(
        "The answer came from another identity provider than the one %(organisation)s "
        "connected to Snowball, so Snowball refused it."
    ),
    "expired": _(
        "The answer from %(provider)s has expired (or is not valid yet). Start again from "
        "the sign-in page; if it keeps happening, check this computer's clock."
    ),
    "replayed": _(
        "This sign-in answer from %(provider)s was already used once, so Snowball refused it. "
        "Start again from the sign-in page."
    ),
    "stale": _(
        "This sign-in with %(provider)s was not started in this browser, or was already "
        "completed, so Snowball refused it. Start again from the sign-in page."
    ),
    "cancelled": _("Sign-in with %(provider)s was cancelled."),
    "protocol": _(
        "Snowball could not complete sign-in with %(provider)s: the provider's answer was not "
        "valid. Try again; if it keeps failing, tell your IT administrator."
    ),
}


def provider_login_url(provider: IdentityProvider) -> str:
    """Where the "Continue with ..." button posts (allauth starts the provider's flow)."""
    app = provider.social_app
    if provider.protocol == SsoProtocol.SAML:
        return reverse("saml_login", kwargs={"organization_slug": app.client_id})
    return reverse("openid_connect_login", kwargs={"provider_id": app.provider_id})


def provider_origins(provider: IdentityProvider) -> list[str]:
    """Where the provider's sign-in page lives (for the button page's form-action)."""
    from urllib.parse import urlparse

    settings = provider.social_app.settings
    urls = [settings.get("server_url", ""), settings.get("idp", {}).get("sso_url", "")]
    origins = []
    for url in urls:
        parts = urlparse(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def refusal_response(
    request: HttpRequest,
    reason: str,
    *,
    provider: IdentityProvider | None = None,
    status: int = 403,
    **context: object,
) -> HttpResponse:
    values = {
        "provider": provider.display_name if provider else _("your sign-in provider"),
        "organisation": provider.organisation.name if provider else "",
        "email": context.get("email", ""),
    }
    message = MESSAGES.get(reason, MESSAGES["protocol"]) % values
    return render(
        request,
        "identity/sso_refused.html",
        {"message": message, "reason": reason},
        status=status,
    )
