"""Who closes, grades and copies forward (#22), for every role: the objective's owner, sponsors
and consultants, an admin, a manager for their team's objectives; before the end date only
the owner or a consultant. Refused ones get 403 and change nothing; everyone reads the
evaluation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import Objective
from goals.models.okris import KeyResultGrade, ObjectiveClosure
from programme.models import Role, Team
from tests.factories import member
from tests.goals.test_permissions import ROLES, okri  # noqa: F401 - the shared fixture

# The acting member is not the objective's owner (another sponsor owns it).
CLOSERS = {Role.SPONSOR, Role.CONSULTANT, Role.ADMIN}
EARLY_CLOSERS = {Role.CONSULTANT}


def _grades(objective):
    data = {"lessons": "What we learned"}
    for key_result in objective.key_results.all():
        data[f"grade_{key_result.code}"] = "0.5"
    return data


@pytest.mark.parametrize("role", ROLES)
def test_period_permission_matrix(org, login, okri, role):  # noqa: F811
    client = login(member(org, role))
    objective = okri["objective"]  # owned by the sponsor, runs 90 days from today
    expect = lambda allowed: (302, True) if allowed else (403, False)  # noqa: E731
    close = reverse("goals-objective-close", args=[org.slug, objective.code])

    # Before the end date: its owner or a consultant only.
    assert client.get(close).status_code == (200 if role in EARLY_CLOSERS else 403)
    response = client.post(close, _grades(objective))
    closed = ObjectiveClosure.objects.filter(objective=objective).exists()
    assert (response.status_code, closed) == expect(role in EARLY_CLOSERS)
    ObjectiveClosure.objects.all().delete()
    KeyResultGrade.objects.all().delete()

    # Once the period has ended.
    today = timezone.localdate()
    Objective.objects.filter(pk=objective.pk).update(
        starts_on=today - timedelta(days=100), ends_on=today - timedelta(days=10)
    )
    assert client.get(close).status_code == (200 if role in CLOSERS else 403)
    response = client.post(close, _grades(objective))
    closed = ObjectiveClosure.objects.filter(objective=objective).exists()
    assert (response.status_code, closed) == expect(role in CLOSERS)

    if not closed:
        objective.refresh_from_db()
        services.objective_close(objective=objective, by=member(org, Role.CONSULTANT),
                                 grades={kr.pk: ("0.5", "") for kr in
                                         objective.key_results.all()},
                                 lessons="Closed by the consultant")  # fmt: skip
    copy = reverse("goals-objective-copy-forward", args=[org.slug, objective.code])
    assert client.get(copy).status_code == (200 if role in CLOSERS else 403)
    response = client.post(copy, {
        "starts_on": (today - timedelta(days=9)).isoformat(),
        "ends_on": (today + timedelta(days=80)).isoformat(),
    })  # fmt: skip
    copied = Objective.objects.exclude(pk=objective.pk).filter(title=objective.title).exists()
    assert (response.status_code, copied) == expect(role in CLOSERS)

    evaluation = reverse("goals-evaluation", args=[org.slug, okri["programme"].code])
    assert client.get(evaluation).status_code == 200


@pytest.mark.parametrize(
    ("team", "ended", "closes"),
    [
        ("North", True, True),  # the team above the objective's, once it ended
        ("North-East", True, True),
        ("South", True, False),
        ("North-East", False, False),  # before the end: not theirs to decide unless they own it
    ],
)
def test_managers_close_their_teams_objectives_once_ended(org, okri, team, ended, closes):  # noqa: F811
    from goals import policies
    from programme.viewer import Viewer

    north = Team.objects.create(organisation=org, name="North")
    teams = {
        "North": north,
        "North-East": Team.objects.create(organisation=org, name="North-East", parent=north),
        "South": Team.objects.create(organisation=org, name="South"),
    }
    objective = okri["objective"]
    objective.scope, objective.team = "team", teams["North-East"]
    manager = member(org, Role.MANAGER, team=teams[team])
    viewer = Viewer(manager)
    assert policies.can_close_objective(viewer, objective, ended=ended) is closes
    assert policies.can_copy_objective(viewer, objective) is (team != "South")


@pytest.mark.parametrize("role", ROLES)
def test_the_owner_closes_early_whatever_their_role(org, login, okri, role):  # noqa: F811
    owner = member(org, role)
    objective = okri["objective"]
    Objective.objects.filter(pk=objective.pk).update(owner=owner)
    close = reverse("goals-objective-close", args=[org.slug, objective.code])
    response = login(owner).post(close, _grades(objective))
    assert response.status_code == 302
    assert ObjectiveClosure.objects.filter(objective=objective, closed_by=owner).exists()
