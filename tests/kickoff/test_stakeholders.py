"""Stakeholder map, stance over time, engagement plans and the wave planner."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from kickoff import services, stakeholders
from kickoff.models import StakeholderAssessment
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Membership, Role, Wave
from tests.factories import TeamFactory, member

TODAY = datetime.date(2026, 11, 23)


def assess(participant, on, stance, influence="medium", stage="exploring", by=None):
    """An assessment by `by`, else by the organisation's (first) consultant."""
    consultants = Membership.objects.filter(
        organisation_id=participant.organisation_id, role=Role.CONSULTANT
    )
    return services.assessment_record(
        participant=participant,
        by=by or consultants.first() or member(participant.organisation, Role.CONSULTANT),
        data={"assessed_on": on, "stance": stance, "influence": influence, "curve_stage": stage},
    )


@pytest.fixture
def consultant(org):
    return member(org, Role.CONSULTANT)


def test_history_is_kept_and_the_grid_uses_the_latest(org, consultant, login):
    seller = member(org, Role.SELLER)
    url = reverse("kickoff-stakeholder-detail", args=[org.slug, seller.participant.code])
    client = login(consultant)
    for day, stance in ((1, "sceptic"), (15, "undecided")):
        response = client.post(
            url,
            {"assessed_on": f"2026-10-{day:02d}", "stance": stance, "influence": "low",
             "curve_stage": "exploring", "note": "after the kick-off"},
        )  # fmt: skip
        assert response.status_code == 302
    assert StakeholderAssessment.objects.count() == 2
    page = client.get(url).content.decode()
    assert page.index("Sceptic") < page.index("Undecided")  # the path, in order
    grid = stakeholders.stakeholder_grid(org)
    assert grid.distribution["Undecided"] == 1 and grid.distribution["Sceptic"] == 0

    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(
        url,
        {
            "assessed_on": future,
            "stance": "champion",
            "influence": "low",
            "curve_stage": "committed",
        },
    )
    assert refused.status_code == 400 and "cannot be in the future" in refused.content.decode()
    assert StakeholderAssessment.objects.count() == 2


def test_influential_opponents_without_a_plan_are_flagged(org, consultant, login):
    manager = member(org, Role.MANAGER)
    seller = member(org, Role.SELLER)
    assess(manager.participant, TODAY, "strong_opponent", influence="high")
    assess(seller.participant, TODAY, "sceptic", influence="low")
    client = login(consultant)
    page = client.get(reverse("kickoff-stakeholder-map", args=[org.slug])).content.decode()
    assert "High influence, opposed, and no engagement plan" in page
    assert str(manager.participant) in page

    client.post(
        reverse("kickoff-engagement-action-add", args=[org.slug, manager.participant.code]),
        {"action": "Lunch: hear his objections", "due_on": "2026-11-30"},
    )
    page = client.get(reverse("kickoff-stakeholder-map", args=[org.slug])).content.decode()
    assert "no engagement plan" not in page


@pytest.mark.parametrize("role", [Role.SPONSOR, Role.MANAGER, Role.SELLER, Role.MARKETING])
def test_stances_are_for_the_consultant_only(org, login, role):
    seller = member(org, Role.SELLER)
    client = login(member(org, role))
    assert client.get(reverse("kickoff-stakeholder-map", args=[org.slug])).status_code == 403
    url = reverse("kickoff-stakeholder-detail", args=[org.slug, seller.participant.code])
    assert client.post(url, {"assessed_on": "2026-11-01", "stance": "champion"}).status_code == 403
    assert not StakeholderAssessment.objects.exists()


