"""Issue #26 and #24 item 6: "tracked" never expires, so the early warning does not go quiet for
the most silent sellers; date-only values (analytics, SSI, CRM, the SSI form) belong to that
day in the organisation's zone; quality reads as a rate, and "unknown" where nothing is
tracked; an analytics re-export's restated days replace the earlier counts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from metrics import rollups, services
from metrics.importers import import_crm_csv, import_linkedin_analytics, import_ssi_csv
from metrics.models import ActivityEvent, EventKind, GroupKind, GroupWeek, IndicatorWeek
from programme.models import Role, SellingStrategy, Team
from tests.factories import OrganisationFactory, member
from tests.metrics.test_imports import write_analytics
from tests.metrics.test_person_consistency import by_testid, manager_page, weeks

TODAY = date(2026, 11, 25)  # a Wednesday
MONDAY = date(2026, 11, 16)  # of the week before


def _post(org, person, day: date) -> None:
    moment = datetime.combine(day, time(12), tzinfo=ZoneInfo(org.time_zone))
    result = services.events_ingest(organisation=org, events=[{
        "external_id": f"post-{person.pk}-{day}", "email": person.user.email,
        "kind": "post_published", "occurred_at": moment.isoformat(),
    }])  # fmt: skip
    assert result.created == 1


@pytest.fixture
def new_york(db):
    return OrganisationFactory(slug="ny", time_zone="America/New_York")


@pytest.fixture
def tokyo(db):
    return OrganisationFactory(slug="tokyo", time_zone="Asia/Tokyo")


def test_a_seller_tracked_twelve_weeks_ago_who_still_posts_is_about_to_quit(
    new_york, tmp_path, client
):
    """Analytics came in until 12 weeks ago; since then, a post every week and nothing back.
    The longer the silence, the louder the alarm: about to quit, never "no interaction data",
    with the day the data last came in so the consultant can tell a silent audience from an
    import that stopped."""
    org = new_york
    seller = member(org, Role.SELLER)
    last = TODAY - timedelta(weeks=12)
    path = write_analytics(tmp_path / "a.xlsx", [(datetime.combine(last, time()), 200, 3)])
    summary = import_linkedin_analytics(
        organisation=org, participant=seller.participant, path=path, filename="a.xlsx"
    )
    assert summary.errors == []
    for ago in range(12):
        _post(org, seller, TODAY - timedelta(weeks=ago, days=1))
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    row = IndicatorWeek.objects.get(participant=seller.participant, week=date(2026, 11, 23))
    assert row.tracked and row.last_tracked == last
    assert row.about_to_quit and not row.no_interaction_data
    assert row.quality == 0.0  # tracked: nothing came back is known, not unknown
    everyone = GroupWeek.objects.get(
        organisation=org, kind=GroupKind.ORGANISATION, group_id=org.pk, week=row.week
    )
    assert everyone.about_to_quit == 1 and everyone.no_interaction_data == 0  # no "data gap"

    consultant = member(org, Role.CONSULTANT)
    client.force_login(consultant.user)
    page = client.get(reverse("metrics-dashboard-consultant", args=[org.slug])).content.decode()
    assert "last interaction data on 2 Sep 2026" in page
    client.force_login(seller.user)
    page = client.get(reverse("metrics-dashboard-seller", args=[org.slug])).content.decode()
    assert by_testid(page, "last-tracked") == ["Last interaction data: 2 Sep 2026"]


def test_a_seller_never_tracked_gets_no_interaction_data_and_unknown_quality(new_york):
    org = new_york
    seller = member(org, Role.SELLER)
    for ago in range(3):
        _post(org, seller, TODAY - timedelta(weeks=ago, days=1))
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    row = IndicatorWeek.objects.get(participant=seller.participant, week=date(2026, 11, 23))
    assert row.no_interaction_data and not row.about_to_quit and not row.tracked
    assert row.quality is None and row.last_tracked is None


@pytest.mark.parametrize("zone_fixture", ["new_york", "tokyo"])
def test_an_analytics_day_is_that_day_in_the_organisations_zone(zone_fixture, request, tmp_path):
    """Monday 16 Nov in the analytics export is Monday 16 Nov where the organisation works: its
    interactions land in that Monday's week, west of UTC as east of it."""
    org = request.getfixturevalue(zone_fixture)
    seller = member(org, Role.SELLER)
    path = write_analytics(tmp_path / "a.xlsx", [(datetime(2026, 11, 16), 500, 7)])
    import_linkedin_analytics(
        organisation=org, participant=seller.participant, path=path, filename="a.xlsx"
    )
    event = ActivityEvent.objects.get(kind=EventKind.REACTIONS_RECEIVED)
    assert event.week == MONDAY
    assert event.occurred_at.astimezone(ZoneInfo(org.time_zone)).date() == MONDAY
    _post(org, seller, MONDAY)
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    row = IndicatorWeek.objects.get(participant=seller.participant, week=MONDAY)
    assert row.interactions == 7 and row.last_tracked == MONDAY


