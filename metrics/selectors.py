"""Reads of activity data, each scoped to one organisation (the viewer's): which teams a
dashboard shows, the newest rolled-up week, the sellers' rows, the people behind a dashboard's
numbers, a person's indicators and SSI, a member's activity and imports, the API tokens.

Who may see what is decided in metrics.policies; these functions only read, each in a fixed
number of queries whatever the data size. Those that depend on who is looking take the request's
`Viewer` (programme.viewer), which has already looked the member's participant and teams up.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from metrics import indicators
from metrics.indicators import SPAN_WEEKS
from metrics.models import (
    ActivityEvent,
    ActivityImport,
    ApiToken,
    EventKind,
    GroupKind,
    GroupWeek,
    IndicatorWeek,
)
from programme.models import Organisation, Participant, SellingStrategy, Team
from programme.selectors import team_subtree_ids
from programme.viewer import Viewer

# --- Teams: where a dashboard starts, which team a link names ------------------------------------


def viewer_team(viewer: Viewer) -> Team | None:
    """The viewer's own team: where their team dashboard starts (None without one)."""
    participant = viewer.participant
    return participant.team if participant is not None else None


def team_by_code(viewer: Viewer, code: str) -> Team:
    """A team of the viewer's organisation by its public code; 404 for a code that is not a
    team there (or not a code at all). Whether the viewer may open it is the policy's call."""
    try:
        code = str(uuid.UUID(code))
    except ValueError:
        raise Http404("No such team") from None
    return get_object_or_404(Team.objects.filter(organisation=viewer.organisation), code=code)


def teams_by_name(organisation: Organisation) -> QuerySet[Team]:
    return Team.objects.filter(organisation=organisation).order_by("name")


