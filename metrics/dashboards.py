"""The four dashboards' figures (sponsor, manager, consultant, seller), assembled from the rollup
tables (GroupWeek, IndicatorWeek, ParticipantWeek), never raw events, in a fixed number of queries
whatever the data size. Which teams and weeks they show comes from metrics.selectors; who may see
them is decided in metrics.policies.

Groups of fewer than MIN_GROUP people are returned masked: their numbers never reach a page.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kickoff.models import Concern, ConcernStatus, Moderation
from kickoff.stakeholders import stance_distribution
from metrics import selectors
from metrics.authenticity import COPY_SELLERS, RING_MIN, RING_SHARE, WINDOW_WEEKS
from metrics.indicators import MIN_GROUP, SPAN_WEEKS, monday, organisation_today
from metrics.models import (
    GroupKind,
    GroupWeek,
    IndicatorWeek,
    InteractionCircle,
    LinkedInProfileText,
    ParticipantWeek,
    PostSignature,
)
from programme.models import Organisation, Participant, Programme, Team, Wave
from programme.viewer import Viewer

PAGE_SIZE = 50
PLAIN_COUNTS = {"participants", "meetings_total", "deals_total"}
GROUP_COLUMNS = [
    ("participants", _("People")), ("active", _("Active this week")),
    ("regular", pgettext_lazy("indicator", "Regular")),
    ("handles_skill", _("Handles the skill")), ("receiving", _("Receiving interactions")),
    ("about_to_quit", _("About to quit")), ("lapsed", _("Lapsed")),
    ("meetings_total", _("Meetings via LinkedIn")), ("deals_total", _("Deals via LinkedIn")),
]  # fmt: skip


@dataclass
class GroupLine:
    """One group's row in a table: its numbers, or None when too few people to show."""

    name: str
    code: str
    pk: int
    depth: int
    row: GroupWeek | None
    values: list = field(default_factory=list)
    cells_html: str = ""

    def cells(self, columns: list[tuple[str, str]]) -> list[tuple[int, int | None]]:
        """(value, percent of the group's people or None for plain counts) per column."""
        row = self.row
        return [
            (
                getattr(row, name),
                None if name in PLAIN_COUNTS or not row.participants
                else round(100 * getattr(row, name) / row.participants),
            )
            for name, _ in columns
        ]  # fmt: skip


def _cells_html(values: list[tuple[int, int | None]], links: list[str | None] | None = None) -> str:
    """A table row's number cells, built once here: large team tables render in a few ms.
    Every value is an int from a rollup row; a link (to the people behind a count) carries only
    a team code and a column name."""
    cells = []
    for index, (value, percent) in enumerate(values):
        share = (
            f' <span class="text-body-secondary small">({int(percent)}%)</span>'
            if percent is not None
            else ""
        )
        number = f"{int(value)}"
        href = links[index] if links else None
        if href and value:
            # The row's header names the group; the hidden words say what the number counts.
            name, heading = GROUP_COLUMNS[index]
            hidden = escape(
                gettext("people") if name == "participants"
                else gettext("people: %(what)s") % {"what": heading}
            )  # fmt: skip
            number = (
                f'<a href="{escape(href)}">{number}'
                f'<span class="visually-hidden"> {hidden}</span></a>'
            )
        cells.append(f'<td class="text-end">{number}{share}</td>')
    return mark_safe("".join(cells))


# The columns whose count is a number of people (the meetings and deals columns are totals).
PEOPLE_COLUMNS = [
    name for name, _ in GROUP_COLUMNS if name not in {"meetings_total", "deals_total"}
]


def visible(row: GroupWeek | None) -> GroupWeek | None:
    return row if row is not None and row.participants >= MIN_GROUP else None


def group_trend(organisation: Organisation, kind: str, group_id: int, week: date) -> list:
    since = week - timedelta(weeks=SPAN_WEEKS - 1)
    rows = GroupWeek.objects.filter(
        organisation=organisation, kind=kind, group_id=group_id, week__gte=since, week__lte=week
    ).order_by("week")
    return [row for row in rows if visible(row)]


