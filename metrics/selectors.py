"""Reads that lead from a dashboard's numbers to the people behind them.

Who may see these is decided in metrics.policies; these functions only read, each in a fixed
number of queries whatever the data size, always scoped to one organisation.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics import dashboards, indicators
from metrics.models import ActivityEvent, EventKind, IndicatorWeek
from programme import selectors as programme_selectors
from programme.models import Membership, Organisation, Participant, SellingStrategy, Team

# What a count on a dashboard counts, as a filter on the person's indicator row of that week.
# The keys are the GroupWeek columns they add up to (metrics.rollups._GROUP_COUNTS), so the
# list always has as many people as the number that links to it.
SHOWS: dict[str, tuple[object, Q | None]] = {
    "participants": (_("Everyone"), None),
    "active": (_("Active this week"), Q(now__active=True)),
    "regular": (_("Regular"), Q(now__regular=True)),
    "handles_skill": (_("Handle the skill"), Q(now__handles_skill=True)),
    "receiving": (_("Receiving interactions"), Q(now__interactions_window__gt=0)),
    "about_to_quit": (_("About to quit"), Q(now__about_to_quit=True)),
    "lapsed": (_("Lapsed"), Q(now__lapsed=True)),
    "no_interaction_data": (_("No interaction data"), Q(now__no_interaction_data=True)),
}
PEOPLE_PAGE_SIZE = 50
PERSON_WEEKS = 8  # weeks shown on a person's page


def own_team_ids(membership: Membership) -> set[int]:
    """The member's own team and every team below it (two queries; empty without a team)."""
    root = dashboards.manager_root_team(membership)
    if root is None:
        return set()
    return programme_selectors.team_subtrees_ids(membership.organisation, [root.pk])


def participants_by_email(
    organisation: Organisation, emails: Collection[str] | None = None
) -> dict[str, Participant]:
    """The organisation's participants (or those with these e-mails) by lower-case e-mail, as
    the importers and the ingestion API find the person a row is about (one query)."""
    people = Participant.objects.filter(organisation=organisation)
    if emails is not None:
        people = people.filter(membership__user__email__in=emails)
    return {p.membership.user.email.lower(): p for p in people.select_related("membership__user")}


@dataclass
class PersonLine:
    """One person in a list behind a number, with why they are in it."""

    participant: Participant
    active_weeks: int
    interactions: int
    quality: float | None
    regular: bool
    handles_skill: bool
    acted: bool
    gaming: bool
    reasons: list[tuple[str, str]] = field(default_factory=list)
    both_note: str = ""  # "handles the skill" and "about to quit" together: how


@dataclass
class PeopleList:
    week: date | None
    show: str
    label: object
    team: Team | None
    people: Page | None = None
    lines: list[PersonLine] = field(default_factory=list)

    @property
    def both_note(self) -> str:
        """Said once under the list, when someone in it is skilled and about to quit."""
        return next((line.both_note for line in self.lines if line.both_note), "")


def people_behind(
    organisation: Organisation,
    *,
    team: Team | None,
    show: str,
    page: int | str = 1,
) -> PeopleList:
    """The people a dashboard number counts: a team (with its sub-teams) or the whole
    organisation, in the newest rolled-up week, filtered as that number is. Five queries:
    the week, the team tree, the thresholds, the count and the page."""
    label, condition = SHOWS[show]
    result = PeopleList(week=dashboards.latest_week(organisation), show=show, label=label,
                        team=team)  # fmt: skip
    if result.week is None:
        return result
    team_ids = (
        programme_selectors.team_subtrees_ids(organisation, [team.pk]) if team is not None else None
    )
    people = dashboards.sellers_table(organisation, team_ids, result.week, order="attention")
    if condition is not None:
        people = people.filter(condition)
    thresholds = indicators.thresholds_for(organisation.pk)
    result.people = Paginator(people, PEOPLE_PAGE_SIZE).get_page(page)
    result.lines = [_line(person, thresholds) for person in result.people]
    return result


class _Flags:
    """The warning flags of an annotated sellers_table row, as indicators.warnings reads them."""

    def __init__(self, person: Participant) -> None:
        self.about_to_quit = bool(person.quit_now)
        self.lapsed = bool(person.lapsed_now)
        self.no_interaction_data = bool(person.no_data_now)
        self.handles_skill = bool(person.handles_now)


