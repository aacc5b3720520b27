"""Selects whose shape never changes, built once per process from the models' own fields.

The ORM compiles every query again on each request: for a select of one or a few rows by key,
compiling cost more CPU than running it (0.4-0.8 ms of a 2 ms page answered 304:
bench/page_profile.py, cProfile on the CPU clock). The hottest lookups (the signed-in user,
the member of the organisation in the URL, a kick-off by its join code) keep their SQL here and
turn rows into model instances through `Model.from_db` with each field's `from_db_value`, as
the ORM itself does: same rows, same instances. Only the models' table and column names go
into the text; every value is bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import connection
from django.db.models import Model

Layout = list[tuple[type[Model], list, int, int]]


def select_list(parts: Sequence[tuple[type[Model], str]]) -> tuple[str, Layout]:
    """The column list of `parts` ((model, table alias), in order) and, per model, its fields
    and where its columns sit in a row."""
    columns, layout, start = [], [], 0
    quote = connection.ops.quote_name
    for model, alias in parts:
        fields = list(model._meta.concrete_fields)
        columns += [f"{alias}.{quote(field.column)}" for field in fields]
        layout.append((model, fields, start, start + len(fields)))
        start += len(fields)
    return ", ".join(columns), layout


def instance(model: type[Model], fields: list, values: Sequence) -> Model | None:
    """A model instance from its columns, None when its primary key is NULL (no row on that
    side of a LEFT JOIN)."""
    if values[0] is None:
        return None
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def instances(layout: Layout, row: Sequence) -> list[Model | None]:
    return [instance(model, fields, row[start:end]) for model, fields, start, end in layout]


@cache
def _by_columns(model: type[Model], names: tuple[str, ...]) -> tuple[str, Layout]:
    columns, layout = select_list([(model, "r")])
    quote = connection.ops.quote_name
    where = " AND ".join(f"r.{quote(model._meta.get_field(name).column)} = %s" for name in names)
    sql = f"SELECT {columns} FROM {model._meta.db_table} r WHERE {where} LIMIT 2"  # noqa: S608
    return sql, layout


def one(model: type[Model], **equal: object) -> Model | None:
    """The row of `model` whose fields equal these values (already of the column's type), None
    when there is none; MultipleObjectsReturned when several match, as `.get()` raises."""
    names = tuple(sorted(equal))
    sql, layout = _by_columns(model, names)
    with connection.cursor() as cursor:
        cursor.execute(sql, [equal[name] for name in names])
        rows = cursor.fetchall()
    if len(rows) > 1:
        raise model.MultipleObjectsReturned(f"more than one {model.__name__} matches {names}")
    return instances(layout, rows[0])[0] if rows else None
