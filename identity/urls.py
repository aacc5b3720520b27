"""Identity URLs: tenant pages (SSO and SCIM settings, under o/<slug:org>/) and the URLs
outside any organisation (the SCIM API, the e-mail-first sign-in, the providers' callbacks)."""

from __future__ import annotations

tenant_urlpatterns: list = []

urlpatterns: list = []
