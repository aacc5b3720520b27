"""From a dashboard's numbers to the people behind them, and a person's indicators on their page:
who may follow each link, what they find, and a fixed number of queries whatever the data."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from metrics import policies, rollups
from metrics.models import LinkedInProfileText, ParticipantWeek
from programme.models import Role, Team
from programme.viewer import Viewer
from tests.factories import member

TODAY = date(2026, 11, 23)  # a Monday


def put(org, person, ago, **counts):
    ParticipantWeek.objects.create(
        organisation=org, participant=person.participant, week=TODAY - timedelta(weeks=ago),
        **counts,
    )  # fmt: skip


def healthy(org, person):
    for ago in range(8):
        put(org, person, ago, posts=1, reactions_received=5, interactions_tracked=True)


def quitting(org, person):
    """Posts every week, but nothing has come back for three weeks."""
    for ago in range(8):
        put(org, person, ago, posts=1, reactions_received=0 if ago < 3 else 5,
            interactions_tracked=True)  # fmt: skip


def lapsing(org, person):
    """Was active, then no own action for three weeks."""
    for ago in range(3, 8):
        put(org, person, ago, posts=1, reactions_received=5, interactions_tracked=True)


@pytest.fixture
def world(org):
    """Region North with Team Alpha (6 people: 2 about to quit, 1 lapsed) and Team Beta beside
    it; a manager of the region, one of each team; the other roles."""
    org.time_zone = "UTC"
    org.managers_see_individuals = True
    org.save()
    region = Team.objects.create(organisation=org, name="Region North")
    alpha = Team.objects.create(organisation=org, name="Team Alpha", parent=region)
    beta = Team.objects.create(organisation=org, name="Team Beta", parent=region)
    quitters = [member(org, Role.SELLER, team=alpha) for _ in range(2)]
    lapsed = member(org, Role.SELLER, team=alpha)
    steady = [member(org, Role.SELLER, team=alpha) for _ in range(3)]
    betas = [member(org, Role.SELLER, team=beta) for _ in range(5)]
    for person in quitters:
        quitting(org, person)
    lapsing(org, lapsed)
    for person in steady + betas:
        healthy(org, person)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    return {
        "region": region, "alpha": alpha, "beta": beta,
        "quitters": quitters, "lapsed": lapsed, "steady": steady, "betas": betas,
        "manager": member(org, Role.MANAGER, team=region),
        "alpha_manager": member(org, Role.MANAGER, team=alpha),
        "beta_manager": member(org, Role.MANAGER, team=beta),
        "sponsor": member(org, Role.SPONSOR), "consultant": member(org, Role.CONSULTANT),
        "admin": member(org, Role.ADMIN), "marketing": member(org, Role.MARKETING),
    }  # fmt: skip


def people_url(org, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("metrics-dashboard-people", args=[org.slug]) + (f"?{query}" if query else "")


def team_url(org, team=None) -> str:
    base = reverse("metrics-dashboard-manager", args=[org.slug])
    return base + (f"?team={team.code}" if team else "")


def person_url(org, someone) -> str:
    return reverse("programme-participant-detail", args=[org.slug, someone.participant.code])


def name(someone) -> str:
    return someone.user.get_full_name()


def hrefs(page: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', page)}


# --- The list behind a number --------------------------------------------------------------------


def test_a_managers_counts_lead_to_the_people_they_count_with_the_reason(org, world, login):
    client = login(world["manager"])
    page = client.get(team_url(org)).content.decode()
    link = people_url(org, team=world["alpha"].code, show="about_to_quit")
    assert link in hrefs(page), "Team Alpha's 'About to quit' count links to those people"
    assert people_url(org, team=world["region"].code, show="lapsed") in hrefs(page)
    # The links' hidden labels are positioned absolutely: inside a scroll box that is not
    # positioned they escaped it and made a 390 px phone page 692 px wide.
    assert '<div class="table-responsive position-relative">' in page

    listing = client.get(link).content.decode()
    assert "About to quit: Team Alpha" in listing
    for quitter in world["quitters"]:
        assert name(quitter) in listing
        assert person_url(org, quitter) in hrefs(listing)
    assert "no interaction received in the last 3 weeks" in listing
    for other in [world["lapsed"], *world["steady"], *world["betas"]]:
        assert name(other) not in listing

    lapsed = client.get(people_url(org, team=world["region"].code, show="lapsed")).content.decode()
    assert name(world["lapsed"]) in lapsed and "no own action for 3 weeks" in lapsed
    assert all(name(q) not in lapsed for q in world["quitters"])


def test_a_manager_without_a_team_in_the_link_sees_their_own_teams(org, world, login):
    page = login(world["alpha_manager"]).get(people_url(org, show="about_to_quit"))
    assert page.status_code == 200
    assert "About to quit: Team Alpha" in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200), ("alpha_manager", 200), ("consultant", 200), ("admin", 200),
        ("beta_manager", 403), ("sponsor", 403), ("marketing", 403),
    ],
)  # fmt: skip
def test_who_may_open_the_list_behind_a_number(org, world, login, who, status):
    response = login(world[who]).get(people_url(org, team=world["alpha"].code, show="lapsed"))
    assert response.status_code == status
    if status == 403:
        assert name(world["lapsed"]).encode() not in response.content


def test_the_list_is_refused_to_sellers_managers_without_individual_view_and_outsiders(
    org, other_org, world, login, outsider
):
    link = people_url(org, team=world["alpha"].code, show="about_to_quit")
    assert login(world["quitters"][0]).get(link).status_code == 403
    assert login(outsider).get(link).status_code == 404
    foreign_team = Team.objects.create(organisation=other_org, name="Theirs")
    consultant = login(world["consultant"])
    assert consultant.get(people_url(org, team=foreign_team.code)).status_code == 404
    assert consultant.get(people_url(org, team="not-a-code")).status_code == 404
    assert consultant.get(people_url(org, show="salary")).status_code == 404
    org.managers_see_individuals = False
    org.save()
    assert login(world["manager"]).get(link).status_code == 403
    page = login(world["manager"]).get(team_url(org)).content.decode()
    assert "/dashboard/people/" not in page, "no link where the list would be refused"


def test_the_consultants_counts_and_names_lead_to_people(org, world, login):
    first, copy = world["steady"][0], world["steady"][1]
    LinkedInProfileText.objects.create(participant=first.participant, headline="Ghost")
    LinkedInProfileText.objects.create(
        participant=copy.participant, headline="Ghost", lookalike_of=first.participant,
        similarity=0.99,
    )  # fmt: skip
    page = login(world["consultant"]).get(
        reverse("metrics-dashboard-consultant", args=[org.slug])
    ).content.decode()  # fmt: skip
    links = hrefs(page)
    assert people_url(org, show="about_to_quit") in links
    assert people_url(org, show="lapsed") in links
    for someone in [*world["quitters"], world["lapsed"], first, copy]:
        assert person_url(org, someone) in links, "at-risk and look-alike names open the person"
    everyone = login(world["consultant"]).get(people_url(org, show="about_to_quit"))
    text = everyone.content.decode()
    assert "About to quit: the whole organisation" in text
    assert all(name(q) in text for q in world["quitters"])


def test_the_list_runs_a_fixed_number_of_queries(org, world, login, django_assert_num_queries):
    client = login(world["consultant"])
    link = people_url(org, team=world["region"].code, show="participants")
    client.get(link)  # warm the session
    # Session and user, membership, week, team, team tree, thresholds, count, page.
    with django_assert_num_queries(9):
        small = client.get(link)
    for _ in range(12):
        quitting(org, member(org, Role.SELLER, team=world["alpha"]))
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    with django_assert_num_queries(9):
        large = client.get(link)
    assert small.content.decode().count("/people/") < large.content.decode().count("/people/")


# --- Team names open that team's dashboard -------------------------------------------------------


def test_a_team_opens_its_own_dashboard_and_the_current_team_is_not_a_link(org, world, login):
    client = login(world["manager"])
    page = client.get(team_url(org)).content.decode()
    assert team_url(org, world["alpha"]) in hrefs(page)
    assert team_url(org, world["region"]) not in hrefs(page), "no link that reloads this page"
    assert 'aria-current="page">Region North' in page

    alpha = client.get(team_url(org, world["alpha"])).content.decode()
    assert "Team dashboard: Team Alpha" in alpha
    assert all(name(s) in alpha for s in world["steady"])
    assert all(name(s) not in alpha for s in world["betas"])
    assert "Up to Region North" in alpha and team_url(org, world["region"]) in hrefs(alpha)
    for someone in world["steady"]:
        assert person_url(org, someone) in hrefs(alpha), "each seller's name opens their page"

    own = login(world["alpha_manager"]).get(team_url(org)).content.decode()
    assert "Up to" not in own, "a manager never goes above their own team"


def test_the_programme_team_starts_at_the_top_team_and_goes_down(org, world, login):
    page = login(world["consultant"]).get(team_url(org)).content.decode()
    assert "Team dashboard: Region North" in page
    assert team_url(org, world["alpha"]) in hrefs(page)
    assert people_url(org, team=world["alpha"].code, show="about_to_quit") in hrefs(page)


def test_sponsors_see_aggregates_only(org, world, login):
    client = login(world["sponsor"])
    page = client.get(team_url(org)).content.decode()
    assert "Team dashboard: Region North" in page and team_url(org, world["alpha"]) in hrefs(page)
    assert "/dashboard/people/" not in page
    assert "Sponsors see team aggregates only" in page
    assert all(name(s) not in page for s in [*world["quitters"], *world["steady"]])
    tiny = Team.objects.create(organisation=org, name="Team Tiny", parent=world["region"])
    for _ in range(3):
        healthy(org, member(org, Role.SELLER, team=tiny))
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    sponsor = client.get(reverse("metrics-dashboard-sponsor", args=[org.slug])).content.decode()
    assert "too few to show" in sponsor.split("Team Tiny")[1].split("</tr>")[0]
    assert "/dashboard/people/" not in sponsor


# --- A person's page shows their indicators to those allowed -------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "sees"),
    [
        ("consultant", 200, True), ("admin", 200, True), ("manager", 200, True),
        ("alpha_manager", 200, True), ("sponsor", 200, False), ("beta_manager", 403, False),
    ],
)  # fmt: skip
def test_who_sees_a_persons_indicators(org, world, login, who, status, sees):
    quitter = world["quitters"][0]
    response = login(world[who]).get(person_url(org, quitter))
    assert response.status_code == status
    page = response.content.decode()
    assert ("Early warnings" in page) is sees
    assert ("no interaction received in the last 3 weeks" in page) is sees


def test_managers_see_no_indicators_when_the_organisation_keeps_them_to_aggregates(
    org, world, login
):
    org.managers_see_individuals = False
    org.save()
    page = login(world["manager"]).get(person_url(org, world["quitters"][0])).content.decode()
    assert name(world["quitters"][0]) in page and "Early warnings" not in page


def test_a_seller_is_led_to_their_own_progress_and_cannot_see_others(org, world, login, outsider):
    quitter = world["quitters"][0]
    client = login(quitter)
    own = client.get(person_url(org, quitter)).content.decode()
    assert reverse("metrics-dashboard-seller", args=[org.slug]) in hrefs(own)
    assert client.get(person_url(org, world["quitters"][1])).status_code == 403
    assert login(outsider).get(person_url(org, quitter)).status_code == 404


def test_the_person_page_lists_recent_weeks(org, world, login):
    page = login(world["consultant"]).get(person_url(org, world["lapsed"])).content.decode()
    section = page.split('id="indicators-heading"')[1]
    assert "no own action for 3 weeks" in section
    assert section.count('<th scope="row"') == 8  # the last eight weeks, newest first
    assert TODAY.strftime("%-d %b") in section.split("<tbody>")[1].split("</tr>")[0]


def test_the_person_panel_runs_a_fixed_number_of_queries(org, world, django_assert_num_queries):
    from metrics.panels import indicators_person_panel

    person = world["lapsed"].participant
    consultant, manager = Viewer(world["consultant"]), Viewer(world["manager"])
    with django_assert_num_queries(3):  # newest week, thresholds, the person's rows
        assert indicators_person_panel(consultant, person)["data"].reasons
    # and the teams below the manager's own (their participant record is the one the
    # membership already holds: Viewer takes it from there)
    with django_assert_num_queries(4):
        assert indicators_person_panel(manager, person)["data"].reasons
    for ago in range(8, 20):
        put(org, world["lapsed"], ago, posts=3, reactions_received=9, interactions_tracked=True)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    with django_assert_num_queries(3):
        indicators_person_panel(consultant, person)


def test_person_indicators_policy_as_a_matrix(org, world, other_org):
    quitter = world["quitters"][0].participant
    allowed = [
        ("consultant", True), ("admin", True), ("manager", True), ("alpha_manager", True),
        ("beta_manager", False), ("sponsor", False), ("marketing", False),
    ]  # fmt: skip
    for who, expected in allowed:
        viewer = Viewer(world[who])
        assert policies.can_view_person_indicators(viewer, quitter) is expected, who
        assert policies.can_view_people_behind_numbers(world[who]) is (
            who in {"consultant", "admin", "manager", "alpha_manager", "beta_manager"}
        ), who
    assert policies.can_view_person_indicators(Viewer(world["quitters"][1]), quitter) is False
    assert policies.can_view_person_indicators(Viewer(world["quitters"][0]), quitter) is True
    foreign = member(other_org, Role.CONSULTANT)
    assert policies.can_view_person_indicators(Viewer(foreign), quitter) is False


def test_team_policy_as_a_matrix(org, world):
    """A team's dashboard and lists: any team for the programme team and sponsors; a manager's
    own team and the teams below it, never one beside or above it; nobody else's."""
    teams = {name: world[name].pk for name in ("region", "alpha", "beta")}
    expected = {
        "consultant": {"region", "alpha", "beta"}, "admin": {"region", "alpha", "beta"},
        "sponsor": {"region", "alpha", "beta"}, "manager": {"region", "alpha", "beta"},
        "alpha_manager": {"alpha"}, "beta_manager": {"beta"}, "marketing": set(),
    }  # fmt: skip
    for who, allowed in expected.items():
        viewer = Viewer(world[who])
        seen = {name for name, pk in teams.items() if policies.can_view_team(viewer, pk)}
        assert seen == allowed, who
    assert not policies.can_view_team(Viewer(world["steady"][0]), world["alpha"].pk)