def _line(person: Participant, thresholds: indicators.Thresholds) -> PersonLine:
    return PersonLine(
        participant=person,
        active_weeks=person.active_weeks_now or 0,
        interactions=person.interactions_now or 0,
        quality=person.quality_now,
        regular=bool(person.regular_now),
        handles_skill=bool(person.handles_now),
        acted=bool(person.acted),
        gaming=bool(person.gaming_now),
        reasons=indicators.warnings(_Flags(person), thresholds),
        both_note=indicators.skill_and_quit_note(_Flags(person), thresholds),
    )


@dataclass
class PersonIndicators:
    """What a person's page shows of their indicators: recent weeks, newest first."""

    week: date | None
    weeks: list[tuple[date, IndicatorWeek | None]] = field(default_factory=list)
    now: IndicatorWeek | None = None
    reasons: list[tuple[str, str]] = field(default_factory=list)
    streak: int = 0
    thresholds: indicators.Thresholds = indicators.DEFAULT
    both_note: str = ""
    # Quality is the reply rate of private messages for direct-acquisition sellers
    # (metrics.indicators.QUALITY): the panel names and formats it accordingly.
    direct: bool = False


def person_indicators(organisation: Organisation, participant: Participant) -> PersonIndicators:
    """The last PERSON_WEEKS weeks of one person's indicators and their regularity streak, the
    one My progress shows (three queries: the week, the thresholds, the rows of the span). A
    week without a row had nothing to say: it shows as a quiet week."""
    week = dashboards.latest_week(organisation)
    result = PersonIndicators(
        week=week, direct=participant.selling_strategy == SellingStrategy.DIRECT_ACQUISITION
    )
    if week is None:
        return result
    result.thresholds = indicators.thresholds_for(organisation.pk)
    since = week - timedelta(weeks=indicators.SPAN_WEEKS - 1)
    rows = {
        row.week: row
        for row in IndicatorWeek.objects.filter(
            organisation=organisation, participant=participant, week__gte=since, week__lte=week
        ).annotate(kept=ExpressionWrapper(dashboards.KEPT, output_field=BooleanField()))
    }
    result.weeks = [
        (week - timedelta(weeks=i), rows.get(week - timedelta(weeks=i)))
        for i in range(PERSON_WEEKS)
    ]
    result.now = rows.get(week)
    result.reasons = indicators.warnings(result.now, result.thresholds) if result.now else []
    result.both_note = indicators.skill_and_quit_note(result.now, result.thresholds)
    result.streak = dashboards.regularity_streak(
        [day for day, row in rows.items() if row.kept], week
    )
    return result


# LinkedIn's four SSI pillars (0-25 each), in the order linkedin.com/sales/ssi shows them,
# keyed as the SSI CSV import and the entry form store them.
SSI_PILLARS: tuple[tuple[str, object], ...] = (
    ("establishbrand", _("Establish your professional brand")),
    ("findpeople", _("Find the right people")),
    ("engageinsights", _("Engage with insights")),
    ("buildrelationships", _("Build relationships")),
)


@dataclass
class SsiReading:
    on: date
    total: object
    pillars: list[tuple[object, object]]  # (label, score or None)
    previous_total: object = None

    @property
    def scores(self) -> list[object]:
        return [score for _label, score in self.pillars]

    @property
    def change(self) -> object:
        return None if self.previous_total is None else self.total - self.previous_total


def _score(raw: object) -> Decimal | None:
    try:
        return Decimal(str(raw)) if raw not in (None, "") else None
    except InvalidOperation:
        return None


def latest_ssi(participant: Participant) -> SsiReading | None:
    """The person's newest SSI with its pillars, and the one before it (one query)."""
    rows = list(
        ActivityEvent.objects.filter(
            organisation_id=participant.organisation_id,
            participant=participant,
            kind=EventKind.SSI_SNAPSHOT,
        )
        .order_by("-occurred_at")
        .values("occurred_at", "value", "details")[:2]
    )
    if not rows:
        return None
    newest = rows[0]
    details = newest["details"] or {}
    return SsiReading(
        on=timezone.localdate(newest["occurred_at"]),
        total=newest["value"],
        pillars=[(label, _score(details.get(key))) for key, label in SSI_PILLARS],
        previous_total=rows[1]["value"] if len(rows) > 1 else None,
    )
