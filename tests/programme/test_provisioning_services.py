"""programme's provisioning services (#18), which the SCIM API writes through: they never reach
past the organisation they are called for."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from programme import services
from programme.models import Participant, Team
from tests.factories import member


def test_a_person_of_one_organisation_is_renamed_and_readdressed(org):
    person = member(org)
    changed = services.person_update(
        membership=person, first_name="Ada", last_name="King", email=" ADA@Acme.example "
    )
    assert sorted(changed) == ["email", "first_name", "last_name"]
    person.user.refresh_from_db()
    assert person.user.email == "ada@acme.example"
    assert EmailAddress.objects.get(user=person.user).email == "ada@acme.example"
    assert services.person_update(membership=person, first_name="Ada") == []


def test_a_person_of_two_organisations_or_a_taken_address_is_refused(org, other_org):
    person = member(org)
    taken = member(org).user.email
    with pytest.raises(services.ProvisioningRefused) as refused:
        services.person_update(membership=person, email=taken)
    assert refused.value.reason == "taken"
    from programme.models import Membership

    Membership.objects.create(user=person.user, organisation=other_org)
    with pytest.raises(services.ProvisioningRefused) as refused:
        services.person_update(membership=person, first_name="Changed")
    assert refused.value.reason == "shared"
    person.user.refresh_from_db()
    assert person.user.first_name != "Changed" and person.user.email != taken


def test_team_placement_stays_inside_the_teams_organisation(org, other_org):
    east = Team.objects.create(organisation=org, name="East")
    ours, theirs = member(org), member(other_org)
    ids = [ours.participant.pk, theirs.participant.pk]
    assert services.participants_join_team(team=east, participant_ids=ids) == 1
    assert Participant.objects.get(pk=theirs.participant.pk).team is None
    assert services.participants_leave_team(team=east, participant_ids=ids) == 1
    assert Participant.objects.get(pk=ours.participant.pk).team is None


def test_team_rename_and_move_refuse_clashes_cycles_and_foreign_parents(org, other_org):
    top = Team.objects.create(organisation=org, name="Top")
    child = Team.objects.create(organisation=org, name="Child", parent=top)
    foreign = Team.objects.create(organisation=other_org, name="Theirs")
    for kwargs, reason in (
        ({"name": "top"}, "taken"),
        ({"parent": foreign}, "foreign"),
    ):
        with pytest.raises(services.ProvisioningRefused) as refused:
            services.team_update(team=child, **kwargs)
        assert refused.value.reason == reason
    with pytest.raises(services.ProvisioningRefused) as refused:
        services.team_update(team=top, parent=child)
    assert refused.value.reason == "cycle"
    assert services.team_update(team=child, name="Kid", parent=None) == ["name", "parent"]
    child.refresh_from_db()
    assert child.name == "Kid" and child.parent is None
