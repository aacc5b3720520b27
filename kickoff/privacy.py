"""What the kick-off keeps about a person, for "My data": described, exported, erased here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kickoff.models import (
    Concern,
    ConcernOpinion,
    ConcernVote,
    EmotionSignal,
    EngagementAction,
    EngagementPlan,
    KickoffJoin,
    KickoffSession,
    StakeholderAssessment,
)
from programme.models import Membership
from programme.privacy import (
    DataGroup,
    ExportPart,
    Identity,
    PrivacyProvider,
    participant_ids,
    register_privacy_provider,
    table,
)


def describe(membership: Membership) -> list[DataGroup]:
    about = participant_ids(membership)
    return [
        DataGroup(
            "kickoff_joins",
            _("Kick-offs you joined"),
            _("That you opened a kick-off's join page (no time is kept). Erasure deletes it."),
            KickoffJoin.objects.filter(membership=membership).count(),
        ),
        DataGroup(
            "kickoff_named",
            _("Concerns under your name, and your open votes"),
            _(
                "Concerns you chose to sign, and “me too”, agree, disagree and pass votes while "
                "a kick-off is still open (closing it forgets who voted). Erasure keeps the "
                "concerns for the others, without your name, and deletes the votes; the counts "
                "stay."
            ),
            Concern.objects.filter(author=membership).count()
            + ConcernVote.objects.filter(voter=membership).count()
            # Agree / disagree / pass while a kick-off is open: forgotten like the votes.
            + ConcernOpinion.objects.filter(voter=membership).count(),
        ),
        DataGroup(
            "kickoff_about_you",
            _("What the programme team noted about you"),
            _(
                "Stance, influence and change-curve stage over time, an engagement plan, and "
                "emotions noticed in the room with your name. Erasure deletes them (emotions "
                "stay, without your name or note)."
            ),
            StakeholderAssessment.objects.filter(participant_id__in=about).count()
            + EngagementPlan.objects.filter(participant_id__in=about).count()
            + EmotionSignal.objects.filter(participant_id__in=about).count(),
        ),
    ]


def export(membership: Membership) -> ExportPart:
    about = participant_ids(membership)
    part = ExportPart()
    part.tables["kickoffs_joined"] = table(
        KickoffJoin.objects.filter(membership=membership), "session__title", "session__held_on"
    )
    part.tables["concerns_signed"] = table(
        Concern.objects.filter(author=membership),
        "session__title", "worry", "would_help", "status", "response", "addressed_on",
    )  # fmt: skip
    part.tables["votes_open"] = table(
        ConcernVote.objects.filter(voter=membership), "concern__worry", "concern__session__title"
    )
    part.tables["opinions_open"] = table(
        ConcernOpinion.objects.filter(voter=membership),
        "opinion", "concern__worry", "concern__session__title",
    )  # fmt: skip
    part.tables["stakeholder_assessments"] = table(
        StakeholderAssessment.objects.filter(participant_id__in=about),
        "assessed_on", "stance", "influence", "curve_stage", "note",
    )  # fmt: skip
    part.tables["engagement_plan"] = table(
        EngagementAction.objects.filter(plan__participant_id__in=about),
        "plan__goal", "action", "due_on", "outcome", "done_on",
    )  # fmt: skip
    part.tables["emotions_noticed"] = table(
        EmotionSignal.objects.filter(participant_id__in=about),
        "session__title", "kind", "intensity", "note", "created_at",
    )  # fmt: skip
    return part


def erase(
    membership: Membership, *, keep_contributions: bool, identity: Identity, files: list
) -> dict[str, int]:
    about = participant_ids(membership)
    organisation_id = membership.organisation_id
    counts = {
        "kick-off joins": KickoffJoin.objects.filter(membership=membership).delete()[0],
        "votes": ConcernVote.objects.filter(voter=membership).delete()[0],
        "opinions": ConcernOpinion.objects.filter(voter=membership).delete()[0],
        # A signed concern stays for the others, as if it had been sent anonymously.
        "concerns unsigned": Concern.objects.filter(author=membership).update(author=None),
        "stakeholder assessments": StakeholderAssessment.objects.filter(
            participant_id__in=about
        ).delete()[0],
        "engagement plans": EngagementPlan.objects.filter(participant_id__in=about).delete()[0],
        "emotions unnamed": EmotionSignal.objects.filter(participant_id__in=about).update(
            participant=None, note=""
        ),
    }
    Concern.objects.filter(organisation_id=organisation_id, owner=membership).update(owner=None)
    StakeholderAssessment.objects.filter(
        organisation_id=organisation_id, assessed_by=membership
    ).update(assessed_by=None)
    EngagementPlan.objects.filter(organisation_id=organisation_id, owner=membership).update(
        owner=None
    )
    EmotionSignal.objects.filter(logged_by=membership).update(logged_by=None)
    sessions = KickoffSession.objects.filter(organisation_id=organisation_id)
    sessions.filter(facilitator=membership).update(facilitator=None)
    for session in sessions.filter(attendees=membership):
        session.attendees.remove(membership)
    return counts


def register() -> None:
    register_privacy_provider(
        PrivacyProvider(
            app="kickoff",
            label=_("Kick-offs"),
            describe=describe,
            export=export,
            erase=erase,
            not_kept=(
                _(
                    "Anonymous concerns: they store no author, no address and no time, so "
                    "nothing links them to you: they are not in your download, and erasure "
                    "cannot find them (they stay, as they are, for the others)."
                ),
                _(
                    "Who voted “me too”, agree, disagree or pass is forgotten when a kick-off "
                    "closes; only counts remain."
                ),
            ),
        )
    )
