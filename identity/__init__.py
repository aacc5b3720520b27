"""Enterprise identity (issue #18): single sign-on per organisation (OpenID Connect and SAML
through django-allauth's providers) and SCIM 2.0 provisioning with groups as teams. It builds
on programme (memberships, teams, leavers, the audit log) and nothing imports it but config."""
