"""What Snowball keeps about a person, app by app: the registry behind "My data".

`programme` imports none of the other apps, and no app writes another's tables; so each app
registers (from its AppConfig.ready) one `PrivacyProvider` that, for a membership, explains in
plain words what that app keeps about the person, exports it, and erases it through the app's
own code. `programme.services.privacy` asks every provider in turn; it never touches another
app's tables itself.

Erasure runs in the reverse order of registration (goals, metrics, showcase, kick-off, then
the programme core, which goes last because it deletes the membership, the profile and, when
the person belongs to no other organisation, the account everyone else points at).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from programme.models import Membership


@dataclass(frozen=True)
class DataGroup:
    """One kind of data kept about the person, with how much of it there is."""

    key: str
    label: object  # plain words: "Activity events"
    explanation: object  # why it is kept and what erasure does with it
    count: int


@dataclass
class ExportPart:
    """One app's share of a person's download: tables (rows of plain values, written as JSON
    and as CSV) and files (images they uploaded), each under a name inside the ZIP."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: list[tuple[str, FieldFile]] = field(default_factory=list)


@dataclass(frozen=True)
class Identity:
    """What identifies the person in free text other apps may have copied (a notification
    saying "Anna Andersen commented", a row of an import's messages): scrubbed on erasure."""

    email: str
    full_name: str
    linkedin_url: str

    def needles(self) -> list[str]:
        texts = [self.email, self.full_name, self.linkedin_url]
        if not self.full_name:
            # Snowball names someone without a name by their address's local part.
            texts.append(self.email.split("@")[0])
        return [text for text in texts if len(text) > 3]


Describe = Callable[["Membership"], list[DataGroup]]
Export = Callable[["Membership"], ExportPart]
# erase(membership, keep_contributions=bool, identity=Identity, files=list) -> {what: how many};
# it appends (storage, name) of files to delete to `files`: they go after the commit.
Erase = Callable[..., dict[str, int]]


@dataclass(frozen=True)
class PrivacyProvider:
    app: str
    label: object  # the heading of the app's groups on My data
    describe: Describe
    export: Export
    erase: Erase
    # What this app deliberately does not keep (anonymous concerns...), said on My data.
    not_kept: tuple[object, ...] = ()


_providers: list[PrivacyProvider] = []


def participant_ids(membership: Membership) -> list[int]:
    """The person's participant id, in a list: empty (matching nothing) for staff without a
    profile. Never a bare None, which would match every row without a participant (the rows of
    people already erased)."""
    from programme.models import Participant

    return list(Participant.objects.filter(membership=membership).values_list("pk", flat=True))


def register_privacy_provider(provider: PrivacyProvider) -> PrivacyProvider:
    if all(existing.app != provider.app for existing in _providers):
        _providers.append(provider)
    return provider


def providers() -> list[PrivacyProvider]:
    """In registration order (the programme core first): the order My data shows them."""
    return list(_providers)


def erasure_order() -> list[PrivacyProvider]:
    """Higher apps first; the programme core, which deletes the membership, last."""
    return list(reversed(_providers))


def plain(value: Any) -> Any:
    """A value as JSON and CSV take it: dates and times in ISO 8601, ids and amounts as text."""
    import datetime
    import decimal
    import uuid

    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def table(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    """Rows of `queryset` with `fields` (lookups allowed: "team__name"), as plain values."""
    return [{name: plain(value) for name, value in row.items()} for row in queryset.values(*fields)]


def mentions(value: Any, identity: Identity) -> bool:
    """Whether free text (or a JSON list/dict of it) mentions the person."""
    text = str(value).casefold()
    return any(needle.casefold() in text for needle in identity.needles())
