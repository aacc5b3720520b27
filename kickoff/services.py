"""Writes for kick-offs: sessions, concerns and votes, follow-through, emotion signals, the
stakeholder map and wave planning.

Every write takes the acting membership (`by`) and asks `kickoff.policies` itself (and that
the object is in the actor's organisation), so a service is safe whoever calls it; views ask
the policies only to decide what to show.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from kickoff import formats, live, policies
from kickoff.models import (
    OPINION_COUNTS,
    Concern,
    ConcernOpinion,
    ConcernStatus,
    ConcernVote,
    EmotionSignal,
    EngagementAction,
    EngagementPlan,
    KickoffFormat,
    KickoffSession,
    Moderation,
    Opinion,
    StakeholderAssessment,
    ThemeFollowUp,
    new_join_code,
)
from programme import services as programme_services
from programme.anonymous import (
    anonymous_enqueue,
    anonymous_flush,
    register_anonymous_writer,
    write_items,
)
from programme.blocked_words import (
    blocked_words_among,
    blocked_words_by_organisation,
    blocked_words_in,
)
from programme.calendar import calendar_queue
from programme.models import Membership, Participant, Programme, Wave
from programme.policies import require


def kickoff_save(
    *,
    programme: Programme,
    by: Membership,
    data: dict[str, object],
    attendees: Iterable[Membership],
    session: KickoffSession | None = None,
) -> KickoffSession:
    require(
        policies.can_run_kickoff(by),
        by,
        programme.organisation_id,
        "Only the programme team plans kick-offs.",
    )
    session = session or KickoffSession(
        organisation_id=programme.organisation_id, programme=programme
    )
    for name, value in data.items():
        setattr(session, name, value)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                session.save()
            break
        except IntegrityError:
            if session.pk:
                raise
            session.join_code = new_join_code()  # a clash among ~900 million codes: draw again
    session.attendees.set(attendees)
    calendar_queue(source="kickoff", code=session.code, organisation_id=session.organisation_id)
    return session


def kickoff_open(*, session: KickoffSession, by: Membership) -> None:
    require(
        policies.can_run_kickoff(by),
        by,
        session.organisation_id,
        "Only the programme team opens kick-offs.",
    )
    if session.status == KickoffSession.Status.CLOSED:
        raise ValidationError(
            gettext("A closed session stays closed: its votes are no longer linked.")
        )
    KickoffSession.objects.filter(pk=session.pk).update(status=KickoffSession.Status.OPEN)
    live.board_changed(session.pk)
    programme_services.publish(
        session.organisation,
        "kickoff.opened",
        {
            "key": str(session.code),
            "title": gettext("Kick-off open: %(title)s") % {"title": session.title},
            "text": gettext(
                "Join with code %(code)s and tell us what worries you and what would help."
            )
            % {"code": session.join_code},
            "url": reverse("kickoff-join", args=[session.organisation.slug, session.join_code]),
            "data": {
                "session": str(session.code),
                "title": session.title,
                "held_on": session.held_on.isoformat(),
            },
        },
    )


def kickoff_close(*, session: KickoffSession, by: Membership) -> None:
    """Close the session and forget who voted for what: only the counts remain."""
    require(
        policies.can_run_kickoff(by),
        by,
        session.organisation_id,
        "Only the programme team closes kick-offs.",
    )
    anonymous_flush()  # concerns still queued are the room's too: on the board before it closes
    with transaction.atomic():
        KickoffSession.objects.filter(pk=session.pk).update(
            status=KickoffSession.Status.CLOSED, closed_at=timezone.now()
        )
        ConcernVote.objects.filter(concern__session=session).delete()
        ConcernOpinion.objects.filter(concern__session=session).delete()  # counts stay
        # Each "me too" stamped its concern with its own transaction id (xmin), which dates the
        # last vote; rewritten here, every concern of the session carries the closing's instead.
        Concern.objects.filter(session=session).update(votes=F("votes"))
        live.board_changed(session.pk)
        live.board_forget(session.pk)  # how often each person voted goes with the votes
    concern_arrivals_forget(session=session)


def kickoff_join_record(*, session: KickoffSession, by: Membership) -> None:
    """Count a person in the room once, when they open the join page of an open session."""
    require(policies.can_join_kickoff(by), by, session.organisation_id, "Not your session.")
    if session.status == KickoffSession.Status.OPEN and live.join_record(
        session_id=session.pk, membership_id=by.pk
    ):
        live.board_changed(session.pk)  # the projector counts the room


def _locked_open_session(session: KickoffSession) -> None:
    """Check, inside the caller's transaction, that the session is still open.

    FOR SHARE: submitters do not wait for each other, but closing (an UPDATE of this row)
    waits until they have committed, so no vote can slip in after the voters are forgotten.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status FROM {KickoffSession._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608
            [session.pk],
        )
        row = cursor.fetchone()
    if row is None or row[0] != KickoffSession.Status.OPEN:
        raise ValidationError(gettext("This session is not taking concerns any more."))


