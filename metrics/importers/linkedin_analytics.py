"""LinkedIn content analytics (the XLSX a member downloads): impressions and engagements per day,
the interactions a seller received."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext

from metrics.importers.common import finish
from metrics.ingest import Event, EventWriter, ImportRefused, RowError, Summary, parse_date
from metrics.models import EventKind, EventSource
from programme.models import Organisation, Participant


def import_linkedin_analytics(
    *, organisation: Organisation, participant: Participant, path: Path, filename: str,
    progress_key: str = "",
) -> Summary:  # fmt: skip
    """The ENGAGEMENT sheet: impressions and engagements per day (interactions received)."""
    # Opened as a file: openpyxl refuses a path without an .xlsx suffix, and stored uploads
    # have none.
    with open(path, "rb") as handle:
        return _import(
            organisation=organisation, participant=participant, handle=handle,
            filename=filename, progress_key=progress_key,
        )  # fmt: skip


def _import(
    *, organisation: Organisation, participant: Participant, handle: BinaryIO, filename: str,
    progress_key: str,
) -> Summary:  # fmt: skip
    import openpyxl

    summary = Summary()
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception:
        raise ImportRefused(
            [
                (
                    filename,
                    None,
                    gettext("not an Excel workbook: upload the .xlsx LinkedIn gives you"),
                )
            ]
        ) from None
    sheet = next(
        (ws for ws in workbook.worksheets if ws.title.strip().upper() == "ENGAGEMENT"), None
    )
    if sheet is None:
        raise ImportRefused(
            [
                (
                    filename,
                    None,
                    # Translators: ENGAGEMENT is the sheet's name in LinkedIn's file: keep it.
                    gettext("no ENGAGEMENT sheet: is this the content analytics export?"),
                )
            ]
        )
    # A later export restates past days' counts (LinkedIn keeps counting engagements on older
    # posts): its numbers replace the stored ones.
    writer = EventWriter(
        organisation=organisation, source=EventSource.LINKEDIN_ANALYTICS, summary=summary,
        progress_key=progress_key, restate=True,
    )  # fmt: skip
    columns: dict[str, int] = {}
    seen: dict[str, int] = {}  # day -> the line that gave it
    with transaction.atomic():
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if cell is None else cell for cell in row]
            if not columns:
                keys = [str(cell).strip().lower() for cell in cells]
                if {"date", "impressions", "engagements"} <= set(keys):
                    columns = {key: i for i, key in enumerate(keys)}
                continue
            if not any(str(cell).strip() for cell in cells):
                continue
            summary.rows_read += 1
            try:
                raw_date = cells[columns["date"]]
                # A day without a time: that day in the organisation's zone.
                when = parse_date(
                    raw_date.strftime("%Y-%m-%d")
                    if hasattr(raw_date, "strftime")
                    else str(raw_date),
                    writer.tz,
                )
                impressions = _count(cells[columns["impressions"]])
                engagements = _count(cells[columns["engagements"]])
            except RowError as exc:
                summary.error(filename, number, str(exc))
                continue
            day = when.date().isoformat()
            if day in seen:
                summary.error(
                    filename,
                    number,
                    gettext("the day %(day)s is already on line %(line)s")
                    % {"day": day, "line": seen[day]},
                )
                continue
            seen[day] = number
            for kind, quantity in (
                (EventKind.POST_IMPRESSIONS, impressions),
                (EventKind.REACTIONS_RECEIVED, engagements),
            ):
                writer.add(
                    Event(
                        participant_id=participant.pk, kind=kind, occurred_at=when,
                        quantity=quantity, external_id=f"{participant.pk}:{kind}:{day}",
                        details=ENGAGEMENTS if kind == EventKind.REACTIONS_RECEIVED else {},
                    )
                )  # fmt: skip
        workbook.close()
        if not columns:
            raise ImportRefused(
                [
                    (
                        filename,
                        None,
                        gettext(
                            # Translators: the sheet and column names are LinkedIn's: keep them.
                            "the ENGAGEMENT sheet has no Date / Impressions / Engagements header"
                        ),
                    )
                ]
            )
        if not finish(summary, writer):
            return summary
    summary.feeds = [
        gettext(
            "ENGAGEMENT sheet: impressions and engagements per day (interactions received; "
            "engagements are counted as reactions received; each day is the organisation's; a "
            "later export's counts for the same days replace the earlier ones)"
        )
    ]
    return summary


ENGAGEMENTS = {"from": "engagements"}


def _count(value: object) -> int:
    try:
        number = int(float(str(value).replace(",", "").strip() or 0))
    except ValueError:
        raise RowError(gettext("'%(value)s' is not a number") % {"value": value}) from None
    if number < 0:
        raise RowError(gettext("a count cannot be negative"))
    return number
