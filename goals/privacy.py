"""What goals keep about a person, for "My data": described, exported, erased here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from goals.models import (
    Celebration,
    CheckIn,
    Initiative,
    KeyResult,
    Objective,
    Proposal,
    ProposalVote,
    VotingWindow,
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
    return [
        DataGroup(
            "proposals_votes",
            _("Proposals and votes"),
            _(
                "What you proposed success or a ritual should be, and which proposals you voted "
                "for. Erasure deletes your votes and keeps your proposals for the others, "
                "without your name."
            ),
            Proposal.objects.filter(author=membership).count()
            + ProposalVote.objects.filter(membership=membership).count(),
        ),
        DataGroup(
            "milestones",
            _("Milestones and your consents"),
            _(
                "Your milestones (first meeting through LinkedIn, first deal...) and whether "
                "and how you agreed to have them celebrated. Erasure deletes them."
            ),
            Celebration.objects.filter(participant_id__in=participant_ids(membership)).count(),
        ),
        DataGroup(
            "okris",
            _("Objectives, initiatives and check-ins in your name"),
            _(
                "Objectives and initiatives you own and key-result check-ins you made. Erasure "
                "keeps them for the programme, without your name."
            ),
            Objective.objects.filter(owner=membership).count()
            + Initiative.objects.filter(owner=membership).count()
            + CheckIn.objects.filter(by=membership).count(),
        ),
    ]


def export(membership: Membership) -> ExportPart:
    part = ExportPart()
    part.tables["proposals"] = table(
        Proposal.objects.filter(author=membership),
        "subject", "statement", "indicator", "threshold", "status", "created_at",
    )  # fmt: skip
    part.tables["votes"] = table(
        ProposalVote.objects.filter(membership=membership), "proposal__statement"
    )
    part.tables["milestones"] = table(
        Celebration.objects.filter(participant_id__in=participant_ids(membership)),
        "kind", "detected_at", "consent", "ritual__statement", "answered_at",
    )  # fmt: skip
    part.tables["objectives_owned"] = table(
        Objective.objects.filter(owner=membership), "title", "starts_on", "ends_on"
    )
    part.tables["initiatives_owned"] = table(
        Initiative.objects.filter(owner=membership), "objective__title", "title", "status"
    )
    part.tables["check_ins"] = table(
        CheckIn.objects.filter(by=membership),
        "key_result__title", "value", "confidence", "comment", "created_at",
    )  # fmt: skip
    return part


def erase(
    membership: Membership, *, keep_contributions: bool, identity: Identity, files: list
) -> dict[str, int]:
    organisation_id = membership.organisation_id
    counts = {
        "votes": ProposalVote.objects.filter(membership=membership).delete()[0],
        "milestones": Celebration.objects.filter(
            participant_id__in=participant_ids(membership)
        ).delete()[0],
        "proposals unsigned": Proposal.objects.filter(author=membership).update(author=None),
        "check-ins unsigned": CheckIn.objects.filter(by=membership).update(by=None),
    }
    Proposal.objects.filter(organisation_id=organisation_id, decided_by=membership).update(
        decided_by=None
    )
    VotingWindow.objects.filter(organisation_id=organisation_id, opened_by=membership).update(
        opened_by=None
    )
    Objective.objects.filter(organisation_id=organisation_id, owner=membership).update(owner=None)
    Initiative.objects.filter(owner=membership).update(owner=None)
    KeyResult.objects.filter(confirmed_by=membership).update(confirmed_by=None)
    return counts


def register() -> None:
    register_privacy_provider(
        PrivacyProvider(
            app="goals",
            label=_("Success, rituals, milestones and OKRIs"),
            describe=describe,
            export=export,
            erase=erase,
        )
    )