def _lines(
    organisation: Organisation,
    kind: str,
    week: date,
    named: list,
    *,
    people_url: str | None = None,
) -> list[GroupLine]:
    """One line per named group. With people_url (the list of the people behind a number),
    each count of people in a shown group links to those people."""
    rows = {
        row.group_id: row
        for row in GroupWeek.objects.filter(organisation=organisation, kind=kind, week=week)
    }
    lines = []
    for obj, depth in named:
        row = rows.get(obj.pk)
        line = GroupLine(
            name=str(obj),
            code=str(obj.code),
            pk=obj.pk,
            depth=depth,
            row=visible(row),
        )
        line.values = line.cells(GROUP_COLUMNS) if line.row else []
        links = (
            [
                f"{people_url}?{urlencode({'team': line.code, 'show': name})}"
                if name in PEOPLE_COLUMNS
                else None
                for name, _ in GROUP_COLUMNS
            ]
            if people_url and line.row
            else None
        )
        line.cells_html = _cells_html(line.values, links)
        lines.append(line)
    return lines


# --- Sponsor -----------------------------------------------------------------------------------


@dataclass
class SponsorView:
    week: date | None
    overall: GroupWeek | None = None
    trend: list[GroupWeek] = field(default_factory=list)
    waves: list[GroupLine] = field(default_factory=list)
    teams: list[GroupLine] = field(default_factory=list)
    stances: dict[str, int] = field(default_factory=dict)
    programme: Programme | None = None


def sponsor_view(organisation: Organisation) -> SponsorView:
    week = selectors.latest_week(organisation)
    result = SponsorView(week=week, stances=stance_distribution(organisation))
    if week is None:
        return result
    result.trend = group_trend(organisation, GroupKind.ORGANISATION, organisation.pk, week)
    result.overall = result.trend[-1] if result.trend and result.trend[-1].week == week else None
    waves = list(
        Wave.objects.filter(programme__organisation=organisation)
        .select_related("programme")
        .order_by("-programme__start_date", "programme__name", "number")
    )
    result.programme = waves[0].programme if waves else None
    named_waves = [(wave, 0) for wave in waves if wave.programme_id == result.programme.pk] if (
        result.programme
    ) else []  # fmt: skip
    result.waves = _lines(organisation, GroupKind.WAVE, week, named_waves)
    result.teams = _lines(organisation, GroupKind.TEAM, week, selectors.team_tree(organisation))
    return result


# --- Manager -----------------------------------------------------------------------------------


def subtree(tree: list[tuple[Team, int]], root: Team) -> list[tuple[Team, int]]:
    """The root team and everything below it, from the ordered tree."""
    found, inside, root_depth = [], False, 0
    for team, depth in tree:
        if team.pk == root.pk:
            inside, root_depth = True, depth
        elif inside and depth <= root_depth:
            break
        if inside:
            found.append((team, depth - root_depth))
    return found


@dataclass
class ManagerView:
    week: date | None
    root: Team | None
    teams: list[GroupLine] = field(default_factory=list)
    overall: GroupLine | None = None
    trend: list[GroupWeek] = field(default_factory=list)
    sellers: Page | None = None
    parent: Team | None = None  # the team above the root, to go up to
    inside: InsideShare | None = None  # interactions given that stay inside (issue #23)


def manager_view(
    organisation: Organisation,
    root: Team | None,
    *,
    individuals: bool,
    page: int = 1,
    order: str = "attention",
    people_url: str | None = None,
) -> ManagerView:
    week = selectors.latest_week(organisation)
    result = ManagerView(week=week, root=root)
    if root is None:
        return result
    tree = selectors.team_tree(organisation)
    result.parent = next((team for team, _ in tree if team.pk == root.parent_id), None)
    if week is None:
        return result
    teams = subtree(tree, root)
    result.teams = _lines(organisation, GroupKind.TEAM, week, teams, people_url=people_url)
    result.overall = result.teams[0] if result.teams else None
    result.trend = group_trend(organisation, GroupKind.TEAM, root.pk, week)
    result.inside = inside_share(organisation, [team.pk for team, _ in teams])
    if individuals:
        sellers = selectors.sellers_table(
            organisation, [team.pk for team, _ in teams], week, order=order
        )
        result.sellers = Paginator(sellers, PAGE_SIZE).get_page(page)
        with_streaks(result.sellers, week)
    return result


