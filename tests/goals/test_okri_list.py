"""The OKRI list (issue #22): filters by programme, wave, team and owner, pages of 25 in a fixed
number of queries, and the KPIs the programme watches beside its objectives."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import Objective
from goals.selectors import OKRI_PAGE_SIZE
from metrics.indicators import monday
from metrics.models import GroupKind, GroupWeek
from programme.models import Role, Team
from tests.factories import member
from tests.goals.test_okris import setup  # noqa: F401 - the shared OKRI fixture


def _titles(response) -> list[str]:
    return re.findall(r'<h2 class="h5 mb-1"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def _make(setup, n, **kwargs):  # noqa: F811
    today = timezone.localdate()
    made = []
    for i in range(n):
        made.append(services.objective_create(
            by=setup["consultant"], programme=setup["programme"],
            title=kwargs.pop("title", None) or f"Objective {i:03d}",
            owner=kwargs.get("owner", setup["consultant"]), scope=kwargs.get("scope", "programme"),
            team=kwargs.get("team"), wave=kwargs.get("wave"),
            starts_on=today - timedelta(days=7), ends_on=today + timedelta(days=90 + i),
        ))  # fmt: skip
    return made


@pytest.fixture
def varied(org, setup):  # noqa: F811
    team = Team.objects.create(organisation=org, name="North")
    manager = member(org, Role.MANAGER, team=team)
    _make(setup, 1, title="North answers", scope="team", team=team, owner=manager)
    _make(setup, 1, title="The programme's")
    return {"team": team, "manager": manager}


def test_filters_narrow_the_list(org, login, setup, varied):  # noqa: F811
    client = login(setup["sponsor"])
    url = reverse("goals-okris", args=[org.slug])
    everything = _titles(client.get(url))
    assert len(everything) == 3
    assert _titles(client.get(url, {"wave": setup["wave"].code})) == [setup["objective"].title]
    assert _titles(client.get(url, {"team": varied["team"].code})) == ["North answers"]
    assert _titles(client.get(url, {"owner": varied["manager"].code})) == ["North answers"]
    both = client.get(url, {"owner": setup["consultant"].code, "team": varied["team"].code})
    assert _titles(both) == [] and "No objective matches these filters." in both.content.decode()
    assert len(_titles(client.get(url, {"programme": setup["programme"].code}))) == 3


def test_an_unknown_filter_is_reported_and_the_others_still_apply(
    org, other_org, login, setup, varied,  # noqa: F811
):  # fmt: skip
    client = login(setup["sponsor"])
    url = reverse("goals-okris", args=[org.slug])
    theirs = Team.objects.create(organisation=other_org, name="Theirs")
    response = client.get(url, {"team": theirs.code, "wave": setup["wave"].code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html and "Theirs" not in html
    assert _titles(response) == [setup["objective"].title]
    response = client.get(url, {"owner": "nobody-at-all"})
    assert "That person is not one of the people you can choose here" in response.content.decode()
    assert len(_titles(response)) == 3


def test_the_list_pages_by_25(org, login, setup):  # noqa: F811
    _make(setup, 30)  # and the fixture's one
    client = login(setup["consultant"])
    url = reverse("goals-okris", args=[org.slug])
    first = client.get(url)
    assert len(_titles(first)) == OKRI_PAGE_SIZE == 25
    assert 'rel="next" href="?page=2"' in first.content.decode()
    assert 'rel="prev"' not in first.content.decode()
    second = client.get(url, {"page": "2"})
    assert len(_titles(second)) == 6 and 'rel="next"' not in second.content.decode()
    assert not set(_titles(first)) & set(_titles(second))
    filtered = client.get(url, {"programme": setup["programme"].code})
    assert f'href="?programme={setup["programme"].code}&amp;page=2"' in filtered.content.decode()
    assert _titles(client.get(url, {"page": "lots"})) == _titles(first)
    beyond = client.get(url, {"page": "99"})
    assert beyond.status_code == 200 and "No objectives on this page." in beyond.content.decode()


def test_the_list_runs_a_fixed_number_of_queries_at_3_and_60_objectives(
    org, login, setup, count_queries,  # noqa: F811
):  # fmt: skip
    client = login(setup["consultant"])
    url = reverse("goals-okris", args=[org.slug])
    client.get(url)
    counts = []
    for total in (3, 60):
        for objective in _make(setup, total - Objective.objects.count()):
            services.key_result_add(objective=objective, by=setup["consultant"], title="Cases",
                                    source="manual", baseline=0, target=10, weight=2)  # fmt: skip
            services.initiative_add(objective=objective, by=setup["consultant"], title="Do",
                                    owner=setup["consultant"])  # fmt: skip
        counts.append(count_queries(client.get, url, {"team": "", "owner": ""}))
    assert Objective.objects.count() == 60
    # user, membership, the page of objectives, their key results and initiatives, the
    # navigation's memberships, the roll-up (live objectives, key results), the filters' choices
    # (programmes, waves, teams, owners), the KPIs' newest week and the closed periods
    assert counts == [14, 14]


# --- KPIs beside the OKRs -----------------------------------------------------------------------


def _weeks(org, kind, group_id, participants, regular):
    """Rollup rows for the last len(regular) weeks, the newest last."""
    newest = monday(timezone.localdate())
    for back, count in enumerate(reversed(regular)):
        week = newest - timedelta(weeks=back)
        GroupWeek.objects.create(organisation=org, kind=kind, group_id=group_id, week=week,
                                 participants=participants, regular=count, active=count,
                                 about_to_quit=2)  # fmt: skip
        if kind != GroupKind.ORGANISATION:
            GroupWeek.objects.get_or_create(organisation=org, kind=GroupKind.ORGANISATION,
                                            group_id=org.pk, week=week,
                                            defaults={"participants": participants})  # fmt: skip


def test_the_kpis_show_the_indicators_now_and_their_12_week_trend(org, login, setup):  # noqa: F811
    programme = setup["programme"]
    _weeks(org, GroupKind.PROGRAMME, programme.pk, 20, list(range(0, 15)))  # 15 weeks
    client = login(setup["sellers"][0])
    url = reverse("goals-okris", args=[org.slug])
    html = client.get(url, {"programme": programme.code}).content.decode()
    panel = html[html.index('data-testid="kpis"') :]
    assert f"Indicators watched for {programme.name}" in panel
    # Regular now: 14 of 20 = 70 %; twelve weeks shown, the first of them 3 of 20 = 15 %.
    assert re.findall(r'data-testid="kpi-value">([^<]+)<', panel)[:2] == ["70%", "70%"]
    assert "Regular: 15% 11 weeks ago, 70% now" in panel
    assert panel.count("<svg") == 5 and 'role="img"' in panel
    assert "+55 points" in panel
    assert "About to quit" in panel


def test_the_kpis_follow_the_narrowest_filter_and_hide_small_groups(org, login, setup):  # noqa: F811
    _weeks(org, GroupKind.WAVE, setup["wave"].pk, 4, [1, 2, 3])  # 4 people: too few to show
    client = login(setup["consultant"])
    url = reverse("goals-okris", args=[org.slug])
    html = client.get(url, {"wave": setup["wave"].code}).content.decode()
    assert "Indicators watched for wave" in html
    assert "Too few people in this group" in html and 'data-testid="kpi-value"' not in html
    html = client.get(url).content.decode()
    assert "Indicators watched for everyone in the organisation" in html


def test_before_any_rollup_the_kpis_say_so(org, login, setup):  # noqa: F811
    html = login(setup["consultant"]).get(reverse("goals-okris", args=[org.slug])).content
    assert b"the indicators appear after the first rollup" in html