NO_EMOTION_CHECK = gettext_lazy(
    "This kick-off's format leaves the emotion check out: no signal is logged for it."
)
OWN_CONCERN = gettext_lazy(
    "This concern is yours: 'me too' is for the concerns of others. It is on the screen."
)


def concern_submit(
    *, session: KickoffSession, by: Membership, worry: str, would_help: str, anonymous: bool
) -> Concern:
    """Anonymous (the default) stores no author; nothing stores the time or the address.

    An anonymous concern is queued, not written: the timer task writes it with the others sent
    meanwhile, shuffled, in one transaction (programme.anonymous), so not even the database's
    transaction ids say who sent it. The returned concern is then unsaved; its key is the one
    its row will have, for the sender's browser to recognise it ("yours, being added")."""
    require(policies.can_join_kickoff(by), by, session.organisation_id, "Not your session.")
    if anonymous:
        # A plain read: a row lock would stamp the session row with this request's transaction.
        if not KickoffSession.objects.filter(
            pk=session.pk, status=KickoffSession.Status.OPEN
        ).exists():
            raise ValidationError(gettext("This session is not taking concerns any more."))
        code = anonymous_enqueue(
            "concern",
            {"session_id": session.pk, "worry": worry, "would_help": would_help},
        )
        # Unsaved: what the batch will decide (it decides again when it writes the row).
        return Concern(
            id=code, organisation_id=session.organisation_id, session=session, worry=worry,
            would_help=would_help, moderation=_moderation_on_arrival(session, worry, would_help),
        )  # fmt: skip
    with transaction.atomic():
        _locked_open_session(session)
        live.board_changed(session.pk, by.pk)
        return Concern.objects.create(
            organisation_id=session.organisation_id,
            session=session,
            worry=worry,
            would_help=would_help,
            author=by,
            moderation=_moderation_on_arrival(session, worry, would_help),
        )


def _anonymous_concerns_write(items: list[dict]) -> None:
    """The timer's batch (already shuffled): sessions deleted meanwhile take theirs along.
    Held or shown is decided here, as for a named concern (pre-moderated session, blocked
    word): two reads per batch, whatever its size."""
    held = _held_items(items)
    write_items(
        items, model=Concern, parent=KickoffSession, parent_key="session_id",
        build=lambda item, organisation_id: Concern(
            id=item["code"], organisation_id=organisation_id, session_id=item["session_id"],
            worry=item["worry"], would_help=item["would_help"],
            moderation=Moderation.HELD if item["code"] in held else Moderation.SHOWN,
        ),
    )  # fmt: skip
    for session_id in {item["session_id"] for item in items}:
        live.board_changed(session_id)  # after the batch's transaction commits


register_anonymous_writer("concern", _anonymous_concerns_write)


def _votable(concern: Concern, by: Membership, *, own: str, unshown: str) -> Concern:
    """The concern a 'me too' or an opinion goes to (the one a duplicate was merged into),
    refused when it is not on the screen (held or rejected) or is the person's own."""
    require(policies.can_join_kickoff(by), by, concern.organisation_id, "Not your session.")
    target = concern.merged_into or concern
    if target.moderation != Moderation.SHOWN:
        raise ValidationError(str(unshown))
    if by.pk in (concern.author_id, target.author_id):
        raise ValidationError(own)
    return target