@pytest.mark.parametrize("zone_fixture", ["new_york", "tokyo"])
def test_ssi_crm_and_the_ssi_form_dates_are_the_organisations_days(zone_fixture, request, tmp_path):
    org = request.getfixturevalue(zone_fixture)
    seller = member(org, Role.SELLER)
    email = seller.user.email
    crm = tmp_path / "crm.csv"
    crm.write_text(
        "email,date,kind,amount,crm id,came through linkedin\n"
        f"{email},2026-11-16,meeting,,M-1,yes\n",
        encoding="utf-8",
    )
    assert import_crm_csv(organisation=org, path=crm, filename="crm.csv").errors == []
    ssi = tmp_path / "ssi.csv"
    ssi.write_text(
        "email,date,total,establish brand,find people,engage insights,build relationships\n"
        f"{email},2026-11-16,60,15,15,15,15\n",
        encoding="utf-8",
    )
    assert import_ssi_csv(organisation=org, path=ssi, filename="ssi.csv").errors == []
    services.ssi_record(
        by=seller, participant=seller.participant, on=date(2026, 11, 23), total=Decimal(62),
        establish_brand=Decimal(15), find_people=Decimal(16), engage_insights=Decimal(15),
        build_relationships=Decimal(16),
    )  # fmt: skip
    zone = ZoneInfo(org.time_zone)
    days = sorted(
        (event.kind, event.week, event.occurred_at.astimezone(zone).date())
        for event in ActivityEvent.objects.all()
    )
    assert days == [
        (EventKind.MEETING_BOOKED, MONDAY, MONDAY),
        (EventKind.SSI_SNAPSHOT, MONDAY, MONDAY),
        (EventKind.SSI_SNAPSHOT, date(2026, 11, 23), date(2026, 11, 23)),
    ]


def test_an_analytics_re_export_replaces_the_days_it_restates(org, tmp_path):
    """LinkedIn keeps counting engagements on older posts: a later export restates past days.
    Its counts replace the earlier ones, the summary says how many days changed, and the same
    file twice still changes nothing."""
    seller = member(org, Role.SELLER)

    def run(name, rows):
        path = write_analytics(tmp_path / name, rows)
        return import_linkedin_analytics(
            organisation=org, participant=seller.participant, path=path, filename=name
        )

    first = run("first.xlsx", [(datetime(2026, 11, 2), 100, 4), (datetime(2026, 11, 3), 80, 2)])
    assert first.created == 4 and first.days_updated == 0
    rows = [(datetime(2026, 11, 2), 130, 9), (datetime(2026, 11, 3), 80, 2),
            (datetime(2026, 11, 4), 50, 1)]  # fmt: skip
    later = run("later.xlsx", rows)
    assert (later.created, later.days_updated, later.duplicates) == (2, 1, 2)
    assert "days updated: 1" in later.text()
    engagements = dict(
        ActivityEvent.objects.filter(kind=EventKind.REACTIONS_RECEIVED).values_list(
            "occurred_at__date", "quantity"
        )
    )
    assert sorted(engagements.values()) == [1, 2, 9]
    again = run("later-again.xlsx", rows)
    assert (again.created, again.days_updated, again.duplicates) == (0, 0, 6)

    twice = run("twice.xlsx", [(datetime(2026, 11, 5), 1, 1), (datetime(2026, 11, 5), 2, 2)])
    assert twice.errors == [("twice.xlsx", 3, "the day 2026-11-05 is already on line 2")]


def test_the_team_page_shows_rates_as_percentages_and_unknown_where_nothing_is_tracked(org, client):
    org.time_zone = "UTC"
    org.managers_see_individuals = True
    org.save()
    team = Team.objects.create(organisation=org, name="Direct")
    direct = {"team": team, "selling_strategy": SellingStrategy.DIRECT_ACQUISITION}
    fifteen, fourteen = member(org, **direct), member(org, **direct)
    content, untracked = member(org, team=team), member(org, team=team)
    weeks(org, fifteen, [0], messages_sent=100, replies_received=15)
    weeks(org, fourteen, [0], messages_sent=100, replies_received=14)
    weeks(org, content, [0], posts=25, reactions_received=74)  # 2.96 per post
    for ago in (0, 1):
        rollups_week = date(2026, 11, 23) - timedelta(weeks=ago)
        untracked.participant.weeks.create(organisation=org, week=rollups_week, posts=1)
    rollups.refresh_indicators(organisation_id=org.pk, today=date(2026, 11, 23))
    client.force_login(member(org, Role.MANAGER, team=team).user)  # no activity: unknown too
    assert sorted(by_testid(manager_page(client, org, team), "quality")) == [
        "14% replies", "15% replies", "3.0 per post", "unknown", "unknown",
    ]  # fmt: skip


