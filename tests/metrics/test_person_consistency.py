"""A manager and the seller see the same facts: the person page's indicators and the manager's
sellers table name quality as it is computed (the reply rate for direct-acquisition sellers, not
"0.0 interactions per post" beside 89 interactions), show the regularity streak My progress
shows, and the person page leads back to the team dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from metrics import rollups
from metrics.models import ParticipantWeek
from programme.models import Role, SellingStrategy, Team
from tests.factories import member

TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture
def team(org):
    org.time_zone = "UTC"
    org.managers_see_individuals = True
    org.save()
    return Team.objects.create(organisation=org, name="Team Nord")


def weeks(org, person, weeks_ago, **counts):
    ParticipantWeek.objects.bulk_create(
        ParticipantWeek(organisation=org, participant=person.participant,
                        week=TODAY - timedelta(weeks=ago), interactions_tracked=True, **counts)
        for ago in weeks_ago
    )  # fmt: skip


def person_page(client, org, someone) -> str:
    url = reverse("programme-participant-detail", args=[org.slug, someone.participant.code])
    return client.get(url).content.decode()


def manager_page(client, org, team) -> str:
    url = reverse("metrics-dashboard-manager", args=[org.slug]) + f"?team={team.code}"
    return client.get(url).content.decode()


def by_testid(page: str, name: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", v).strip() for v in re.findall(rf'data-testid="{name}">([^<]*)<', page)
    ]


def test_a_direct_sellers_quality_is_named_as_the_reply_rate_it_is(org, team, login):
    """Anna (direct acquisition) posts, gets 4 reactions a post and sends messages nobody
    answered: her quality is the reply rate, 0%, never "0.0 interactions per post"."""
    direct = member(org, Role.SELLER, team=team,
                    selling_strategy=SellingStrategy.DIRECT_ACQUISITION)  # fmt: skip
    weeks(org, direct, range(8), posts=1, messages_sent=2, reactions_received=4)
    manager = member(org, Role.MANAGER, team=team)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    client = login(manager)
    page = person_page(client, org, direct)
    section = page.split('id="indicators-heading"')[1]
    assert "Quality (interactions per post)" not in section
    assert "reply rate (replies per message sent" in section
    assert by_testid(section, "quality") == ["0% replies"]
    assert "0% replies" in by_testid(manager_page(client, org, team), "quality")  # and the manager


def test_a_content_sellers_quality_reads_per_post(org, team, login):
    content = member(org, Role.SELLER, team=team)
    weeks(org, content, range(8), posts=1, reactions_received=4)
    manager = member(org, Role.MANAGER, team=team)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    client = login(manager)
    section = person_page(client, org, content).split('id="indicators-heading"')[1]
    assert "Quality (interactions per post)" in section
    assert by_testid(section, "quality") == ["4.0 per post"]
    assert "4.0 per post" in by_testid(manager_page(client, org, team), "quality")


def test_the_manager_sees_the_streak_the_seller_sees(org, team, login):
    """Ten active weeks, then two quiet ones the 6-of-8 definition forgives: My progress said
    12 weeks, the person page and the sellers table said 0."""
    seller = member(org, Role.SELLER, team=team)
    weeks(org, seller, range(2, 12), posts=1, reactions_received=4)
    manager = member(org, Role.MANAGER, team=team)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    mine = login(seller).get(reverse("metrics-dashboard-seller", args=[org.slug])).content.decode()
    assert by_testid(mine, "streak") == ["12 weeks"]
    client = login(manager)
    assert by_testid(person_page(client, org, seller), "streak") == ["12 weeks"]
    assert "12" in by_testid(manager_page(client, org, team), "streak")
    csv = client.get(reverse("metrics-dashboard-manager", args=[org.slug]),
                     {"team": team.code, "export": "csv"}).content.decode()  # fmt: skip
    assert "12" in [line.split(",")[8] for line in csv.splitlines()[1:]]


def test_the_person_page_leads_back_to_the_team_dashboard(org, team, login):
    seller = member(org, Role.SELLER, team=team)
    weeks(org, seller, range(8), posts=1, reactions_received=4)
    manager = member(org, Role.MANAGER, team=team)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    client = login(manager)
    page = person_page(client, org, seller)
    back = re.search(r'<a href="([^"]+)" data-testid="back-link">← ([^<]+)</a>', page)
    assert back and back.group(2) == "Back to the Team Nord dashboard"
    assert client.get(back.group(1).replace("&amp;", "&")).status_code == 200
    # The seller on their own page gets no such link.
    assert "back-link" not in person_page(login(seller), org, seller)
