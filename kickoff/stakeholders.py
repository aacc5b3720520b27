"""Reads for the stakeholder map: latest stances, the grid, stance over time, the wave planner.

Kept apart from selectors.py because these are the programme-wide, set-based queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pygal
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext

from kickoff.models import (
    OPPOSED,
    EngagementAction,
    Influence,
    StakeholderAssessment,
    Stance,
)
from programme.charts import chart_options, render_svg
from programme.models import Mindset, Organisation, Participant, Programme, Role, Team


def latest_assessments(organisation: Organisation) -> QuerySet[StakeholderAssessment]:
    """Each participant's most recent assessment (one DISTINCT ON query)."""
    return (
        StakeholderAssessment.objects.filter(organisation=organisation)
        .order_by("participant_id", "-assessed_on", "-recorded_at")
        .distinct("participant_id")
        .select_related("participant__membership__user", "participant__team")
        .annotate(
            # Only an active plan (an action still to do) counts: a finished one no longer
            # clears the opponent flag.
            has_plan=Exists(
                EngagementAction.objects.filter(
                    plan__participant=OuterRef("participant"), done_on__isnull=True
                )
            )
        )
    )


@dataclass
class Grid:
    rows: list[tuple[str, list[tuple[str, list[StakeholderAssessment]]]]]  # influence -> stances
    flagged: list[StakeholderAssessment]
    distribution: dict[str, int]
    total: int


def stakeholder_grid(organisation: Organisation) -> Grid:
    latest = list(latest_assessments(organisation))
    cells: dict[tuple[str, str], list[StakeholderAssessment]] = {}
    for assessment in latest:
        cells.setdefault((assessment.influence, assessment.stance), []).append(assessment)
    rows = [
        (influence.label, [(stance.label, cells.get((influence, stance), [])) for stance in Stance])
        for influence in reversed(Influence)
    ]
    flagged = [
        a
        for a in latest
        if a.influence == Influence.HIGH and a.stance in OPPOSED and not a.has_plan
    ]
    distribution = {stance.label: 0 for stance in Stance}
    for assessment in latest:
        distribution[Stance(assessment.stance).label] += 1
    return Grid(rows=rows, flagged=flagged, distribution=distribution, total=len(latest))


def stance_distribution(organisation: Organisation) -> dict[str, int]:
    """How many people stand where, by their latest assessment: one grouped query."""
    latest = (
        StakeholderAssessment.objects.filter(organisation=organisation)
        .order_by("participant_id", "-assessed_on", "-recorded_at")
        .distinct("participant_id")
        .values("pk")
    )
    counts = dict(
        StakeholderAssessment.objects.filter(pk__in=latest)
        .values_list("stance")
        .annotate(n=Count("pk"))
        .values_list("stance", "n")
    )
    return {stance.label: counts.get(stance.value, 0) for stance in Stance}


def stance_by_week(organisation: Organisation, start: date, end: date) -> list[tuple[date, dict]]:
    """For each week, the distribution of everyone's latest stance as of that week: one query."""
    start = start - timedelta(days=start.weekday())
    sql = f"""
        WITH weeks AS (
            SELECT generate_series(%s::date, %s::date, interval '7 days')::date AS week_start
        )
        SELECT weeks.week_start, latest.stance, count(*)
        FROM weeks
        JOIN LATERAL (
            SELECT DISTINCT ON (a.participant_id) a.stance
            FROM {StakeholderAssessment._meta.db_table} a
            WHERE a.organisation_id = %s AND a.assessed_on < weeks.week_start + 7
            ORDER BY a.participant_id, a.assessed_on DESC, a.recorded_at DESC
        ) latest ON true
        GROUP BY weeks.week_start, latest.stance
        ORDER BY weeks.week_start
    """  # noqa: S608 - table name from the model, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end, organisation.pk])
        rows = cursor.fetchall()
    weeks: dict[date, dict[str, int]] = {}
    week = start
    while week <= end:
        weeks[week] = {stance.value: 0 for stance in Stance}
        week += timedelta(days=7)
    for week_start, stance, count in rows:
        weeks.setdefault(week_start, {s.value: 0 for s in Stance})[stance] = count
    return sorted(weeks.items())


STANCE_COLOURS = ("#b02a37", "#e35d6a", "#adb5bd", "#6ea8fe", "#0b4f8a")


