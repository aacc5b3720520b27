"""Training and consultation sessions, consultation cycles, and management meetings."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import formats
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from programme.models.core import Membership, Organisation, Participant, TimeStamped
from programme.models.programmes import Programme, Wave

HALF_DAY_MINUTES = 240


class SessionKind(models.TextChoices):
    TRAINING = "training", pgettext_lazy("session kind", "Training")
    CONSULTATION = "consultation", pgettext_lazy("session kind", "Consultation")


class Track(models.TextChoices):
    # Translators: who a training or consultation is made for.
    EXECUTIVE = "executive", pgettext_lazy("session track", "Executives")
    SALES_DIRECTOR = "sales_director", pgettext_lazy("session track", "Sales directors")
    SELLER = "seller", pgettext_lazy("session track", "Sellers")


class ConsultationCycle(TimeStamped):
    """Regular consultation for a wave: every N weeks, a given number of times."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cycles")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="cycles")
    every_weeks = models.PositiveSmallIntegerField()
    first_at = models.DateTimeField()
    occurrences = models.PositiveSmallIntegerField()
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    track = models.CharField(max_length=20, choices=Track.choices, default=Track.SELLER)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_weeks__gte=1, every_weeks__lte=26)
                & models.Q(occurrences__gte=1, occurrences__lte=52),
                name="cycle_sensible_rhythm",
            ),
        ]


class Session(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    track = models.CharField(max_length=20, choices=Track.choices, default=Track.SELLER)
    segment = models.CharField(_("industry segment"), max_length=120, blank=True)
    practice_minutes = models.PositiveSmallIntegerField(_("hands-on practice (minutes)"), default=0)
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    cycle = models.ForeignKey(
        ConsultationCycle, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    cycle_sequence = models.PositiveSmallIntegerField(null=True, blank=True)
    agenda_issues = models.TextField(_("issues"), blank=True)
    agenda_successes = models.TextField(_("successes"), blank=True)
    agenda_inspirations = models.TextField(_("inspirations"), blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "cycle_sequence"], name="session_unique_cycle_sequence"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1)
                & models.Q(practice_minutes__lte=models.F("duration_minutes")),
                name="session_practice_within_duration",
            ),
        ]
        indexes = [
            # Home pages: "sessions of this programme in a date range".
            models.Index(fields=["programme", "starts_at"], name="session_programme_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def lecture_warning(self) -> str:
        """Why a training risks being the short lecture the programme exists to avoid: a clause
        that pages put after "This training risks being a lecture:" (each case one message, so
        no sentence is glued from pieces)."""
        if self.kind != SessionKind.TRAINING:
            return ""
        no_practice = not self.practice_minutes
        short = self.duration_minutes < HALF_DAY_MINUTES
        if no_practice and short:
            # Translators: completes "This training risks being a lecture: …" (lower case).
            return gettext("it has no hands-on practice and it is shorter than half a day")
        if no_practice:
            # Translators: completes "This training risks being a lecture: …" (lower case).
            return gettext("it has no hands-on practice")
        if short:
            # Translators: completes "This training risks being a lecture: …" (lower case).
            return gettext("it is shorter than half a day")
        return ""


class SessionAttendance(models.Model):
    """Who was expected at a session, and whether they came (None: not recorded yet)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="session_attendance"
    )
    attended = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="attendance_unique_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} at {self.session_id}: {self.attended}"


class ManagementMeeting(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    attendees = models.ManyToManyField(Membership, related_name="+", blank=True)
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True, help_text=_("One decision per line."))

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        # Translators: the title of a management meeting's page; the date is e.g. "1 Dec 2026".
        return gettext("Management meeting %(date)s") % {
            "date": formats.date_format(self.held_on, "DATE_FORMAT")
        }


class FollowUp(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        ManagementMeeting, on_delete=models.CASCADE, related_name="follow_ups"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
        indexes = [
            # Home pages: "open follow-ups of this programme past their due date".
            models.Index(
                fields=["programme", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="followup_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text


__all__ = [
    "HALF_DAY_MINUTES",
    "ConsultationCycle",
    "FollowUp",
    "ManagementMeeting",
    "Session",
    "SessionAttendance",
    "SessionKind",
    "Track",
]
