from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from config import operations
from programme import views_locale

# The Django admin: staff who sign in with a second factor (allauth MFA), nobody else.
admin.site.has_permission = operations.staff_with_mfa
admin.site.login = operations.admin_login

urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # SAML's assertion consumer finishes in identity (replay protection), ahead of allauth's.
    path("accounts/", include("identity.sso.accounts_urls")),
    path("accounts/", include("allauth.urls")),
    # The sign-in page's language switcher (also the person's choice once signed in).
    path("i18n/setlang/", views_locale.set_language, name="set_language"),
    # Every page inside an organisation (config/tenant_urls.py).
    path("o/<slug:org>/", include("config.tenant_urls")),
    # The few pages outside any organisation: home, invitations, join by code, the API.
    path("", include("kickoff.urls")),
    path("", include("metrics.urls")),
    path("", include("programme.urls")),
    path("", include("showcase.urls")),  # /r/<code>/: a pick's short link
    path("", include("identity.urls")),  # the SCIM API, e-mail-first sign-in, SSO callbacks
]

handler403 = "programme.views.error_403"
handler404 = "programme.views.error_404"
handler500 = "programme.views.error_500"
