"""LinkedIn's Social Selling Index, as a CSV for many sellers: one snapshot per person per day."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext

from metrics.importers.common import import_people_csv, number_between
from metrics.ingest import Event, RowError, Summary, parse_date
from metrics.models import EventKind, EventSource
from programme.models import Organisation, Participant

PILLARS = ("establishbrand", "findpeople", "engageinsights", "buildrelationships")
SSI_COLUMNS = {"email", "date", "total", *PILLARS}


def ssi_event(participant: Participant, when: datetime, total: Decimal, pillars: dict) -> Event:
    """The day's snapshot: one per person per day, whoever enters it (file, form or demo)."""
    return Event(
        participant_id=participant.pk,
        kind=EventKind.SSI_SNAPSHOT,
        occurred_at=when,
        value=total,
        details={k: str(v) for k, v in pillars.items()},
        external_id=f"{participant.pk}:ssi:{when.date().isoformat()}",
    )


def _ssi_row(participant: Participant, row: dict[str, str], zone: tzinfo) -> Event:
    when = parse_date(row["date"], zone)
    pillars = {p: number_between(row[p], 25, p) for p in PILLARS}
    total = number_between(row["total"], 100, "total")
    if abs(total - sum(pillars.values())) > 1:
        raise RowError(gettext("the total is not the sum of the four pillars"))
    return ssi_event(participant, when, total, pillars)


def import_ssi_csv(
    *, organisation: Organisation, path: Path, filename: str, progress_key: str = ""
) -> Summary:
    return import_people_csv(
        organisation=organisation, path=path, filename=filename, progress_key=progress_key,
        source=EventSource.SSI, columns=SSI_COLUMNS, row_event=_ssi_row,
        feeds=[gettext("SSI snapshots (total and the four pillars)")],
    )  # fmt: skip