def test_stance_by_week_counts_each_person_once_per_week(org, count_queries):
    a, b = member(org, Role.SELLER), member(org, Role.SELLER)
    start = datetime.date(2026, 11, 2)  # a Monday
    assess(a.participant, datetime.date(2026, 11, 3), "sceptic")
    assess(b.participant, datetime.date(2026, 11, 4), "supporter")
    assess(a.participant, datetime.date(2026, 11, 17), "undecided")
    end = datetime.date(2026, 11, 23)
    assert count_queries(stakeholders.stance_by_week, org, start, end) == 1
    weeks = dict(stakeholders.stance_by_week(org, start, end))
    assert weeks[datetime.date(2026, 11, 2)]["sceptic"] == 1
    assert weeks[datetime.date(2026, 11, 9)]["sceptic"] == 1
    assert weeks[datetime.date(2026, 11, 16)]["sceptic"] == 0
    assert weeks[datetime.date(2026, 11, 16)]["undecided"] == 1
    assert sum(weeks[datetime.date(2026, 11, 23)].values()) == 2
    svg = stakeholders.stance_chart_svg(org, start, datetime.date(2026, 11, 23))
    assert svg.lstrip().startswith("<svg") and "<script" not in svg
    namespaces = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")
    external = svg.replace(namespaces[0], "").replace(namespaces[1], "")
    assert "http://" not in external and "https://" not in external


def test_stakeholder_map_query_count_is_fixed(org, consultant, login, count_queries):
    client = login(consultant)
    url = reverse("kickoff-stakeholder-map", args=[org.slug])

    def add(n):
        for i in range(n):
            person = member(org, Role.SELLER, is_ambassador=i % 2 == 0)
            assess(
                person.participant,
                TODAY - datetime.timedelta(days=i),
                "supporter",
                influence="high",
            )

    def count():
        return count_queries(lambda: client.get(url).status_code == 200 or pytest.fail(url))

    add(2)
    client.get(url)
    small = count()
    add(15)
    assert count() == small


def test_wave_planner_proposes_supporters_from_every_team(org, consultant, login):
    programme = programme_services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "P", "start_date": TODAY},
        sponsors=[],
        consultants=[consultant],
    )
    teams = [TeamFactory(organisation=org, name=n) for n in ("North", "South", "East", "West")]
    people = []
    for index in range(20):
        person = member(org, Role.SELLER, team=teams[index % 4], digital_affinity=index % 5 + 1)
        people.append(person)
    champion, opponent = people[0], people[1]
    assess(champion.participant, TODAY, "champion")
    assess(opponent.participant, TODAY, "strong_opponent", influence="high")
    for person in people[2:6]:
        assess(person.participant, TODAY, "supporter")

    proposed, _others, target = stakeholders.wave_plan_propose(programme)
    chosen = [c.participant for c in proposed]
    assert target == 5 and len(chosen) == 5
    assert champion.participant in chosen
    assert opponent.participant not in chosen
    assert {p.team_id for p in chosen} == {t.pk for t in teams}

    client = login(consultant)
    url = reverse("kickoff-wave-planner", args=[org.slug, programme.code])
    page = client.get(url).content.decode()
    assert "opposed: work one to one first" in page
    keep = [p.pk for p in chosen[:4]]
    response = client.post(
        url, {"name": "Supporters", "start_date": "2026-12-01", "participants": keep}
    )
    assert response.status_code == 302
    wave = Wave.objects.get(programme=programme)
    assert sorted(wave.members.values_list("participant_id", flat=True)) == sorted(keep)
    empty = client.post(url, {"name": "Nobody", "start_date": "2026-12-01"})
    assert empty.status_code == 400
    assert login(member(org, Role.SELLER)).get(url).status_code == 403


