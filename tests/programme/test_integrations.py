"""Teams, Slack and signed webhooks through one outbox, against a local HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    Endpoint,
    EndpointKind,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Role,
    Team,
)
from programme.services import integrations
from tests.factories import member


class Receiver:
    """A local HTTP server recording every request; answers from `codes`, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.codes: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def receiver(settings):
    settings.INTEGRATIONS_ALLOW_LOCAL = True
    settings.SITE_URL = "https://snowball.example"
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def admin(org):
    return member(org, Role.ADMIN)


CONTEXT = {
    "key": "a1",
    "title": "Kick-off opened",
    "text": "Join <now> & vote",
    "url": "/o/acme/kickoff/1/",
    "data": {"session": "a1", "title": "Kick-off"},
}


def deliver(**kwargs) -> int:
    return integrations.outbox_deliver(**kwargs)


# --- Payloads ---------------------------------------------------------------------------------
def test_teams_gets_an_adaptive_card(org, admin, receiver) -> None:
    integrations.endpoint_create(by=admin, kind="teams", name="Wins", url=receiver.url())
    assert integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT) == 1
    assert deliver() == 1
    assert receiver.json() == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": "Kick-off opened",
                            "weight": "Bolder",
                            "size": "Medium",
                            "wrap": True,
                        },
                        {"type": "TextBlock", "text": "Join <now> & vote", "wrap": True},
                    ],
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": "Open in Snowball",
                            "url": "https://snowball.example/o/acme/kickoff/1/",
                        },
                    ],
                },
            }
        ],
    }
    request = receiver.requests[0]
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    message = OutboxMessage.objects.get()
    assert request["headers"]["Idempotency-Key"] == str(message.key)
    assert "Snowball-Signature" not in request["headers"]
    assert message.status == OutboxStatus.SENT and message.sent_at is not None


def test_slack_gets_block_kit_with_mentions_escaped(org, admin, receiver) -> None:
    integrations.endpoint_create(by=admin, kind="slack", name="#wins", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    deliver()
    assert receiver.json() == {
        "text": "Kick-off opened: Join <now> & vote",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Kick-off opened"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Join &lt;now&gt; &amp; vote"}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in Snowball"},
                        "url": "https://snowball.example/o/acme/kickoff/1/",
                    },
                ],
            },
        ],
    }


def test_webhook_is_signed_and_verifiable(org, admin, receiver) -> None:
    endpoint = integrations.endpoint_create(
        by=admin, kind="webhook", name="IT", url=receiver.url(),
        events=[integrations.KICKOFF_OPENED],
    )  # fmt: skip
    assert len(endpoint.secret) == 64
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    deliver()
    request = receiver.requests[0]
    message = OutboxMessage.objects.get()
    body = json.loads(request["body"])
    assert body == {
        "id": str(message.key),
        "event": "kickoff.opened",
        "created": message.created_at.isoformat().replace("+00:00", "Z"),
        "organisation": "acme",
        "data": {"session": "a1", "title": "Kick-off"},
    }
    assert request["headers"]["Snowball-Event"] == "kickoff.opened"
    # What a receiver does: recompute the HMAC of "t.body" and refuse old timestamps.
    parts = dict(p.split("=", 1) for p in request["headers"]["Snowball-Signature"].split(","))
    expected = hmac.new(
        endpoint.secret.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert abs(time.time() - int(parts["t"])) < 300


def test_webhook_gets_only_the_events_it_subscribed(org, admin, receiver) -> None:
    integrations.endpoint_create(
        by=admin, kind="webhook", name="IT", url=receiver.url(),
        events=[integrations.IMPORT_FINISHED],
    )  # fmt: skip
    assert integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT) == 0
    assert integrations.publish(org, integrations.IMPORT_FINISHED, CONTEXT) == 1
    deliver()
    assert [json.loads(r["body"])["event"] for r in receiver.requests] == ["import.finished"]


def test_team_channel_gets_its_team_and_the_organisation(org, admin, receiver) -> None:
    north, south = (
        Team.objects.create(organisation=org, name="North"),
        Team.objects.create(organisation=org, name="South"),
    )
    integrations.endpoint_create(by=admin, kind="slack", name="n", url=receiver.url("/n"),
                                 team=north)  # fmt: skip
    integrations.publish(org, integrations.WEEKLY_TEAM_SUMMARY, {**CONTEXT, "key": "s"}, team=south)
    integrations.publish(org, integrations.WEEKLY_TEAM_SUMMARY, {**CONTEXT, "key": "n"}, team=north)
    integrations.publish(org, integrations.ANNOUNCEMENT_PUBLISHED, {**CONTEXT, "key": "o"})
    deliver()
    assert sorted(OutboxMessage.objects.values_list("object_key", flat=True)) == ["n", "o"]
    assert len(receiver.requests) == 2


