"""Every showcase action for every role: allowed ones succeed and change data, the others get
403 and change nothing. The author of a case is a seller of the same organisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from programme.models import Role
from showcase import services
from showcase.models import CaseComment, CaseReaction, CaseReport, CaseStudy, PickUptake
from tests.factories import member

ROLES = [Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.SELLER, Role.MARKETING, Role.ADMIN]
S, C, M, SE, MK, A = ROLES


@dataclass
class Action:
    route: str
    target: str | None  # "case", "comment", "pick" or None
    data: dict
    allowed: set[str]
    changed: Callable[[dict], bool]
    method: str = "post"


def _case(world):
    return CaseStudy.objects.get(pk=world["case"].pk)


ACTIONS = {
    "write a case": Action(
        "showcase-case-create", None,
        {"kind": "lesson", "title": "New one", "story": "s", "visibility": "organisation"},
        {M, SE}, lambda w: CaseStudy.objects.filter(title="New one").exists()),
    "edit someone else's case": Action(
        "showcase-case-edit", "case",
        {"kind": "lesson", "title": "Changed", "story": "s", "visibility": "organisation"},
        set(), lambda w: _case(w).title == "Changed"),
    "delete someone else's case": Action(
        "showcase-case-delete", "case", {}, set(),
        lambda w: not CaseStudy.objects.filter(pk=w["case"].pk).exists()),
    "react": Action(
        "showcase-case-react", "case", {"kind": "useful"}, set(ROLES),
        lambda w: CaseReaction.objects.filter(membership=w["actor"]).exists()),
    "comment": Action(
        "showcase-case-comment", "case", {"body": "Well done"}, set(ROLES),
        lambda w: CaseComment.objects.filter(author=w["actor"]).exists()),
    "report": Action(
        "showcase-case-report", "case", {"reason": "Names a client"}, set(ROLES),
        lambda w: CaseReport.objects.filter(membership=w["actor"]).exists()),
    "hide a case": Action(
        "showcase-case-hide", "case", {"reason": "Client named"}, {C, A},
        lambda w: _case(w).hidden_at is not None),
    "hide a comment": Action(
        "showcase-comment-hide", "comment", {"reason": "Rude"}, {C, A},
        lambda w: CaseComment.objects.get(pk=w["comment"].pk).hidden_at is not None),
    "feature a case": Action(
        "showcase-case-feature", "case", {}, {C, M},
        lambda w: _case(w).featured_at is not None),
    "post a marketing pick": Action(
        "showcase-pick-create", None, {"url": "https://example.com/new", "note": "New pick"},
        {MK}, lambda w: w["pick"].__class__.objects.filter(note="New pick").exists()),
    "archive a marketing pick": Action(
        "showcase-pick-archive", "pick", {}, {MK},
        lambda w: w["pick"].__class__.objects.get(pk=w["pick"].pk).archived_at is not None),
    "say I shared a pick": Action(
        "showcase-pick-uptake", "pick", {"action": "shared"}, {M, SE},
        lambda w: PickUptake.objects.filter(membership=w["actor"]).exists()),
    "see the uptake report": Action(
        "showcase-pick-report", None, {}, {S, C, MK, A}, lambda w: True, method="get"),
}  # fmt: skip


@pytest.fixture
def world(org):
    author = member(org, Role.SELLER)
    case = services.case_save(
        author=author.participant,
        data={"kind": "post_worked", "title": "Original", "story": "It worked.",
              "visibility": "organisation", "feature_consent": True},
    )  # fmt: skip
    comment = services.comment_add(case=case, by=member(org, Role.SELLER), body="Nice")
    pick = services.pick_post(by=member(org, Role.MARKETING), url="https://example.com/p",
                              note="Pick")  # fmt: skip
    return {"case": case, "comment": comment, "pick": pick}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_showcase_permission_matrix(org, login, world, name, role):
    action = ACTIONS[name]
    actor = member(org, role)
    world["actor"] = actor
    args = [org.slug] + ([world[action.target].code] if action.target else [])
    response = getattr(login(actor), action.method)(reverse(action.route, args=args), action.data)
    if role in action.allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
        assert action.changed(world), (name, role)
    else:
        assert response.status_code == 403, (name, role, response.status_code)
        if action.method == "post":
            assert not action.changed(world), (name, role)


def test_the_author_edits_and_deletes_their_own(org, login, world):
    author = world["case"].author.membership
    client = login(author)
    edit = reverse("showcase-case-edit", args=[org.slug, world["case"].code])
    data = {"kind": "lesson", "title": "Retold", "story": "s", "visibility": "organisation"}
    assert client.post(edit, data).status_code == 302
    assert _case(world).title == "Retold"
    delete = reverse("showcase-case-delete", args=[org.slug, world["case"].code])
    assert client.post(delete).status_code == 302
    assert not CaseStudy.objects.filter(pk=world["case"].pk).exists()
