"""CSV downloads of dashboard tables, in the dialect spreadsheets open without asking."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    """A CSV cell as a spreadsheet must read it: text starting like a formula ("=HYPERLINK(...)",
    "+", "-", "@", a tab or a return) is prefixed with a quote so it stays text. Every CSV
    Snowball writes goes through this (csv_response does it for you)."""
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
        writer.writerow([formula_safe(value) for value in row])
    return response