THIS_WEEK = [
    ("participants", _("People")), ("active", _("Active this week")),
    ("regular", pgettext_lazy("indicator", "Regular")),
    ("handles_skill", _("Handle the skill")), ("about_to_quit", _("About to quit")),
    ("lapsed", _("Lapsed")), ("no_interaction_data", _("No interaction data")),
]  # fmt: skip


def this_week(row: GroupWeek | None) -> list[tuple[str, object, int]]:
    """A team's headline counts: (column, label, count); nothing for a masked group."""
    return [(name, label, getattr(row, name)) for name, label in THIS_WEEK] if row else []


# --- Consultant --------------------------------------------------------------------------------

LIST_LIMIT = 100


@dataclass
class ConsultantView:
    week: date | None
    overall: GroupWeek | None = None
    at_risk: list[IndicatorWeek] = field(default_factory=list)
    gaming: list[IndicatorWeek] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    # Whether any kick-off concern was ever shown: "every concern addressed" needs one.
    concerns_ever: bool = False
    newly_skilled: list[IndicatorWeek] = field(default_factory=list)
    lookalikes: list[dict] = field(default_factory=list)
    authenticity: AuthenticityView | None = None


def at_risk(organisation: Organisation, week: date) -> QuerySet[IndicatorWeek]:
    return (
        IndicatorWeek.objects.filter(organisation=organisation, week=week)
        .filter(Q(about_to_quit=True) | Q(lapsed=True))
        .select_related("participant__membership__user", "participant__team")
        .order_by(
            "-about_to_quit", "participant__team__name", "participant__membership__user__email"
        )
    )


def burst_counts(rows: list[IndicatorWeek], *, current: date) -> None:
    """Give each connection-burst row the week's request count (`requests`) and the person's
    usual week (`requests_median`): the median over the indicator span ending `current`,
    quiet weeks counting as zero, as the rollup that flagged it computed it. One query."""
    if not rows:
        return
    span_start = current - timedelta(weeks=SPAN_WEEKS - 1)
    weekly: dict[int, dict[date, int]] = {}
    for pid, week, requests in ParticipantWeek.objects.filter(
        participant_id__in={row.participant_id for row in rows},
        week__gte=span_start,
        week__lte=current,
    ).values_list("participant_id", "week", "connection_requests"):
        weekly.setdefault(pid, {})[week] = requests
    for row in rows:
        own = weekly.get(row.participant_id, {})
        row.requests = own.get(row.week, 0)
        row.requests_median = statistics.median([*own.values()] + [0] * (SPAN_WEEKS - len(own)))


def consultant_view(organisation: Organisation) -> ConsultantView:
    week = selectors.latest_week(organisation)
    result = ConsultantView(week=week)
    result.concerns = list(
        Concern.objects.filter(
            organisation=organisation, merged_into__isnull=True, moderation=Moderation.SHOWN
        )
        .exclude(status=ConcernStatus.ADDRESSED)
        .select_related("session")
        .order_by("-votes", "session__held_on")[:5]
    )
    result.concerns_ever = bool(result.concerns) or (
        Concern.objects.filter(organisation=organisation, moderation=Moderation.SHOWN).exists()
    )
    result.lookalikes = lookalike_clusters(organisation)
    result.authenticity = authenticity_view(organisation)
    if week is None:
        return result
    result.overall = GroupWeek.objects.filter(
        organisation=organisation, kind=GroupKind.ORGANISATION, group_id=organisation.pk, week=week
    ).first()
    result.at_risk = list(at_risk(organisation, week)[:LIST_LIMIT])
    result.gaming = list(
        IndicatorWeek.objects.filter(
            organisation=organisation, gaming=True, week__gt=week - timedelta(weeks=4)
        )
        .select_related("participant__membership__user", "participant__team")
        .order_by("-week", "participant__membership__user__email")[:LIST_LIMIT]
    )
    burst_counts(result.gaming, current=week)
    was_skilled = IndicatorWeek.objects.filter(
        participant=OuterRef("participant"), week=week - timedelta(weeks=1), handles_skill=True
    )
    result.newly_skilled = list(
        IndicatorWeek.objects.filter(organisation=organisation, week=week, handles_skill=True)
        .exclude(Exists(was_skilled))
        .select_related("participant__membership__user", "participant__team")
        .order_by("participant__membership__user__email")[:10]
    )
    return result


