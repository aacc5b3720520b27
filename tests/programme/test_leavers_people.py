"""Leavers on the people pages (#18): the list filters Active / Deactivated / All and marks
leavers with the date and the way they left; the programme team deactivates and reactivates
from the person's page or the list, by POST only, as the policy allows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.models import AuditEntry, Membership, Role
from tests.factories import member


@pytest.fixture
def people(org):
    active = member(org, Role.SELLER)
    gone = member(org, Role.SELLER)
    Membership.objects.filter(pk=gone.pk).update(
        deactivated_at=timezone.now(), deactivated_by="roster"
    )
    return active, gone


def names(page: str, *people: Membership) -> list[bool]:
    return [person.user.email in page for person in people]


def test_the_list_shows_active_people_unless_asked_and_marks_leavers(
    org, consultant, login, people
):
    active, gone = people
    client = login(consultant)
    url = reverse("programme-people-list", args=[org.slug])
    assert names(client.get(url).content.decode(), active, gone) == [True, False]
    page = client.get(url, {"status": "deactivated"}).content.decode()
    assert names(page, active, gone) == [False, True]
    assert "Deactivated" in page and "Roster import" in page
    assert names(client.get(url, {"status": "all"}).content.decode(), active, gone) == [True, True]
    # A bad value is ignored (the form says so), never a server error.
    assert client.get(url, {"status": "nonsense"}).status_code == 200


def test_the_list_with_leavers_runs_a_fixed_number_of_queries(
    org, consultant, login, django_assert_num_queries
):
    client = login(consultant)
    url = reverse("programme-people-list", args=[org.slug])
    client.get(url)
    for _ in range(3):
        member(org, Role.SELLER)
    with django_assert_num_queries(7) as small:
        client.get(url, {"status": "all"})
    for index in range(20):
        person = member(org, Role.SELLER)
        if index % 2:
            Membership.objects.filter(pk=person.pk).update(
                deactivated_at=timezone.now(), deactivated_by="scim"
            )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"status": "all"})
    assert response.content.decode().count("Deactivate…") > 5
    assert response.content.decode().count("Reactivate…") == 10


def test_a_consultant_deactivates_and_reactivates_from_the_person_page(
    org, consultant, login, people
):
    active, _gone = people
    client = login(consultant)
    detail = reverse("programme-participant-detail", args=[org.slug, active.participant.code])
    assert "Deactivate…" in client.get(detail).content.decode()
    response = client.post(
        reverse("programme-participant-deactivate", args=[org.slug, active.participant.code])
    )
    assert response.status_code == 302 and response["Location"] == detail
    active.refresh_from_db()
    assert active.deactivated_at is not None and active.deactivated_by == "admin"
    page = client.get(detail).content.decode()
    assert "Deactivated on" in page and "Reactivate…" in page
    # Back to the list it came from, filters kept.
    back = reverse("programme-people-list", args=[org.slug]) + "?status=deactivated"
    response = client.post(
        reverse("programme-participant-reactivate", args=[org.slug, active.participant.code]),
        {"next": back},
    )
    assert response["Location"] == back
    active.refresh_from_db()
    assert active.deactivated_at is None
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("id")) == [
        "deactivated",
        "reactivated",
    ]


def test_a_foreign_next_is_not_followed(org, consultant, login, people):
    active, _gone = people
    response = login(consultant).post(
        reverse("programme-participant-deactivate", args=[org.slug, active.participant.code]),
        {"next": "https://elsewhere.example/"},
    )
    assert response["Location"].startswith(f"/o/{org.slug}/people/")


@pytest.mark.parametrize("role", [Role.SELLER, Role.MANAGER, Role.SPONSOR, Role.MARKETING])
def test_others_cannot_deactivate_and_see_no_button(org, login, people, role):
    active, gone = people
    actor = member(org, role, team=active.participant.team)
    client = login(actor)
    for name, target in (("deactivate", active), ("reactivate", gone)):
        url = reverse(f"programme-participant-{name}", args=[org.slug, target.participant.code])
        assert client.post(url).status_code == 403
    active.refresh_from_db()
    gone.refresh_from_db()
    assert active.deactivated_at is None and gone.deactivated_at is not None
    assert not AuditEntry.objects.exists()


def test_a_consultant_cannot_deactivate_an_admin_nor_themselves(org, consultant, login):
    admin = member(org, Role.ADMIN)
    client = login(consultant)
    for target in (admin, consultant):
        url = reverse("programme-participant-deactivate", args=[org.slug, target.participant.code])
        assert client.post(url).status_code == 403
    assert not Membership.objects.filter(deactivated_at__isnull=False).exists()
    page = client.get(
        reverse("programme-participant-detail", args=[org.slug, admin.participant.code])
    ).content.decode()
    assert "Deactivate…" not in page


def test_get_is_refused_and_another_organisation_is_a_404(org, consultant, login, outsider):
    target = member(org, Role.SELLER)
    url = reverse("programme-participant-deactivate", args=[org.slug, target.participant.code])
    assert login(consultant).get(url).status_code == 405
    foreign = member(outsider.organisation, Role.SELLER)
    url = reverse("programme-participant-deactivate", args=[org.slug, foreign.participant.code])
    assert login(consultant).post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.deactivated_at is None