def test_kickoff_report_is_printable(org, consultant, login):
    programme = programme_services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "P", "start_date": TODAY},
        sponsors=[],
        consultants=[],
    )
    session = services.kickoff_save(
        by=consultant,
        programme=programme,
        data={"title": "Kick-off Paris", "held_on": TODAY},
        attendees=[],
    )
    services.kickoff_open(by=consultant, session=session)
    session.refresh_from_db()
    concern = services.concern_submit(
        session=session,
        by=consultant,
        worry="Being judged on likes",
        would_help="Clear rules",
        anonymous=True,
    )
    anonymous_flush()  # anonymous concerns are written in batches by the timer
    services.concern_categorise(by=consultant, concern=concern, category="Being judged")
    page = login(consultant).get(reverse("kickoff-report", args=[org.slug, session.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Being judged on likes" in html and "Clear rules" in html and "data-print" in html
    css = (Path(__file__).resolve().parents[2] / "static/css/snowball.css").read_text()
    assert "@media print" in css


def test_a_new_assessment_starts_from_the_last_one(org, consultant, login):
    seller = member(org, Role.SELLER)
    assess(seller.participant, TODAY - datetime.timedelta(days=30), "undecided", "low", "unaware")
    assess(seller.participant, TODAY, "sceptic", influence="high", stage="resisting")
    url = reverse("kickoff-stakeholder-detail", args=[org.slug, seller.participant.code])
    html = login(consultant).get(url).content.decode()
    assert '<option value="sceptic" selected>' in html
    assert '<option value="high" selected>' in html
    assert '<option value="resisting" selected>' in html
    assert "Filled in from the last assessment (23 Nov 2026)" in html
    fresh = member(org, Role.SELLER)
    url = reverse("kickoff-stakeholder-detail", args=[org.slug, fresh.participant.code])
    blank = login(consultant).get(url).content.decode()
    assert '<option value="sceptic" selected>' not in blank and "last assessment" not in blank


def test_a_persons_profile_shows_their_wave_and_links_to_their_stakeholder_page(
    org, consultant, login
):
    team = TeamFactory(organisation=org, name="North")
    seller = member(org, Role.SELLER, team=team)
    programme = programme_services.programme_save(by=consultant,
        organisation=org, data={"name": "Social selling", "start_date": TODAY}, sponsors=[],
        consultants=[consultant],
    )  # fmt: skip
    wave = programme_services.wave_create(
        by=consultant, programme=programme, name="Pioneers", start_date=TODAY
    )
    programme_services.wave_add_members(by=consultant, wave=wave, participants=[seller.participant])
    assess(seller.participant, TODAY, "supporter", influence="high")
    profile = reverse("programme-participant-detail", args=[org.slug, seller.participant.code])
    stakeholder = reverse("kickoff-stakeholder-detail", args=[org.slug, seller.participant.code])

    html = login(consultant).get(profile).content.decode()
    assert "Pioneers (wave 1 of Social selling)" in html
    assert stakeholder in html and "Supporter, high influence" in html
    # The stakeholder page says the wave and leads back to the profile.
    page = login(consultant).get(stakeholder).content.decode()
    assert "Pioneers" in page and profile in page

    # A manager of the team sees the wave, never the stance.
    manager = member(org, Role.MANAGER, team=team)
    html = login(manager).get(profile).content.decode()
    assert "Pioneers (wave 1 of Social selling)" in html
    assert stakeholder not in html and "Supporter" not in html
    # And the seller sees their own wave.
    assert "Pioneers" in login(seller).get(profile).content.decode()


def test_a_finished_engagement_plan_no_longer_clears_the_opponent_flag(org, consultant, login):
    manager = member(org, Role.MANAGER)
    assess(manager.participant, TODAY, "strong_opponent", influence="high")
    client = login(consultant)
    map_url = reverse("kickoff-stakeholder-map", args=[org.slug])
    client.post(
        reverse("kickoff-engagement-action-add", args=[org.slug, manager.participant.code]),
        {"action": "Lunch: hear his objections", "due_on": "2026-11-30"},
    )
    assert "no engagement plan" not in client.get(map_url).content.decode()
    action = manager.participant.engagement_plan.actions.get()
    client.post(
        reverse("kickoff-engagement-action-done", args=[org.slug, action.code]),
        {"outcome": "Listened; still against it"},
    )
    page = client.get(map_url).content.decode()
    assert "High influence, opposed, and no engagement plan" in page
    detail = reverse("kickoff-stakeholder-detail", args=[org.slug, manager.participant.code])
    assert 'data-testid="plan-finished"' in client.get(detail).content.decode()
