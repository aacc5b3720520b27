"""Reads for kick-offs, always scoped to an organisation."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from kickoff import consensus, formats
from kickoff.models import (
    Concern,
    ConcernOpinion,
    ConcernStatus,
    ConcernVote,
    EmotionSignal,
    EngagementAction,
    EngagementPlan,
    KickoffFormat,
    KickoffJoin,
    KickoffSession,
    Moderation,
    Opinion,
    StakeholderAssessment,
    ThemeFollowUp,
)
from programme import fixed_select
from programme.anonymous import anonymous_pending
from programme.blocked_words import blocked_words_among, blocked_words_by_organisation
from programme.models import Membership, Organisation, Participant, Programme, Wave


def kickoffs_for(organisation: Organisation) -> QuerySet[KickoffSession]:
    return KickoffSession.objects.filter(organisation=organisation).select_related("programme")


def kickoffs_of_programme(programme: Programme) -> QuerySet[KickoffSession]:
    return programme.kickoffs.annotate(
        concern_count=Count(
            "concerns",
            filter=Q(concerns__merged_into__isnull=True, concerns__moderation=Moderation.SHOWN),
        )
    ).order_by("-held_on")


def kickoff_get(organisation: Organisation, code: str) -> KickoffSession:
    return get_object_or_404(kickoffs_for(organisation), code=code)


@cache
def _by_join_code() -> tuple[str, fixed_select.Layout]:
    columns, layout = fixed_select.select_list([(KickoffSession, "k"), (Programme, "p")])
    sql = (
        f"SELECT {columns} FROM {KickoffSession._meta.db_table} k "  # noqa: S608
        f"JOIN {Programme._meta.db_table} p ON p.id = k.programme_id "
        "WHERE k.organisation_id = %s AND k.join_code = %s"
    )
    return sql, layout


def kickoff_by_join_code(organisation: Organisation, join_code: str) -> KickoffSession:
    """The session of this join code, with its programme (404 for none): what every phone's
    poll, vote and opinion starts with, so its select is built once (programme.fixed_select)."""
    sql, layout = _by_join_code()
    with connection.cursor() as cursor:
        cursor.execute(sql, [organisation.pk, join_code.strip().upper()])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No kick-off session has this join code.")
    session, programme = fixed_select.instances(layout, row)
    KickoffSession.programme.field.set_cached_value(session, programme)
    KickoffSession.organisation.field.set_cached_value(session, organisation)
    return session


def open_kickoffs_for_code(memberships: list[Membership], join_code: str) -> list[KickoffSession]:
    return list(
        KickoffSession.objects.filter(
            organisation__in=[m.organisation_id for m in memberships],
            join_code=join_code.strip().upper(),
        ).select_related("organisation")
    )


def open_kickoffs(memberships: list[Membership], limit: int = 5) -> list[KickoffSession]:
    """Sessions open for concerns right now in these members' organisations, latest first."""
    return list(
        KickoffSession.objects.filter(
            organisation__in=[m.organisation_id for m in memberships],
            status=KickoffSession.Status.OPEN,
        )
        .select_related("organisation")
        .order_by("-held_on", "-id")[:limit]
    )


def closing_summary(session: KickoffSession) -> dict[str, int | str]:
    """What closing forgets: how many 'me too' votes and agree / disagree / pass opinions are
    still linked to a voter, from how many people, on how many concerns (three queries)."""
    votes = ConcernVote.objects.filter(concern__session=session, voter__isnull=False)
    opinions = ConcernOpinion.objects.filter(concern__session=session, voter__isnull=False)
    summary = votes.aggregate(votes=Count("pk"))
    summary["opinions"] = opinions.count()
    voter_ids = votes.values("voter_id").union(opinions.values("voter_id"))
    concern_ids = votes.values("concern_id").union(opinions.values("concern_id"))
    summary["voters"] = len(voter_ids)
    summary["concerns"] = len(concern_ids)
    n = {"votes": summary["votes"], "opinions": summary["opinions"]}
    summary["votes_text"] = (
        ngettext("%(votes)d “me too” vote", "%(votes)d “me too” votes", n["votes"]) % n
    )
    summary["opinions_text"] = (
        ngettext(
            "%(opinions)d agree, disagree or pass",
            "%(opinions)d agrees, disagrees or passes",
            n["opinions"],
        )
        % n
    )
    # "3 “me too” votes", "2 agrees, disagrees or passes", or both joined by "and".
    if summary["votes"] and summary["opinions"]:
        summary["what_text"] = gettext("%(votes)s and %(opinions)s") % {
            "votes": summary["votes_text"],
            "opinions": summary["opinions_text"],
        }
    else:
        summary["what_text"] = (
            summary["votes_text"] if summary["votes"] else summary["opinions_text"]
        )
    summary["voters_text"] = ngettext("%(n)d person", "%(n)d people", summary["voters"]) % {
        "n": summary["voters"]
    }
    summary["concerns_text"] = ngettext("%(n)d concern", "%(n)d concerns", summary["concerns"]) % {
        "n": summary["concerns"]
    }
    return summary


