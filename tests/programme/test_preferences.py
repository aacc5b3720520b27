"""E-mail preferences and organisation settings."""

from __future__ import annotations

from django.urls import reverse

from programme import services
from programme.models import EmailKind, Role
from tests.factories import member


def test_person_changes_own_email_settings(org, seller, login):
    client = login(seller)
    url = reverse("programme-email-preferences", args=[org.slug])
    page = client.get(url).content.decode()
    assert "My weekly summary" in page and 'value="off"' in page
    assert client.post(url, {"weekly_summary": "off"}).status_code == 302
    assert services.email_mode(membership=seller, kind=EmailKind.WEEKLY_SUMMARY) == "off"
    refused = client.post(url, {"weekly_summary": "digest"})  # not offered for this kind
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert services.email_mode(membership=seller, kind=EmailKind.WEEKLY_SUMMARY) == "off"


def test_only_admins_are_offered_the_integration_failure_emails(org, seller, login):
    """Failing integrations are told to the admins alone: nobody else gets that setting."""
    url = reverse("programme-email-preferences", args=[org.slug])
    label = "Integrations: a Teams, Slack or webhook address that fails"
    assert label not in login(seller).get(url).content.decode()
    # Posting it anyway changes nothing.
    assert login(seller).post(url, {"integration": "off"}).status_code == 302
    assert services.email_mode(membership=seller, kind=EmailKind.INTEGRATION) == "immediate"
    admin = member(org, Role.ADMIN)
    assert label in login(admin).get(url).content.decode()
    assert login(admin).post(url, {"integration": "digest"}).status_code == 302
    assert services.email_mode(membership=admin, kind=EmailKind.INTEGRATION) == "digest"


def test_only_admins_change_organisation_settings(org, login, outsider):
    admin = member(org, Role.ADMIN)
    url = reverse("programme-organisation-settings", args=[org.slug])
    for role in (Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.SELLER):
        assert login(member(org, role)).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert login(admin).post(url, {"managers_see_individuals": "on"}).status_code == 302
    org.refresh_from_db()
    assert org.managers_see_individuals
    login(admin).post(url, {})
    org.refresh_from_db()
    assert not org.managers_see_individuals
