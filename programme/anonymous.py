"""The anonymous inbox: anonymous concerns, questions and problems are not written by the
request that sends them. They wait in Redis and a timer task writes them in batches, shuffled,
in one transaction (`anonymous_flush`, every BATCH_SECONDS from beat).

Why: PostgreSQL stamps every row with the id of the transaction that wrote it (the hidden
`xmin` column), and those ids are handed out in order. A row written by the sender's own request
sits right next to the rows their sign-in wrote (the session row, which decodes to the user), so
anyone who can read the database could link an "anonymous" concern to its author. Written by
the timer, every anonymous row of a batch carries the same transaction id, that of a task no
person started, and the rows of a batch are in random order; the sending request itself writes
nothing to the database at all.

Each item gets its code (the row's unique key) when it is queued, so the sender's browser can
show "yours, being added" and a repeated flush writes nothing twice. Apps register a writer per
kind (`register_anonymous_writer`); a writer inserts the items of its kind with
ON CONFLICT DO NOTHING and drops those whose parent (session, announcement, programme) is gone.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache as memoise
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

BATCH_SECONDS = 20  # beat's interval (config/celery_app.py); pages say "within half a minute"
Writer = Callable[[list[dict[str, Any]]], None]
_writers: dict[str, Writer] = {}
_shuffle = random.SystemRandom().shuffle


def register_anonymous_writer(kind: str, writer: Writer) -> None:
    _writers[kind] = writer


@memoise
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _keys() -> tuple[str, str, str]:
    inbox = cache.make_key("anonymous-inbox")
    return inbox, f"{inbox}:claims", f"{inbox}:lock"


def anonymous_enqueue(kind: str, fields: dict[str, Any]) -> uuid.UUID:
    """Queue one anonymous item (JSON-able fields, no author) and return the code its row will
    have."""
    if kind not in _writers:
        raise LookupError(f"No writer for anonymous {kind!r} items.")
    code = uuid.uuid4()
    inbox, _, _ = _keys()
    _client().rpush(inbox, json.dumps({"kind": kind, "code": str(code), **fields}))
    return code


def _claimed_lists(client: redis.Redis, claims: str) -> list[str]:
    return sorted(key.decode() for key in client.smembers(claims))


def anonymous_pending(kind: str, codes: Iterable[str]) -> list[dict[str, Any]]:
    """The queued items of this kind among `codes` (the sender's own, from their browser)."""
    wanted = set(codes)
    if not wanted:
        return []
    client = _client()
    inbox, claims, _ = _keys()
    found = []
    for key in [inbox, *_claimed_lists(client, claims)]:
        for raw in client.lrange(key, 0, -1):
            item = json.loads(raw)
            if item["kind"] == kind and item["code"] in wanted:
                found.append(item)
    return found


def write_items(
    items: list[dict[str, Any]],
    *,
    model: type,
    parent: type,
    parent_key: str,
    build: Callable[[dict[str, Any], int], Any],
) -> None:
    """What every writer does: insert a row per item whose parent (`parent` row whose id is
    `item[parent_key]`) still exists, `build(item, organisation_id)` making it, ON CONFLICT DO
    NOTHING (a repeated flush writes nothing twice)."""
    organisations = dict(
        parent.objects.filter(pk__in={item[parent_key] for item in items}).values_list(
            "pk", "organisation_id"
        )
    )
    model.objects.bulk_create(
        [build(item, organisations[item[parent_key]]) for item in items
         if item[parent_key] in organisations],
        ignore_conflicts=True,
    )  # fmt: skip


def anonymous_flush() -> int:
    """Write everything queued, shuffled, in one transaction; returns how many items it handled.

    The inbox is renamed to a claim list first (atomic: an item queued meanwhile goes to a new
    inbox), and a claim list is deleted only once its rows are committed: a crash or a rolled-back
    caller leaves it to the next flush, which writes nothing twice (the codes are unique keys).
    Called by beat, and by whatever must see the queue written first (closing a kick-off)."""
    client = _client()
    inbox, claims, lock_key = _keys()
    lock = client.lock(lock_key, timeout=300, blocking_timeout=10)
    if not lock.acquire():
        return 0  # another flush is writing; it or the next one takes these
    try:
        claimed = f"{inbox}:claimed:{uuid.uuid4().hex}"
        try:
            client.rename(inbox, claimed)
        except redis.ResponseError:
            pass  # nothing new queued
        else:
            client.sadd(claims, claimed)
        keys = _claimed_lists(client, claims)
        if not keys:
            return 0
        items = [json.loads(raw) for key in keys for raw in client.lrange(key, 0, -1)]
        _shuffle(items)
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            by_kind[item.pop("kind")].append(item)
        kinds = list(by_kind)
        _shuffle(kinds)
        with transaction.atomic():
            for kind in kinds:
                _writers[kind](by_kind[kind])

        def forget() -> None:
            client.delete(*keys)
            client.srem(claims, *keys)

        transaction.on_commit(forget)
        return len(items)
    finally:
        lock.release()