def test_the_import_page_says_how_many_days_a_re_export_restated(org, client, tmp_path):
    from django.core.files.base import ContentFile

    from metrics.models import ActivityImport, ImportKind

    seller = member(org, Role.SELLER)
    path = write_analytics(tmp_path / "a.xlsx", [(datetime(2026, 11, 2), 100, 4)])
    import_linkedin_analytics(
        organisation=org, participant=seller.participant, path=path, filename="a.xlsx"
    )
    later = write_analytics(tmp_path / "b.xlsx", [(datetime(2026, 11, 2), 120, 6)])
    upload = ActivityImport(
        organisation=org, participant=seller.participant, kind=ImportKind.LINKEDIN_ANALYTICS,
        filename="b.xlsx", uploaded_by=seller,
    )  # fmt: skip
    upload.file.save("b", ContentFile(later.read_bytes()), save=True)
    done = services.activity_import_run(activity_import_id=upload.pk)
    assert done.updated_count == 1 and done.created_count == 0
    client.force_login(seller.user)
    page = client.get(reverse("metrics-import-detail", args=[org.slug, upload.code]))
    assert by_testid(page.content.decode(), "days-updated") == [
        "1 day restated by this export: its counts replaced the earlier ones."
    ]


@pytest.mark.parametrize("zone_fixture", ["new_york", "tokyo"])
def test_a_connections_day_is_that_day_in_the_organisations_zone(zone_fixture, request, tmp_path):
    """Connections.csv's "Connected On" has no time: Monday 16 Nov is that Monday where the
    organisation works, not Sunday evening in New York."""
    from metrics.importers import import_linkedin_export

    org = request.getfixturevalue(zone_fixture)
    seller = member(org, Role.SELLER)
    path = tmp_path / "Connections.csv"
    path.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ann,Lee,https://www.linkedin.com/in/ann-lee,,Acme,Buyer,16 Nov 2026\n"
        "Bo,Kim,https://www.linkedin.com/in/bo-kim,,Beta,CFO,16 Nov 2026\n",
        encoding="utf-8",
    )
    import_linkedin_export(
        organisation=org, participant=seller.participant, path=path, filename="Connections.csv"
    )
    event = ActivityEvent.objects.get(kind=EventKind.CONNECTION_ACCEPTED)
    assert event.quantity == 2 and event.week == MONDAY
    assert event.occurred_at.astimezone(ZoneInfo(org.time_zone)).date() == MONDAY


@pytest.mark.parametrize("zone_fixture", ["new_york", "tokyo"])
def test_an_api_date_without_a_time_is_that_day_in_the_organisations_zone(zone_fixture, request):
    """A CRM posting "2026-11-16" (or a time with no offset) means that day where the
    organisation works: the meeting lands in Monday's week, west of UTC as east of it."""
    import json

    from django.test import Client

    org = request.getfixturevalue(zone_fixture)
    seller = member(org, Role.SELLER)
    admin = member(org, Role.ADMIN)
    _token, secret = services.api_token_create(organisation=org, name="CRM", by=admin)
    events = [
        {"external_id": "day", "email": seller.user.email, "kind": "meeting_booked",
         "occurred_at": "2026-11-16", "via_linkedin": True},
        {"external_id": "naive", "email": seller.user.email, "kind": "deal_won",
         "occurred_at": "2026-11-16T00:30:00", "via_linkedin": True},
        {"external_id": "offset", "email": seller.user.email, "kind": "opportunity_created",
         "occurred_at": "2026-11-16T00:30:00+00:00", "via_linkedin": True},
    ]  # fmt: skip
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        "/api/v1/events", json.dumps({"events": events}), content_type="application/json"
    )
    assert response.json()["created"] == 3
    zone = ZoneInfo(org.time_zone)
    local = {
        e.external_id: e.occurred_at.astimezone(zone).date()
        for e in ActivityEvent.objects.filter(participant=seller.participant)
    }
    assert local["day"] == MONDAY and local["naive"] == MONDAY
    # an explicit offset is kept as sent: 00:30 UTC is Sunday evening in New York
    expected = MONDAY - timedelta(days=1) if zone_fixture == "new_york" else MONDAY
    assert local["offset"] == expected
