"""`/r/<code>/<team>/`: a pick's short link leads only to the pick's own link, counts clicks
per pick and team in one row, sets no cookie, stores nothing about the reader, and does not
count HEAD requests or link-preview robots."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from programme.models import Role, Team
from showcase import services
from showcase.models import PickClick
from tests.factories import member

POST = "https://www.linkedin.com/feed/update/urn:li:activity:7000/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126"


@pytest.fixture
def pick(org):
    return services.pick_post(by=member(org, Role.MARKETING), url=POST, note="Study",
                              campaign="spring")  # fmt: skip


@pytest.fixture
def team(org):
    return Team.objects.create(organisation=org, name="Nordics")


def _open(pick, team=None, method="get", agent=BROWSER, **extra):
    args = [pick.share.code] + ([team.code.hex[:8]] if team else [])
    name = "showcase-pick-redirect-team" if team else "showcase-pick-redirect"
    return getattr(Client(), method)(reverse(name, args=args), HTTP_USER_AGENT=agent, **extra)


def _clicks(pick) -> dict[str, int]:
    return dict(PickClick.objects.filter(pick=pick).values_list("team_key", "clicks"))


def test_a_click_goes_to_the_picks_own_link_and_is_counted_by_team(pick, team):
    response = _open(pick, team)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == POST
    query = parse_qs(target.query)
    assert query["utm_content"] == [f"pick-{pick.share.code}"]
    assert query["utm_term"] == [f"team-{team.code.hex[:8]}"]
    assert query["utm_campaign"] == ["spring"]
    assert not response.cookies and "Set-Cookie" not in response
    assert response["Cache-Control"] == "no-store"
    _open(pick, team)
    _open(pick)
    assert _clicks(pick) == {team.code.hex[:8]: 2, "": 1}


def test_counting_is_one_statement(pick, team, django_assert_max_num_queries):
    _open(pick, team)
    with django_assert_max_num_queries(3):  # the link, the teams, the upsert
        _open(pick, team)


def test_head_requests_and_robots_are_not_counted(pick, team):
    assert _open(pick, team, method="head").status_code == 302
    for robot in ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
                  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
                  "facebookexternalhit/1.1", "Twitterbot/1.0", "WhatsApp/2.23", ""):  # fmt: skip
        assert _open(pick, team, agent=robot).status_code == 302
    assert _clicks(pick) == {}


def test_no_open_redirect_and_unknown_codes_are_404(pick, team):
    response = Client().get(
        reverse("showcase-pick-redirect", args=[pick.share.code]) + "?next=https://evil.example",
        HTTP_USER_AGENT=BROWSER,
    )
    assert urlsplit(response["Location"]).netloc == "www.linkedin.com"
    assert Client().get("/r/nosuchcode/", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert Client().get("/r/nosuchcode/abc/", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert (
        Client().post(reverse("showcase-pick-redirect", args=[pick.share.code])).status_code == 405
    )
    assert _clicks(pick) == {"": 1}  # the one real click


def test_a_team_of_another_organisation_counts_as_no_team(pick, other_org):
    foreign = Team.objects.create(organisation=other_org, name="Theirs")
    response = _open(pick, foreign)
    assert response.status_code == 302
    assert _clicks(pick) == {"": 1}


def test_nothing_about_the_reader_is_stored(pick, team):
    _open(pick, team, REMOTE_ADDR="203.0.113.9")
    fields = {field.name for field in PickClick._meta.get_fields()}
    assert fields == {"id", "pick", "team_key", "clicks"}


def test_uptake_report_shows_clicks_by_team(org, pick, team, login):
    for _ in range(3):
        _open(pick, team)
    _open(pick)
    page = login(member(org, Role.MARKETING)).get(reverse("showcase-pick-report", args=[org.slug]))
    text = page.content.decode()
    assert "Nordics (3), No team (1)" in text
    assert '<td class="text-end" data-label="Clicks" data-testid="clicks">4</td>' in text


def test_uptake_report_query_count_does_not_grow_with_clicks(
    org, pick, login, django_assert_num_queries, count_queries
):
    client = login(member(org, Role.MARKETING))
    url = reverse("showcase-pick-report", args=[org.slug])
    client.get(url)
    before = count_queries(client.get, url)
    for number in range(5):
        _open(pick, Team.objects.create(organisation=org, name=f"Team {number}"))
    assert count_queries(client.get, url) == before