def concern_vote(*, concern: Concern, by: Membership) -> bool:
    """'Me too'. Returns False for a second vote by the same person, which changes nothing.
    A named concern's author cannot second it (an anonymous one's author is known to their
    browser only: the view refuses it from there)."""
    target = _votable(concern, by, own=OWN_CONCERN, unshown=gettext_lazy(
        "This concern is not on the screen: there is nothing to second yet."
    ))  # fmt: skip
    # One statement, its own short transaction: the session row FOR SHARE (closing waits for
    # it), the vote row, the count (kickoff.live.vote_cast; it was seven round trips).
    cast = live.vote_cast(session_id=concern.session_id, concern_id=target.pk, voter_id=by.pk)
    if cast == live.SESSION_CLOSED:
        raise ValidationError(gettext("This session is not taking concerns any more."))
    if cast == live.VOTE_AGAIN:
        return False
    live.board_changed(concern.session_id, by.pk)
    return True


def concern_categorise(*, concern: Concern, by: Membership, category: str) -> None:
    require(
        policies.can_run_kickoff(by),
        by,
        concern.organisation_id,
        "Only the programme team sorts concerns.",
    )
    Concern.objects.filter(pk=concern.pk).update(category=category.strip()[:80])
    live.board_changed(concern.session_id)


def concern_merge(*, duplicate: Concern, into: Concern, by: Membership) -> None:
    """Fold a duplicate into another concern of the same session; its voices count once."""
    require(
        policies.can_run_kickoff(by),
        by,
        duplicate.organisation_id,
        "Only the programme team merges concerns.",
    )
    if duplicate.session_id != into.session_id or duplicate.pk == into.pk:
        raise ValidationError(
            gettext("Only two different concerns of the same session can be merged.")
        )
    if into.merged_into_id:
        raise ValidationError(gettext("Merge into a concern that is not itself merged."))
    if into.moderation != Moderation.SHOWN:
        # Its votes would vanish from the screen with it: a held concern goes the other way.
        raise ValidationError(gettext("Merge into a concern that is shown, not one held back."))
    with transaction.atomic():
        if duplicate.session.status == KickoffSession.Status.OPEN:
            already = ConcernVote.objects.filter(concern=into).values("voter_id")
            ConcernVote.objects.filter(concern=duplicate, voter_id__in=already).delete()
            ConcernVote.objects.filter(concern=duplicate).update(concern=into)
            count = ConcernVote.objects.filter(concern=into).count()
            Concern.objects.filter(pk=into.pk).update(votes=count)
        else:
            # Voters are forgotten once closed: the counts add up (someone may count twice).
            Concern.objects.filter(pk=into.pk).update(votes=F("votes") + duplicate.votes)
        _opinions_merge(duplicate=duplicate, into=into)
        if not into.category and duplicate.category:
            Concern.objects.filter(pk=into.pk).update(category=duplicate.category)
        Concern.objects.filter(merged_into=duplicate).update(merged_into=into)
        Concern.objects.filter(pk=duplicate.pk).update(
            merged_into=into, votes=0, agrees=0, disagrees=0, passes=0
        )
        live.board_changed(duplicate.session_id)


def concern_follow_up(
    *,
    concern: Concern,
    by: Membership,
    status: str,
    owner: Membership | None,
    action: str,
    response: str,
) -> None:
    """recorded -> verified -> being worked on (owner, action) -> addressed (a response)."""
    require(
        policies.can_follow_up_concern(by),
        by,
        concern.organisation_id,
        "Only a consultant or the sponsor follows up concerns.",
    )
    if status == ConcernStatus.IN_PROGRESS and not (owner and action.strip()):
        raise ValidationError(gettext("Being worked on needs an owner and the action taken."))
    if status == ConcernStatus.ADDRESSED and not response.strip():
        raise ValidationError(
            gettext("Addressed needs a response: it is published as 'you said, we did'.")
        )
    concern.status = status
    concern.owner = owner
    concern.action = action
    concern.response = response
    concern.addressed_on = (
        (concern.addressed_on or timezone.localdate())
        if status == ConcernStatus.ADDRESSED
        else None
    )
    concern.save(update_fields=["status", "owner", "action", "response", "addressed_on"])
    live.board_changed(concern.session_id)


def emotion_log(
    *, session: KickoffSession, by: Membership, data: dict[str, object]
) -> EmotionSignal:
    require(
        policies.can_run_kickoff(by),
        by,
        session.organisation_id,
        "Only the programme team logs emotions.",
    )
    if not session.emotion_check:
        raise ValidationError(NO_EMOTION_CHECK)
    return EmotionSignal.objects.create(session=session, logged_by=by, **data)


