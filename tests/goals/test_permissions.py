"""Every success, ritual and celebration action for every role: allowed ones change data, the
others get 403 (or 404 for someone else's milestone) and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
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
