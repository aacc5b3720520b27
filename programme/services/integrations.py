"""Integrations: Teams, Slack and signed webhooks, through one outbox.

Other apps call `publish(...)` where something worth telling happens. It writes one outbox row
per matching endpoint, set-based (one INSERT ... SELECT), inside the caller's transaction: the
rows exist exactly when the change they report was committed, and the sender is woken once it
is. `outbox_deliver` (Celery beat, every 30 s, and on commit) sends what is due.

Delivery semantics, precisely:
- A row is claimed (status "sending", a lease of LEASE seconds, attempts + 1) in its own
  transaction with SKIP LOCKED, and the lease is renewed by compare-and-set just before its
  POST, so at any moment at most one worker holds a message and no two workers send it at
  once.
- A row marked "sent" is never sent again; publishing the same object again queues nothing
  (unique endpoint + event + object).
- A worker killed after claiming leaves the row "sending"; it is not touched again until the
  lease has run out, then sent by the next run. If the worker died after the receiver got the
  request but before it was marked sent, the receiver sees it a second time: every request
  carries the same `Idempotency-Key` header (the row's key) so the receiver can drop it.
- A failure is retried after 1 min, 5 min, 25 min, 2 h and 12 h, then the message is "dead".
- Nothing is ever sent to an address an admin did not configure: only endpoints' URLs are
  posted to, redirects are not followed, and outside DEBUG/tests only https URLs whose host
  resolves to public addresses are accepted (checked when saved and again before each send).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme import policies
from programme.i18n import deferred
from programme.models import (
    AuditAction,
    EmailKind,
    Endpoint,
    EndpointKind,
    Membership,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Role,
    Team,
)

logger = logging.getLogger(__name__)

# --- Events ---------------------------------------------------------------------------------------
ANNOUNCEMENT_PUBLISHED = "announcement.published"
KICKOFF_OPENED = "kickoff.opened"
MILESTONE_CELEBRATED = "milestone.celebrated"
KEY_RESULT_UPDATED = "key_result.updated"
IMPORT_FINISHED = "import.finished"
PERSON_DEACTIVATED = "person.deactivated"
WEEKLY_TEAM_SUMMARY = "team.weekly_summary"
TEST = "test"

# What a Teams or Slack channel is told (people read it); webhooks choose among all events.
CHAT_EVENTS = frozenset(
    {ANNOUNCEMENT_PUBLISHED, KICKOFF_OPENED, MILESTONE_CELEBRATED, WEEKLY_TEAM_SUMMARY, TEST}
)
WEBHOOK_EVENTS = (
    MILESTONE_CELEBRATED,
    KEY_RESULT_UPDATED,
    IMPORT_FINISHED,
    PERSON_DEACTIVATED,
    ANNOUNCEMENT_PUBLISHED,
    KICKOFF_OPENED,
    WEEKLY_TEAM_SUMMARY,
)

# --- Delivery tuning ------------------------------------------------------------------------------
BACKOFF = (60, 5 * 60, 25 * 60, 2 * 3600, 12 * 3600)  # seconds after attempt 1, 2, ...
LEASE = timedelta(seconds=60)  # longer than a send can take (TIMEOUT), so a live worker keeps it
TIMEOUT = 10  # seconds for one POST
BATCH = 50
FLAG_AFTER = 5  # consecutive failed attempts before the admins are told
MAX_KEY_RESULT_EVENTS = 100  # per publish call: a rollup must not flood a receiver
SIGNATURE_HEADER = "Snowball-Signature"
LOG_SIZE = 50

__all__ = [
    "CHAT_EVENTS",
    "WEBHOOK_EVENTS",
    "endpoint_create",
    "endpoint_remove",
    "endpoint_switch",
    "endpoint_test_send",
    "outbox_deliver",
    "publish",
    "publish_many",
    "render_payload",
    "sign",
    "team_summaries_publish",
    "url_check",
]


def can_manage_integrations(membership: Membership) -> bool:
    """Integrations send the organisation's data out: its administrators decide where."""
    return policies.can_change_organisation_settings(membership)