# --- Stakeholder map --------------------------------------------------------------------------


def assessment_record(
    *, participant: Participant, by: Membership, data: dict[str, object]
) -> StakeholderAssessment:
    """A new point on the person's path; earlier assessments are never changed."""
    require(
        policies.can_map_stakeholders(by),
        by,
        participant.organisation_id,
        "Only the programme team maps stakeholders.",
    )
    return StakeholderAssessment.objects.create(
        organisation_id=participant.organisation_id, participant=participant, assessed_by=by, **data
    )


def engagement_plan_ensure(
    *, participant: Participant, by: Membership, goal: str = ""
) -> EngagementPlan:
    """The person's one-to-one plan; whoever plans its first action owns it."""
    require(
        policies.can_map_stakeholders(by),
        by,
        participant.organisation_id,
        "Only the programme team plans one-to-one work.",
    )
    plan, created = EngagementPlan.objects.get_or_create(
        participant=participant,
        defaults={"organisation_id": participant.organisation_id, "owner": by, "goal": goal},
    )
    if not created and goal and plan.goal != goal:
        plan.goal = goal
        plan.save(update_fields=["goal", "updated_at"])
    return plan


def engagement_action_add(
    *, plan: EngagementPlan, by: Membership, action: str, due_on: object
) -> EngagementAction:
    require(
        policies.can_map_stakeholders(by),
        by,
        plan.organisation_id,
        "Only the programme team plans one-to-one work.",
    )
    return EngagementAction.objects.create(plan=plan, action=action, due_on=due_on)


def engagement_action_complete(*, action: EngagementAction, by: Membership, outcome: str) -> None:
    require(
        policies.can_map_stakeholders(by),
        by,
        action.plan.organisation_id,
        "Only the programme team records one-to-one outcomes.",
    )
    action.outcome = outcome
    action.done_on = action.done_on or timezone.localdate()
    action.save(update_fields=["outcome", "done_on", "updated_at"])


def wave_plan_confirm(
    *,
    programme: Programme,
    by: Membership,
    name: str,
    start_date: object,
    participants: list[Participant],
) -> Wave:
    """Create the planned wave with the people the consultant kept."""
    require(
        policies.can_plan_waves(by),
        by,
        programme.organisation_id,
        "Only those who plan waves confirm them.",
    )
    with transaction.atomic():
        wave = programme_services.wave_create(
            programme=programme, by=by, name=name, start_date=start_date
        )
        programme_services.wave_add_members(wave=wave, by=by, participants=participants)
    return wave


def wave_rename(*, wave: Wave, by: Membership, name: str) -> Wave:
    """Rename a wave on behalf of whoever plans waves (programme keeps the name unique)."""
    require(
        policies.can_plan_waves(by),
        by,
        wave.programme.organisation_id,
        "Only those who plan waves rename them.",
    )
    return programme_services.wave_rename(wave=wave, name=name, by=by)


# --- Agree / disagree / pass, and the presenter's arrivals (issue #22) -------------------------

# Marked for translation here, translated where they are shown (views_presenter).
BAD_OPINION = gettext_noop("Choose agree, disagree or pass.")
OWN_CONCERN_OPINION = gettext_noop(
    "This concern is yours: agree, disagree and pass are for the concerns of others."
)


