"""What the importers share: the end of an import (all or nothing), bounded numbers, and the one
skeleton of the CSVs that hold rows for many people (SSI, CRM)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import closing
from datetime import tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext

from metrics import selectors
from metrics.ingest import CsvRows, Event, EventWriter, RowError, Summary
from programme.models import Organisation, Participant


def finish(summary: Summary, writer: EventWriter) -> bool:
    """End of an import inside its transaction: all rows valid, or nothing written at all."""
    writer.close()  # a batch still being written in the background is in, or has failed
    if summary.errors:
        transaction.set_rollback(True)
        summary.created = summary.duplicates = 0
        return False
    writer.flush()
    return True


def number_between(value: str, maximum: int, what: str) -> Decimal:
    """A decimal from 0 to `maximum` (a decimal comma is read as a point)."""
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise RowError(
            # Translators: column is a column name of the uploaded file (stays English).
            gettext("%(column)s '%(value)s' is not a number") % {"column": what, "value": value}
        ) from None
    if not 0 <= number <= maximum:
        raise RowError(
            gettext("%(column)s must be between 0 and %(maximum)s")
            % {"column": what, "maximum": maximum}
        )
    return number


# Turns one valid row of a person (found by the row's e-mail) into its event, or raises
# RowError saying what is wrong with the row; a date without a zone is read in the given one
# (the organisation's).
RowEvent = Callable[[Participant, dict[str, str], tzinfo], Event]


def import_people_csv(
    *, organisation: Organisation, path: Path, filename: str, progress_key: str, source: str,
    columns: set[str], row_event: RowEvent, feeds: Iterable[str],
) -> Summary:  # fmt: skip
    """A CSV with rows for many people of the organisation, each found by the row's `email`
    column (comma or semicolon separated): every row is checked, and one invalid row writes
    nothing at all."""
    summary = Summary()
    people = selectors.participants_by_email(organisation)
    writer = EventWriter(
        organisation=organisation, source=source, summary=summary, progress_key=progress_key,
        background=True,
    )  # fmt: skip
    with open(path, "rb") as handle, transaction.atomic(), closing(writer):
        for line, row in CsvRows(handle, filename, columns, delimiters=",;"):
            summary.rows_read += 1
            try:
                participant = people.get(row["email"].strip().lower())
                if participant is None:
                    raise RowError(
                        gettext("nobody in this organisation has the e-mail '%(email)s'")
                        % {"email": row["email"].strip()}
                    )
                event = row_event(participant, row, writer.tz)
            except RowError as exc:
                summary.error(filename, line, str(exc))
                continue
            writer.add(event)
        if not finish(summary, writer):
            return summary
    summary.feeds = list(feeds)
    return summary