def team_tree(organisation: Organisation) -> list[tuple[Team, int]]:
    """Every team with its depth, parents before children, siblings by name (one query)."""
    teams = list(Team.objects.filter(organisation=organisation).order_by("name"))
    children: dict[int | None, list[Team]] = {}
    known = {team.pk for team in teams}
    for team in teams:
        parent = team.parent_id if team.parent_id in known else None
        children.setdefault(parent, []).append(team)
    ordered: list[tuple[Team, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for team in children.get(parent, []):
            if team.pk not in seen:  # a cycle entered by hand must not loop
                seen.add(team.pk)
                ordered.append((team, depth))
                walk(team.pk, depth + 1)

    walk(None, 0)
    ordered.extend((team, 0) for team in teams if team.pk not in seen)
    return ordered


def top_team(organisation: Organisation) -> Team | None:
    """The first team at the top of the tree, by name (one query)."""
    return (
        Team.objects.filter(organisation=organisation, parent__isnull=True).order_by("name").first()
    )


# --- The rollup tables: the newest week, the sellers' rows, the regularity streak ---------------


def latest_week(organisation: Organisation) -> date | None:
    """The newest week the rollups have written (None before the first rollup)."""
    return GroupWeek.objects.filter(
        organisation=organisation, kind=GroupKind.ORGANISATION
    ).aggregate(week=Max("week"))["week"]


# The habit was kept in a week: active (a post, comment or message: the rollup's streak runs),
# or still regular (active enough weeks of the window) through a quiet week. The one definition
# behind the regularity streak that My progress, a person's page and the sellers table show.
KEPT = Q(regular=True) | Q(streak__gt=0)


def kept_weeks(participant_ref: object, since: date, week: date) -> ArraySubquery:
    """The weeks since..week in which the person (an id or OuterRef) kept the habit, as an
    array annotation: no extra query for a list of people."""
    return ArraySubquery(
        IndicatorWeek.objects.filter(
            KEPT, participant_id=participant_ref, week__gte=since, week__lte=week
        ).values("week")
    )


def regularity_streak(kept: Collection[date], week: date) -> int:
    """Weeks in a row, up to `week`, in which the person kept the habit (KEPT). A quiet week
    the "regular" definition forgives does not break the streak, so a regular person never
    reads a streak of 0 beside "Regular" (#16). As before, a week in progress with nothing yet
    does not break it either."""
    kept = set(kept or ())
    day = week if week in kept else week - timedelta(weeks=1)
    count = 0
    while day in kept:
        count += 1
        day -= timedelta(weeks=1)
    return count


ORDERS = {
    "attention": ("-now__about_to_quit", "-now__lapsed", "-now__no_interaction_data", "name"),
    "name": ("name",),
    "regularity": ("-active_weeks_now", "name"),
}


def sellers_table(
    organisation: Organisation,
    team_ids: Iterable[int] | None,
    week: date,
    *,
    order: str = "attention",
) -> QuerySet[Participant]:
    """One row per participant of these teams (None: the whole organisation) with this week's
    and last week's indicators (people with no row yet have no activity: they show as such,
    never as missing). Leavers (#18) are not on the current table; their past weeks stay in
    the rollups."""
    people = Participant.objects.filter(
        organisation=organisation, membership__deactivated_at__isnull=True
    )
    if team_ids is not None:
        people = people.filter(team_id__in=team_ids)
    return (
        people
        .select_related("membership__user", "team")
        .annotate(
            now=FilteredRelation("indicator_weeks", condition=Q(indicator_weeks__week=week)),
            before=FilteredRelation(
                "indicator_weeks", condition=Q(indicator_weeks__week=week - timedelta(weeks=1))
            ),
            name=F("membership__user__last_name"),
            active_weeks_now=F("now__active_weeks"),
            regular_now=F("now__regular"),
            quality_now=F("now__quality"),
            handles_now=F("now__handles_skill"),
            interactions_now=F("now__interactions_window"),
            quit_now=F("now__about_to_quit"),
            lapsed_now=F("now__lapsed"),
            no_data_now=F("now__no_interaction_data"),
            tracked_now=F("now__tracked"),
            last_tracked_now=F("now__last_tracked"),
            gaming_now=F("now__gaming"),
            kept_weeks=kept_weeks(OuterRef("pk"), week - timedelta(weeks=SPAN_WEEKS - 1), week),
            acted=F("now__first_action"),
        )
        .order_by(*(F(o[1:]).desc(nulls_last=True) if o.startswith("-") else F(o).asc()
                    for o in ORDERS.get(order, ORDERS["attention"])), "pk")
    )  # fmt: skip


# --- From a dashboard's numbers to the people behind them -------------------------------------

# What a count on a dashboard counts, as a filter on the person's indicator row of that week.
# The keys are the GroupWeek columns they add up to (metrics.rollups._GROUP_COUNTS), so the
# list always has as many people as the number that links to it.
SHOWS: dict[str, tuple[object, Q | None]] = {
    "participants": (_("Everyone"), None),
    "active": (_("Active this week"), Q(now__active=True)),
    "regular": (pgettext_lazy("indicator", "Regular"), Q(now__regular=True)),
    "handles_skill": (_("Handle the skill"), Q(now__handles_skill=True)),
    "receiving": (_("Receiving interactions"), Q(now__interactions_window__gt=0)),
    "about_to_quit": (_("About to quit"), Q(now__about_to_quit=True)),
    "lapsed": (_("Lapsed"), Q(now__lapsed=True)),
    "no_interaction_data": (_("No interaction data"), Q(now__no_interaction_data=True)),
}
PEOPLE_PAGE_SIZE = 50
PERSON_WEEKS = 8  # weeks shown on a person's page


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
    result = PeopleList(week=latest_week(organisation), show=show, label=label,
                        team=team)  # fmt: skip
    if result.week is None:
        return result
    team_ids = team_subtree_ids(organisation, team.pk) if team is not None else None
    people = sellers_table(organisation, team_ids, result.week, order="attention")
    if condition is not None:
        people = people.filter(condition)
    thresholds = indicators.thresholds_for(organisation.pk)
    result.people = Paginator(people, PEOPLE_PAGE_SIZE).get_page(page)
    result.lines = [_line(person, thresholds, result.week) for person in result.people]
    return result


class _Flags:
    """The warning flags of an annotated sellers_table row, as indicators.warnings reads them."""

    def __init__(self, person: Participant, week: date | None = None) -> None:
        self.week = week
        self.last_tracked = person.last_tracked_now
        self.about_to_quit = bool(person.quit_now)
        self.lapsed = bool(person.lapsed_now)
        self.no_interaction_data = bool(person.no_data_now)
        self.handles_skill = bool(person.handles_now)


def _line(
    person: Participant, thresholds: indicators.Thresholds, week: date | None = None
) -> PersonLine:
    return PersonLine(
        participant=person,
        active_weeks=person.active_weeks_now or 0,
        interactions=person.interactions_now or 0,
        quality=person.quality_now,
        regular=bool(person.regular_now),
        handles_skill=bool(person.handles_now),
        acted=bool(person.acted),
        gaming=bool(person.gaming_now),
        reasons=indicators.warnings(_Flags(person, week), thresholds),
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
    week = latest_week(organisation)
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
        ).annotate(kept=ExpressionWrapper(KEPT, output_field=BooleanField()))
    }
    result.weeks = [
        (week - timedelta(weeks=i), rows.get(week - timedelta(weeks=i)))
        for i in range(PERSON_WEEKS)
    ]
    result.now = rows.get(week)
    result.reasons = indicators.warnings(result.now, result.thresholds) if result.now else []
    result.both_note = indicators.skill_and_quit_note(result.now, result.thresholds)
    result.streak = regularity_streak([day for day, row in rows.items() if row.kept], week)
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


# --- A member's own activity, imports and tokens ------------------------------------------------


def events_recent(participant: Participant, limit: int = 15) -> list[ActivityEvent]:
    """The person's newest events, for their activity page."""
    return list(
        ActivityEvent.objects.filter(
            organisation_id=participant.organisation_id, participant=participant
        ).order_by("-occurred_at")[:limit]
    )


def imports_for(viewer: Viewer, *, everyone: bool, limit: int) -> list[ActivityImport]:
    """The newest uploads: the whole organisation's (`everyone`, for those the policy lets
    import for others), or the viewer's own."""
    imports = ActivityImport.objects.filter(organisation=viewer.organisation).select_related(
        "participant__membership__user"
    )
    if not everyone:
        imports = imports.filter(uploaded_by=viewer.membership)
    return list(imports[:limit])


def import_for(viewer: Viewer, code: str) -> ActivityImport:
    """An upload of the viewer's organisation by its code, or 404; the policy says whether
    they may read it."""
    return get_object_or_404(
        ActivityImport.objects.filter(organisation=viewer.organisation).select_related(
            "participant__membership__user"
        ),
        code=code,
    )


def progress_key(activity_import_id: int) -> str:
    """Where a running import's task keeps the count of rows read, for its page to poll."""
    return f"metrics:import-progress:{activity_import_id}"


def import_progress(activity_import: ActivityImport) -> int:
    """The rows the running import has read so far."""
    return cache.get(progress_key(activity_import.pk)) or 0


def api_tokens_for(viewer: Viewer) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organisation=viewer.organisation)


def api_token_for(viewer: Viewer, code: str) -> ApiToken:
    """A token of the viewer's organisation by its code, or 404."""
    return get_object_or_404(api_tokens_for(viewer), code=code)


# --- Who a row of a file or an API event is about -------------------------------------------------


def participants_by_email(
    organisation: Organisation, emails: Collection[str] | None = None
) -> dict[str, Participant]:
    """The organisation's participants (or those with these e-mails) by lower-case e-mail, as
    the importers and the ingestion API find the person a row is about (one query)."""
    people = Participant.objects.filter(organisation=organisation)
    if emails is not None:
        people = people.filter(membership__user__email__in=emails)
    return {p.membership.user.email.lower(): p for p in people.select_related("membership__user")}