def joined_count(session: KickoffSession) -> int:
    return KickoffJoin.objects.filter(session=session).count()


def live_concerns(session: KickoffSession) -> QuerySet[Concern]:
    # The author's name is shown with a named concern (anonymous ones have none to join).
    return (
        session.concerns.filter(merged_into__isnull=True, moderation=Moderation.SHOWN)
        .select_related("author__user")
        .order_by("-votes", "category", "id")
    )


def concerns_by_category(
    session: KickoffSession, concerns: QuerySet[Concern] | None = None
) -> OrderedDict[str, list[Concern]]:
    """Categories ordered by their total votes, concerns by their votes (`concerns`: some of
    the live ones, e.g. those of a theme)."""
    groups: dict[str, list[Concern]] = {}
    # Translators: the heading of the concerns no category was given to yet.
    unsorted = gettext("Not yet sorted")
    for concern in live_concerns(session) if concerns is None else concerns:
        groups.setdefault(concern.category or unsorted, []).append(concern)
    ordered = sorted(groups.items(), key=lambda item: -sum(c.votes for c in item[1]))
    return OrderedDict(ordered)


def own_pending_concerns(session: KickoffSession, codes: set[str]) -> list[dict]:
    """Of the concerns this browser sent (`codes`), those still queued for this session: the
    sender sees them as theirs, being added (programme.anonymous writes them in batches)."""
    if not codes:
        return []
    return [
        item for item in anonymous_pending("concern", codes) if item["session_id"] == session.pk
    ]


def my_votes(session: KickoffSession, membership: Membership) -> set:
    return set(
        ConcernVote.objects.filter(concern__session=session, voter=membership).values_list(
            "concern_id", flat=True
        )
    )


def concern_get(organisation: Organisation, code: str) -> Concern:
    return get_object_or_404(
        Concern.objects.filter(organisation=organisation).select_related(
            "session__programme", "owner__user", "merged_into", "author__user"
        ),
        id=code,
    )


def emotion_summary(session: KickoffSession) -> dict[str, list[dict]]:
    signals = EmotionSignal.objects.filter(session=session)
    by_kind = list(
        signals.values("kind").annotate(n=Count("pk"), intensity=Avg("intensity")).order_by("-n")
    )
    by_source = list(
        signals.values("team__name", "participant__membership__user__first_name",
                       "participant__membership__user__last_name")
        .annotate(n=Count("pk"), intensity=Avg("intensity"))
        .order_by("-n")
    )  # fmt: skip
    labels = dict(EmotionSignal._meta.get_field("kind").choices)
    for row in by_kind:
        row["label"] = labels.get(row["kind"], row["kind"])
    for row in by_source:
        person = " ".join(
            filter(None, [row["participant__membership__user__first_name"],
                          row["participant__membership__user__last_name"]])
        )  # fmt: skip
        # Translators: where an emotion came from when no person or team was named.
        row["source"] = person or row["team__name"] or gettext("The room")
    return {"by_kind": by_kind, "by_source": by_source}


def you_said_we_did(programme: Programme) -> QuerySet[Concern]:
    return (
        Concern.objects.filter(
            session__programme=programme,
            status=ConcernStatus.ADDRESSED,
            merged_into__isnull=True,
            moderation=Moderation.SHOWN,
        )
        .select_related("session")
        .order_by("-addressed_on", "-votes")
    )


def overdue_concerns(organisation: Organisation) -> QuerySet[Concern]:
    """Not addressed within the session's follow-up days."""
    due = ExpressionWrapper(
        Value(timezone.localdate()) - F("session__follow_up_days"), output_field=DateField()
    )
    return (
        Concern.objects.filter(
            organisation=organisation, merged_into__isnull=True, moderation=Moderation.SHOWN
        )
        .exclude(status=ConcernStatus.ADDRESSED)
        .filter(session__held_on__lt=due)
        .select_related("session")
        .order_by("session__held_on", "-votes")
    )


def person_waves(participant: Participant) -> list[Wave]:
    """The waves this person is in, one per programme at most, programme by programme."""
    return list(
        Wave.objects.filter(members__participant=participant)
        .select_related("programme")
        .order_by("programme__start_date", "number")
    )