def _require_admin(by: Membership, organisation_id: int) -> None:
    policies.require(
        can_manage_integrations(by), by, organisation_id, "Only admins manage integrations."
    )


# --- Addresses ------------------------------------------------------------------------------------
def _local_allowed() -> bool:
    """Tests and DEBUG may post to http://127.0.0.1 (a local receiver); production may not.
    INTEGRATIONS_ALLOW_LOCAL in settings overrides (tests set it with pytest's `settings`)."""
    return bool(getattr(settings, "INTEGRATIONS_ALLOW_LOCAL", settings.DEBUG))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_global and not ip.is_multicast


def url_check(url: str, *, resolve: bool = True) -> None:
    """Refuse (ValidationError) an address Snowball must not post to.

    Outside DEBUG and tests: https only, no credentials in the URL, and every address the host
    resolves to must be public (no 10.x, 127.x, 169.254.x — cloud metadata —, ::1, ...)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError(_("Enter a full web address, starting with https://."))
    if parts.username or parts.password:
        raise ValidationError(_("The address must not hold a user name or password."))
    if _local_allowed():
        return
    if parts.scheme != "https":
        raise ValidationError(_("Only https:// addresses are accepted."))
    host = parts.hostname
    try:
        addresses = {ipaddress.ip_address(host).compressed}
    except ValueError:
        if not resolve:
            return
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as error:
            raise ValidationError(_("This host name does not resolve.")) from error
        addresses = {info[4][0] for info in infos}
    if not addresses or not all(_public(address) for address in addresses):
        raise ValidationError(
            _("This address points into a private network; only public addresses are accepted.")
        )


# --- Endpoints (admins) ---------------------------------------------------------------------------
def endpoint_create(
    *,
    by: Membership,
    kind: str,
    name: str,
    url: str,
    team: Team | None = None,
    events: list[str] | None = None,
) -> Endpoint:
    """Connect a channel or register a webhook. A webhook gets a fresh signing secret, which
    the caller shows once."""
    _require_admin(by, by.organisation_id)
    if kind not in EndpointKind.values:
        raise ValidationError({"kind": _("Choose Teams, Slack or a signed webhook.")})
    if team is not None and team.organisation_id != by.organisation_id:
        raise ValidationError({"team": _("Choose one of your organisation's teams.")})
    if kind == EndpointKind.WEBHOOK and team is not None:
        raise ValidationError(
            {"team": _("A webhook belongs to the whole organisation, not a team.")}
        )
    url = url.strip()
    try:
        url_check(url)
    except ValidationError as refused:
        raise ValidationError({"url": refused.messages}) from refused
    chosen = sorted(set(events or []))
    if kind == EndpointKind.WEBHOOK:
        if not chosen:
            raise ValidationError({"events": _("Choose at least one event to send.")})
        if any(event not in WEBHOOK_EVENTS for event in chosen):
            raise ValidationError({"events": _("Choose among the events listed.")})
    else:
        chosen = []
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            organisation_id=by.organisation_id,
            team=team,
            kind=kind,
            name=name.strip()[:80] or str(EndpointKind(kind).label),
            url=url,
            secret=secrets.token_hex(32) if kind == EndpointKind.WEBHOOK else "",
            events=chosen,
            created_by=by,
        )
        _endpoint_audit(by, endpoint, "added", events=chosen)
    return endpoint


def _endpoint_audit(by: Membership, endpoint: Endpoint, change: str, **more: object) -> None:
    """The audit log (#18): which endpoint and what happened to it; never its address (a
    Teams or Slack URL is a secret) nor its signing secret."""
    from programme.services.audit import audit_record

    audit_record(
        organisation=endpoint.organisation_id, action=AuditAction.INTEGRATION_CHANGED, actor=by,
        details={"name": endpoint.name, "kind": endpoint.kind, "change": change, **more},
    )  # fmt: skip


def endpoint_remove(*, by: Membership, endpoint: Endpoint) -> None:
    """Disconnect: the endpoint and its delivery log go; nothing queued for it is sent."""
    policies.require(
        can_manage_integrations(by),
        by,
        endpoint.organisation_id,
        "Only admins manage integrations.",
    )
    with transaction.atomic():
        deleted, _by_kind = Endpoint.objects.filter(
            pk=endpoint.pk, organisation_id=by.organisation_id
        ).delete()
        if deleted:
            _endpoint_audit(by, endpoint, "removed")


def endpoint_switch(*, by: Membership, endpoint: Endpoint, active: bool) -> None:
    """Switch an endpoint off (nothing is sent to it; its queue waits) or back on."""
    _require_admin(by, endpoint.organisation_id)
    with transaction.atomic():
        switched = (
            Endpoint.objects.filter(pk=endpoint.pk, organisation_id=by.organisation_id)
            .exclude(active=active)
            .update(active=active, updated_at=timezone.now())
        )
        if switched:
            _endpoint_audit(by, endpoint, "switched on" if active else "switched off")


def endpoint_test_send(*, by: Membership, endpoint: Endpoint) -> OutboxMessage:
    """Queue a test message for this endpoint alone (and wake the sender)."""
    policies.require(
        can_manage_integrations(by),
        by,
        endpoint.organisation_id,
        "Only admins manage integrations.",
    )
    if not endpoint.active:
        raise ValidationError(_("This endpoint is switched off; nothing is sent to it."))
    now = timezone.now()
    context = {
        "key": f"test-{now.isoformat()}",
        "title": _("Snowball test message"),
        "text": _("%(name)s connected this channel to Snowball.")
        % {"name": by.user.get_full_name() or by.user.email},
        "url": reverse("programme-integrations", kwargs={"org": endpoint.organisation.slug}),
        "data": {"test": True},
    }
    with transaction.atomic():
        message = OutboxMessage.objects.create(
            organisation_id=endpoint.organisation_id,
            endpoint=endpoint,
            event=TEST,
            object_key=context["key"][:100],
            payload=render_payload(endpoint.kind, TEST, context, endpoint.organisation, now),
            next_attempt_at=now,
            created_at=now,
        )
        _wake()
    return message


# --- Publishing -----------------------------------------------------------------------------------
def publish(
    organisation: Organisation,
    event: str,
    context: dict,
    team: Team | int | None = None,
    *,
    team_only: bool = False,
) -> int:
    """Queue `event` for every active endpoint of `organisation` that takes it.

    `context`: "key" (what the event is about, unique per event: a code, a week), "title",
    "text" (what a channel shows), "url" (a path in Snowball) and "data" (the webhook's JSON).
    Chat channels of a team get the organisation's events and their own team's; events of a
    team (`team`) go to that team's channels and the organisation-wide ones, or, `team_only`
    (a celebration the person wants kept within their team), to that team's channels and the
    webhooks only. Returns how many
    rows were queued. Organisations without endpoints cost one cheap query."""
    return publish_many(organisation, event, [context], team=team, team_only=team_only)


def publish_many(
    organisation: Organisation,
    event: str,
    contexts: list[dict],
    team: Team | int | None = None,
    *,
    team_only: bool = False,
) -> int:
    """`publish` for several objects of one event at once (key results refreshed by a
    rollup): one INSERT per call, capped at MAX_KEY_RESULT_EVENTS objects."""
    contexts = contexts[:MAX_KEY_RESULT_EVENTS]
    if not contexts:
        return 0
    team_id = team.pk if isinstance(team, Team) else team
    endpoints = Endpoint.objects.filter(organisation_id=organisation.pk, active=True)
    if team_id is not None:
        endpoints = endpoints.filter(Q(team__isnull=True) | Q(team_id=team_id))
    if team_only:
        in_team = Q(team_id=team_id) if team_id is not None else Q(pk__in=[])
        endpoints = endpoints.filter(Q(kind=EndpointKind.WEBHOOK) | in_team)
    takes = Q(kind=EndpointKind.WEBHOOK, events__contains=[event])
    if event in CHAT_EVENTS:
        takes |= Q(kind__in=[EndpointKind.TEAMS, EndpointKind.SLACK])
    kinds = set(endpoints.filter(takes).values_list("kind", flat=True))
    if not kinds:
        return 0
    now = timezone.now()
    ids_sql, ids_params = endpoints.filter(takes).values("pk", "kind").query.sql_with_params()
    rows_sql, rows_params = [], []
    for context in contexts:
        rendered = {kind: render_payload(kind, event, context, organisation, now) for kind in kinds}
        cases = " ".join("WHEN e.kind = %s THEN %s::jsonb" for _ in rendered)
        rows_sql.append(
            f"SELECT e.id, %s, CASE {cases} END FROM ({ids_sql}) AS e (id, kind)"  # noqa: S608 - Django's SQL, bound parameters
        )
        rows_params += [str(context["key"])[:100]]
        for kind, payload in rendered.items():
            rows_params += [kind, json.dumps(payload)]
        rows_params += ids_params
    table = OutboxMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (key, organisation_id, endpoint_id, event, object_key,
                                     payload, status, attempts, next_attempt_at, last_error,
                                     created_at)
                SELECT gen_random_uuid(), %s, chosen.id, %s, chosen.object_key, chosen.payload,
                       %s, 0, %s, '', %s
                FROM ({" UNION ALL ".join(rows_sql)}) AS chosen (id, object_key, payload)
                ON CONFLICT ON CONSTRAINT outbox_once_per_object DO NOTHING""",  # noqa: S608
            [organisation.pk, event, OutboxStatus.QUEUED, now, now, *rows_params],
        )
        queued = cursor.rowcount
    if queued:
        _wake()
    return queued


