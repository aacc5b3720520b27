"""The query every tenant page starts with, written once (issue #21).

`membership_for_request` reads the member's membership of the organisation in the URL, with
the organisation, their participant record and its team. Through the ORM, compiling that
select_related (four tables, ~40 columns) cost more CPU than any other step of a cheap page:
~40% of a kick-off poll answered 304 (bench/page_profile.py, cProfile on the CPU clock). The
query never changes shape, so its SQL is built once per process (programme.fixed_select).
Same rows, same instances, same relations cached.
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from programme.fixed_select import Layout, instances, select_list
from programme.models import Membership, Organisation, Participant, Team

_PARTS = (
    (Membership, "m"),
    (Organisation, "o"),
    (Participant, "p"),
    (Team, "t"),
)


@cache
def _statement() -> tuple[str, Layout]:
    """The SQL and, per model, its fields and where its columns sit in a row."""
    columns, layout = select_list(_PARTS)
    table = {model: model._meta.db_table for model, _ in _PARTS}
    sql = (
        f"SELECT {columns} "  # noqa: S608
        f"FROM {table[Membership]} m "
        f"JOIN {table[Organisation]} o ON o.id = m.organisation_id "
        f"LEFT JOIN {table[Participant]} p ON p.membership_id = m.id "
        f"LEFT JOIN {table[Team]} t ON t.id = p.team_id "
        "WHERE m.user_id = %s AND o.slug = %s AND o.archived_at IS NULL "
        "ORDER BY m.id LIMIT 1"
    )
    return sql, layout


def membership_of(user_id: int, slug: str) -> Membership | None:
    """The membership of user `user_id` in the live organisation `slug`, with its organisation,
    participant record (or None) and that one's team (or None) already in place; None when
    there is none (the caller answers 404)."""
    sql, layout = _statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    membership, organisation, participant, team = instances(layout, row)
    Membership.organisation.field.set_cached_value(membership, organisation)
    Membership.participant.related.set_cached_value(membership, participant)
    if participant is not None:
        Participant.membership.field.set_cached_value(participant, membership)
        Participant.team.field.set_cached_value(participant, team)
    return membership
