"""Success defined with the sellers, rituals, celebrations with consent, and OKRIs."""

from goals.models.okris import (
    CheckIn,
    Initiative,
    KeyResult,
    Objective,
    Scope,
)
from goals.models.success import (
    Celebration,
    Consent,
    MilestoneKind,
    Proposal,
    ProposalVote,
    Subject,
    VotingWindow,
)

__all__ = [
    "Celebration",
    "CheckIn",
    "Consent",
    "Initiative",
    "KeyResult",
    "MilestoneKind",
    "Objective",
    "Proposal",
    "ProposalVote",
    "Scope",
    "Subject",
    "VotingWindow",
]
