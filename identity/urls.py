"""Identity URLs: tenant pages (SSO and SCIM settings, under o/<slug:org>/) and the URLs
outside any organisation (the SCIM API, the e-mail-first sign-in, the providers' callbacks)."""

from __future__ import annotations

from django.urls import path

from identity.sso import views as sso_views

tenant_urlpatterns: list = [
    path("settings/sso/", sso_views.sso_settings, name="identity-sso-settings"),
    path("settings/sso/remove/", sso_views.sso_remove, name="identity-sso-remove"),
]

urlpatterns: list = []
