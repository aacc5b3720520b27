"""The four dashboards: who sees what, privacy threshold, warnings with reasons, fixed queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from metrics import rollups
from metrics.ingest import Event, EventWriter, Summary
from metrics.models import EventKind, ParticipantWeek
from programme.models import Programme, Role, Team, Wave, WaveMember
from tests.factories import member

TODAY = date(2026, 11, 23)  # a Monday


def url(name: str, org, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(name, kwargs={"org": org.slug}) + (f"?{query}" if query else "")


def put(org, person, ago, **counts):
    ParticipantWeek.objects.create(
        organisation=org, participant=person.participant, week=TODAY - timedelta(weeks=ago),
        **counts,
    )  # fmt: skip


@pytest.fixture
def world(org):
    """A region with a team of 6 sellers and a tiny team of 3, a manager of the region."""
    org.time_zone = "UTC"
    org.save()
    region = Team.objects.create(organisation=org, name="Region North")
    team = Team.objects.create(organisation=org, name="Team Alpha", parent=region)
    tiny = Team.objects.create(organisation=org, name="Team Tiny", parent=region)
    sellers = [member(org, Role.SELLER, team=team) for _ in range(6)]
    few = [member(org, Role.SELLER, team=tiny) for _ in range(3)]
    programme = Programme.objects.create(organisation=org, name="P", start_date=TODAY)
    wave = Wave.objects.create(programme=programme, number=1, start_date=TODAY)
    WaveMember.objects.bulk_create(
        [WaveMember(programme=programme, wave=wave, participant=s.participant) for s in sellers]
    )
    for i, seller in enumerate(sellers):
        for ago in range(8):
            put(org, seller, ago, posts=1, reactions_received=5 + i, interactions_tracked=True)
    for person in few:
        put(org, person, 0, posts=7, reactions_received=99, interactions_tracked=True)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    return {
        "region": region, "team": team, "tiny": tiny, "sellers": sellers, "few": few,
        "manager": member(org, Role.MANAGER, team=region),
        "sponsor": member(org, Role.SPONSOR), "consultant": member(org, Role.CONSULTANT),
        "admin": member(org, Role.ADMIN), "marketing": member(org, Role.MARKETING),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("route", "allowed"),
    [
        ("metrics-dashboard-sponsor", {"sponsor", "consultant", "admin"}),
        ("metrics-dashboard-consultant", {"consultant", "admin"}),
        ("metrics-dashboard-manager", {"manager", "sponsor", "consultant", "admin"}),
    ],
)
def test_who_may_open_each_dashboard(org, world, login, outsider, route, allowed):
    for role in ("sponsor", "consultant", "admin", "manager", "marketing"):
        response = login(world[role]).get(url(route, org))
        assert response.status_code == (200 if role in allowed else 403), role
    assert login(world["sellers"][0]).get(url(route, org)).status_code == 403
    assert login(outsider).get(url(route, org)).status_code == 404


def test_dashboard_link_leads_each_role_to_its_page(org, world, login):
    expected = {
        "sponsor": "metrics-dashboard-sponsor", "consultant": "metrics-dashboard-consultant",
        "manager": "metrics-dashboard-manager", "admin": "metrics-dashboard-consultant",
    }  # fmt: skip
    for role, route in expected.items():
        response = login(world[role]).get(url("metrics-dashboard", org))
        assert response.url == url(route, org)
    seller = login(world["sellers"][0]).get(url("metrics-dashboard", org))
    assert seller.url == url("metrics-dashboard-seller", org)
    # Marketing's page is what sellers took up of its picks, not an empty My progress.
    marketing = login(world["marketing"]).get(url("metrics-dashboard", org), follow=True)
    assert marketing.redirect_chain[-1][0] == url("showcase-pick-report", org)
    assert marketing.status_code == 200


def test_sponsor_sees_charts_and_groups_but_small_groups_are_masked(org, world, login):
    page = login(world["sponsor"]).get(url("metrics-dashboard-sponsor", org)).content.decode()
    assert page.count("<svg") >= 3  # funnel, usage, snowball
    assert "<script" not in page.split("<main")[-1].split("</main>")[0]
    assert "Team Alpha" in page and "Team Tiny" in page
    tiny_row = page.split("Team Tiny")[1].split("</tr>")[0]
    assert "too few to show" in tiny_row and "99" not in tiny_row
    for seller in world["sellers"]:
        assert seller.user.email not in page  # aggregates only, never names


def test_csv_export_masks_small_groups_and_defuses_formulas(org, world, login):
    Team.objects.filter(pk=world["team"].pk).update(name="=HYPERLINK(1)")
    response = login(world["sponsor"]).get(url("metrics-dashboard-sponsor", org, export="csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Team Tiny"][2] == "too few to show"
    assert by_name["'=HYPERLINK(1)"][2] == "6"
    assert by_name["Wave 1"][2:5] == ["6", "6", "6"]  # people, active, regular


def test_manager_sees_own_teams_only_and_individuals_only_if_the_organisation_chose(
    org, world, login
):
    client = login(world["manager"])
    page = client.get(url("metrics-dashboard-manager", org)).content.decode()
    assert "Region North" in page and "Team Alpha" in page
    assert world["sellers"][0].user.email not in page
    assert "team aggregates only" in page
    org.managers_see_individuals = True
    org.save()
    page = client.get(url("metrics-dashboard-manager", org)).content.decode()
    assert world["sellers"][0].user.get_full_name() in page
    assert world["few"][0].user.get_full_name() in page
    # A team beside or above their own is refused; a team of another organisation is unknown.
    other_region = Team.objects.create(organisation=org, name="Region South")
    assert (
        client.get(url("metrics-dashboard-manager", org, team=other_region.code)).status_code == 403
    )
    assert client.get(url("metrics-dashboard-manager", org, team="not-a-code")).status_code == 404
    below = client.get(url("metrics-dashboard-manager", org, team=world["team"].code))
    assert below.status_code == 200 and "Team dashboard: Team Alpha" in below.content.decode()


def test_sponsor_on_the_team_page_never_sees_individuals(org, world, login):
    org.managers_see_individuals = True
    org.save()
    page = (
        login(world["sponsor"])
        .get(url("metrics-dashboard-manager", org, team=world["team"].code))
        .content.decode()
    )
    assert world["sellers"][0].user.email not in page
    assert world["sellers"][0].user.get_full_name() not in page


def test_manager_sellers_csv_and_htmx_page(org, world, login):
    org.managers_see_individuals = True
    org.save()
    client = login(world["manager"])
    response = client.get(url("metrics-dashboard-manager", org, export="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and len(rows) == 1 + 10  # 9 sellers and the manager
    alpha = [row for row in rows if row[2] == "Team Alpha"]
    assert {row[3] for row in alpha} == {"8"} and {row[4] for row in alpha} == {"yes"}
    fragment = client.get(
        url("metrics-dashboard-manager", org, team=world["region"].code, page=1),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert fragment.startswith('\n  <div id="sellers">') or fragment.lstrip().startswith(
        '<div id="sellers">'
    )
    assert "<html" not in fragment


def test_manager_without_a_team_is_told_what_to_do(org, world, login):
    lost = member(org, Role.MANAGER)
    page = login(lost).get(url("metrics-dashboard-manager", org)).content.decode()
    assert "not placed in a team yet" in page


def _events(org, events, source="quick_log"):
    writer = EventWriter(organisation=org, source=source, summary=Summary())
    with transaction.atomic():
        for event in events:
            writer.add(event)
        writer.flush()


def test_silent_seller_is_on_the_at_risk_list_with_the_reason(org, world, login):
    quiet = member(org, Role.SELLER, team=world["team"])
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    pid = quiet.participant.pk
    events = [
        Event(pid, EventKind.POST_PUBLISHED, monday - timedelta(weeks=w), f"p{w}") for w in range(8)
    ] + [
        Event(pid, EventKind.REACTIONS_RECEIVED, monday - timedelta(weeks=w), f"r{w}", quantity=4)
        for w in range(3, 8)
    ]
    _events(org, events)
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    page = login(world["consultant"]).get(url("metrics-dashboard-consultant", org))
    text = page.content.decode()
    row = text.split(quiet.user.get_full_name())[1].split("</tr>")[0]
    assert "no interaction received in the last 3 weeks" in row
    for seller in world["sellers"]:
        assert (
            seller.user.get_full_name()
            not in text.split("At risk and lapsed")[1].split("Connection bursts")[0]
        )
    csv_rows = (
        login(world["consultant"])
        .get(url("metrics-dashboard-consultant", org, export="csv"))
        .content.decode("utf-8-sig")
    )
    assert quiet.user.email in csv_rows


def test_connection_burst_is_flagged_and_does_not_make_the_skill(org, world, login):
    burst = member(org, Role.SELLER, team=world["team"])
    for ago in range(1, 10):
        put(org, burst, ago, connection_requests=10)
    put(org, burst, 0, connection_requests=500)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    page = login(world["consultant"]).get(url("metrics-dashboard-consultant", org))
    gaming = page.content.decode().split("Connection bursts")[1]
    assert burst.user.get_full_name() in gaming
    sponsor = login(world["sponsor"]).get(url("metrics-dashboard-sponsor", org, export="csv"))
    rows = {r[1]: r for r in csv.reader(io.StringIO(sponsor.content.decode("utf-8-sig")))}
    assert rows["Team Alpha"][2] == "7" and rows["Team Alpha"][5] == "6"  # 7 people, 6 skilled


def test_seller_sees_own_trend_streak_and_wave_median_never_peers(org, world, login):
    me = world["sellers"][0]
    page = login(me).get(url("metrics-dashboard-seller", org)).content.decode()
    assert "<svg" in page and 'data-testid="streak">8 weeks' in page
    assert "Compared with your wave" in page and "Median active weeks: <strong>8" in page
    assert "Next step:" in page and "case study" in page
    for other in world["sellers"][1:]:
        assert other.user.get_full_name() not in page
    # Alone in a group of three: compared with everyone, never with the small group.
    tiny = login(world["few"][0]).get(url("metrics-dashboard-seller", org)).content.decode()
    assert "Compared with everyone" in tiny


def test_dashboards_before_any_rollup_say_so(org, login):
    sponsor = member(org, Role.SPONSOR)
    page = login(sponsor).get(url("metrics-dashboard-sponsor", org)).content.decode()
    assert "No indicators yet" in page
    seller = member(org, Role.SELLER)
    page = login(seller).get(url("metrics-dashboard-seller", org)).content.decode()
    assert "Start small" in page
    # No kick-off held yet: nothing claims that "every concern has been addressed", and nobody
    # is told to call people at risk the page cannot name.
    consultant = member(org, Role.CONSULTANT)
    page = login(consultant).get(url("metrics-dashboard-consultant", org)).content.decode()
    assert "No kick-off has raised concerns yet" in page
    assert "every concern has been addressed" not in page and "Call them" not in page


def test_every_dashboard_runs_the_same_queries_whatever_the_size(org, world, login, count_queries):
    org.managers_see_individuals = True
    org.save()
    pages = [
        (world["sponsor"], url("metrics-dashboard-sponsor", org)),
        (world["manager"], url("metrics-dashboard-manager", org)),
        (world["consultant"], url("metrics-dashboard-consultant", org)),
        (world["sellers"][0], url("metrics-dashboard-seller", org)),
    ]

    def _count(client, target) -> int:
        return count_queries(lambda: _ok(client.get(target)))

    [_count(login(who), target) for who, target in pages]  # warm the caches (navigation, SSO)
    small = [_count(login(who), target) for who, target in pages]
    extra_team = Team.objects.create(organisation=org, name="Team Beta", parent=world["region"])
    newcomers = [member(org, Role.SELLER, team=extra_team) for _ in range(25)]
    for person in newcomers:
        for ago in range(4):
            put(org, person, ago, posts=1, connection_requests=300 if ago == 0 else 0,
                interactions_tracked=True)  # fmt: skip
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    large = [_count(login(who), target) for who, target in pages]
    assert large == small


def _ok(response) -> None:
    assert response.status_code == 200


def test_sponsor_and_programme_dashboards_show_the_stance_chart_once_people_are_mapped(
    org, world, login
):
    """The stance chart broke the sponsor's first page as soon as anyone had an assessment."""
    from kickoff.models import CurveStage, Influence, StakeholderAssessment, Stance

    stances = [Stance.CHAMPION, Stance.SCEPTIC, Stance.SCEPTIC]
    for person, stance in zip(world["sellers"][:3], stances, strict=True):
        StakeholderAssessment.objects.create(
            organisation=org, participant=person.participant, assessed_on=TODAY,
            stance=stance, influence=Influence.HIGH, curve_stage=CurveStage.EXPLORING,
        )  # fmt: skip
    for who in ("sponsor", "consultant"):  # the consultant's /dashboard/programme/ too
        response = login(world[who]).get(url("metrics-dashboard-sponsor", org))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Stance from the kick-off map" in page
        assert "Sceptic" in page and "Champion" in page