def lookalike_clusters(organisation: Organisation, limit: int = 10) -> list[dict]:
    """The biggest clusters of near-identical profiles: size, the first profile's headline and
    a few of the people (two queries)."""
    clusters = list(
        LinkedInProfileText.objects.filter(
            participant__organisation=organisation, lookalike_of__isnull=False
        )
        .values("lookalike_of")
        .annotate(size=Count("pk") + 1, similarity=Avg("similarity"))
        .order_by("-size", "lookalike_of")[:limit]
    )
    firsts = {c["lookalike_of"] for c in clusters}
    members: dict[int, list[LinkedInProfileText]] = {pid: [] for pid in firsts}
    for text in (
        LinkedInProfileText.objects.filter(
            Q(participant_id__in=firsts) | Q(lookalike_of__in=firsts)
        )
        .select_related("participant__membership__user")
        .order_by("participant_id")
    ):
        members[text.lookalike_of_id or text.participant_id].append(text)
    return [
        {
            "size": c["size"],
            "similarity": round(100 * (c["similarity"] or 0)),
            "headline": next((t.headline for t in members[c["lookalike_of"]]), ""),
            "people": [t.participant for t in members[c["lookalike_of"]][:6]],
        }
        for c in clusters
    ]


# --- Seller ------------------------------------------------------------------------------------


@dataclass
class SellerView:
    week: date
    weeks: list[ParticipantWeek]  # the span, oldest first, zeros where nothing happened
    now: IndicatorWeek | None
    before: IndicatorWeek | None
    peers: GroupWeek | None  # the wave (or the organisation) to compare with, if big enough
    peers_label: str
    streak: int = 0


def peers_of(
    organisation: Organisation, wave_id: int | None, week: date
) -> tuple[GroupWeek | None, str]:
    """Whom a seller of this wave is compared with: their wave, or everyone when the wave is too
    small (never named peers). One query for both groups' rows."""
    groups = {
        (row.kind, row.group_id): row
        for row in GroupWeek.objects.filter(organisation=organisation, week=week).filter(
            Q(kind=GroupKind.WAVE, group_id=wave_id or 0)
            | Q(kind=GroupKind.ORGANISATION, group_id=organisation.pk)
        )
    }
    wave = visible(groups.get((GroupKind.WAVE, wave_id)))
    if wave is not None:
        return wave, "your wave"  # a key: the templates say it in a whole sentence
    return visible(groups.get((GroupKind.ORGANISATION, organisation.pk))), "everyone"


def own_indicators(
    participant: Participant, week: date
) -> tuple[IndicatorWeek | None, IndicatorWeek | None]:
    """This week's and last week's indicator rows of one person (one query)."""
    rows = {
        row.week: row
        for row in IndicatorWeek.objects.filter(
            participant=participant, week__in=[week, week - timedelta(weeks=1)]
        )
    }
    return rows.get(week), rows.get(week - timedelta(weeks=1))


def own_weeks(
    participant: Participant, week: date
) -> tuple[IndicatorWeek | None, IndicatorWeek | None, int]:
    """This week's and last week's indicator rows of one person, and their regularity streak
    as My progress shows it (one query over the span)."""
    since = week - timedelta(weeks=SPAN_WEEKS - 1)
    history = {
        row.week: row
        for row in IndicatorWeek.objects.filter(
            participant=participant, week__gte=since, week__lte=week
        ).annotate(kept=ExpressionWrapper(selectors.KEPT, output_field=BooleanField()))
    }
    streak = selectors.regularity_streak([day for day, row in history.items() if row.kept], week)
    return history.get(week), history.get(week - timedelta(weeks=1)), streak


def with_streaks(people: Iterable[Participant], week: date) -> None:
    """Give each row of sellers_table its regularity streak (`streak`), from its kept weeks."""
    for person in people:
        person.streak = selectors.regularity_streak(person.kept_weeks, week)


