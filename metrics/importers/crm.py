"""CRM outcomes, as a CSV for many sellers: meetings, opportunities and deals, and whether each
came through LinkedIn (the snowball counts those)."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from django.utils.translation import gettext

from metrics.importers.common import import_people_csv, number_between
from metrics.ingest import Event, RowError, Summary, header_key, parse_date, stable_id
from metrics.models import EventKind, EventSource
from programme.models import Organisation, Participant

CRM_COLUMNS = {"email", "date", "kind", "amount", "crmid", "camethroughlinkedin"}
CRM_KINDS = {
    "meeting": EventKind.MEETING_BOOKED,
    "meetingbooked": EventKind.MEETING_BOOKED,
    "opportunity": EventKind.OPPORTUNITY_CREATED,
    "opportunitycreated": EventKind.OPPORTUNITY_CREATED,
    "deal": EventKind.DEAL_WON,
    "dealwon": EventKind.DEAL_WON,
    "won": EventKind.DEAL_WON,
    "closedwon": EventKind.DEAL_WON,
}
YES = {"yes", "y", "true", "1", "oui", "ja", "si", "x"}
NO = {"no", "n", "false", "0", "non", "nein", ""}


def _crm_row(participant: Participant, row: dict[str, str], zone: tzinfo) -> Event:
    when = parse_date(row["date"], zone)
    kind = CRM_KINDS.get(header_key(row["kind"]))
    if kind is None:
        raise RowError(
            # Translators: meeting, opportunity and deal are values of the file: keep them.
            gettext("unknown kind '%(value)s' (use meeting, opportunity or deal)")
            % {"value": row["kind"].strip()}
        )
    amount = None
    if row["amount"].strip():
        amount = number_between(row["amount"].replace(" ", "").replace(",", ""), 10**11, "amount")
    linkedin = row["camethroughlinkedin"].strip().lower()
    if linkedin not in YES | NO:
        raise RowError(
            # Translators: the column name, yes and no are values of the file: keep them.
            gettext("'came through LinkedIn' must be yes or no, not '%(value)s'")
            % {"value": linkedin}
        )
    crm_id = row["crmid"].strip() or stable_id(row["email"], row["date"], row["kind"])
    return Event(
        participant_id=participant.pk, kind=kind, occurred_at=when, value=amount,
        via_linkedin=linkedin in YES, external_id=f"{kind}:{crm_id}",
    )  # fmt: skip


def import_crm_csv(
    *, organisation: Organisation, path: Path, filename: str, progress_key: str = ""
) -> Summary:
    return import_people_csv(
        organisation=organisation, path=path, filename=filename, progress_key=progress_key,
        source=EventSource.CRM, columns=CRM_COLUMNS, row_event=_crm_row,
        feeds=[gettext("CRM outcomes: meetings, opportunities, deals (the snowball counts "
                       "those via LinkedIn)")],
    )  # fmt: skip
