"""The organisation's single sign-on settings page (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from identity import policies
from identity.models import IdentityProvider, SsoProtocol
from identity.sso import selectors, services
from identity.sso.forms import SsoSettingsForm
from identity.sso.session import signed_in_through
from programme.pages import render_form_page
from programme.tenancy import tenant_view
from programme.viewer import Viewer


def sp_details(request: HttpRequest, provider: IdentityProvider) -> dict[str, str]:
    """What the IT administrator registers at their provider for Snowball."""
    app = provider.social_app
    if provider.protocol == SsoProtocol.OIDC:
        path = reverse("openid_connect_callback", kwargs={"provider_id": app.provider_id})
        return {"callback_url": request.build_absolute_uri(path)}
    slug = {"organization_slug": app.client_id}
    metadata = request.build_absolute_uri(reverse("saml_metadata", kwargs=slug))
    return {
        "acs_url": request.build_absolute_uri(reverse("saml_acs", kwargs=slug)),
        "metadata_url": metadata,
        "entity_id": app.settings.get("sp", {}).get("entity_id") or metadata,
    }


@tenant_view(policy=policies.can_configure_sso)
@require_http_methods(["GET", "POST"])
def sso_settings(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    provider = selectors.provider_for(viewer)
    form = SsoSettingsForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.sso_configure(
                by=viewer.membership,
                data=form.settings(),
                signed_in_with_provider=viewer.organisation.pk in signed_in_through(request),
            )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Single sign-on saved."))
            return redirect("identity-sso-settings", org=viewer.org)
    context = {
        "form": form,
        "org_slug": viewer.org,
        "provider": provider,
        "sp": sp_details(request, provider) if provider else {},
    }
    return render_form_page(request, "identity/sso_settings.html", context, form)


@tenant_view(policy=policies.can_configure_sso)
@require_POST
def sso_remove(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    if services.sso_remove(by=viewer.membership):
        messages.success(request, _("Single sign-on disconnected: people sign in with passwords."))
    return redirect("identity-sso-settings", org=viewer.org)
