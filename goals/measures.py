"""What an indicator-linked key result measures, read from its group's rollups (GroupWeek), and
the after-rollup refresh that keeps every such key result current with one UPDATE."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from goals.models import KeyResult, Objective
from goals.models.okris import ObjectiveClosure
from metrics.hooks import register_after_rollup
from metrics.models import GroupWeek
from programme import services as programme_services
from programme.models import Organisation


def _share(column: str) -> str:
    return f"100.0 * g.{column} / NULLIF(g.participants, 0)"


# key: (label, unit, SQL over one GroupWeek row g). The unit is stored with the key result as
# written here, so it stays untranslated. Shares, not counts, for the people measures:
# a wave that grows must not look like progress. Deals are the one revenue measure.
INDICATORS: dict[str, tuple[Promise, str, str]] = {
    "regular": (_("People who are regular"), "%", _share("regular")),
    "handles_skill": (_("People who handle the skill"), "%", _share("handles_skill")),
    "first_action": (_("People who made a first step"), "%", _share("first_action")),
    "receiving": (_("People receiving interactions"), "%", _share("receiving")),
    "with_meeting": (_("People with a meeting booked through LinkedIn"), "%",
                     _share("with_meeting")),
    "median_active_weeks": (_("Median active weeks out of the last 8"), "weeks",
                            "g.median_active_weeks"),
    "meetings_total": (_("Meetings booked through LinkedIn, to date"), "meetings",
                       "g.meetings_total"),
    "deals_total": (_("Deals won through LinkedIn, to date"), "deals", "g.deals_total"),
}  # fmt: skip
REVENUE_INDICATORS = {"deals_total"}


def _latest_week(organisation: str, kind: str, group: str, ends_on: str) -> str:
    """A group's newest rollup row that is not after `ends_on` (SQL expressions or %s)."""
    return f"""SELECT * FROM {GroupWeek._meta.db_table} g
               WHERE g.organisation_id = {organisation} AND g.kind = {kind}
                 AND g.group_id = {group} AND g.week <= {ends_on}
               ORDER BY g.week DESC LIMIT 1"""  # noqa: S608


def _values_sql(where: str) -> str:
    """(key result id, value, week) of indicator-linked key results: their group's latest
    rollup week that is not after the objective's end (so a finished period stays as it
    ended). A group with no rollup yet has no row."""
    measure = " ".join(f"WHEN '{key}' THEN {sql}" for key, (_, _, sql) in INDICATORS.items())
    return f"""
        SELECT kr.id, COALESCE(CASE kr.indicator {measure} END, 0) AS value, g.week
        FROM {KeyResult._meta.db_table} kr
        JOIN {Objective._meta.db_table} o ON o.id = kr.objective_id
        JOIN LATERAL ({
        _latest_week(
            "o.organisation_id",
            "o.scope",
            "COALESCE(o.team_id, o.wave_id, o.programme_id)",
            "o.ends_on",
        )
    }) g ON TRUE
        WHERE kr.source = 'indicator' AND {where}"""  # noqa: S608


def indicator_now(
    *, objective: Objective, indicator: str, on: date | None = None
) -> tuple[float, object]:
    """What an indicator reads for an objective's group (newest week up to `on`, else up to the
    objective's end), and the week it was measured; (0, None) before any rollup (nobody has
    done anything measurable yet)."""
    sql = INDICATORS[indicator][2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE({sql}, 0), g.week FROM ({_latest_week('%s', '%s', '%s', '%s')}) g",  # noqa: S608
            [
                objective.organisation_id,
                objective.scope,
                objective.group_id,
                on or objective.ends_on,
            ],
        )
        row = cursor.fetchone()
    return (float(row[0]), row[1]) if row else (0.0, None)


# Live: neither archived nor closed (a closed objective's key results keep the value they were
# graded on).
LIVE = f"""o.organisation_id = %s AND o.archived_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM {ObjectiveClosure._meta.db_table} c WHERE c.objective_id = o.id)"""  # noqa: S608


@register_after_rollup
def key_results_refresh(organisation_id: int) -> int:
    """Every indicator-linked key result of the organisation's live objectives reads the new
    rollups. Returns how many changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {KeyResult._meta.db_table} kr
                SET current = v.value, measured_week = v.week, updated_at = now()
                FROM ({_values_sql(LIVE)}) v
                WHERE kr.id = v.id AND (kr.current IS DISTINCT FROM v.value
                                        OR kr.measured_week IS DISTINCT FROM v.week)
                RETURNING kr.code, kr.title, kr.current, kr.target, kr.measured_week""",  # noqa: S608
            [organisation_id],
        )
        changed = cursor.fetchall()
    if changed:  # webhooks subscribed to key_result.updated, one event per key result (capped)
        programme_services.publish_many(
            Organisation.objects.get(pk=organisation_id),
            "key_result.updated",
            [
                {
                    "key": f"{code}:{week}:{current}",
                    "data": {
                        "key_result": str(code),
                        "title": title,
                        "current": current,
                        "target": target,
                        "week": week and week.isoformat(),
                    },
                }
                for code, title, current, target, week in changed
            ],
        )
    return len(changed)