# --- The demo shows it ---------------------------------------------------------------------------


def test_the_demo_managers_numbers_lead_to_names(db, login):
    from django.core.management import call_command

    from programme.models import Membership

    call_command("seed_demo", stdout=__import__("io").StringIO())
    lena = Membership.objects.get(user__email="lena.koch@acme.example", organisation__slug="acme")
    assert lena.organisation.managers_see_individuals
    client = login(lena)
    page = client.get(reverse("metrics-dashboard-manager", args=["acme"])).content.decode()
    links = [h for h in hrefs(page) if "show=about_to_quit" in h or "show=lapsed" in h]
    assert len(links) >= 2, "Nordics has people about to quit and lapsed, and they link"
    for link in links:
        listing = client.get(link).content.decode()
        assert re.search(r'href="/o/acme/people/[0-9a-f-]{36}/"', listing), link
        assert "for 3 weeks" in listing or "in the last 3 weeks" in listing


def test_handles_the_skill_and_about_to_quit_together_are_explained(org, world, login):
    """Posting every week with good results, then three weeks of silence: both are true."""
    from metrics.models import IndicatorWeek

    quitter = world["quitters"][0]
    row = IndicatorWeek.objects.get(participant=quitter.participant, week=TODAY)
    assert row.handles_skill and row.about_to_quit
    note = "Both are true this week: “handles the skill” looks at the last 8 weeks"
    people = login(world["consultant"]).get(people_url(org, show="about_to_quit"))
    # Said once under the list, each such row pointing to it.
    assert people.content.decode().count(note) == 1
    assert "Both? See the note under the list." in people.content.decode()
    manager = login(world["manager"]).get(reverse("metrics-dashboard-manager", args=[org.slug]))
    assert manager.content.decode().count(note) == 1
    own = login(quitter).get(reverse("metrics-dashboard-seller", args=[org.slug]))
    assert note in own.content.decode()
    # Nobody else gets the note.
    steady = login(world["steady"][0]).get(reverse("metrics-dashboard-seller", args=[org.slug]))
    assert "Both are true this week" not in steady.content.decode()
