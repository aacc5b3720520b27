"""Mounted by config/urls.py under accounts/, ahead of allauth's own URLs: SAML's assertion
consumer finishes here, with replay protection and worded refusals (identity.sso.saml)."""

from __future__ import annotations

from django.urls import path

from identity.sso import saml

urlpatterns = [
    path(
        "saml/<str:organization_slug>/acs/finish/",
        saml.finish_acs,
        name="identity-saml-finish-acs",
    ),
]