def seller_view(viewer: Viewer) -> SellerView:
    """My progress: the viewer's own weeks, indicators and streak, and whom they compare with."""
    organisation, participant = viewer.organisation, viewer.participant
    week = selectors.latest_week(organisation) or monday(organisation_today(organisation))
    since = week - timedelta(weeks=SPAN_WEEKS - 1)
    stored = {
        row.week: row
        for row in ParticipantWeek.objects.filter(
            participant=participant, week__gte=since, week__lte=week
        )
    }
    weeks = [
        stored.get(since + timedelta(weeks=i), ParticipantWeek(week=since + timedelta(weeks=i)))
        for i in range(SPAN_WEEKS)
    ]
    # The person's indicator rows over the span (one query, as own_indicators was): this
    # week's and last week's, and the run behind the regularity streak.
    history = {
        row.week: row
        for row in IndicatorWeek.objects.filter(
            participant=participant, week__gte=since, week__lte=week
        ).annotate(kept=ExpressionWrapper(selectors.KEPT, output_field=BooleanField()))
    }
    now, before = history.get(week), history.get(week - timedelta(weeks=1))
    peers, label = peers_of(organisation, viewer.wave_id, week)
    streak = selectors.regularity_streak([day for day, row in history.items() if row.kept], week)
    return SellerView(
        week=week, weeks=weeks, now=now, before=before, peers=peers, peers_label=label,
        streak=streak,
    )  # fmt: skip


# --- Authenticity: engagement pods and copy-paste posts (issue #23) ---------------------------


@dataclass
class InsideShare:
    people: int  # people with interactions given or received in the window
    given: int
    given_linked: int  # ... naming a post Snowball can key (the rest count as outside)
    inside: int
    inside_received: int

    @property
    def unmatched(self) -> int:
        return self.given - self.given_linked

    @property
    def percent(self) -> int:
        return round(100 * self.inside / self.given) if self.given else 0


def inside_share(
    organisation: Organisation, team_ids: list[int] | None = None
) -> InsideShare | None:
    """How much of the interactions given stays inside the company, for the organisation or a
    set of teams (one query); None for a group too small to show (MIN_GROUP)."""
    circles = InteractionCircle.objects.filter(organisation=organisation)
    if team_ids is not None:
        circles = circles.filter(team_id__in=team_ids)
    totals = circles.aggregate(
        people=Count("pk"), given=Sum("given"), given_linked=Sum("given_linked"),
        inside=Sum("inside"), inside_received=Sum("inside_received"),
    )  # fmt: skip
    if totals["people"] < MIN_GROUP or not totals["given"]:
        return None
    return InsideShare(**totals)


def interaction_rings(organisation: Organisation, limit: int = 20) -> list[dict]:
    """The pairs and rings of people who mostly react to each other (one query): the consultant
    only, never peers."""
    rings: dict[int, dict] = {}
    for circle in (
        InteractionCircle.objects.filter(organisation=organisation, ring__isnull=False)
        .select_related("participant__membership__user")
        .order_by("ring", "participant_id")
    ):
        ring = rings.setdefault(circle.ring, {"people": [], "given": 0, "inside": 0})
        ring["people"].append(circle.participant)
        ring["given"] += circle.given
        ring["inside"] += round(circle.ring_share * circle.given)
    found = sorted(rings.values(), key=lambda r: -len(r["people"]))[:limit]
    for ring in found:
        ring["percent"] = round(100 * ring["inside"] / ring["given"]) if ring["given"] else 0
    return found


def copy_clusters(organisation: Organisation, limit: int = 10) -> list[dict]:
    """Near-identical posts across COPY_SELLERS or more sellers (one query): the number of
    sellers, the first words and the week of the first post."""
    first = PostSignature.objects.filter(pk=OuterRef("copy_of"))
    return list(
        PostSignature.objects.filter(organisation=organisation, copy_of__isnull=False)
        .values("copy_of")
        .annotate(
            sellers=Count("participant", distinct=True),
            first_words=Subquery(first.values("first_words")),
            week=Subquery(first.values("week")),
        )
        .filter(sellers__gte=COPY_SELLERS)
        .order_by("-sellers", "-week")[:limit]
    )


@dataclass
class AuthenticityView:
    inside: InsideShare | None
    rings: list[dict]
    copies: list[dict]
    ring_share: int = round(100 * RING_SHARE)
    ring_min: int = RING_MIN
    window: int = WINDOW_WEEKS


def authenticity_view(organisation: Organisation) -> AuthenticityView:
    """The consultant's view of authenticity: three queries."""
    return AuthenticityView(
        inside=inside_share(organisation),
        rings=interaction_rings(organisation),
        copies=copy_clusters(organisation),
    )