def test_publishing_the_same_object_twice_queues_it_once(org, admin, receiver) -> None:
    integrations.endpoint_create(by=admin, kind="teams", name="Wins", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    deliver()
    assert integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT) == 0
    assert deliver() == 0
    assert len(receiver.requests) == 1


# --- Retries, killed workers, dead endpoints ---------------------------------------------------
def test_retries_with_backoff_until_it_arrives(org, admin, receiver) -> None:
    integrations.endpoint_create(by=admin, kind="teams", name="Wins", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    receiver.codes = [500, 500]
    start = timezone.now()
    assert deliver(now=start) == 0
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED and message.last_error == "HTTP 500"
    assert message.next_attempt_at == start + timedelta(minutes=1)
    assert deliver(now=start + timedelta(seconds=59)) == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    assert deliver(now=start + timedelta(minutes=1)) == 0
    message.refresh_from_db()
    assert message.next_attempt_at == start + timedelta(minutes=1 + 5)
    assert deliver(now=start + timedelta(minutes=6)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.response_status) == ("sent", 3, 200)
    assert len(receiver.requests) == 3
    assert Endpoint.objects.get().failure_count == 0


def test_a_message_left_sending_by_a_killed_worker_is_sent_once_after_its_lease(
    org, admin, receiver
) -> None:
    integrations.endpoint_create(by=admin, kind="teams", name="Wins", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    claimed_at = timezone.now()
    # What a worker killed right after claiming leaves behind.
    OutboxMessage.objects.update(
        status=OutboxStatus.SENDING, attempts=1, lease_until=claimed_at + integrations.LEASE
    )
    assert deliver(now=claimed_at + integrations.LEASE - timedelta(seconds=1)) == 0
    assert receiver.requests == []  # the lease still holds: another worker may be sending it
    assert deliver(now=claimed_at + integrations.LEASE) == 1
    assert deliver(now=claimed_at + integrations.LEASE * 3) == 0
    assert len(receiver.requests) == 1
    assert OutboxMessage.objects.get().attempts == 2


def test_a_message_taken_over_by_another_worker_is_left_alone(org, admin, receiver) -> None:
    """A slow batch outlived its lease; another worker claimed the message meanwhile."""
    integrations.endpoint_create(by=admin, kind="teams", name="Wins", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    now = timezone.now()
    OutboxMessage.objects.update(status=OutboxStatus.SENDING, attempts=1, lease_until=now)
    stale = OutboxMessage.objects.get()  # what the slow worker read when it claimed
    OutboxMessage.objects.update(lease_until=now + integrations.LEASE)  # the other's claim
    assert integrations._deliver_one(stale, now) == 0
    assert receiver.requests == []


def test_a_dead_endpoint_is_flagged_and_the_admins_told_once(org, admin, receiver) -> None:
    other_admin = member(org, Role.ADMIN)
    seller = member(org, Role.SELLER)
    endpoint = integrations.endpoint_create(by=admin, kind="teams", name="Wins",
                                            url=receiver.url())  # fmt: skip
    for n in range(7):
        integrations.publish(org, integrations.KICKOFF_OPENED, {**CONTEXT, "key": f"k{n}"})
    receiver.codes = [500] * 7
    deliver()
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 7 and endpoint.flagged_at is not None
    told = Notification.objects.filter(kind="integration")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([admin.pk, other_admin.pk])
    assert not told.filter(recipient=seller).exists()
    assert "Wins" in told.first().message
    # The settings page shows it.
    page = _client(admin).get(reverse("programme-integrations", args=["acme"]))
    assert b'data-testid="flagged"' in page.content
    inbox = _client(admin).get(reverse("programme-notifications", args=["acme"]))
    assert inbox.status_code == 200 and "keeps failing" in inbox.content.decode()


def test_a_message_gives_up_after_the_last_backoff(org, admin, receiver) -> None:
    integrations.endpoint_create(by=admin, kind="teams", name="Wins", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    receiver.codes = [503] * 10
    moment = timezone.now()
    for _attempt in range(len(integrations.BACKOFF) + 1):
        deliver(now=moment)
        moment = OutboxMessage.objects.get().next_attempt_at
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 6)
    assert deliver(now=moment + timedelta(days=2)) == 0
    assert len(receiver.requests) == 6


def test_a_working_delivery_clears_the_flag(org, admin, receiver) -> None:
    endpoint = integrations.endpoint_create(by=admin, kind="teams", name="W", url=receiver.url())
    Endpoint.objects.filter(pk=endpoint.pk).update(failure_count=9, flagged_at=timezone.now())
    integrations.endpoint_test_send(by=admin, endpoint=endpoint)
    assert deliver() == 1
    endpoint.refresh_from_db()
    assert (endpoint.failure_count, endpoint.flagged_at) == (0, None)
    assert receiver.json()["attachments"][0]["content"]["body"][0]["text"] == (
        "Snowball test message"
    )


# --- Nothing to an address nobody configured -----------------------------------------------
def test_organisations_without_endpoints_send_nothing(org, other_org, admin, receiver) -> None:
    integrations.endpoint_create(by=admin, kind="teams", name="Wins", url=receiver.url())
    assert integrations.publish(other_org, integrations.KICKOFF_OPENED, CONTEXT) == 0
    assert deliver() == 0
    assert receiver.requests == []
    assert not OutboxMessage.objects.filter(organisation=other_org).exists()


def test_switched_off_endpoints_get_nothing(org, admin, receiver) -> None:
    endpoint = integrations.endpoint_create(by=admin, kind="teams", name="W", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert deliver() == 0
    assert receiver.requests == []


def test_redirects_are_not_followed(org, admin, receiver) -> None:
    integrations.endpoint_create(by=admin, kind="teams", name="W", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    receiver.codes = [302]
    deliver()
    assert len(receiver.requests) == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.FAILED


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.com/x", "Only https://"),
        ("https://127.0.0.1/x", "private network"),
        ("https://10.1.2.3/x", "private network"),
        ("https://169.254.169.254/latest/meta-data", "private network"),
        ("https://[::1]/x", "private network"),
        ("https://localhost/x", "private network"),
        ("https://user:pw@hooks.example.com/x", "user name or password"),
        ("file:///etc/passwd", "full web address"),
        ("not a url", "full web address"),
    ],
)
def test_production_refuses_private_and_plain_addresses(org, admin, settings, url, why) -> None:
    settings.INTEGRATIONS_ALLOW_LOCAL = False
    with pytest.raises(ValidationError) as refused:
        integrations.endpoint_create(by=admin, kind="teams", name="x", url=url)
    assert why in str(refused.value)
    assert not Endpoint.objects.exists()


def test_an_address_that_turned_private_is_not_posted_to(org, admin, receiver, settings) -> None:
    integrations.endpoint_create(by=admin, kind="teams", name="W", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    settings.INTEGRATIONS_ALLOW_LOCAL = False  # as in production: 127.0.0.1 is refused at send
    deliver()
    assert receiver.requests == []
    assert "private network" in OutboxMessage.objects.get().last_error or (
        "https" in OutboxMessage.objects.get().last_error
    )


# --- Who may manage them ------------------------------------------------------------------------
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_only_admins_manage_endpoints(org, role, receiver) -> None:
    someone = member(org, role)
    with pytest.raises(PermissionDenied):
        integrations.endpoint_create(by=someone, kind="teams", name="x", url=receiver.url())
    client = _client(someone)
    url = reverse("programme-integrations", args=["acme"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "teams", "url": receiver.url()}).status_code == 403
    for name in (
        "programme-integration-remove",
        "programme-integration-test",
        "programme-integration-switch",
    ):
        assert client.post(reverse(name, args=["acme"])).status_code == 403
    assert not Endpoint.objects.exists()


def test_admin_adds_tests_and_removes_a_webhook_from_the_page(org, admin, receiver) -> None:
    client = _client(admin)
    url = reverse("programme-integrations", args=["acme"])
    page = client.post(
        url, {"kind": "webhook", "name": "IT", "url": receiver.url(),
              "events": ["import.finished", "person.deactivated"]},
    )  # fmt: skip
    assert page.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in page.content.decode()  # shown once, in the answer to the POST
    assert endpoint.secret not in client.get(url).content.decode()  # and never again
    assert endpoint.events == ["import.finished", "person.deactivated"]
    response = client.post(
        reverse("programme-integration-test", args=["acme"]), {"endpoint": str(endpoint.code)}
    )
    assert response.status_code == 302
    deliver()
    assert json.loads(receiver.requests[0]["body"])["event"] == "test"
    log = client.get(f"{url}?log={endpoint.code}")
    assert b'data-testid="delivery-log"' in log.content
    client.post(reverse("programme-integration-remove", args=["acme"]),
                {"endpoint": str(endpoint.code)})  # fmt: skip
    assert not Endpoint.objects.exists()


def test_bad_input_gets_a_message_and_changes_nothing(org, admin, settings) -> None:
    settings.INTEGRATIONS_ALLOW_LOCAL = False
    client = _client(admin)
    url = reverse("programme-integrations", args=["acme"])
    page = client.post(url, {"kind": "webhook", "url": "https://10.0.0.1/x", "events": []})
    assert page.status_code == 400
    assert "private network" in page.content.decode()
    page = client.post(url, {"kind": "webhook", "url": "https://93.184.215.14/x"})
    assert page.status_code == 400
    assert "Choose at least one event" in page.content.decode()
    assert client.post(url, {"kind": "fax", "url": "x"}).status_code == 400
    assert client.get(f"{url}?log=not-a-code").status_code == 404
    assert not Endpoint.objects.exists()


def test_another_organisations_endpoint_is_out_of_reach(org, other_org, admin, receiver) -> None:
    theirs = integrations.endpoint_create(
        by=member(other_org, Role.ADMIN), kind="teams", name="Theirs", url=receiver.url()
    )
    client = _client(admin)
    url = reverse("programme-integrations", args=["acme"])
    assert client.get(f"{url}?log={theirs.code}").status_code == 404
    assert "Theirs" not in client.get(url).content.decode()
    client.post(reverse("programme-integration-test", args=["acme"]), {"endpoint": theirs.code})
    client.post(reverse("programme-integration-remove", args=["acme"]), {"endpoint": theirs.code})
    assert Endpoint.objects.filter(pk=theirs.pk).exists()
    assert not OutboxMessage.objects.exists()
    with pytest.raises(PermissionDenied):
        integrations.endpoint_remove(by=admin, endpoint=theirs)
    with pytest.raises(ValidationError):
        integrations.endpoint_create(
            by=admin, kind="slack", name="x", url=receiver.url(),
            team=Team.objects.create(organisation=other_org, name="Their team"),
        )  # fmt: skip


def test_the_page_runs_a_fixed_number_of_queries(org, admin, receiver, count_queries) -> None:
    client = _client(admin)
    url = reverse("programme-integrations", args=["acme"])
    endpoint = integrations.endpoint_create(by=admin, kind="teams", name="W", url=receiver.url())
    integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT)
    client.get(url)  # the session's first writes are not the page's
    few = count_queries(client.get, f"{url}?log={endpoint.code}")
    for n in range(60):
        integrations.publish(org, integrations.KICKOFF_OPENED, {**CONTEXT, "key": f"m{n}"})
    integrations.endpoint_create(by=admin, kind="slack", name="S", url=receiver.url())
    many = count_queries(client.get, f"{url}?log={endpoint.code}")
    assert many == few
    page = client.get(f"{url}?log={endpoint.code}").content
    assert page.count(b'data-testid="delivery"') == integrations.LOG_SIZE


def test_admins_find_the_page_in_their_navigation(org, admin) -> None:
    from programme.navigation import navigation_for

    def routes(membership):
        return {link.route for s in navigation_for(membership) for link in s.links}

    assert "programme-integrations" in routes(admin)
    assert "programme-integrations" not in routes(member(org, Role.CONSULTANT))


def _client(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


def test_kinds_are_the_three_documented() -> None:
    assert set(EndpointKind.values) == {"teams", "slack", "webhook"}


def test_admin_switches_an_endpoint_off_and_on(org, admin, receiver) -> None:
    endpoint = integrations.endpoint_create(by=admin, kind="teams", name="W", url=receiver.url())
    client = _client(admin)
    switch = reverse("programme-integration-switch", args=["acme"])
    client.post(switch, {"endpoint": str(endpoint.code), "active": "0"})
    assert integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT) == 0
    page = client.get(reverse("programme-integrations", args=["acme"]))
    assert "Switched off: nothing is sent" in page.content.decode()
    assert (
        client.post(switch, {"endpoint": str(endpoint.code), "active": "maybe"}).status_code == 302
    )
    client.post(switch, {"endpoint": str(endpoint.code), "active": "1"})
    assert integrations.publish(org, integrations.KICKOFF_OPENED, CONTEXT) == 1
    deliver()
    assert len(receiver.requests) == 1
