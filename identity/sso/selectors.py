"""Reads for single sign-on: an organisation's provider, which provider covers an address, and
which organisations require it (cached: every tenant page asks)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q

from identity.models import IdentityProvider, IdentityProviderDomain
from programme.viewer import Viewer

REQUIRED_CACHE_KEY = "identity:sso-required-organisations"


def provider_for(viewer: Viewer) -> IdentityProvider | None:
    """The viewer's organisation's provider, with its SocialApp and domains."""
    return (
        IdentityProvider.objects.select_related("social_app")
        .prefetch_related("domains")
        .filter(organisation_id=viewer.organisation.pk)
        .first()
    )


def provider_for_app(app_pk: int | None) -> IdentityProvider | None:
    if app_pk is None:
        return None
    return (
        IdentityProvider.objects.select_related("organisation", "social_app")
        .filter(social_app_id=app_pk)
        .first()
    )


def provider_for_email(email: str) -> IdentityProvider | None:
    """The provider covering this address's domain (a domain belongs to one at most)."""
    domain = (email or "").strip().lower().rpartition("@")[2]
    if not domain:
        return None
    return (
        IdentityProvider.objects.select_related("organisation", "social_app")
        .filter(domains__domain=domain, organisation__archived_at__isnull=True)
        .first()
    )


def provider_by_organisation_id(organisation_id: int) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.select_related("organisation", "social_app")
        .filter(organisation_id=organisation_id)
        .first()
    )


def domains_taken_elsewhere(domains: list[str], *, organisation_id: int) -> list[str]:
    return sorted(
        IdentityProviderDomain.objects.filter(domain__in=domains)
        .filter(~Q(provider__organisation_id=organisation_id))
        .values_list("domain", flat=True)
    )


def free_provider_key(slug: str) -> str:
    """The organisation's slug, or the slug with a number when an earlier organisation's
    provider kept it (keys never change, slugs may)."""
    key, n = slug[:50], 1
    while IdentityProvider.objects.filter(key=key).exists():
        n += 1
        key = f"{slug[:50]}-{n}"
    return key


def provider_summary(provider: IdentityProvider) -> dict:
    """What the audit log keeps of a configuration: plain values, never the client secret."""
    app = provider.social_app
    summary = {
        "protocol": provider.protocol,
        "display_name": provider.display_name,
        "domains": sorted(provider.domains.values_list("domain", flat=True)),
        "require_sso": provider.require_sso,
        "allow_jit": provider.allow_jit,
    }
    if provider.protocol == "oidc":
        summary.update(server_url=app.settings.get("server_url", ""), client_id=app.client_id)
    else:
        idp = app.settings.get("idp", {})
        summary.update(entity_id=idp.get("entity_id", ""), metadata_url=idp.get("metadata_url", ""))
    return summary


def organisations_requiring_sso() -> frozenset[int]:
    """Ids of the organisations whose members must sign in through their provider. Asked on
    every tenant page, so kept in the cache (cleared by every change, after its commit): a
    warm page runs no extra query."""
    found = cache.get(REQUIRED_CACHE_KEY)
    if found is None:
        found = list(
            IdentityProvider.objects.filter(require_sso=True).values_list(
                "organisation_id", flat=True
            )
        )
        cache.set(REQUIRED_CACHE_KEY, found, timeout=None)
    return frozenset(found)


def provider_for_key(key: str) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.select_related("organisation", "social_app")
        .filter(key=key)
        .first()
    )