def concern_opine(*, concern: Concern, by: Membership, opinion: str) -> bool:
    """Agree, disagree or pass: one per person per concern, changeable until the session
    closes. Returns False when it was the person's opinion already (nothing changes).

    The session row is held FOR SHARE (as for 'me too'), so closing waits for this and no
    opinion is linked to anyone after it; the person's own row FOR UPDATE, so two clicks at
    once cannot both count. The counts on Concern move set-based (F expressions)."""
    if opinion not in Opinion.values:
        raise ValidationError(BAD_OPINION)
    target = _votable(concern, by, own=OWN_CONCERN_OPINION, unshown=gettext_lazy(
        "This concern is not on the screen: there is nothing to agree with yet."
    ))  # fmt: skip
    with transaction.atomic():
        _locked_open_session(concern.session)
        for _attempt in range(2):
            mine = ConcernOpinion.objects.select_for_update().filter(concern=target, voter=by)
            previous = mine.values_list("opinion", flat=True).first()
            if previous == opinion:
                return False
            if previous is not None:
                mine.update(opinion=opinion)
                break
            try:
                with transaction.atomic():
                    ConcernOpinion.objects.create(concern=target, voter=by, opinion=opinion)
                break
            except IntegrityError:
                continue  # the same person's other click wrote first: change that one
        else:  # pragma: no cover - a third writer of one person's one row
            return False
        counts = {OPINION_COUNTS[opinion]: F(OPINION_COUNTS[opinion]) + 1}
        if previous is not None:
            counts[OPINION_COUNTS[previous]] = F(OPINION_COUNTS[previous]) - 1
        Concern.objects.filter(pk=target.pk).update(**counts)
        live.board_changed(concern.session_id, by.pk)
        return True


def _opinions_merge(*, duplicate: Concern, into: Concern) -> None:
    """Inside concern_merge's transaction: while open, a person's opinion on the duplicate
    moves to the concern kept unless they gave one there (theirs there wins) and the counts
    are recounted; once closed, only counts are left and they add up."""
    if duplicate.session.status == KickoffSession.Status.OPEN:
        already = ConcernOpinion.objects.filter(concern=into).values("voter_id")
        ConcernOpinion.objects.filter(concern=duplicate, voter_id__in=already).delete()
        ConcernOpinion.objects.filter(concern=duplicate).update(concern=into)
        rows = ConcernOpinion.objects.filter(concern=into)
        Concern.objects.filter(pk=into.pk).update(
            **{
                field: rows.filter(opinion=choice).count()
                for choice, field in OPINION_COUNTS.items()
            }
        )
    else:
        Concern.objects.filter(pk=into.pk).update(
            **{field: F(field) + getattr(duplicate, field) for field in OPINION_COUNTS.values()}
        )


# "Newest" on the projector: concerns store no time (anonymous by construction), so the order
# in which they reached the screen is noted in Redis by the projector's own polls, as a poll
# tick (not a time), and forgotten when the session closes. It says no more than the room saw.
ARRIVALS_KEPT_SECONDS = 2 * 86400


def _arrivals_keys(session: KickoffSession) -> tuple[str, str]:
    return f"kickoff:arrivals:{session.pk}", f"kickoff:arrivals-tick:{session.pk}"


def concern_arrivals_note(*, session: KickoffSession, codes: Iterable[str]) -> dict[str, int]:
    """Note the concerns on the screen now (those seen before keep their tick) and return each
    one's arrival tick; two round trips to Redis whatever the number of concerns."""
    codes = list(codes)
    if session.status != KickoffSession.Status.OPEN:
        return {}
    client = _redis()
    arrivals, tick_key = _arrivals_keys(session)
    tick = client.incr(tick_key)
    pipe = client.pipeline()
    if codes:
        pipe.zadd(arrivals, dict.fromkeys(codes, tick), nx=True)
    pipe.zrange(arrivals, 0, -1, withscores=True)
    pipe.expire(arrivals, ARRIVALS_KEPT_SECONDS)
    pipe.expire(tick_key, ARRIVALS_KEPT_SECONDS)
    seen = pipe.execute()[1 if codes else 0]
    return {code.decode(): int(score) for code, score in seen}


def concern_arrivals_forget(*, session: KickoffSession) -> None:
    _redis().delete(*_arrivals_keys(session))


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


# --- Kick-off formats: save, edit, archive, plan from one --------------------------------------

FORMAT_FIELDS = (
    "name", "agenda", "worry_question", "help_question", "emotion_check", "follow_up_days",
)  # fmt: skip


