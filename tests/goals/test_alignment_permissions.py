"""The alignment actions for every role: reading the tree, putting an objective under another,
and setting a parent, a weight and a contribution; allowed ones change data, the others get 403
(or the form's refusal) and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import KeyResult, Objective
from programme.models import Role, Team
from tests.factories import member
from tests.goals.test_permissions import EDITORS, ROLES, okri  # noqa: F401 - shared fixture


@pytest.fixture
def top(org, okri):  # noqa: F811
    sponsor = okri["programme"].sponsors.first()
    today = timezone.localdate()
    return services.objective_create(
        by=sponsor, programme=okri["programme"], scope="programme", title="Top", owner=sponsor,
        starts_on=today, ends_on=today + timedelta(days=90),
    )  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_alignment_permission_matrix(org, login, okri, top, role):  # noqa: F811
    client = login(member(org, role))
    edits = role in EDITORS
    objective = okri["objective"]
    today = timezone.localdate()

    page = client.get(reverse("goals-alignment", args=[org.slug]))
    assert page.status_code == 200 and "Top" in page.content.decode()
    assert ("Sits under" in page.content.decode()) is edits

    response = client.post(reverse("goals-objective-align", args=[org.slug, objective.code]),
                           {"parent": str(top.code)})  # fmt: skip
    moved = Objective.objects.get(pk=objective.pk).parent_id == top.pk
    assert (response.status_code, moved) == ((302, True) if edits else (403, False))

    response = client.post(reverse("goals-objective-create", args=[org.slug]), {
        "title": f"Under by {role}", "programme": okri["programme"].pk, "scope": "programme",
        "parent": str(top.code), "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
    })  # fmt: skip
    made = Objective.objects.filter(title=f"Under by {role}", parent=top).exists()
    allowed = (302, True) if edits else (400, False) if role == Role.MANAGER else (403, False)
    assert (response.status_code, made) == allowed

    response = client.post(reverse("goals-key-result-create", args=[org.slug, objective.code]), {
        "title": f"Weighted by {role}", "source": "manual", "baseline": "0",
        "direction": "decrease", "target": "-3", "weight": "3",
    })  # fmt: skip
    made = KeyResult.objects.filter(title=f"Weighted by {role}", weight=3).exists()
    assert (response.status_code, made) == ((302, True) if edits else (403, False))


def test_a_manager_aligns_their_own_team_s_objective_only(org, login, okri, top):  # noqa: F811
    north, south = (Team.objects.create(organisation=org, name=name) for name in ("N", "S"))
    manager = member(org, Role.MANAGER, team=north)
    sponsor = okri["programme"].sponsors.first()
    today = timezone.localdate()
    ours, theirs = (
        services.objective_create(
            by=sponsor, programme=okri["programme"], scope="team", team=team, owner=sponsor,
            title=f"Team {team.name}", starts_on=today, ends_on=today + timedelta(days=9),
        )
        for team in (north, south)
    )  # fmt: skip
    client = login(manager)
    for objective, allowed in ((ours, True), (theirs, False)):
        response = client.post(reverse("goals-objective-align", args=[org.slug, objective.code]),
                               {"parent": str(top.code)})  # fmt: skip
        moved = Objective.objects.get(pk=objective.pk).parent_id == top.pk
        assert (response.status_code, moved) == ((302, True) if allowed else (403, False))
