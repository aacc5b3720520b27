"""Leavers (#18), the part every other piece builds on: a deactivated member is told their
access has ended on every page of the organisation, the programme team decides it (not
themselves, not a seller), each change is in the audit log, and reactivation restores access."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from programme import services
from programme.models import AuditEntry, Membership, Role


def test_a_deactivated_member_is_told_their_access_ended_and_a_reactivated_one_is_back(
    org, consultant, seller, login
):
    client = login(seller)
    home = reverse("programme-organisation-home", kwargs={"org": org.slug})
    assert client.get(home).status_code == 200

    assert services.membership_deactivate(membership=seller, by=consultant, source="admin")
    page = client.get(home)
    assert page.status_code == 403
    assert "Your access has ended" in page.content.decode()
    assert "Acme" in page.content.decode()
    seller.refresh_from_db()
    assert seller.deactivated_at is not None and seller.deactivated_by == "admin"
    assert Membership.objects.filter(pk=seller.pk).exists()  # nothing deleted

    assert services.membership_reactivate(membership=seller, by=consultant, source="admin")
    assert client.get(home).status_code == 200
    entries = list(AuditEntry.objects.filter(organisation=org).order_by("id"))
    assert [e.action for e in entries] == ["deactivated", "reactivated"]
    assert entries[0].actor_label == consultant.user.email
    assert entries[0].target_label == seller.user.email


def test_deactivating_twice_changes_nothing_the_second_time(org, consultant, seller):
    assert services.membership_deactivate(membership=seller, by=consultant, source="admin")
    assert not services.membership_deactivate(membership=seller, by=consultant, source="admin")
    assert AuditEntry.objects.filter(organisation=org).count() == 1


@pytest.mark.parametrize(
    ("actor_role", "target_role", "allowed"),
    [
        (Role.SELLER, Role.SELLER, False),
        (Role.MANAGER, Role.SELLER, False),
        (Role.SPONSOR, Role.SELLER, False),
        (Role.CONSULTANT, Role.SELLER, True),
        (Role.CONSULTANT, Role.ADMIN, False),
        (Role.ADMIN, Role.ADMIN, True),
    ],
)
def test_only_the_programme_team_deactivates(org, make_member, actor_role, target_role, allowed):
    actor, target = make_member(org, actor_role), make_member(org, target_role)
    if allowed:
        assert services.membership_deactivate(membership=target, by=actor, source="admin")
    else:
        with pytest.raises(PermissionDenied):
            services.membership_deactivate(membership=target, by=actor, source="admin")
        target.refresh_from_db()
        assert target.deactivated_at is None
        assert not AuditEntry.objects.exists()


def test_nobody_deactivates_themselves_or_someone_of_another_organisation(
    org, consultant, outsider
):
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(membership=consultant, by=consultant, source="admin")
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(membership=consultant, by=outsider, source="admin")
    consultant.refresh_from_db()
    assert consultant.deactivated_at is None


def test_provisioning_deactivates_without_a_person_and_says_so(org, seller):
    assert services.membership_deactivate(membership=seller, by=None, source="scim")
    entry = AuditEntry.objects.get()
    assert entry.actor is None and entry.actor_label == "SCIM"