def _format_clean(data: dict[str, object], kickoff_format: KickoffFormat) -> dict[str, object]:
    """The format's fields checked as the form checks them (a service is safe whoever calls
    it): a name not taken in the organisation, an agenda that parses, 1-365 follow-up days."""
    errors: dict[str, list[str]] = {}
    cleaned = {key: data[key] for key in FORMAT_FIELDS if key in data}
    name = str(cleaned.get("name", kickoff_format.name) or "").strip()
    if not name:
        errors["name"] = [gettext("Give the format a name.")]
    elif (
        KickoffFormat.objects.filter(
            organisation_id=kickoff_format.organisation_id, name__iexact=name
        )
        .exclude(pk=kickoff_format.pk)
        .exists()
    ):
        errors["name"] = [format_name_taken_message(name)]
    cleaned["name"] = name
    try:
        steps = formats.parse_agenda(str(cleaned.get("agenda", kickoff_format.agenda) or ""))
    except formats.AgendaError as error:
        errors["agenda"] = error.messages
    else:
        if not steps:
            errors["agenda"] = [gettext("Write at least one step, like 'Welcome — 10'.")]
        cleaned["agenda"] = formats.agenda_text(steps)
    days = cleaned.get("follow_up_days", kickoff_format.follow_up_days)
    if not isinstance(days, int) or not 1 <= days <= 365:
        errors["follow_up_days"] = [gettext("Follow up within 1 to 365 days.")]
    for key in ("worry_question", "help_question"):
        if key in cleaned:
            cleaned[key] = str(cleaned[key] or "").strip()[:200]
    if errors:
        raise ValidationError(errors)
    return cleaned


def format_name_taken_message(name: str) -> str:
    return gettext(
        "A format named '%(name)s' exists already (perhaps archived): choose another name."
    ) % {"name": name}


def kickoff_format_save(
    *, by: Membership, data: dict[str, object], kickoff_format: KickoffFormat | None = None
) -> KickoffFormat:
    """Create a format in the actor's organisation, or change one (name, agenda, questions,
    emotion check, follow-up days). Sessions planned from it keep their own copy."""
    kickoff_format = kickoff_format or KickoffFormat(
        organisation_id=by.organisation_id, created_by=by
    )
    require(
        policies.can_manage_kickoff_formats(by),
        by,
        kickoff_format.organisation_id,
        gettext("Only those who run kick-offs manage their formats."),
    )
    for name, value in _format_clean(data, kickoff_format).items():
        setattr(kickoff_format, name, value)
    try:
        with transaction.atomic():
            kickoff_format.save()
    except IntegrityError:  # the same name saved meanwhile by someone else
        raise ValidationError({"name": [format_name_taken_message(kickoff_format.name)]}) from None
    return kickoff_format


def kickoff_format_save_from_session(
    *, session: KickoffSession, by: Membership, data: dict[str, object]
) -> KickoffFormat:
    """ "Save as a format": a new format from what the consultant kept of this session. The
    session joins it (if it had none), so the next wave compares with this one."""
    require(
        policies.can_manage_kickoff_formats(by),
        by,
        session.organisation_id,
        gettext("Only those who run kick-offs manage their formats."),
    )
    with transaction.atomic():
        kickoff_format = kickoff_format_save(by=by, data=data)
        KickoffSession.objects.filter(pk=session.pk, kickoff_format__isnull=True).update(
            kickoff_format=kickoff_format
        )
    return kickoff_format


def kickoff_format_archive(
    *, kickoff_format: KickoffFormat, by: Membership, archived: bool
) -> None:
    """An archived format is no longer offered for new sessions; its comparison stays."""
    require(
        policies.can_manage_kickoff_formats(by),
        by,
        kickoff_format.organisation_id,
        gettext("Only those who run kick-offs manage their formats."),
    )
    KickoffFormat.objects.filter(pk=kickoff_format.pk).update(
        archived_at=timezone.now() if archived else None, updated_at=timezone.now()
    )


def kickoff_plan_from_format(
    *,
    programme: Programme,
    by: Membership,
    kickoff_format: KickoffFormat,
    data: dict[str, object],
    attendees: Iterable[Membership],
    session: KickoffSession | None = None,
) -> KickoffSession:
    """Plan a session from a format (or re-plan `session` with one): it copies the format's
    agenda, questions, emotion check and follow-up days, so later edits of the format leave
    this session as it was."""
    require(
        policies.can_run_kickoff(by),
        by,
        kickoff_format.organisation_id,
        gettext("Only the programme team plans kick-offs."),
    )
    if kickoff_format.archived_at is not None:
        raise ValidationError(
            {"kickoff_format": [gettext("This format is archived: restore it to use it.")]}
        )
    if session is not None and session.programme_id != programme.pk:
        raise ValidationError(gettext("This kick-off belongs to another programme."))
    wave = data.get("wave")
    if wave is not None and wave.programme_id != programme.pk:
        raise ValidationError({"wave": [gettext("Choose one of this programme's waves, or none.")]})
    copied = {
        "kickoff_format": kickoff_format,
        "agenda": kickoff_format.agenda,
        "worry_question": kickoff_format.worry_question,
        "help_question": kickoff_format.help_question,
        "emotion_check": kickoff_format.emotion_check,
        "follow_up_days": kickoff_format.follow_up_days,
    }
    return kickoff_save(
        programme=programme, by=by, data={**data, **copied}, attendees=attendees, session=session
    )


