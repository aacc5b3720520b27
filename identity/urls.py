"""Identity URLs: tenant pages (SSO and SCIM settings, under o/<slug:org>/) and the URLs
outside any organisation (the SCIM API, the e-mail-first sign-in, the providers' callbacks)."""

from __future__ import annotations

from django.urls import path

from identity.scim import views as scim
from identity.sso import views as sso_views

# --- SCIM ---------------------------------------------------------------------------------------
# The admin page (a tenant page) and the API: one base URL for every organisation, /scim/v2/,
# the bearer token naming the organisation (Entra ID's "Tenant URL", Okta's "Base URL").
scim_tenant_urlpatterns = [
    path("settings/scim/", scim.scim_tokens, name="identity-scim-tokens"),
    path(
        "settings/scim/<uuid:code>/revoke/",
        scim.scim_token_revoke,
        name="identity-scim-token-revoke",
    ),
]
scim_urlpatterns = [
    path(
        "scim/v2/ServiceProviderConfig",
        scim.service_provider_config,
        name="identity-scim-service-provider-config",
    ),
    path("scim/v2/ResourceTypes", scim.resource_types, name="identity-scim-resource-types"),
    path(
        "scim/v2/ResourceTypes/<str:name>", scim.resource_type, name="identity-scim-resource-type"
    ),
    path("scim/v2/Schemas", scim.schemas, name="identity-scim-schemas"),
    path("scim/v2/Schemas/<str:uri>", scim.schema, name="identity-scim-schema"),
    path("scim/v2/Users", scim.users, name="identity-scim-users"),
    path("scim/v2/Users/<str:scim_id>", scim.user, name="identity-scim-user"),
    path("scim/v2/Groups", scim.groups, name="identity-scim-groups"),
    path("scim/v2/Groups/<str:scim_id>", scim.group, name="identity-scim-group"),
    path("scim/v2/<path:rest>", scim.fallback, name="identity-scim-fallback"),
]

# --- SSO ----------------------------------------------------------------------------------------
sso_tenant_urlpatterns = [
    path("settings/sso/", sso_views.sso_settings, name="identity-sso-settings"),
    path("settings/sso/remove/", sso_views.sso_remove, name="identity-sso-remove"),
]

tenant_urlpatterns: list = [*scim_tenant_urlpatterns, *sso_tenant_urlpatterns]

urlpatterns: list = [*scim_urlpatterns]
