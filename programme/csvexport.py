"""CSV downloads of dashboard tables, in the dialect spreadsheets open without asking."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    # A name such as "=HYPERLINK(...)" must stay text when the file is opened in a spreadsheet.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8 names right
    writer = csv.writer(response, dialect="excel")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response
