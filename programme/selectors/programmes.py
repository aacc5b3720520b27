"""Reads for programmes, announcements, problems, sessions and meetings (all tenant-scoped)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Now
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from programme import policies
from programme.models import (
    Announcement,
    AnnouncementRecipient,
    FollowUp,
    ManagementMeeting,
    Membership,
    Organisation,
    Participant,
    Problem,
    ProblemStatus,
    Programme,
    Question,
    Risk,
    Session,
    SessionAttendance,
    Wave,
)
from programme.selectors.translations import reader_language, with_shown_title

# --- Programmes and waves ---


def programmes_for(organisation: Organisation) -> QuerySet[Programme]:
    return Programme.objects.filter(organisation=organisation)


def programme_get(organisation: Organisation, code: str) -> Programme:
    return get_object_or_404(programmes_for(organisation), code=code)


def waves_with_counts(programme: Programme) -> QuerySet[Wave]:
    return programme.waves.annotate(size=Count("members")).order_by("number")


def waves_for(organisation: Organisation) -> QuerySet[Wave]:
    return Wave.objects.filter(programme__organisation=organisation)


def wave_get(organisation: Organisation, code: str) -> Wave:
    return get_object_or_404(waves_for(organisation).select_related("programme"), code=code)


def wave_members(wave: Wave) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(
            wave_memberships__wave=wave, membership__deactivated_at__isnull=True
        )
        .select_related("membership__user", "team")
        .order_by("membership__user__last_name", "membership__user__first_name")
    )


def participants_without_wave(programme: Programme) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(
            organisation_id=programme.organisation_id, membership__deactivated_at__isnull=True
        )
        .exclude(wave_memberships__programme=programme)
        .select_related("membership__user", "team")
        .order_by("team__name", "membership__user__last_name")
    )


def risks_for(programme: Programme) -> QuerySet[Risk]:
    return programme.risks.all()


def risk_get(organisation: Organisation, code: str) -> Risk:
    return get_object_or_404(
        Risk.objects.filter(programme__organisation=organisation).select_related("programme"),
        code=code,
    )


# --- Announcements ---


def announcements_visible_to(
    membership: Membership, programme: Programme | None = None
) -> QuerySet[Announcement]:
    """Programme leads see every announcement; anyone else only those published to them."""
    announcements = Announcement.objects.filter(organisation_id=membership.organisation_id)
    if programme is not None:
        announcements = announcements.filter(programme=programme)
    mine = AnnouncementRecipient.objects.filter(announcement=OuterRef("pk"), membership=membership)
    announcements = announcements.annotate(
        my_acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]),
        addressed_to_me=Exists(mine),
    ).select_related("programme", "published_by__user", "drafted_by__user")
    if not policies.can_view_all_announcements(membership):
        announcements = announcements.filter(
            addressed_to_me=True, status=Announcement.Status.PUBLISHED
        )
    return announcements.order_by("-published_at", "-created_at")


def announcement_get_for(membership: Membership, code: str) -> Announcement:
    """The announcement if this member may read it; 404 otherwise (no hint that it exists)."""
    announcement = announcements_visible_to(membership).filter(code=code).first()
    if announcement is None:
        raise Http404("No such announcement")
    return announcement


def recipient_for(
    announcement: Announcement, membership: Membership
) -> AnnouncementRecipient | None:
    return AnnouncementRecipient.objects.filter(
        announcement=announcement, membership=membership
    ).first()


def announcement_reach(announcement: Announcement) -> dict[str, object]:
    """Audience, opened and acknowledged, in total and by team: one grouped query."""
    rows = list(
        announcement.recipients.values("team__name")
        .annotate(
            audience=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            emailed=Count("pk", filter=Q(emailed_at__isnull=False)),
            # Who a reminder would reach: leavers stay in the reach but are never reminded
            # (services.announcement_remind), so the button counts only the others.
            pending=Count(
                "pk",
                filter=Q(acknowledged_at__isnull=True, membership__deactivated_at__isnull=True),
            ),
        )
        .order_by("team__name")
    )
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("audience", "opened", "acknowledged", "emailed", "pending")
    }
    return {"totals": totals, "by_team": rows}


def questions_for(announcement: Announcement) -> QuerySet[Question]:
    return announcement.questions.select_related("author__user", "answered_by__user")


def question_get(organisation: Organisation, code: str) -> Question:
    return get_object_or_404(
        Question.objects.filter(organisation=organisation).select_related("announcement"),
        code=code,
    )


# --- Problems ---


def _is_stale() -> Q:
    """The one definition of a stale problem: still unresolved on or after the day its
    programme's flag limit (`problem_flag_days` after it was raised, in the reader's today).
    The list's badge, the detail's warning and the home page's count all use it."""
    flag_date = ExpressionWrapper(
        Value(timezone.localdate()) - F("programme__problem_flag_days"), output_field=DateField()
    )
    return ~Q(status=ProblemStatus.RESOLVED) & Q(raised_on__lte=flag_date)


