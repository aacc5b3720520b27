"""Success defined with the sellers, the rituals they choose, and celebrations with consent."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programme.models import Membership, Organisation, Participant, TimeStamped


class Subject(models.TextChoices):
    SUCCESS = "success", _("What success means")
    RITUAL = "ritual", _("How we celebrate")


class VotingWindow(models.Model):
    """While a window is open, participants vote on the proposals of its subject."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=10, choices=Subject.choices)
    opens_at = models.DateTimeField(db_default=Now())
    closes_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-closes_at"]

    def __str__(self) -> str:
        return f"{self.subject} until {self.closes_at:%Y-%m-%d}"


class Proposal(TimeStamped):
    """A seller's proposal of what success means (optionally tied to an indicator and a
    threshold) or of a ritual. Votes are counted; who voted is never shown."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("a proposal's status", "Open")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=10, choices=Subject.choices)
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    statement = models.CharField(max_length=300)
    indicator = models.CharField(max_length=40, blank=True)  # a key of indicators.TUNABLE
    threshold = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "subject"], name="proposal_org_idx")]

    def __str__(self) -> str:
        return self.statement


class ProposalVote(models.Model):
    """One vote per person and proposal. Only counts ever leave the database."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "membership"], name="vote_once"),
        ]

    def __str__(self) -> str:
        return f"vote on {self.proposal_id}"


class MilestoneKind(models.TextChoices):
    FIRST_MEETING = "first_meeting", _("First meeting booked through LinkedIn")
    FIRST_DEAL = "first_deal", _("First deal won through LinkedIn")
    POPULAR_POST = "popular_post", _("First post with 10 or more comments")
    REGULAR_8 = "regular_8", _("Eight regular weeks in a row")


class Consent(models.TextChoices):
    PUBLIC = "public", _("Yes, celebrate it in the programme")
    TEAM = "team", _("Yes, but only with my team")
    NO = "no", _("No, thank you")


class Celebration(models.Model):
    """A milestone, detected once per person and kind. Nobody sees it but its owner until
    they say whether and how to celebrate it; no answer means no public celebration."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="celebrations"
    )
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    detected_at = models.DateTimeField(db_default=Now())
    consent = models.CharField(max_length=10, choices=Consent.choices, blank=True)
    ritual = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-answered_at", "-detected_at"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "kind"], name="milestone_once"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.kind}"
