"""Every kick-off action for every role, through its page and through its service: allowed
roles succeed and change data, the others are refused (403 on the page, PermissionDenied from
the service) and change nothing. The services refuse another organisation's objects too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kickoff import services
from kickoff.models import (
    Concern,
    ConcernVote,
    EmotionSignal,
    EngagementAction,
    EngagementPlan,
    KickoffJoin,
    KickoffSession,
    StakeholderAssessment,
)
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role, Wave
from tests.factories import member

ROLES = [Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.SELLER, Role.MARKETING, Role.ADMIN]
S, C, M, SE, MK, A = ROLES
EVERYONE = set(ROLES)
RUNS = {C, A}  # run a kick-off, map stakeholders, plan waves
BOARD = {C, A, S}  # read the board and the report
FOLLOWS_UP = {C, S}  # verify, own, work on and answer concerns
TODAY = timezone.localdate()


@pytest.fixture
def world(org):
    consultant, sponsor = member(org, Role.CONSULTANT), member(org, Role.SPONSOR)
    author, target = member(org, Role.SELLER), member(org, Role.SELLER)
    programme = programme_services.programme_save(
        organisation=org, by=consultant, data={"name": "Social selling", "start_date": TODAY},
        sponsors=[sponsor], consultants=[consultant],
    )  # fmt: skip
    wave = programme_services.wave_create(
        programme=programme, by=consultant, name="Supporters", start_date=TODAY
    )
    session = services.kickoff_save(
        programme=programme, by=consultant, attendees=[],
        data={"title": "Kick-off Lyon", "held_on": TODAY},
    )  # fmt: skip
    services.kickoff_open(session=session, by=consultant)
    session.refresh_from_db()
    draft = services.kickoff_save(
        programme=programme, by=consultant, attendees=[],
        data={"title": "Kick-off Nantes", "held_on": TODAY},
    )  # fmt: skip
    concern, duplicate = (
        services.concern_submit(
            session=session, by=author, worry=worry, would_help="", anonymous=True
        )
        for worry in ("No time", "No time at all")
    )
    anonymous_flush()  # anonymous concerns are written in batches by the timer
    concern, duplicate = Concern.objects.get(pk=concern.pk), Concern.objects.get(pk=duplicate.pk)
    plan = services.engagement_plan_ensure(participant=target.participant, by=consultant)
    action = services.engagement_action_add(plan=plan, by=consultant, action="Coffee", due_on=TODAY)
    return {
        "programme": programme, "wave": wave, "session": session, "draft": draft,
        "concern": concern, "duplicate": duplicate, "author": author, "target": target,
        "plan": plan, "action": action,
    }  # fmt: skip


def _session(w) -> KickoffSession:
    return KickoffSession.objects.get(pk=w["session"].pk)


def _concern(w, key="concern") -> Concern:
    return Concern.objects.get(pk=w[key].pk)


@dataclass
class Page:
    route: str
    args: Callable[[dict], list]
    allowed: set[str]
    changed: Callable[[dict], bool] = lambda w: True
    data: Callable[[dict], dict] | None = None
    method: str = "post"


def code(key: str) -> Callable[[dict], list]:
    return lambda w: [w[key].code]


PAGES = {
    "list the kick-offs": Page("kickoff-session-list", code("programme"), BOARD, method="get"),
    "plan a kick-off": Page(
        "kickoff-session-list", code("programme"), RUNS,
        lambda w: KickoffSession.objects.filter(title="Planned").exists(),
        lambda w: {"title": "Planned", "held_on": TODAY.isoformat(), "follow_up_days": 14}),
    "open a kick-off": Page(
        "kickoff-session-open", code("draft"), RUNS,
        lambda w: KickoffSession.objects.get(pk=w["draft"].pk).status == "open"),
    "close a kick-off": Page(
        "kickoff-session-close", code("session"), RUNS,
        lambda w: _session(w).status == "closed", lambda w: {"confirm": "close"}),
    "run the projector": Page("kickoff-projector", code("session"), RUNS, method="get"),
    "view the board": Page("kickoff-session-detail", code("session"), BOARD, method="get"),
    "read a concern": Page("kickoff-concern-detail", code("concern"), BOARD, method="get"),
    "follow up a concern": Page(
        "kickoff-concern-detail", code("concern"), FOLLOWS_UP,
        lambda w: _concern(w).status == "verified",
        lambda w: {"status": "verified", "action": "", "response": ""}),
    "categorise a concern": Page(
        "kickoff-concern-categorise", code("concern"), RUNS,
        lambda w: _concern(w).category == "Time", lambda w: {"category": "Time"}),
    "merge a concern": Page(
        "kickoff-concern-merge", code("duplicate"), RUNS,
        lambda w: _concern(w, "duplicate").merged_into_id == w["concern"].pk,
        lambda w: {"into": str(w["concern"].code)}),
    "log an emotion": Page(
        "kickoff-emotion-log", code("session"), RUNS,
        lambda w: EmotionSignal.objects.exists(), lambda w: {"kind": "anger", "intensity": 2}),
    "see the stakeholder map": Page(
        "kickoff-stakeholder-map", lambda w: [], RUNS, method="get"),
    "assess a stakeholder": Page(
        "kickoff-stakeholder-detail", lambda w: [w["target"].participant.code], RUNS,
        lambda w: StakeholderAssessment.objects.exists(),
        lambda w: {"assessed_on": TODAY.isoformat(), "stance": "supporter",
                   "influence": "high", "curve_stage": "exploring"}),
    "plan a one-to-one action": Page(
        "kickoff-engagement-action-add", lambda w: [w["target"].participant.code], RUNS,
        lambda w: EngagementAction.objects.filter(action="Lunch").exists(),
        lambda w: {"action": "Lunch", "due_on": TODAY.isoformat()}),
    "record a one-to-one outcome": Page(
        "kickoff-engagement-action-done", code("action"), RUNS,
        lambda w: EngagementAction.objects.get(pk=w["action"].pk).done_on is not None,
        lambda w: {"outcome": "He will sponsor the examples"}),
    "open the wave planner": Page("kickoff-wave-planner", code("programme"), RUNS, method="get"),
    "confirm a planned wave": Page(
        "kickoff-wave-planner", code("programme"), RUNS,
        lambda w: Wave.objects.filter(name="Second").exists(),
        lambda w: {"name": "Second", "start_date": TODAY.isoformat(),
                   "participants": [w["author"].participant.pk]}),
    "rename a wave": Page(
        "kickoff-wave-rename", code("wave"), RUNS,
        lambda w: Wave.objects.get(pk=w["wave"].pk).name == "Pioneers",
        lambda w: {"name": "Pioneers"}),
    "read the report": Page("kickoff-report", code("session"), BOARD, method="get"),
    "read you said, we did": Page(
        "kickoff-you-said-we-did", code("programme"), EVERYONE, method="get"),
    "join a kick-off": Page(
        "kickoff-join", lambda w: [w["session"].join_code], EVERYONE,
        lambda w: KickoffJoin.objects.filter(membership=w["actor"]).exists(), method="get"),
    "submit a concern": Page(
        "kickoff-join", lambda w: [w["session"].join_code], EVERYONE,
        lambda w: (anonymous_flush(), Concern.objects.filter(worry="Mine too").exists())[1],
        lambda w: {"worry": "Mine too"}),
    "vote for a concern": Page(
        "kickoff-concern-vote", lambda w: [w["session"].join_code, w["concern"].code], EVERYONE,
        lambda w: ConcernVote.objects.filter(voter=w["actor"]).exists()),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_kickoff_page_permission_matrix(org, login, world, name, role):
    page = PAGES[name]
    world["actor"] = actor = member(org, role)
    url = reverse(page.route, args=[org.slug, *page.args(world)])
    client = login(actor)
    data = page.data(world) if page.data else {}
    response = getattr(client, page.method)(url, data)
    if role in page.allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
        assert page.changed(world), (name, role)
    else:
        assert response.status_code == 403, (name, role, response.status_code)
        if page.method == "post":
            assert not page.changed(world), (name, role)


# --- The same rules, asked by the services themselves -----------------------------------------


@dataclass
class Service:
    call: Callable[[dict, object], object]
    allowed: set[str]
    changed: Callable[[dict], bool]


SERVICES = {
    "kickoff_save": Service(
        lambda w, by: services.kickoff_save(
            programme=w["programme"], by=by, attendees=[],
            data={"title": "By a service", "held_on": TODAY}),
        RUNS, lambda w: KickoffSession.objects.filter(title="By a service").exists()),
    "kickoff_open": Service(
        lambda w, by: services.kickoff_open(session=w["draft"], by=by), RUNS,
        lambda w: KickoffSession.objects.get(pk=w["draft"].pk).status == "open"),
    "kickoff_close": Service(
        lambda w, by: services.kickoff_close(session=w["session"], by=by), RUNS,
        lambda w: _session(w).status == "closed"),
    "concern_follow_up": Service(
        lambda w, by: services.concern_follow_up(
            concern=w["concern"], by=by, status="verified", owner=None, action="", response=""),
        FOLLOWS_UP, lambda w: _concern(w).status == "verified"),
    "concern_categorise": Service(
        lambda w, by: services.concern_categorise(concern=w["concern"], by=by, category="Time"),
        RUNS, lambda w: _concern(w).category == "Time"),
    "concern_merge": Service(
        lambda w, by: services.concern_merge(duplicate=w["duplicate"], into=w["concern"], by=by),
        RUNS, lambda w: _concern(w, "duplicate").merged_into_id == w["concern"].pk),
    "emotion_log": Service(
        lambda w, by: services.emotion_log(
            session=w["session"], by=by, data={"kind": "anger", "intensity": 1}),
        RUNS, lambda w: EmotionSignal.objects.exists()),
    "assessment_record": Service(
        lambda w, by: services.assessment_record(
            participant=w["target"].participant, by=by,
            data={"assessed_on": TODAY, "stance": "sceptic"}),
        RUNS, lambda w: StakeholderAssessment.objects.exists()),
    "engagement_plan_ensure": Service(
        lambda w, by: services.engagement_plan_ensure(participant=w["author"].participant, by=by),
        RUNS, lambda w: EngagementPlan.objects.count() == 2),
    "engagement_action_add": Service(
        lambda w, by: services.engagement_action_add(
            plan=w["plan"], by=by, action="Lunch", due_on=TODAY),
        RUNS, lambda w: EngagementAction.objects.filter(action="Lunch").exists()),
    "engagement_action_complete": Service(
        lambda w, by: services.engagement_action_complete(
            action=w["action"], by=by, outcome="Agreed"),
        RUNS, lambda w: EngagementAction.objects.get(pk=w["action"].pk).done_on is not None),
    "wave_plan_confirm": Service(
        lambda w, by: services.wave_plan_confirm(
            programme=w["programme"], by=by, name="Second", start_date=TODAY,
            participants=[w["author"].participant]),
        RUNS, lambda w: Wave.objects.filter(name="Second").exists()),
    "wave_rename": Service(
        lambda w, by: services.wave_rename(wave=w["wave"], by=by, name="Pioneers"),
        RUNS, lambda w: Wave.objects.get(pk=w["wave"].pk).name == "Pioneers"),
    "kickoff_join_record": Service(
        lambda w, by: services.kickoff_join_record(session=w["session"], by=by),
        EVERYONE, lambda w: KickoffJoin.objects.exists()),
    "concern_submit": Service(
        lambda w, by: services.concern_submit(
            session=w["session"], by=by, worry="Mine too", would_help="", anonymous=True),
        EVERYONE,
        lambda w: (anonymous_flush(), Concern.objects.filter(worry="Mine too").exists())[1]),
    "concern_vote": Service(
        lambda w, by: services.concern_vote(concern=w["concern"], by=by),
        EVERYONE, lambda w: ConcernVote.objects.exists()),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(SERVICES))
def test_kickoff_service_permission_matrix(org, world, name, role):
    """A service is safe whoever calls it: it asks kickoff.policies itself."""
    service = SERVICES[name]
    actor = member(org, role)
    if role in service.allowed:
        service.call(world, actor)
        assert service.changed(world), (name, role)
    else:
        with pytest.raises(PermissionDenied):
            service.call(world, actor)
        assert not service.changed(world), (name, role)


@pytest.mark.parametrize("name", list(SERVICES))
def test_kickoff_services_refuse_another_organisations_objects(other_org, world, name):
    """Even a role allowed everything here is nobody in another organisation."""
    service = SERVICES[name]
    outsider = member(other_org, Role.CONSULTANT)
    with pytest.raises(PermissionDenied):
        service.call(world, outsider)
    assert not service.changed(world), name