def _wake() -> None:
    """Send soon after the commit. If the broker is unreachable, the caller's change stands
    and beat's run (every 30 s) sends the rows instead."""
    from programme import tasks

    def enqueue() -> None:
        try:
            tasks.outbox_deliver.delay()
        except Exception:  # the rows are safe in the database
            logger.warning("outbox: the sender could not be woken; beat will send")

    transaction.on_commit(enqueue)


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def render_payload(kind: str, event: str, context: dict, organisation: Organisation, now: datetime):
    """The body for one kind of endpoint: an Adaptive Card for Teams, Block Kit for Slack, a
    plain JSON event for webhooks."""
    title, text = str(context.get("title", "")), str(context.get("text", ""))
    link = _absolute(str(context.get("url", "")))
    if kind == EndpointKind.TEAMS:
        body = [
            {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium",
             "wrap": True},
            {"type": "TextBlock", "text": text, "wrap": True},
        ]  # fmt: skip
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
        }
        if link:
            card["actions"] = [
                {"type": "Action.OpenUrl", "title": _("Open in Snowball"), "url": link}
            ]
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }
    if kind == EndpointKind.SLACK:
        blocks = [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(text)[:3000]}},
        ]
        if link:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": _("Open in Snowball")},
                            "url": link,
                        }
                    ],
                }
            )
        return {"text": f"{title}: {text}", "blocks": blocks}
    return {
        "event": event,
        "created": now.isoformat().replace("+00:00", "Z"),
        "organisation": organisation.slug,
        "data": context.get("data", {}),
    }


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn reads <...> as links and mentions: people's words must not ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Snowball-Signature` header: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- Delivery -------------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would take the body to an address nobody configured: refuse it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"redirect refused ({code})", headers, fp)