def latest_assessment(participant: Participant) -> StakeholderAssessment | None:
    """Where the person stood last: the starting point of the next assessment."""
    return participant.assessments.order_by("-assessed_on", "-recorded_at").first()


def assessment_path(participant: Participant) -> QuerySet[StakeholderAssessment]:
    """Every assessment of the person, oldest first, with who made it."""
    return participant.assessments.select_related("assessed_by__user").order_by(
        "assessed_on", "recorded_at"
    )


def engagement_plan_of(participant: Participant) -> EngagementPlan | None:
    return EngagementPlan.objects.filter(participant=participant).first()


def engagement_action_get(organisation: Organisation, code: str) -> EngagementAction:
    return get_object_or_404(
        EngagementAction.objects.filter(plan__organisation=organisation).select_related(
            "plan__participant"
        ),
        code=code,
    )


# --- Presenter mode and agree / disagree / pass (issue #22) ------------------------------------

PROJECTOR_TOP = 8  # readable from the back of the room at 1920 x 1080; the rest is "+N more"
NOTES_NEXT = 15


@dataclass
class PresenterBoard:
    """What the projector (or the speaker notes) shows in one state of the presenter's keys."""

    sort: str
    reveal: int | None
    ordered: list[Concern]  # every live concern, in the presenter's order
    shown: list[Concern]  # the revealed ones (all of them outside reveal mode)
    hidden: int  # not yet revealed
    highlighted: Concern | None
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = len(self.ordered)

    def top(self, limit: int) -> list[Concern]:
        return self.shown[:limit]

    def more(self, limit: int) -> int:
        """Shown but below the top `limit`: the "+N more" line."""
        return max(0, len(self.shown) - limit)


def presenter_concerns(session: KickoffSession) -> list[Concern]:
    """Every live concern of the session with what the presenter shows of it, in one query
    whatever the number (300 in a large room); ordering and scores are computed in Python
    (kickoff.consensus) on these few hundred rows rather than in SQL, so the formula lives in
    one documented place."""
    return list(
        live_concerns(session).only(
            "id", "session_id", "worry", "would_help", "category", "votes", "agrees",
            "disagrees", "passes", "author_id", "author__user__first_name",
            "author__user__last_name", "author__user__email",
        )
    )  # fmt: skip


def presenter_board(
    concerns: list[Concern],
    *,
    sort: str,
    reveal: int | None,
    highlight: str | None,
    arrivals: dict[str, int] | None = None,
) -> PresenterBoard:
    """The concerns in the presenter's order, cut by reveal mode; the highlighted one only if
    it is live and revealed."""
    sort = consensus.sort_or_default(sort)
    ordered = consensus.ordered(concerns, sort, arrivals=arrivals)
    shown, hidden = consensus.revealed(ordered, reveal)
    highlighted = next((c for c in shown if str(c.pk) == highlight), None) if highlight else None
    return PresenterBoard(sort, reveal, ordered, shown, hidden, highlighted)


def my_opinions(session: KickoffSession, membership: Membership) -> dict[str, set]:
    """The person's agree / disagree / pass on the session's concerns, as one set of concern
    keys per choice (templates ask `c.pk in opinions.agree`); one query."""
    chosen: dict[str, set] = {choice: set() for choice in Opinion.values}
    rows = ConcernOpinion.objects.filter(concern__session=session, voter=membership)
    for concern_id, opinion in rows.values_list("concern_id", "opinion"):
        chosen[opinion].add(concern_id)
    return chosen


# --- Kick-off formats: the list, one format, its sessions compared wave over wave --------------


def kickoff_formats_for(organisation: Organisation) -> QuerySet[KickoffFormat]:
    """Every format of the organisation, active ones first, with how many sessions used it."""
    return (
        KickoffFormat.objects.filter(organisation=organisation)
        .annotate(session_count=Count("sessions"))
        .order_by(F("archived_at").asc(nulls_first=True), Lower("name"))
    )


def active_kickoff_formats(organisation: Organisation) -> QuerySet[KickoffFormat]:
    """The formats a new session may start from (archived ones are not offered)."""
    return KickoffFormat.objects.filter(
        organisation=organisation, archived_at__isnull=True
    ).order_by(Lower("name"))


def kickoff_format_get(organisation: Organisation, code: str) -> KickoffFormat:
    return get_object_or_404(KickoffFormat.objects.filter(organisation=organisation), code=code)