def stance_chart_svg(organisation: Organisation, start: date, end: date | None = None) -> str:
    """Stacked bars of stance per week, rendered server-side (no script, works in print)."""
    weeks = stance_by_week(organisation, start, end or timezone.localdate())
    chart = pygal.StackedBar(
        **chart_options(
            STANCE_COLOURS,
            height=320,
            width=900,
            title=gettext("Stance per week (latest assessment of each person)"),
        )
    )
    # The week's Monday: day and month name in the reader's language.
    chart.x_labels = [formats.date_format(week, "d M") for week, _ in weeks]
    for stance in Stance:
        chart.add(str(stance.label), [counts[stance.value] for _, counts in weeks])
    return render_svg(chart)


# --- Wave planner ---------------------------------------------------------------------------------

STANCE_SCORE = {
    Stance.CHAMPION: 4.0,
    Stance.SUPPORTER: 3.0,
    Stance.UNDECIDED: 1.0,
    None: 1.0,
}


@dataclass
class Candidate:
    participant: Participant
    stance: str | None
    score: float
    reason: str


def wave_plan_propose(
    programme: Programme, share: float = 0.25
) -> tuple[list[Candidate], list[Candidate], int]:
    """Propose a first wave of about `share` of the sellers without a wave.

    Champions and supporters first, then hunters and high digital affinity; one person per
    team first so every team has someone who goes first; opponents and sceptics are left for
    one-to-one work, not put on show in wave 1. Returns (proposed, others, target size).
    """
    people = list(
        Participant.objects.filter(
            organisation_id=programme.organisation_id,
            membership__role=Role.SELLER,
            membership__deactivated_at__isnull=True,  # leavers (#18) go in no wave
        )
        .exclude(wave_memberships__programme=programme)
        .select_related("membership__user", "team")
    )
    latest = dict(
        StakeholderAssessment.objects.filter(organisation_id=programme.organisation_id)
        .order_by("participant_id", "-assessed_on", "-recorded_at")
        .distinct("participant_id")
        .values_list("participant_id", "stance")
    )
    target = max(1, round(len(people) * share)) if people else 0
    candidates, excluded = [], []
    for person in people:
        stance = latest.get(person.pk)
        if stance in OPPOSED:
            excluded.append(
                Candidate(person, stance, -1, gettext("opposed: work one to one first"))
            )
            continue
        score = STANCE_SCORE.get(stance, 1.0)
        score += 0.5 if person.mindset == Mindset.HUNTER else 0
        score += (person.digital_affinity or 0) / 5
        # Translators: the wave planner's reasons for proposing a person, joined by commas.
        reasons = [Stance(stance).label.lower() if stance else gettext("not assessed")]
        if person.mindset == Mindset.HUNTER:
            reasons.append(Mindset.HUNTER.label.lower())
        if person.digital_affinity:
            reasons.append(
                gettext("digital affinity %(score)s/5") % {"score": person.digital_affinity}
            )
        candidates.append(Candidate(person, stance, score, ", ".join(reasons)))
    candidates.sort(key=lambda c: (-c.score, str(c.participant)))
    chosen: list[Candidate] = []
    teams_seen: set[int | None] = set()
    for candidate in candidates:  # the best of each team first
        team_id = candidate.participant.team_id
        if team_id not in teams_seen and len(chosen) < target:
            chosen.append(candidate)
            teams_seen.add(team_id)
    for candidate in candidates:  # then the best of the rest
        if len(chosen) >= target:
            break
        if candidate not in chosen:
            chosen.append(candidate)
    others = [c for c in candidates if c not in chosen] + excluded
    return chosen, others, target


def teams_without(organisation: Organisation, chosen: list[Candidate]) -> list[Team]:
    covered = {c.participant.team_id for c in chosen}
    teams_with_sellers = Team.objects.filter(
        organisation=organisation,
        participants__membership__role=Role.SELLER,
        participants__membership__deactivated_at__isnull=True,
    ).distinct()
    return [team for team in teams_with_sellers if team.pk not in covered]


def next_wave_name(programme: Programme) -> str:
    """What the planner suggests: "Supporters" for the first wave (supporters go first), then
    "Wave <its number>"; never a name the programme already uses."""
    waves = list(programme.waves.values_list("number", "name"))
    taken = {name.lower() for _number, name in waves}
    number = max((n for n, _name in waves), default=0) + 1
    name = gettext("Supporters") if not waves else gettext("Wave %(number)s") % {"number": number}
    suffix = 2
    base = name
    while name.lower() in taken:
        name, suffix = f"{base} ({suffix})", suffix + 1
    return name