def _with_stale(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    return problems.annotate(stale=ExpressionWrapper(_is_stale(), output_field=BooleanField()))


def problems_for(programme: Programme) -> QuerySet[Problem]:
    """The programme's problems, each with `stale` (see `_is_stale`)."""
    return _with_stale(programme.problems.select_related("owner__user", "raised_by__user"))


def problem_get(organisation: Organisation, code: str) -> Problem:
    """One problem of the organisation, with `stale` (see `_is_stale`), or 404."""
    return get_object_or_404(
        _with_stale(
            Problem.objects.filter(organisation=organisation).select_related(
                "programme", "owner__user", "raised_by__user"
            )
        ),
        code=code,
    )


def stale_problems(organisation: Organisation) -> QuerySet[Problem]:
    """Unresolved problems older than their programme's flag limit, oldest first."""
    return (
        Problem.objects.filter(programme__organisation=organisation)
        .filter(_is_stale())
        .order_by("raised_on")
    )


# --- Sessions and meetings ---


def sessions_for(programme: Programme) -> QuerySet[Session]:
    # Django drops Meta.ordering from GROUP BY queries, so the order is spelled out here:
    # in date order, a consultation cycle's sessions by their place in the cycle.
    return (
        programme.sessions.select_related("wave")
        .annotate(
            expected=Count("attendance"),
            present=Count("attendance", filter=Q(attendance__attended=True)),
            # Attendance not taken yet (attended NULL) is not absence: an upcoming session, or
            # a past one nobody recorded, says so instead of "0 / 18".
            recorded=Count("attendance", filter=Q(attendance__attended__isnull=False)),
            upcoming=ExpressionWrapper(Q(starts_at__gt=Now()), output_field=BooleanField()),
        )
        .order_by("starts_at", "cycle_sequence", "pk")
    )


def session_get(organisation: Organisation, code: str) -> Session:
    return get_object_or_404(
        Session.objects.filter(organisation=organisation).select_related("programme", "wave"),
        code=code,
    )


def session_attendance(session: Session) -> QuerySet[SessionAttendance]:
    return session.attendance.select_related("participant__membership__user").order_by(
        "participant__membership__user__last_name"
    )


def participant_sessions(participant: Participant) -> dict[str, list[SessionAttendance]]:
    """Sessions this person was expected at: attended, missed, not recorded, upcoming."""
    now = timezone.now()
    rows = (
        SessionAttendance.objects.filter(participant=participant)
        .select_related("session")
        .order_by("session__starts_at")
    )
    result: dict[str, list[SessionAttendance]] = {
        "attended": [], "missed": [], "unrecorded": [], "upcoming": []
    }  # fmt: skip
    for row in rows:
        if row.session.starts_at > now:
            result["upcoming"].append(row)
        elif row.attended is True:
            result["attended"].append(row)
        elif row.attended is False:
            result["missed"].append(row)
        else:
            result["unrecorded"].append(row)
    return result


def meetings_for(programme: Programme) -> QuerySet[ManagementMeeting]:
    """Newest first: the page and the cadence warning read the first row as the latest."""
    # Django drops Meta.ordering from GROUP BY queries: without this the annotated list came
    # back oldest first and the cadence was measured from the oldest meeting.
    return programme.meetings.annotate(
        open_follow_ups=Count("follow_ups", filter=Q(follow_ups__done_at__isnull=True))
    ).order_by("-held_on", "-created_at")


def meeting_get(organisation: Organisation, code: str) -> ManagementMeeting:
    return get_object_or_404(
        ManagementMeeting.objects.filter(programme__organisation=organisation).select_related(
            "programme"
        ),
        code=code,
    )


def follow_ups_for(meeting: ManagementMeeting) -> QuerySet[FollowUp]:
    return meeting.follow_ups.select_related("owner__user")


def follow_up_get(organisation: Organisation, code: str) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.filter(programme__organisation=organisation).select_related(
            "meeting", "programme"
        ),
        code=code,
    )


