"""Every success, ritual and celebration action for every role: allowed ones change data, the
others get 403 (or 404 for someone else's milestone) and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import Celebration, Proposal, ProposalVote, VotingWindow
from programme.models import Role
from tests.factories import member

ROLES = [Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.SELLER, Role.MARKETING, Role.ADMIN]
IN_PROGRAMME = {Role.MANAGER, Role.SELLER}


@pytest.fixture
def world(org):
    consultant = member(org, Role.CONSULTANT)
    services.window_open(by=consultant, subject="success",
                         closes_at=timezone.now() + timedelta(days=3))  # fmt: skip
    owner = member(org, Role.SELLER)
    proposal = services.proposal_add(by=owner, subject="success", statement="Post weekly")
    celebration = Celebration.objects.create(
        organisation=org, participant=owner.participant, kind="first_deal"
    )
    return {"proposal": proposal, "celebration": celebration}


@pytest.mark.parametrize("role", ROLES)
def test_goals_permission_matrix(org, login, world, role):
    actor = member(org, role)
    client = login(actor)
    proposal = world["proposal"]

    response = client.post(reverse("goals-proposal-create", args=[org.slug, "ritual"]),
                           {"statement": f"Ritual by {role}"})  # fmt: skip
    made = Proposal.objects.filter(statement=f"Ritual by {role}").exists()
    assert (response.status_code, made) == ((302, True) if role in IN_PROGRAMME else (403, False))

    response = client.post(reverse("goals-proposal-vote", args=[org.slug, proposal.code]))
    voted = ProposalVote.objects.filter(membership=actor).exists()
    assert (response.status_code, voted) == ((302, True) if role in IN_PROGRAMME else (403, False))

    response = client.post(
        reverse("goals-window-open", args=[org.slug, "ritual"]),
        {"closes_on": (timezone.localdate() + timedelta(days=5)).isoformat()},
    )
    opened = VotingWindow.objects.filter(subject="ritual").exists()
    runs = role == Role.CONSULTANT
    assert (response.status_code, opened) == ((302, True) if runs else (403, False))

    response = client.post(reverse("goals-proposal-decide", args=[org.slug, proposal.code]),
                           {"decision": "adopt"})  # fmt: skip
    proposal.refresh_from_db()
    assert (response.status_code, proposal.status) == ((302, "adopted") if runs else (403, "open"))

    # Someone else's milestone does not exist for anyone but its owner.
    code = world["celebration"].code
    response = client.post(reverse("goals-celebration-answer", args=[org.slug, code]),
                           {"consent": "public"})  # fmt: skip
    world["celebration"].refresh_from_db()
    assert response.status_code == 404 and world["celebration"].consent == ""
    for page in ("goals-success", "goals-rituals", "goals-celebrations"):
        assert client.get(reverse(page, args=[org.slug])).status_code == 200


@pytest.fixture
def okri(org):
    from programme import services as programme_services

    sponsor = member(org, Role.SPONSOR)
    today = timezone.localdate()
    programme = programme_services.programme_save(
        organisation=org, by=member(org, Role.CONSULTANT),
        data={"name": "Programme", "start_date": today}, sponsors=[sponsor], consultants=[],
    )  # fmt: skip
    objective = services.objective_create(
        by=sponsor, programme=programme, scope="programme", title="Habit", owner=sponsor,
        starts_on=today, ends_on=today + timedelta(days=90),
    )  # fmt: skip
    make = lambda title, **kw: services.key_result_add(  # noqa: E731
        objective=objective, by=sponsor, title=title, source="manual", baseline=0, target=5, **kw
    )
    initiative = services.initiative_add(objective=objective, by=sponsor, title="Lunch talk",
                                         owner=member(org, Role.SELLER))  # fmt: skip
    return {
        "programme": programme, "objective": objective, "initiative": initiative,
        "manual": make("Cases"), "spare": make("Spare"), "revenue": make("Bookings"),
    }  # fmt: skip


EDITORS = {Role.SPONSOR, Role.CONSULTANT}


@pytest.mark.parametrize("role", ROLES)
def test_okri_permission_matrix(org, login, okri, role):
    from goals.models import CheckIn, Initiative, KeyResult, Objective

    client = login(member(org, role))
    objective, edits = okri["objective"], role in EDITORS
    expect = lambda allowed: (302, True) if allowed else (403, False)  # noqa: E731
    today = timezone.localdate()

    response = client.post(reverse("goals-objective-create", args=[org.slug]), {
        "title": f"Objective by {role}", "programme": okri["programme"].pk, "scope": "programme",
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat(),
    })  # fmt: skip
    made = Objective.objects.filter(title=f"Objective by {role}").exists()
    # A manager sets objectives for their own team only: refused with a message, not a 403.
    allowed = (302, True) if edits else (400, False) if role == Role.MANAGER else (403, False)
    assert (response.status_code, made) == allowed

    response = client.post(reverse("goals-key-result-create", args=[org.slug, objective.code]),
                           {"title": f"KR by {role}", "source": "manual", "baseline": "0",
                            "direction": "increase", "target": "3"})  # fmt: skip
    made = KeyResult.objects.filter(title=f"KR by {role}").exists()
    assert (response.status_code, made) == expect(edits)

    prefix = str(okri["manual"].code)
    response = client.post(reverse("goals-key-result-check-in", args=[org.slug, prefix]),
                           {f"{prefix}-value": "2", f"{prefix}-confidence": "7"})  # fmt: skip
    assert (response.status_code, CheckIn.objects.exists()) == expect(edits)

    response = client.post(reverse("goals-initiative-create", args=[org.slug, objective.code]),
                           {"title": f"Initiative by {role}"})  # fmt: skip
    made = Initiative.objects.filter(title=f"Initiative by {role}").exists()
    assert (response.status_code, made) == expect(edits)

    initiative = okri["initiative"]
    response = client.post(reverse("goals-initiative-status", args=[org.slug, initiative.code]),
                           {"status": "done"})  # fmt: skip
    initiative.refresh_from_db()
    assert (response.status_code, initiative.status == "done") == expect(edits)

    revenue = okri["revenue"]
    response = client.post(reverse("goals-key-result-confirm", args=[org.slug, revenue.code]))
    revenue.refresh_from_db()
    assert (response.status_code, revenue.confirmed_at is not None) == expect(role == Role.SPONSOR)

    spare = okri["spare"]
    response = client.post(reverse("goals-key-result-remove", args=[org.slug, spare.code]))
    gone = not KeyResult.objects.filter(pk=spare.pk).exists()
    assert (response.status_code, gone) == expect(edits)

    response = client.post(reverse("goals-objective-archive", args=[org.slug, objective.code]))
    objective.refresh_from_db()
    assert (response.status_code, objective.archived_at is not None) == expect(edits)

    assert client.get(reverse("goals-okris", args=[org.slug])).status_code == 200
    detail = client.get(reverse("goals-objective-detail", args=[org.slug, objective.code]))
    assert detail.status_code == 200


def test_goals_decides_by_role_only_in_its_policies() -> None:
    """One home for permission decisions: outside goals/policies.py no code of the app compares
    someone's role (choosing whom to notify by role in a query is not a decision about them)."""
    import ast
    from pathlib import Path

    app = Path(__file__).resolve().parents[2] / "goals"
    found = []
    for path in sorted(app.rglob("*.py")):
        if path.name == "policies.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(
                isinstance(side, ast.Attribute) and side.attr == "role"
                for side in (node.left, *node.comparators)
            ):
                found.append(f"{path.relative_to(app.parent)}:{node.lineno}")
    assert found == []