# --- Moderation and themes (issue #22) ---------------------------------------------------------


def _moderation_on_arrival(session: KickoffSession, worry: str, would_help: str) -> str:
    """Held when the session waits for its facilitator, or when the text holds one of the
    organisation's blocked words (whatever the session's option); shown otherwise."""
    if session.premoderated or blocked_words_in(session.organisation_id, worry, would_help):
        return Moderation.HELD
    return Moderation.SHOWN


def _held_items(items: list[dict]) -> set[str]:
    """The codes of the batch's items to hold: two reads, whatever the batch's size."""
    sessions = {
        pk: (organisation_id, premoderated)
        for pk, organisation_id, premoderated in KickoffSession.objects.filter(
            pk__in={item["session_id"] for item in items}
        ).values_list("pk", "organisation_id", "premoderated")
    }
    words = blocked_words_by_organisation({org for org, _ in sessions.values()})
    held = set()
    for item in items:
        if item["session_id"] not in sessions:
            continue  # the session is gone: write_items drops the item
        organisation_id, premoderated = sessions[item["session_id"]]
        if premoderated or blocked_words_among(
            words.get(organisation_id, []), item["worry"], item["would_help"]
        ):
            held.add(item["code"])
    return held


def concern_moderate(*, concern: Concern, by: Membership, approve: bool) -> None:
    """Approve a held concern (it goes on the screen, the board, the report and the counts) or
    reject it (it is shown nowhere; its sender sees it was not). A decided concern stays
    decided: a second click, from another tab, changes nothing."""
    require(
        policies.can_moderate_concerns(by),
        by,
        concern.organisation_id,
        "Only the programme team moderates concerns.",
    )
    decided = Concern.objects.filter(pk=concern.pk, moderation=Moderation.HELD).update(
        moderation=Moderation.SHOWN if approve else Moderation.REJECTED
    )
    if not decided:
        raise ValidationError(gettext("This concern was moderated already."))
    live.board_changed(concern.session_id)


def theme_follow_up_save(
    *,
    session: KickoffSession,
    by: Membership,
    word: str,
    label: str,
    concerns: list[Concern],
    action: str,
    response: str,
) -> ThemeFollowUp:
    """One "you said, we did" item for a theme, covering the concerns that hold it. Answering
    the same theme again rewrites its answer and the concerns it covers."""
    require(
        policies.can_follow_up_concern(by),
        by,
        session.organisation_id,
        "Only a consultant or the sponsor follows up concerns.",
    )
    if not response.strip():
        raise ValidationError(gettext("Write the response sellers will read."))
    if not concerns:
        raise ValidationError(gettext("No concern of this session holds this theme."))
    if any(c.session_id != session.pk for c in concerns):
        raise ValidationError(gettext("Only the session's own concerns can be covered."))
    with transaction.atomic():
        follow_up, _created = ThemeFollowUp.objects.update_or_create(
            session=session,
            word=word,
            defaults={
                "organisation_id": session.organisation_id,
                "label": label[:100],
                "action": action.strip(),
                "response": response.strip(),
                "addressed_on": timezone.localdate(),
                "by": by,
            },
        )
        follow_up.concerns.set(concerns)
    return follow_up


def kickoff_premoderation_set(*, session: KickoffSession, by: Membership, on: bool) -> None:
    """Turn "concerns wait for me" on or off for a session. Concerns already held stay held
    until decided: turning it off releases nothing unseen."""
    require(
        policies.can_moderate_concerns(by),
        by,
        session.organisation_id,
        "Only the programme team moderates concerns.",
    )
    KickoffSession.objects.filter(pk=session.pk).update(premoderated=on)
    live.board_changed(session.pk)
