"""People, profiles and teams: who may see and change what, and lists with fixed query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programme.models import Role, Team
from tests.factories import TeamFactory, member

ALL_ROLES = list(Role)

# role -> (people list, teams page, add team, import roster)
MATRIX = {
    Role.SPONSOR: (200, 200, 403, 403),
    Role.CONSULTANT: (200, 200, 302, 200),
    Role.ADMIN: (200, 200, 302, 200),
    Role.MANAGER: (200, 200, 403, 403),
    Role.SELLER: (403, 403, 403, 403),
    Role.MARKETING: (403, 403, 403, 403),
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_role_matrix(org, login, role) -> None:
    client = login(member(org, role))
    people, teams, add_team, roster = MATRIX[role]
    assert client.get(reverse("programme-people-list", args=[org.slug])).status_code == people
    assert client.get(reverse("programme-team-list", args=[org.slug])).status_code == teams
    response = client.post(reverse("programme-team-list", args=[org.slug]), {"name": "New team"})
    assert response.status_code == add_team
    assert Team.objects.filter(organisation=org, name="New team").exists() == (add_team == 302)
    assert client.get(reverse("programme-roster-upload", args=[org.slug])).status_code == roster
    assert client.get(reverse("programme-organisation-home", args=[org.slug])).status_code == 200


def test_manager_sees_own_team_and_teams_below_only(org, login) -> None:
    south = TeamFactory(organisation=org, name="South")
    lyon = TeamFactory(organisation=org, name="Lyon", parent=south)
    north = TeamFactory(organisation=org, name="North")
    manager = member(org, Role.MANAGER, team=south)
    in_lyon = member(org, Role.SELLER, team=lyon)
    in_north = member(org, Role.SELLER, team=north)
    client = login(manager)
    page = client.get(reverse("programme-people-list", args=[org.slug])).content.decode()
    assert in_lyon.user.email in page
    assert in_north.user.email not in page
    detail = reverse("programme-participant-detail", args=[org.slug, in_north.participant.code])
    assert client.get(detail).status_code == 403


def test_people_list_runs_a_fixed_number_of_queries(org, login, django_assert_num_queries) -> None:
    consultant = member(org, Role.CONSULTANT)
    client = login(consultant)
    url = reverse("programme-people-list", args=[org.slug])
    client.get(url)  # warm the session
    teams = [TeamFactory(organisation=org) for _ in range(3)]
    for index in range(4):
        member(org, Role.SELLER, team=teams[index % 3])
    # session user, membership, team choices, count, page, switcher list, ...
    with django_assert_num_queries(7) as small:
        client.get(url)
    for index in range(45):
        member(org, Role.SELLER, team=teams[index % 3])
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("/people/") >= 50


def test_people_filters_and_htmx_fragment(org, login) -> None:
    lyon = TeamFactory(organisation=org, name="Lyon")
    consultant = member(org, Role.CONSULTANT)
    jane = member(org, Role.SELLER, team=lyon)
    other = member(org, Role.MANAGER)
    client = login(consultant)
    url = reverse("programme-people-list", args=[org.slug])
    page = client.get(url, {"team": lyon.pk}).content.decode()
    assert jane.user.email in page and other.user.email not in page
    page = client.get(url, {"role": "manager"}).content.decode()
    assert other.user.email in page and jane.user.email not in page
    fragment = client.get(url, {"q": jane.user.last_name}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="people-results">')
    assert jane.user.email in fragment and "<nav" not in fragment
    # A team id of another organisation is not a valid choice: the filter is ignored, no leak.
    foreign = TeamFactory(name="Foreign")
    assert client.get(url, {"team": foreign.pk}).status_code == 200


def test_seller_edits_own_profile_but_not_placement(org, seller, login) -> None:
    url = reverse("programme-participant-detail", args=[org.slug, seller.participant.code])
    client = login(seller)
    response = client.post(
        url,
        {
            "segment": "Energy",
            "mindset": "hunter",
            "digital_affinity": "4",
            "selling_strategy": "direct_acquisition",
            "linkedin_url": "https://www.linkedin.com/in/jane-doe",
            "is_ambassador": "on",
            "job_role": "executive",
        },
    )
    assert response.status_code == 302
    seller.participant.refresh_from_db()
    assert seller.participant.segment == "Energy"
    assert seller.participant.digital_affinity == 4
    assert seller.participant.is_ambassador is False  # not the seller's to set
    assert seller.participant.job_role == "seller"


def test_bad_profile_input_is_refused_with_a_message(org, seller, login) -> None:
    url = reverse("programme-participant-detail", args=[org.slug, seller.participant.code])
    response = login(seller).post(
        url,
        {
            "selling_strategy": "content_led",
            "linkedin_url": "https://example.com/me",
            "digital_affinity": "9",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the address of a LinkedIn profile" in page
    assert "Select a valid choice" in page
    seller.participant.refresh_from_db()
    assert seller.participant.linkedin_url == "" and seller.participant.digital_affinity is None


def test_seller_cannot_see_or_change_a_colleague(org, seller, login) -> None:
    colleague = member(org, Role.SELLER)
    url = reverse("programme-participant-detail", args=[org.slug, colleague.participant.code])
    client = login(seller)
    assert client.get(url).status_code == 403
    assert client.post(url, {"segment": "Hacked"}).status_code == 403
    colleague.participant.refresh_from_db()
    assert colleague.participant.segment == ""


def test_consultant_sets_team_and_ambassador_flag(org, consultant, login) -> None:
    lyon = TeamFactory(organisation=org, name="Lyon")
    foreign_team = TeamFactory(name="Elsewhere")
    target = member(org, Role.SELLER)
    url = reverse("programme-participant-detail", args=[org.slug, target.participant.code])
    client = login(consultant)
    data = {"job_role": "partner", "selling_strategy": "content_led", "is_ambassador": "on"}
    assert client.post(url, {**data, "team": foreign_team.pk}).status_code == 400
    assert client.post(url, {**data, "team": lyon.pk}).status_code == 302
    target.participant.refresh_from_db()
    assert (target.participant.team, target.participant.is_ambassador) == (lyon, True)


def test_duplicate_team_name_is_refused(org, consultant, login) -> None:
    TeamFactory(organisation=org, name="Lyon")
    response = login(consultant).post(
        reverse("programme-team-list", args=[org.slug]), {"name": "lyon"}
    )
    assert response.status_code == 400
    assert "There is already a team called" in response.content.decode()
    assert Team.objects.filter(organisation=org).count() == 1


def test_team_tree_shows_regions_and_counts(org, consultant, login) -> None:
    south = TeamFactory(organisation=org, name="South")
    lyon = TeamFactory(organisation=org, name="Lyon", parent=south)
    member(org, Role.SELLER, team=lyon)
    page = login(consultant).get(reverse("programme-team-list", args=[org.slug])).content.decode()
    assert page.index("South") < page.index("Lyon")
    assert "1 person directly" in page and "in South" in page