@pytest.mark.parametrize(
    ("role", "team", "edits"),
    [
        (Role.SPONSOR, None, True),
        (Role.CONSULTANT, None, True),
        (Role.MANAGER, "North", True),  # the team above the objective's
        (Role.MANAGER, "North-East", True),  # the objective's own team
        (Role.MANAGER, "South", False),
        (Role.MANAGER, None, False),
        (Role.SELLER, "North-East", False),
        (Role.MARKETING, None, False),
        (Role.ADMIN, None, False),
    ],
)
def test_who_edits_a_team_objective(org, okri, role, team, edits):
    from goals import policies
    from programme.models import Team
    from programme.viewer import Viewer

    north = Team.objects.create(organisation=org, name="North")
    teams = {
        "North": north,
        "North-East": Team.objects.create(organisation=org, name="North-East", parent=north),
        "South": Team.objects.create(organisation=org, name="South"),
    }
    objective = services.objective_create(
        by=member(org, Role.CONSULTANT), programme=okri["programme"], scope="team",
        team=teams["North-East"], title="Posts weekly", owner=member(org, Role.SPONSOR),
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    actor = member(org, role, team=teams.get(team))
    assert policies.can_edit_objective(Viewer(actor), objective) is edits
    # The service asks the same policy.
    add = lambda: services.initiative_add(objective=objective, by=actor, title="Talk",  # noqa: E731
                                          owner=actor)  # fmt: skip
    if edits:
        add()
    else:
        with pytest.raises(PermissionDenied):
            add()
