"""People pickers: every field that chooses people is one searchable component (a native
select marked for static/js/pickers.js, each option carrying name, e-mail and team), works as
a plain select without JavaScript, offers the session's attendees first for an emotion, and
chooses initiative and objective owners as people rather than typed e-mail addresses."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals import services as goals_services
from goals.models import Initiative, Objective
from kickoff import services as kickoff_services
from kickoff.forms import EmotionForm, FollowUpConcernForm, KickoffForm
from programme import services
from programme.forms import FollowUpForm, MeetingForm, TriageForm
from programme.models import Role
from programme.widgets import PeopleChoiceField, PersonChoiceField
from tests.factories import TeamFactory, member


@pytest.fixture
def world(org):
    consultant = member(org, Role.CONSULTANT)
    manager = member(org, Role.MANAGER)
    north = TeamFactory(organisation=org, name="North")
    sellers = [member(org, Role.SELLER, team=north) for _ in range(4)]
    sellers[0].user.first_name, sellers[0].user.last_name = "Zoé", "Zimmer"
    sellers[0].user.save(update_fields=["first_name", "last_name"])
    programme = services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[],
        consultants=[consultant],
    )
    session = kickoff_services.kickoff_save(
        by=consultant,
        programme=programme,
        data={"title": "Kick-off", "held_on": timezone.localdate(), "facilitator": consultant},
        attendees=[sellers[0]],
    )
    return {
        "consultant": consultant,
        "manager": manager,
        "sellers": sellers,
        "programme": programme,
        "session": session,
        "north": north,
    }


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert match, f"no select named {name}"
    return match.group(0)


@pytest.mark.parametrize(
    ("form", "field"),
    [(KickoffForm, "attendees"), (MeetingForm, "attendees"), (EmotionForm, "participant")],
)
def test_every_people_field_is_the_searchable_picker(org, world, form, field):
    kwargs = (
        {"programme": world["programme"], "session": world["session"]}
        if form is EmotionForm
        else {"organisation": org}
    )
    bound = form(**kwargs)
    assert isinstance(bound.fields[field], PeopleChoiceField | PersonChoiceField)
    html = _select(str(bound[field]), field)
    assert 'data-picker="people"' in html
    assert "Type a name, an e-mail or a team" in html
    if form is not MeetingForm:  # meetings are for the management team
        zoe = world["sellers"][0]
        # Without JavaScript the native select shows the team beside the name.
        assert "Zoé Zimmer · North</option>" in html
        assert f'data-email="{zoe.user.email}"' in html and 'data-team="North"' in html


def test_the_emotion_picker_offers_the_sessions_attendees_first(org, world, login):
    page = login(world["consultant"]).get(
        reverse("kickoff-session-detail", args=[org.slug, world["session"].code])
    )
    html = _select(page.content.decode(), "participant")
    attendee = world["sellers"][0].participant
    first_group = re.search(r'<optgroup label="In this session">(.*?)</optgroup>', html, re.S)
    assert first_group and f'value="{attendee.pk}"' in first_group.group(1)
    rest = re.search(r'<optgroup label="Everyone else">(.*?)</optgroup>', html, re.S)
    assert rest and f'value="{attendee.pk}"' not in rest.group(1)
    assert f'value="{world["sellers"][1].participant.pk}"' in rest.group(1)
    assert html.index("In this session") < html.index("Everyone else")


def test_an_emotion_from_a_chosen_person_is_recorded(org, world, login):
    attendee = world["sellers"][0].participant
    response = login(world["consultant"]).post(
        reverse("kickoff-emotion-log", args=[org.slug, world["session"].code]),
        {"kind": "anger", "intensity": 2, "participant": attendee.pk},
    )
    assert response.status_code == 302
    assert world["session"].emotions.get().participant == attendee


def test_the_picker_reads_people_in_one_query_whatever_their_number(org, world, count_queries):
    def queries() -> int:
        return count_queries(lambda: str(KickoffForm(organisation=org)["attendees"]))

    before = queries()
    for _ in range(10):
        member(org, Role.SELLER, team=world["north"])
    assert queries() == before


@pytest.fixture
def objective(world):
    today = timezone.localdate()
    return goals_services.objective_create(
        by=world["consultant"],
        programme=world["programme"],
        scope="programme",
        title="A weekly habit",
        owner=world["consultant"],
        starts_on=today,
        ends_on=today + timedelta(days=60),
    )


def test_an_initiative_owner_is_chosen_as_a_person(org, world, objective, login):
    client = login(world["consultant"])
    detail = client.get(reverse("goals-objective-detail", args=[org.slug, objective.code]))
    html = _select(detail.content.decode(), "owner")
    assert 'data-picker="people"' in html and ">Me</option>" in html
    assert 'type="email"' not in detail.content.decode()

    seller = world["sellers"][1]
    url = reverse("goals-initiative-create", args=[org.slug, objective.code])
    response = client.post(url, {"title": "Comment clinic", "owner": seller.pk})
    assert response.status_code == 302
    assert Initiative.objects.get().owner == seller
    # Left on "Me", the author owns it.
    client.post(url, {"title": "Lunch and learn", "owner": ""})
    assert Initiative.objects.get(title="Lunch and learn").owner == world["consultant"]


def test_an_owner_from_another_organisation_is_refused_with_a_reason(
    org, other_org, world, objective, login
):
    stranger = member(other_org, Role.SELLER)
    client = login(world["consultant"])
    response = client.post(
        reverse("goals-initiative-create", args=[org.slug, objective.code]),
        {"title": "Comment clinic", "owner": stranger.pk},
    )
    assert response.status_code == 400
    assert "not one of the people you can choose here" in response.content.decode()
    assert not Initiative.objects.exists()


def test_a_manager_names_an_objectives_owner_from_the_picker(org, world, login):
    manager = member(org, Role.MANAGER, team=world["north"])
    owner = world["sellers"][2]
    today = timezone.localdate()
    response = login(manager).post(
        reverse("goals-objective-create", args=[org.slug]),
        {
            "title": "North posts weekly",
            "programme": world["programme"].pk,
            "scope": "team",
            "team": world["north"].pk,
            "owner": owner.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Objective.objects.get(title="North posts weekly").owner == owner


def test_owners_and_meeting_attendees_are_chosen_among_the_same_people(org):
    """A problem's owner, a follow-up's owner, a concern's owner and a management meeting's
    attendees are all chosen among those who lead the change (one definition, in programme):
    sponsors, consultants, managers and admins, never sellers or marketing."""
    people = {role: member(org, role) for role in Role}
    leads = {people[role].pk for role in (Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.ADMIN)}
    fields = [
        TriageForm(organisation=org).fields["owner"],
        FollowUpForm(organisation=org).fields["owner"],
        FollowUpConcernForm(organisation=org).fields["owner"],
        MeetingForm(organisation=org).fields["attendees"],
    ]
    for field in fields:
        assert {membership.pk for membership in field.queryset} == leads
