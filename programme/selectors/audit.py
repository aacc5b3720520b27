"""Reading the audit log (issue #18): newest first, filtered, paged by keyset so a page costs
the same one query on the first day and after years of entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from programme.models import AuditEntry, DeactivationSource, Organisation, Role

AUDIT_PAGE_SIZE = 50


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    # The cursor of the next (older) page, or "" on the last one.
    next_cursor: str


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def audit_cursor(entry: AuditEntry) -> str:
    """Where the next page starts: the last entry's time (whole microseconds: a float would
    round them) and id (entries share a time when a roster import writes many in one
    statement, so the id breaks ties)."""
    return f"{(entry.at - _EPOCH) // _MICROSECOND}_{entry.pk}"


def _parse_cursor(cursor: str) -> tuple[datetime, int] | None:
    """A cursor from the address bar: anything malformed means the first page, never an error."""
    stamp, _, pk = cursor.partition("_")
    try:
        return _EPOCH + int(stamp) * _MICROSECOND, int(pk)
    except (ValueError, OverflowError):
        return None


def _day_start(day: date) -> datetime:
    """Midnight of `day` in the reader's zone (the one the page shows times in)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def audit_entries_page(
    organisation: Organisation,
    *,
    action: str = "",
    person: str = "",
    since: date | None = None,
    until: date | None = None,
    cursor: str = "",
    size: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of the organisation's audit log, newest first, in one query whatever the log's
    size (served by audit_org_at_idx / audit_org_action_idx). `person` matches the e-mail of
    who acted or whom it was about; `since` / `until` are whole days in the reader's zone."""
    entries = AuditEntry.objects.filter(organisation=organisation)
    if action:
        entries = entries.filter(action=action)
    if person:
        entries = entries.filter(
            Q(actor_label__icontains=person) | Q(target_label__icontains=person)
        )
    if since is not None:
        entries = entries.filter(at__gte=_day_start(since))
    if until is not None:
        entries = entries.filter(at__lt=_day_start(until + timedelta(days=1)))
    start = _parse_cursor(cursor) if cursor else None
    if start is not None:
        at, pk = start
        entries = entries.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    rows = list(entries.order_by("-at", "-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return AuditPage(entries=rows, next_cursor=audit_cursor(rows[-1]) if more else "")


_DETAIL_LABELS = {
    # Translators: labels of an audit log entry's details ("Rows: 120").
    "file": pgettext_lazy("audit detail", "File"),
    "rows": pgettext_lazy("audit detail", "Rows"),
    "created": pgettext_lazy("audit detail", "New"),
    "updated": pgettext_lazy("audit detail", "Updated"),
    "unchanged": pgettext_lazy("audit detail", "Unchanged"),
    "deactivated": pgettext_lazy("audit detail", "Deactivated"),
    "reactivated": pgettext_lazy("audit detail", "Reactivated"),
    "source": pgettext_lazy("audit detail", "By way of"),
    "name": pgettext_lazy("audit detail", "Name"),
    "prefix": pgettext_lazy("audit detail", "Starts with"),
    "kind": pgettext_lazy("audit detail", "Kind"),
    "change": pgettext_lazy("audit detail", "Change"),
    "count": pgettext_lazy("audit detail", "Count"),
    "words": pgettext_lazy("audit detail", "Words"),
    "added": pgettext_lazy("audit detail", "Added"),
    "removed": pgettext_lazy("audit detail", "Removed"),
    "fields": pgettext_lazy("audit detail", "Fields"),
    "setting": pgettext_lazy("audit detail", "Setting"),
    "reference": pgettext_lazy("audit detail", "Reference"),
    "on_request": pgettext_lazy("audit detail", "On a written request"),
    "kept_contributions": pgettext_lazy("audit detail", "Contributions kept"),
    "events": pgettext_lazy("audit detail", "Events"),
}
# Words the services store in English, shown in the reader's language.
_DETAIL_WORDS = {
    "blocked words": pgettext_lazy("audit detail", "Blocked words"),
    "disclosure line": pgettext_lazy("audit detail", "Disclosure line"),
    "language": pgettext_lazy("audit detail", "Language"),
    "added": pgettext_lazy("audit detail", "added"),
    "removed": pgettext_lazy("audit detail", "removed"),
    "switched on": pgettext_lazy("audit detail", "switched on"),
    "switched off": pgettext_lazy("audit detail", "switched off"),
    "teams": pgettext_lazy("audit detail", "Microsoft Teams"),
    "slack": pgettext_lazy("audit detail", "Slack"),
    "webhook": pgettext_lazy("audit detail", "Signed webhook"),
}
_WORDED = {"setting", "fields", "change", "kind"}


def _detail_value(key: str, value: object) -> str:
    if key in ("from", "to") and value in Role.values:
        return str(Role(value).label)
    if key == "source" and value in DeactivationSource.values:
        return str(DeactivationSource(value).label)
    if key in _WORDED and isinstance(value, str) and value in _DETAIL_WORDS:
        return str(_DETAIL_WORDS[value])
    if key in _WORDED and isinstance(value, list):
        return ", ".join(str(_DETAIL_WORDS.get(item, item)) for item in value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def audit_detail_lines(entry: AuditEntry) -> list[tuple[str, str]]:
    """An entry's details as (label, value) pairs a person reads: "Seller → Manager" for a
    change, the counts of an import by name. Pure: no query."""
    details = dict(entry.details or {})
    lines: list[tuple[str, str]] = []
    if "from" in details or "to" in details:
        before, after = details.pop("from", ""), details.pop("to", "")
        lines.append(
            (
                str(_DETAIL_LABELS["change"]),
                f"{_detail_value('from', before) or '—'} → {_detail_value('to', after) or '—'}",
            )
        )
    # jsonb keeps keys in its own order: what the entry is about comes first.
    first = ("setting", "name", "file", "change", "kind")
    ordered = sorted(
        details.items(),
        key=lambda item: (item[0] not in first, first.index(item[0]) if item[0] in first else 0),
    )
    for key, value in ordered:
        label = _DETAIL_LABELS.get(key)
        lines.append((str(label) if label else key.replace("_", " "), _detail_value(key, value)))
    return lines


__all__ = [
    "AUDIT_PAGE_SIZE",
    "AuditPage",
    "audit_cursor",
    "audit_detail_lines",
    "audit_entries_page",
]