def _count_of(queryset: QuerySet, value: object = None) -> Coalesce:
    """A correlated COUNT (or SUM of `value`) per session: subqueries, not joins, so the
    joins, attendees and concerns of a session do not multiply each other."""
    aggregate = Count("pk") if value is None else Sum(value)
    return Coalesce(
        Subquery(
            queryset.filter(session=OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=aggregate)
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


TOP_ITEMS = 3


def format_comparison(kickoff_format: KickoffFormat) -> list[dict]:
    """The format's sessions, oldest first, each with what was measured in it (four queries
    whatever the number of sessions): [{"session": ..., "figures": SessionFigures}, ...]."""
    organisation_id = kickoff_format.organisation_id
    live = Concern.objects.filter(
        organisation_id=organisation_id, merged_into__isnull=True, moderation=Moderation.SHOWN
    )
    attendees = KickoffSession.attendees.through.objects.filter(
        kickoffsession__organisation_id=organisation_id
    )
    sessions = list(
        KickoffSession.objects.filter(
            organisation_id=organisation_id, kickoff_format=kickoff_format
        )
        .select_related("wave")
        .annotate(
            joined_n=_count_of(KickoffJoin.objects.all()),
            attendees_n=Coalesce(
                Subquery(
                    attendees.filter(kickoffsession=OuterRef("pk"))
                    .order_by()
                    .values("kickoffsession")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            concerns_n=_count_of(live),
            votes_n=_count_of(live, "votes"),
            addressed_n=_count_of(live.filter(status=ConcernStatus.ADDRESSED)),
        )
        .order_by("held_on", "created_at")
    )
    in_format = {"session__kickoff_format": kickoff_format}
    categories: dict[int, list[tuple[str, int]]] = {}
    for row in (
        live.filter(**in_format)
        .exclude(category="")
        .values("session_id", "category")
        .annotate(total=Sum("votes"))
        .order_by("session_id", "-total", "category")
    ):
        categories.setdefault(row["session_id"], []).append((row["category"], row["total"]))
    worries: dict[int, list[tuple[str, int]]] = {}
    ranked = live.filter(**in_format).annotate(
        rank=Window(RowNumber(), partition_by=[F("session_id")], order_by=[F("votes").desc(), "id"])
    )
    for row in ranked.filter(rank__lte=TOP_ITEMS).values("session_id", "worry", "votes"):
        worries.setdefault(row["session_id"], []).append((row["worry"], row["votes"]))
    emotions: dict[int, dict[str, float]] = {}
    for row in (
        EmotionSignal.objects.filter(session__organisation_id=organisation_id, **in_format)
        .values("session_id", "kind")
        .annotate(intensity=Avg("intensity"))
        .order_by()
    ):
        emotions.setdefault(row["session_id"], {})[row["kind"]] = float(row["intensity"])
    result = []
    for session in sessions:
        from_attendance = session.joined_n == 0
        figures = formats.SessionFigures(
            people=session.attendees_n if from_attendance else session.joined_n,
            people_from_attendance=from_attendance and session.attendees_n > 0,
            concerns=session.concerns_n,
            votes=session.votes_n,
            addressed=session.addressed_n,
            emotions=emotions.get(session.pk, {}),
            categories=categories.get(session.pk, [])[:TOP_ITEMS],
            worries=sorted(worries.get(session.pk, []), key=lambda item: -item[1]),
        )
        result.append({"session": session, "figures": figures})
    return result


# --- Moderation, themes, export (issue #22) ----------------------------------------------------

# PostgreSQL's text-search configurations (core, no extension) for the languages people write
# in; a language without one (Czech) is matched word for word ('simple': no stemming, no stop
# words), and an organisation without a language is read as English.
TEXT_SEARCH_CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "it": "italian", "nb": "norwegian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "sv": "swedish",
}  # fmt: skip
THEMES_SHOWN = 15
THEME_MIN_CONCERNS = 2  # a theme recurs: one concern alone is not one


@dataclass(frozen=True)
class Theme:
    word: str  # the lexeme (stemmed: "manag"), what the filter and the follow-up key on
    label: str  # the commonest way the session wrote it ("managers")
    count: int  # how many live concerns hold it


def text_search_config(organisation: Organisation) -> str:
    language = (getattr(organisation, "language", "") or "").lower().split("-")[0]
    if not language:
        return "english"
    return TEXT_SEARCH_CONFIGS.get(language, "simple")


def _document_sql() -> str:
    table = connection.ops.quote_name(Concern._meta.db_table)
    return f"{table}.worry || ' ' || {table}.would_help"


def _live_documents_sql(session: KickoffSession, config: str) -> str:
    """The query ts_stat runs (it takes SQL text, not parameters): only integers, a
    configuration name from TEXT_SEARCH_CONFIGS and a choice value go into it."""
    assert config in {*TEXT_SEARCH_CONFIGS.values(), "english", "simple"}
    table = connection.ops.quote_name(Concern._meta.db_table)
    return (
        f"SELECT to_tsvector('{config}', {_document_sql()}) FROM {table} "  # noqa: S608
        f"WHERE session_id = {int(session.pk)} "
        f"AND organisation_id = {int(session.organisation_id)} "
        f"AND merged_into_id IS NULL AND moderation = '{Moderation.SHOWN.value}'"
    )


def concern_themes(session: KickoffSession, organisation: Organisation) -> list[Theme]:
    """The words recurring across the session's live concerns (worry and what would help), with
    how many concerns hold each, most frequent first: ts_stat over their tsvectors in the
    organisation's language (stemmed, stop words dropped), each named by the spelling the
    session used most (a second ts_stat, word for word). One query."""
    config = text_search_config(organisation)
    sql = """
        WITH stems AS (
            SELECT word, ndoc, nentry FROM ts_stat(%s)
            WHERE ndoc >= %s AND length(word) >= 3 AND word ~ '^[[:alpha:]]'
            ORDER BY ndoc DESC, nentry DESC, word
            LIMIT %s
        ), spellings AS (
            SELECT s.word AS spelling, s.nentry,
                   (SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, s.word)) LIMIT 1) AS stem
            FROM ts_stat(%s) AS s
        )
        SELECT stems.word, stems.ndoc,
               (SELECT spelling FROM spellings WHERE spellings.stem = stems.word
                ORDER BY spellings.nentry DESC, spellings.spelling LIMIT 1)
        FROM stems
        ORDER BY stems.ndoc DESC, stems.nentry DESC, stems.word
    """
    params = [
        _live_documents_sql(session, config), THEME_MIN_CONCERNS, THEMES_SHOWN, config,
        _live_documents_sql(session, "simple"),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            Theme(word=word, label=label or word, count=count)
            for word, count, label in cursor.fetchall()
        ]


def concerns_with_theme(
    session: KickoffSession, organisation: Organisation, word: str
) -> QuerySet[Concern]:
    """The live concerns holding the theme's lexeme (exactly: the lexeme is compared, never
    parsed as a query, so any text typed into the address finds at most nothing)."""
    config = text_search_config(organisation)
    # Bound parameters only; the rest is the column names.
    holds = RawSQL(  # noqa: S611
        f"%s = ANY(tsvector_to_array(to_tsvector(%s::regconfig, {_document_sql()})))",
        [word, config],
        output_field=BooleanField(),
    )
    return live_concerns(session).filter(holds)


def held_concerns(session: KickoffSession) -> list[Concern]:
    """The moderation queue: concerns waiting for the facilitator, each with the blocked words
    it holds (`blocked`). Two queries."""
    held = list(
        session.concerns.filter(moderation=Moderation.HELD, merged_into__isnull=True)
        .select_related("author__user")
        .order_by("id")
    )
    if held:
        words = blocked_words_by_organisation({session.organisation_id}).get(
            session.organisation_id, []
        )
        for concern in held:
            concern.blocked = blocked_words_among(words, concern.worry, concern.would_help)
    return held


def own_unshown_concerns(
    session: KickoffSession, membership: Membership, codes: set[str]
) -> list[Concern]:
    """The sender's own concerns that are not on the screen: held (waiting for the
    facilitator) or rejected. Their anonymous ones are known by `codes` (their browser's)."""
    valid = []
    for code in codes:
        try:
            valid.append(uuid.UUID(code))
        except ValueError:
            continue
    return list(
        session.concerns.filter(Q(id__in=valid) | Q(author=membership))
        .filter(merged_into__isnull=True)
        .exclude(moderation=Moderation.SHOWN)
        .order_by("moderation", "id")
    )


def concern_export_rows(session: KickoffSession) -> QuerySet[Concern]:
    """The live concerns for the CSV, with how many duplicates were merged into each."""
    return live_concerns(session).annotate(duplicates=Count("merged"))


def theme_follow_ups_of(programme: Programme) -> QuerySet[ThemeFollowUp]:
    return (
        ThemeFollowUp.objects.filter(
            organisation_id=programme.organisation_id, session__programme=programme
        )
        .annotate(concern_count=Count("concerns"))
        .select_related("session")
        .order_by("-addressed_on", "label")
    )


def theme_follow_up_of(session: KickoffSession, word: str) -> ThemeFollowUp | None:
    return ThemeFollowUp.objects.filter(session=session, word=word).first()