def cadence_missed(programme: Programme, last_meeting: object) -> bool:
    since = last_meeting or programme.start_date
    return (timezone.localdate() - since).days > programme.meeting_cadence_days


# --- Home pages: what needs this person now (a fixed number of queries per role) ---


def home_panels(membership: Membership) -> dict[str, object]:
    organisation = membership.organisation
    today = timezone.localdate()
    now = timezone.now()
    panels: dict[str, object] = {}
    programmes = list(programmes_for(organisation).annotate(last_meeting=Max("meetings__held_on")))
    panels["programmes"] = programmes

    # Everyone who is addressed: unread announcements and their next session.
    unread = AnnouncementRecipient.objects.filter(
        membership=membership,
        acknowledged_at__isnull=True,
        announcement__status=Announcement.Status.PUBLISHED,
    )
    panels["unread"] = list(
        with_shown_title(unread, reader_language(membership), through="announcement")
        .select_related("announcement__published_by__user")
        .order_by("-announcement__published_at")[:5]
    )
    panels["next_session"] = (
        SessionAttendance.objects.filter(
            participant__membership=membership, session__starts_at__gte=now
        )
        .select_related("session")
        .order_by("session__starts_at")
        .first()
    )

    if policies.home_shows_problem_flags(membership):
        stale = stale_problems(organisation)
        panels["stale_problems"] = list(stale.select_related("programme")[:10])
        panels["stale_problem_count"] = stale.count()
    if policies.home_shows_triage(membership):
        panels["to_triage"] = list(
            Problem.objects.filter(
                programme__organisation=organisation, status=ProblemStatus.OPEN, owner__isnull=True
            )
            .select_related("programme")
            .order_by("raised_on")[:10]
        )
    if policies.home_shows_sessions(membership):
        week_start = today - timedelta(days=today.weekday())
        panels["sessions_this_week"] = list(
            Session.objects.filter(
                organisation=organisation,
                starts_at__date__gte=week_start,
                starts_at__date__lt=week_start + timedelta(days=7),
            )
            .select_related("wave")
            .order_by("starts_at")
        )
    if policies.home_shows_drafts_and_reach(membership):
        panels["drafts"] = list(
            Announcement.objects.filter(organisation=organisation, status=Announcement.Status.DRAFT)
            .select_related("drafted_by__user")
            .order_by("-updated_at")[:10]
        )
        last = (
            Announcement.objects.filter(
                organisation=organisation, status=Announcement.Status.PUBLISHED
            )
            .order_by("-published_at")
            .first()
        )
        panels["last_announcement"] = last
        panels["last_reach"] = announcement_reach(last)["totals"] if last else None
    if policies.home_shows_follow_ups(membership):
        overdue = FollowUp.objects.filter(
            programme__organisation=organisation, done_at__isnull=True, due_on__lt=today
        ).select_related("owner__user", "meeting")
        if policies.home_follow_ups_are_own_only(membership):
            overdue = overdue.filter(owner=membership)
        panels["overdue_follow_ups"] = list(overdue.order_by("due_on")[:20])
        panels["cadence_missed"] = [p for p in programmes if cadence_missed(p, p.last_meeting)]
    return panels


__all__ = [
    "announcement_get_for",
    "announcement_reach",
    "announcements_visible_to",
    "cadence_missed",
    "follow_up_get",
    "follow_ups_for",
    "home_panels",
    "meeting_get",
    "meetings_for",
    "participant_sessions",
    "participants_without_wave",
    "problem_get",
    "problems_for",
    "programme_get",
    "programmes_for",
    "question_get",
    "questions_for",
    "recipient_for",
    "risk_get",
    "risks_for",
    "session_attendance",
    "session_get",
    "sessions_for",
    "stale_problems",
    "wave_get",
    "wave_members",
    "waves_for",
    "waves_with_counts",
]