_opener = urllib.request.build_opener(_NoRedirect)


def _post(message: OutboxMessage) -> int:
    """POST the message; its HTTP status, or an exception saying why it failed."""
    endpoint = message.endpoint
    url_check(endpoint.url)  # again: DNS may have changed since the address was saved
    payload = message.payload
    if endpoint.kind == EndpointKind.WEBHOOK:
        payload = {"id": str(message.key), **payload}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Snowball-Webhooks/1",
        "Idempotency-Key": str(message.key),
    }
    if endpoint.kind == EndpointKind.WEBHOOK:
        headers["Snowball-Event"] = message.event
        headers[SIGNATURE_HEADER] = sign(endpoint.secret, int(time.time()), body)
    # url_check above allows http(s) only (never file: or ftp:).
    request = urllib.request.Request(  # noqa: S310
        endpoint.url, data=body, headers=headers, method="POST"
    )
    with _opener.open(request, timeout=TIMEOUT) as response:
        return response.status


def _due(now: datetime) -> Q:
    return Q(status__in=[OutboxStatus.QUEUED, OutboxStatus.FAILED], next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, lease_until__lte=now
    )


def outbox_deliver(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send what is due, a batch at a time; returns how many were delivered."""
    delivered = 0
    handled = 0
    while handled < limit:
        moment = now or timezone.now()
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.filter(_due(moment), endpoint__active=True)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not batch:
                break
            OutboxMessage.objects.filter(pk__in=batch).update(
                status=OutboxStatus.SENDING,
                lease_until=moment + LEASE,
                attempts=F("attempts") + 1,
            )
        handled += len(batch)
        for message in OutboxMessage.objects.filter(pk__in=batch).select_related(
            "endpoint__organisation"
        ):
            delivered += _deliver_one(message, now)
    return delivered


def _deliver_one(message: OutboxMessage, now: datetime | None) -> int:
    # The batch's lease may have run out while earlier messages were sent (slow receivers):
    # renew it by compare-and-set on the lease this worker holds. If another worker has taken
    # the message over since, the lease differs and this one leaves it alone.
    lease = (now or timezone.now()) + LEASE
    if not OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, lease_until=message.lease_until
    ).update(lease_until=lease):
        return 0
    try:
        status = _post(message)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except urllib.error.HTTPError as failure:
        status, error = failure.code, f"HTTP {failure.code}"
    except ValidationError as refused:
        status, error = None, "; ".join(refused.messages)
    except Exception as failure:
        status, error = None, type(failure).__name__ + (f": {failure}" if str(failure) else "")
    moment = now or timezone.now()
    mine = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, lease_until=lease
    )
    if not error:
        mine.update(
            status=OutboxStatus.SENT, sent_at=moment, lease_until=None,
            response_status=status, last_error="",
        )  # fmt: skip
        Endpoint.objects.filter(pk=message.endpoint_id).update(failure_count=0, flagged_at=None)
        return 1
    logger.warning("outbox %s to endpoint %s failed: %s", message.pk, message.endpoint_id, error)
    attempts = message.attempts
    if attempts > len(BACKOFF):
        mine.update(
            status=OutboxStatus.DEAD, lease_until=None, response_status=status,
            last_error=error[:300],
        )  # fmt: skip
    else:
        mine.update(
            status=OutboxStatus.FAILED, lease_until=None, response_status=status,
            last_error=error[:300],
            next_attempt_at=moment + timedelta(seconds=BACKOFF[attempts - 1]),
        )  # fmt: skip
    _endpoint_failed(message.endpoint, moment)
    return 0


def _endpoint_failed(endpoint: Endpoint, now: datetime) -> None:
    """Count a failure; at FLAG_AFTER in a row, flag the endpoint and tell the admins, once
    (compare-and-set on flagged_at)."""
    Endpoint.objects.filter(pk=endpoint.pk).update(failure_count=F("failure_count") + 1)
    flagged = Endpoint.objects.filter(
        pk=endpoint.pk, flagged_at__isnull=True, failure_count__gte=FLAG_AFTER
    ).update(flagged_at=now)
    if not flagged:
        return
    from programme.services.notifications import notify_members

    # Translators: an in-app notification to the organisation's admins.
    text, params = deferred.ngettext(
        "Integration “%(name)s” keeps failing: %(count)d delivery in a row did not arrive.",
        "Integration “%(name)s” keeps failing: %(count)d deliveries in a row did not arrive.",
        FLAG_AFTER,
    )
    notify_members(
        organisation_id=endpoint.organisation_id,
        recipients=Membership.objects.active().filter(
            organisation_id=endpoint.organisation_id, role=Role.ADMIN
        ),
        kind=EmailKind.INTEGRATION,
        text=text,
        params={**params, "name": endpoint.name},
        url=reverse("programme-integrations", kwargs={"org": endpoint.organisation.slug}),
    )


# --- The programme core's own events ------------------------------------------------------------
def announcement_published(announcement, *, publisher: Membership) -> int:
    """A sponsor's announcement to the whole organisation goes to its channels and webhooks.
    One to some waves or teams does not: an organisation-wide channel would reach others."""
    from programme.models import Audience

    if announcement.audience != Audience.ORGANISATION:
        return 0
    organisation = announcement.organisation
    name = publisher.user.get_full_name() or publisher.user.email
    url = reverse(
        "programme-announcement-detail",
        kwargs={"org": organisation.slug, "code": announcement.code},
    )
    return publish(
        organisation,
        ANNOUNCEMENT_PUBLISHED,
        {
            "key": str(announcement.code),
            "title": announcement.title,
            # Translators: what a Teams or Slack channel shows of a published announcement: the
            # sponsor's name, then the start of the announcement's text.
            "text": _("From %(name)s: %(text)s") % {"name": name, "text": announcement.body[:500]},
            "url": url,
            "data": {
                "announcement": str(announcement.code),
                "title": announcement.title,
                "url": _absolute(url),
            },
        },
    )


def person_deactivated(membership: Membership, *, identity=None) -> int:
    """A person left the organisation (their membership removed): webhooks get their opaque
    membership code only, never a name or e-mail (the person may have asked to be erased).

    With `identity` (an erasure), messages naming the person are scrubbed first: those not
    sent yet are dropped, so the name never leaves; the log of those sent keeps the event and
    its status, not the body."""
    if identity is not None:
        names = Q(pk__in=[])
        for needle in identity.needles():
            names |= Q(payload__icontains=needle)
        naming = OutboxMessage.objects.filter(names, organisation_id=membership.organisation_id)
        naming.exclude(status=OutboxStatus.SENT).delete()
        naming.update(payload={})
    return publish(
        membership.organisation,
        PERSON_DEACTIVATED,
        {"key": str(membership.code), "data": {"membership": str(membership.code)}},
    )


def team_summaries_publish(organisation: Organisation, week, rows: list[dict]) -> int:
    """Each team's week, to its channels (and the organisation's): `rows` are the metrics
    app's team rollups for `week` (group_id = the team; participants, active, regular,
    receiving, with_meeting). Queued once per team and week, however often it is called."""
    if not rows or not Endpoint.objects.filter(organisation=organisation, active=True).exists():
        return 0
    names = dict(
        Team.objects.filter(
            organisation=organisation, pk__in=[r["group_id"] for r in rows]
        ).values_list("pk", "name")
    )
    url = reverse("programme-team-list", kwargs={"org": organisation.slug})
    queued = 0
    for row in rows:
        name = names.get(row["group_id"])
        if name is None or not row.get("participants"):
            continue
        figures = {k: row.get(k, 0) for k in ("participants", "active", "regular", "receiving",
                                               "with_meeting")}  # fmt: skip
        queued += publish(
            organisation,
            WEEKLY_TEAM_SUMMARY,
            {
                "key": f"{row['group_id']}:{week.isoformat()}",
                # Translators: a team's weekly summary heading; the week is its Monday (ISO date).
                "title": _("%(team)s: the week of %(week)s") % {"team": name, "week": week},
                # Translators: a team's week in a Teams or Slack channel. "Regular" is the
                # indicator (active week after week); "interactions" are views, comments and
                # messages on their posts.
                "text": ngettext(
                    "%(active)d of %(participants)d person active, %(regular)d regular, "
                    "%(receiving)d receiving interactions, %(with_meeting)d with a meeting "
                    "booked through LinkedIn.",
                    "%(active)d of %(participants)d people active, %(regular)d regular, "
                    "%(receiving)d receiving interactions, %(with_meeting)d with a meeting "
                    "booked through LinkedIn.",
                    figures["participants"],
                )
                % figures,
                "url": url,
                "data": {"team": name, "week": week.isoformat(), **figures},
            },
            team=row["group_id"],
        )
    return queued
