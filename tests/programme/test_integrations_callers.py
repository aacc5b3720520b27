"""Each app tells the outbox at the moment named in #23: what a channel or a webhook receives."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from programme.models import OutboxMessage, Role, Team
from programme.services import integrations
from tests.factories import foreign_world, member
from tests.programme.test_integrations import Receiver


@pytest.fixture
def receiver(settings):
    settings.INTEGRATIONS_ALLOW_LOCAL = True
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def wired(org, receiver):
    """A webhook taking every event, an organisation-wide Teams channel and a team's Slack."""
    admin = member(org, Role.ADMIN)
    north = Team.objects.create(organisation=org, name="North")
    hook = integrations.endpoint_create(by=admin, kind="webhook", name="IT", url=receiver.url("/w"),
                                        events=list(integrations.WEBHOOK_EVENTS))  # fmt: skip
    teams = integrations.endpoint_create(by=admin, kind="teams", name="All", url=receiver.url("/t"))
    slack = integrations.endpoint_create(by=admin, kind="slack", name="North",
                                         url=receiver.url("/s"), team=north)  # fmt: skip
    return {"admin": admin, "north": north, "hook": hook, "teams": teams, "slack": slack}


def events_of(endpoint) -> list[str]:
    return sorted(OutboxMessage.objects.filter(endpoint=endpoint).values_list("event", flat=True))


