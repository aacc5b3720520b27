"""The audit log (#18): the services record who changed what about people and settings; admins
read it on one page, filtered and paged by keyset in a fixed number of queries; nobody else
reads it and nobody edits it; an erased person's e-mail is nowhere in it afterwards."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from programme import services
from programme.models import AuditEntry, Role
from tests.factories import member


@pytest.fixture
def admin(org):
    return member(org, Role.ADMIN)


def audit_url(org, **query):
    from urllib.parse import urlencode

    url = reverse("programme-audit-log", args=[org.slug])
    return f"{url}?{urlencode(query)}" if query else url


def entries(org, count, *, action="deactivated", target=None, start=None):
    start = start or timezone.now()
    made = []
    for index in range(count):
        entry = services.audit_record(
            organisation=org, action=action, actor_label="someone@example.com",
            target=target, details={"source": "admin"},
        )  # fmt: skip
        AuditEntry.objects.filter(pk=entry.pk).update(at=start - timedelta(minutes=index))
        made.append(entry)
    return made


# --- Recording -----------------------------------------------------------------------------


def test_the_manager_visibility_setting_and_other_settings_are_recorded(org, admin):
    services.organisation_settings_change(by=admin, managers_see_individuals=True)
    services.organisation_settings_change(by=admin, managers_see_individuals=True)  # no change
    services.organisation_settings_change(
        by=admin, managers_see_individuals=True, disclosure_line="#employee"
    )
    recorded = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.actor, e.details) for e in recorded] == [
        ("manager_visibility", admin, {"from": False, "to": True}),
        ("settings_changed", admin, {"fields": ["disclosure line"]}),
    ]


def test_api_tokens_created_and_revoked_are_recorded_without_the_secret(org, admin):
    from metrics import services as metrics_services

    token, secret = metrics_services.api_token_create(organisation=org, name="CRM", by=admin)
    metrics_services.api_token_revoke(token=token, by=admin)
    metrics_services.api_token_revoke(token=token, by=admin)  # already revoked: nothing more
    recorded = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in recorded] == ["api_token_created", "api_token_revoked"]
    assert recorded[0].actor == admin
    assert recorded[0].details == {"name": "CRM", "prefix": token.prefix}
    assert all(secret not in str(e.details) for e in recorded)


def test_integration_endpoints_added_switched_and_removed_are_recorded(org, admin, settings):
    from programme.services import integrations

    settings.INTEGRATIONS_ALLOW_LOCAL = True
    url = "http://127.0.0.1:9/hook-secret-path"
    endpoint = integrations.endpoint_create(by=admin, kind="slack", name="#wins", url=url)
    integrations.endpoint_switch(by=admin, endpoint=endpoint, active=False)
    integrations.endpoint_remove(by=admin, endpoint=endpoint)
    recorded = list(AuditEntry.objects.order_by("id"))
    assert [e.details["change"] for e in recorded] == ["added", "switched off", "removed"]
    assert {e.action for e in recorded} == {"integration_changed"}
    assert all(e.actor == admin and "hook-secret-path" not in str(e.details) for e in recorded)


def test_blocked_words_and_data_exports_are_recorded(org, admin, consultant):
    word = services.blocked_word_add(by=consultant, word="scam")
    services.blocked_word_remove(by=consultant, word=word)
    services.data_export_request(by=admin)
    recorded = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.details) for e in recorded[:2]] == [
        ("settings_changed", {"setting": "blocked words", "added": "scam"}),
        ("settings_changed", {"setting": "blocked words", "removed": "scam"}),
    ]
    assert (recorded[2].action, recorded[2].actor, recorded[2].target) == (
        "data_exported", admin, admin,
    )  # fmt: skip


def test_an_erasure_is_recorded_and_forgets_the_person_everywhere_in_the_log(
    org, admin, consultant
):
    person = member(org, Role.SELLER)
    email = person.user.email
    services.membership_deactivate(membership=person, by=consultant, source="admin")
    services.data_export_request(by=person)  # they acted: their e-mail is the actor label
    services.audit_record(  # a detail quoting them, and a label no longer linked to them
        organisation=org, action="person_updated", actor=consultant, target_label=email,
        details={"note": f"asked by {email}"},
    )  # fmt: skip
    record = services.person_erase(
        by=admin, membership=person, keep_contributions=False, request_note="Ticket 4711"
    )
    log = list(AuditEntry.objects.filter(organisation=org).values())
    assert email not in str(log) and person.user.get_full_name() not in str(log)
    erased = AuditEntry.objects.get(action="erased")
    assert erased.actor == admin and erased.target is None and erased.target_label == ""
    assert erased.details["reference"] == str(record.reference)
    assert AuditEntry.objects.filter(action="deactivated", actor=consultant).exists()


# --- The page ------------------------------------------------------------------------------


def test_admins_read_the_log_newest_first_with_details_in_words(org, admin, login, consultant):
    seller = member(org, Role.SELLER)
    services.membership_deactivate(membership=seller, by=consultant, source="admin")
    services.audit_record(
        organisation=org, action="role_changed", actor=admin, target=seller,
        details={"from": "seller", "to": "manager", "source": "roster"},
    )  # fmt: skip
    page = login(admin).get(audit_url(org)).content.decode()
    assert page.index("Role changed") < page.index("Person deactivated")
    assert "Seller → Manager" in page and "Roster import" in page
    assert consultant.user.email in page and seller.user.email in page
    nav = reverse("programme-audit-log", args=[org.slug])
    assert f'href="{nav}"' in page  # reachable from the admin's navigation


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SPONSOR, Role.MANAGER, Role.SELLER])
def test_nobody_but_an_admin_reads_it(org, login, role):
    client = login(member(org, role))
    assert client.get(audit_url(org)).status_code == 403
    home = client.get(reverse("programme-organisation-home", args=[org.slug])).content.decode()
    assert 'href="/o/acme/audit/"' not in home  # not in their navigation either


def test_another_organisations_log_is_a_404_and_shows_nothing_of_it(org, other_org, login):
    theirs = member(other_org, Role.ADMIN)
    entries(other_org, 2)
    assert login(theirs).get(audit_url(org)).status_code == 404
    mine = member(org, Role.ADMIN)
    assert "someone@example.com" not in login(mine).get(audit_url(org)).content.decode()


def test_it_is_read_only(org, admin, login):
    entries(org, 1)
    assert login(admin).post(audit_url(org)).status_code == 405
    from django.contrib import admin as django_admin

    model_admin = django_admin.site._registry[AuditEntry]
    assert not model_admin.has_change_permission(None)
    assert not model_admin.has_delete_permission(None)
    assert not model_admin.has_add_permission(None)


def test_filters_by_action_person_and_dates(org, admin, login):
    seller = member(org, Role.SELLER)
    ten_days_ago = timezone.now() - timedelta(days=10)
    entries(org, 1, target=seller, start=ten_days_ago)
    entries(org, 1, action="api_token_created")
    client = login(admin)

    def rows(**query: str) -> int:
        page = client.get(audit_url(org, **query)).content.decode()
        return page.count('data-testid="audit-entry"')

    assert rows() == 2
    assert rows(action="api_token_created") == 1
    assert rows(person=seller.user.email.split("@")[0].upper()) == 1
    # Dates are read in the reader's zone (the organisation's here).
    day = timezone.localtime(ten_days_ago, ZoneInfo(org.time_zone)).date()
    assert rows(since=day.isoformat(), until=day.isoformat()) == 1
    assert rows(since=(day + timedelta(days=1)).isoformat()) == 1
    response = client.get(audit_url(org, since="2026-05-02", until="2026-05-01"))
    assert response.status_code == 400 and "before the start date" in response.content.decode()
    assert client.get(audit_url(org, action="nonsense", after="garbage_x")).status_code == 400


def test_pages_by_keyset_in_a_fixed_number_of_queries(org, admin, login, count_queries):
    client = login(admin)
    client.get(audit_url(org))
    entries(org, 3)
    small = count_queries(client.get, audit_url(org))
    entries(org, 117, start=timezone.now() - timedelta(days=1))
    assert count_queries(client.get, audit_url(org)) == small
    seen, url, pages = 0, audit_url(org), 0
    while url:
        page = client.get(url).content.decode()
        seen += page.count('data-testid="audit-entry"')
        pages += 1
        marker = "after="
        url = ""
        if "Older entries" in page:
            cursor = page.split(marker, 1)[1].split('"', 1)[0]
            url = audit_url(org, after=cursor)
            assert count_queries(client.get, url) == small
    assert (seen, pages) == (120, 3)


def test_a_role_changed_in_the_django_admin_is_recorded(org, rf):
    from django.contrib import admin as django_admin

    from programme.models import Membership
    from tests.factories import UserFactory

    # The admin site itself asks for staff with MFA (tested in test_deployment): the model
    # admin's save is what records the change.
    request = rf.post("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    person = member(org, Role.SELLER)
    model_admin = django_admin.site._registry[Membership]
    person.role = Role.MANAGER
    model_admin.save_model(request, person, form=None, change=True)
    model_admin.save_model(request, person, form=None, change=True)  # unchanged: no entry
    entry = AuditEntry.objects.get(action="role_changed")
    assert entry.actor is None and entry.actor_label == request.user.email
    assert entry.target == person and entry.details["to"] == "manager"
