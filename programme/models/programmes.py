"""Programmes, their phases and waves, the risk register and the problem log."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from programme.models.core import Membership, Organisation, Participant, TimeStamped


class Phase(models.TextChoices):
    # Translators: a phase of the change programme; "kick-off" is the opening discussion.
    KICKOFF = "kickoff", pgettext_lazy("programme phase", "Kick-off")
    TRAINING = "training", pgettext_lazy("programme phase", "Training")
    CONSULTATION = "consultation", pgettext_lazy("programme phase", "Consultation cycles")
    # Translators: the phase in which the programme spreads wave by wave.
    EXPANSION = "expansion", pgettext_lazy("programme phase", "Expansion")


class Programme(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start_date = models.DateField()
    current_phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.KICKOFF)
    sponsors = models.ManyToManyField(Membership, related_name="sponsored_programmes", blank=True)
    consultants = models.ManyToManyField(
        Membership, related_name="consulted_programmes", blank=True
    )
    problem_flag_days = models.PositiveSmallIntegerField(
        default=14,
        help_text=_("Problems open longer than this are flagged to consultant and sponsor."),
    )
    meeting_cadence_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("Management meets at least this often (days).")
    )

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="programme_unique_name_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(meeting_cadence_days__gte=1)
                & models.Q(problem_flag_days__gte=1),
                name="programme_positive_day_settings",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Wave(TimeStamped):
    """A cohort: supporters first, then wave by wave as positive examples spread."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120, blank=True)
    start_date = models.DateField()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="wave_unique_number_per_programme"
            ),
            # Pickers show waves by name: two "Supporters" cannot be told apart. Unnamed waves
            # read "Wave <number>", which is unique already.
            models.UniqueConstraint(
                Lower("name"),
                "programme",
                condition=~models.Q(name=""),
                name="wave_unique_name_per_programme",
            ),
        ]

    def __str__(self) -> str:
        # Translators: the name of a wave that was given none; the number is its order.
        return self.name or gettext("Wave %(number)s") % {"number": self.number}


class WaveMember(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="wave_memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # A participant is in at most one wave per programme.
            models.UniqueConstraint(
                fields=["programme", "participant"], name="wave_member_one_wave_per_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} in wave {self.wave_id}"


class Risk(TimeStamped):
    """Told to the sellers up front: what may happen and what we do about it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200)
    what_may_happen = models.TextField()
    what_we_do = models.TextField(_("what we do about it"))

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class ProblemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("problem status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("problem status", "In progress")
    RESOLVED = "resolved", pgettext_lazy("problem status", "Resolved")


class Problem(models.Model):
    """A problem anyone raised. Anonymous ones keep no author and only the day they were raised.

    Deliberately not TimeStamped: an exact creation time could link an anonymous problem to
    its author through access logs.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="problems")
    title = models.CharField(max_length=200)
    description = models.TextField()
    raised_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_problems"
    )
    resolution = models.TextField(blank=True)
    resolved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        indexes = [
            # Home pages: "open problems of this programme, oldest first".
            models.Index(
                fields=["programme", "raised_on"],
                condition=~models.Q(status="resolved"),
                name="problem_unresolved_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | models.Q(resolved_on__isnull=False),
                name="problem_resolved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


__all__ = [
    "Phase",
    "Problem",
    "ProblemStatus",
    "Programme",
    "Risk",
    "Wave",
    "WaveMember",
]