def test_an_announcement_and_a_kickoff_reach_every_channel(org, wired) -> None:
    foreign_world(org)  # publishes an announcement to the organisation, opens a kick-off
    expected = ["announcement.published", "kickoff.opened"]
    assert events_of(wired["hook"]) == expected
    assert events_of(wired["teams"]) == expected
    assert events_of(wired["slack"]) == expected
    kickoff = OutboxMessage.objects.get(endpoint=wired["teams"], event="kickoff.opened")
    card = kickoff.payload["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Kick-off open: Their kick-off"
    assert "/o/acme/join/" in card["actions"][0]["url"]  # the sellers' way in, not staff's page


def test_an_announcement_to_some_teams_stays_off_the_channels(org, wired) -> None:
    from programme import services

    world = foreign_world(org)
    before = OutboxMessage.objects.count()
    draft = services.announcement_save(
        programme=world["programme"], author=world["sponsor"], title="Only North", body="b",
        audience="teams", teams=[wired["north"]],
    )  # fmt: skip
    services.announcement_publish(announcement=draft, publisher=world["sponsor"])
    assert OutboxMessage.objects.count() == before


@pytest.mark.parametrize(
    ("consent", "teams_told", "slack_told"),
    [("public", True, True), ("team", False, True), ("no", False, False)],
)
def test_a_celebration_goes_out_only_as_far_as_its_owner_said(
    org, wired, consent, teams_told, slack_told
) -> None:
    from goals import services as goals_services
    from goals.models import Celebration

    seller = member(org, Role.SELLER, team=wired["north"])
    celebration = Celebration.objects.create(
        organisation=org, participant=seller.participant, kind="first_meeting"
    )
    goals_services.celebration_answer(celebration=celebration, by=seller, consent=consent)
    told = {e.name for e in (wired["teams"], wired["slack"], wired["hook"])
            if "milestone.celebrated" in events_of(e)}  # fmt: skip
    assert ("All" in told, "North" in told, "IT" in told) == (
        teams_told,
        slack_told,
        consent != "no",
    )
    if consent != "no":
        data = OutboxMessage.objects.get(endpoint=wired["hook"]).payload["data"]
        assert data["consent"] == consent and data["kind"] == "first_meeting"


def test_a_check_in_and_a_finished_import_reach_the_webhook_only(org, wired) -> None:
    from goals import services as goals_services
    from metrics import services as metrics_services

    world = foreign_world(org)
    goals_services.check_in(key_result=world["key_result"], by=world["sponsor"], value=3,
                            confidence=7)  # fmt: skip
    metrics_services.activity_import_run(activity_import_id=world["activity_import"].pk)
    assert events_of(wired["hook"]) == [
        "announcement.published", "import.finished", "key_result.updated", "kickoff.opened",
    ]  # fmt: skip
    assert "key_result.updated" not in events_of(wired["teams"])
    update = OutboxMessage.objects.get(event="key_result.updated").payload["data"]
    assert (update["current"], update["target"], update["confidence"]) == (3, 5, 7)
    finished = OutboxMessage.objects.get(event="import.finished").payload["data"]
    assert finished["status"] == "failed" and finished["errors"] == 1


def test_an_erased_person_leaves_only_an_opaque_code(org, wired) -> None:
    from programme import services

    seller = member(org, Role.SELLER)
    code, email = str(seller.code), seller.user.email
    services.person_erase(by=seller, membership=seller, keep_contributions=False)
    message = OutboxMessage.objects.get(event="person.deactivated")
    assert message.payload["data"] == {"membership": code}
    assert email not in json.dumps(message.payload)
    assert seller.user.last_name not in json.dumps(message.payload)


def test_erasure_scrubs_queued_and_logged_messages_that_name_the_person(org, wired) -> None:
    from goals import services as goals_services
    from goals.models import Celebration
    from programme import services

    seller = member(org, Role.SELLER, team=wired["north"])
    name = seller.user.get_full_name()
    celebration = Celebration.objects.create(
        organisation=org, participant=seller.participant, kind="first_meeting"
    )
    goals_services.celebration_answer(celebration=celebration, by=seller, consent="public")
    sent = OutboxMessage.objects.filter(event="milestone.celebrated").first()
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent")
    assert OutboxMessage.objects.filter(payload__icontains=name).count() == 3
    services.person_erase(by=seller, membership=seller, keep_contributions=False)
    assert not OutboxMessage.objects.filter(payload__icontains=name).exists()
    assert OutboxMessage.objects.filter(event="milestone.celebrated").get().pk == sent.pk


def test_weekly_team_summaries_go_to_the_teams_channel_once(org, wired, receiver) -> None:
    from metrics import summaries
    from metrics.models import GroupKind, GroupWeek

    org.time_zone = "UTC"
    org.save()
    monday = datetime(2026, 11, 23, 8, tzinfo=UTC)
    week = date(2026, 11, 16)
    GroupWeek.objects.create(organisation=org, kind=GroupKind.TEAM, group_id=wired["north"].pk,
                             week=week, participants=12, active=8, regular=5, receiving=6,
                             with_meeting=2)  # fmt: skip
    summaries.weekly_summaries_send(organisation_id=org.pk, now=monday)
    summaries.weekly_summaries_send(organisation_id=org.pk, now=monday + timedelta(hours=1))
    slack = OutboxMessage.objects.get(endpoint=wired["slack"], event="team.weekly_summary")
    assert slack.payload["blocks"][1]["text"]["text"] == (
        "8 of 12 people active, 5 regular, 6 receiving interactions, 2 with a meeting booked "
        "through LinkedIn."
    )
    assert OutboxMessage.objects.filter(event="team.weekly_summary").count() == 3  # + Teams, hook
    integrations.outbox_deliver()
    assert len(receiver.requests) == 3


def test_key_results_refreshed_by_a_rollup_are_one_event_each_and_capped(org, wired) -> None:
    from goals.measures import key_results_refresh

    contexts = [{"key": f"kr{n}", "data": {"n": n}} for n in range(150)]
    queued = integrations.publish_many(org, integrations.KEY_RESULT_UPDATED, contexts)
    assert queued == integrations.MAX_KEY_RESULT_EVENTS
    assert key_results_refresh(org.pk) == 0  # nothing changed: nothing more queued
    assert OutboxMessage.objects.count() == integrations.MAX_KEY_RESULT_EVENTS


def test_organisations_without_endpoints_queue_nothing_from_any_app(other_org, receiver) -> None:
    foreign_world(other_org)
    assert not OutboxMessage.objects.exists()
    integrations.outbox_deliver()
    assert receiver.requests == []
