"""Writes for kick-offs: sessions, concerns and votes, follow-through, emotion signals, the
stakeholder map and wave planning.

Every write takes the acting membership (`by`) and asks `kickoff.policies` itself (and that
the object is in the actor's organisation), so a service is safe whoever calls it; views ask
the policies only to decide what to show.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from kickoff import policies
from kickoff.models import (
    Concern,
    ConcernStatus,
    ConcernVote,
    EmotionSignal,
    EngagementAction,
    EngagementPlan,
    KickoffJoin,
    KickoffSession,
    Moderation,
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
    return session


def kickoff_open(*, session: KickoffSession, by: Membership) -> None:
    require(
        policies.can_run_kickoff(by),
        by,
        session.organisation_id,
        "Only the programme team opens kick-offs.",
    )
    if session.status == KickoffSession.Status.CLOSED:
        raise ValidationError("A closed session stays closed: its votes are no longer linked.")
    KickoffSession.objects.filter(pk=session.pk).update(status=KickoffSession.Status.OPEN)


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
        # Each "me too" stamped its concern with its own transaction id (xmin), which dates the
        # last vote; rewritten here, every concern of the session carries the closing's instead.
        Concern.objects.filter(session=session).update(votes=F("votes"))


def kickoff_join_record(*, session: KickoffSession, by: Membership) -> None:
    """Count a person in the room once, when they open the join page of an open session."""
    require(policies.can_join_kickoff(by), by, session.organisation_id, "Not your session.")
    if session.status == KickoffSession.Status.OPEN:
        KickoffJoin.objects.bulk_create(
            [KickoffJoin(session=session, membership=by)], ignore_conflicts=True
        )


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
        raise ValidationError("This session is not taking concerns any more.")


OWN_CONCERN = "This concern is yours: 'me too' is for the concerns of others. It is on the screen."


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
            raise ValidationError("This session is not taking concerns any more.")
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


register_anonymous_writer("concern", _anonymous_concerns_write)


def concern_vote(*, concern: Concern, by: Membership) -> bool:
    """'Me too'. Returns False for a second vote by the same person, which changes nothing.
    A named concern's author cannot second it (an anonymous one's author is known to their
    browser only: the view refuses it from there)."""
    require(policies.can_join_kickoff(by), by, concern.organisation_id, "Not your session.")
    target = concern.merged_into or concern
    if target.moderation != Moderation.SHOWN:
        raise ValidationError(
            gettext("This concern is not on the screen: there is nothing to second yet.")
        )
    if by.pk in (concern.author_id, target.author_id):
        raise ValidationError(OWN_CONCERN)
    with transaction.atomic():
        _locked_open_session(concern.session)
        try:
            with transaction.atomic():
                ConcernVote.objects.create(concern=target, voter=by)
        except IntegrityError:
            return False
        Concern.objects.filter(pk=target.pk).update(votes=F("votes") + 1)
        return True


def concern_categorise(*, concern: Concern, by: Membership, category: str) -> None:
    require(
        policies.can_run_kickoff(by),
        by,
        concern.organisation_id,
        "Only the programme team sorts concerns.",
    )
    Concern.objects.filter(pk=concern.pk).update(category=category.strip()[:80])


def concern_merge(*, duplicate: Concern, into: Concern, by: Membership) -> None:
    """Fold a duplicate into another concern of the same session; its voices count once."""
    require(
        policies.can_run_kickoff(by),
        by,
        duplicate.organisation_id,
        "Only the programme team merges concerns.",
    )
    if duplicate.session_id != into.session_id or duplicate.pk == into.pk:
        raise ValidationError("Only two different concerns of the same session can be merged.")
    if into.merged_into_id:
        raise ValidationError("Merge into a concern that is not itself merged.")
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
        if not into.category and duplicate.category:
            Concern.objects.filter(pk=into.pk).update(category=duplicate.category)
        Concern.objects.filter(merged_into=duplicate).update(merged_into=into)
        Concern.objects.filter(pk=duplicate.pk).update(merged_into=into, votes=0)


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
        raise ValidationError("Being worked on needs an owner and the action taken.")
    if status == ConcernStatus.ADDRESSED and not response.strip():
        raise ValidationError("Addressed needs a response: it is published as 'you said, we did'.")
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


def emotion_log(
    *, session: KickoffSession, by: Membership, data: dict[str, object]
) -> EmotionSignal:
    require(
        policies.can_run_kickoff(by),
        by,
        session.organisation_id,
        "Only the programme team logs emotions.",
    )
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
        raise ValidationError("Only the session's own concerns can be covered.")
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