def test_connection_burst_shows_the_count_and_the_persons_usual_week(org, world, login):
    burst = member(org, Role.SELLER, team=world["team"])
    for ago in range(1, 20):
        put(org, burst, ago, connection_requests=12)
    put(org, burst, 0, connection_requests=480)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    page = login(world["consultant"]).get(url("metrics-dashboard-consultant", org))
    gaming = page.content.decode().split("Connection bursts")[1].split("</section>")[0]
    assert burst.user.get_full_name() in gaming
    assert "<strong>480</strong> connection requests" in gaming
    assert "(usually 12 a week)" in gaming


def test_the_week_running_now_says_its_counts_are_partial(org, world, login):
    """On a Monday morning every group read 'Active this week 0 (0%)': a collapse, seemingly."""
    from django.utils import timezone

    pages = {
        "sponsor": url("metrics-dashboard-sponsor", org),
        "manager": url("metrics-dashboard-manager", org),
        "consultant": url("metrics-dashboard-consultant", org),
    }
    for role, address in pages.items():  # the world's newest week is long past
        assert "in progress" not in login(world[role]).get(address).content.decode(), role
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    for seller in world["sellers"]:
        put(org, seller, (TODAY - monday).days // 7, posts=1, interactions_tracked=True)
    rollups.refresh_indicators(organisation_id=org.pk, today=monday)
    for role, address in pages.items():
        page = login(world[role]).get(address).content.decode()
        assert "in progress" in page and "counts grow until Sunday" in page, role
