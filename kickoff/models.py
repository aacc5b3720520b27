"""Kick-off sessions, concerns (anonymous by construction), votes and emotion signals."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kickoff.consensus import Split, split_of
from programme.models import (
    Membership,
    Organisation,
    Participant,
    Programme,
    Team,
    TimeStamped,
    Wave,
)

# No 0/O, 1/I/L: a code read off a projector must survive bad eyesight and bad projectors.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class RoomQuestions:
    """What the room is asked and the agenda with its timings: a session keeps its own copy of
    its format's, so both read them the same way. Blank questions mean the standard wording,
    translated for each reader."""

    @property
    def worry_label(self) -> str:
        """The "what worries you" question the room answers (join page, projector)."""
        return self.worry_question or gettext("What worries me")

    @property
    def help_label(self) -> str:
        """The "what would help" question the room answers (join page, projector)."""
        return self.help_question or gettext("What would help")

    @property
    def run_sheet(self) -> list:
        from kickoff.formats import agenda_steps_lenient, run_sheet

        return run_sheet(agenda_steps_lenient(self.agenda), getattr(self, "starts_at", None))

    @property
    def total_minutes(self) -> int:
        from kickoff.formats import agenda_steps_lenient

        return sum(step.minutes for step in agenda_steps_lenient(self.agenda))


class KickoffSession(RoomQuestions, TimeStamped):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("kick-off session status", "Planned")
        OPEN = "open", pgettext_lazy("kick-off session status", "Open for concerns")
        CLOSED = "closed", pgettext_lazy("kick-off session status", "Closed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="kickoffs")
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    facilitator = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sponsor_present = models.BooleanField(default=False)
    attendees = models.ManyToManyField(Membership, blank=True, related_name="kickoffs_attended")
    examples = models.TextField(
        _("examples shown"), blank=True, help_text=_("Links to the examples shown, one per line.")
    )
    sponsor_notes = models.TextField(_("sponsor's input"), blank=True)
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH, unique=True, default=new_join_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    follow_up_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("Concerns not addressed within this many days are flagged.")
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # --- Kick-off formats: the format it was planned from, and the copy it keeps of it (so
    # editing the format later does not change a session that has run), its wave and start.
    kickoff_format = models.ForeignKey(
        "KickoffFormat", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    agenda = models.TextField(blank=True)
    worry_question = models.CharField(max_length=200, blank=True)
    help_question = models.CharField(max_length=200, blank=True)
    emotion_check = models.BooleanField(default=True)
    premoderated = models.BooleanField(
        _("Concerns wait for me before they are shown"),
        default=False,
        help_text=_(
            "Each concern waits in your moderation queue until you approve it. Concerns "
            "holding one of the organisation's blocked words always wait."
        ),
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title

    @property
    def example_links(self) -> list[str]:
        return [line.strip() for line in self.examples.splitlines() if line.strip()]


class ConcernStatus(models.TextChoices):
    RECORDED = "recorded", pgettext_lazy("concern status", "Recorded")
    VERIFIED = "verified", pgettext_lazy("concern status", "Verified")
    IN_PROGRESS = "in_progress", pgettext_lazy("concern status", "Being worked on")
    ADDRESSED = "addressed", pgettext_lazy("concern status", "Addressed")


class Moderation(models.TextChoices):
    SHOWN = "shown", pgettext_lazy("concern moderation", "Shown")
    HELD = "held", pgettext_lazy("concern moderation", "Waiting for the facilitator")
    REJECTED = "rejected", pgettext_lazy("concern moderation", "Not shown")


class Concern(models.Model):
    """What worries a seller, and what would help.

    Anonymous by construction: no author, no IP, no timestamp (the session is its only time),
    and a random UUID key so not even the row order says when it was written.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(KickoffSession, on_delete=models.CASCADE, related_name="concerns")
    worry = models.TextField(_("what worries me"))
    would_help = models.TextField(_("what would help"), blank=True)
    author = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=80, blank=True)
    votes = models.PositiveIntegerField(default=0)
    # Agree / disagree / pass (ConcernOpinion): counts only, like `votes`, kept after closing.
    agrees = models.PositiveIntegerField(default=0)
    disagrees = models.PositiveIntegerField(default=0)
    passes = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    status = models.CharField(
        max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.RECORDED
    )
    owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.TextField(_("what we do"), blank=True)
    response = models.TextField(_("our response"), blank=True)
    addressed_on = models.DateField(null=True, blank=True)
    # Held: on no screen, page, report or count until the facilitator approves it.
    moderation = models.CharField(
        max_length=10, choices=Moderation.choices, default=Moderation.SHOWN
    )

    class Meta:
        indexes = [
            # The projector: "live concerns of this session, most votes first".
            models.Index(
                fields=["session", "-votes"],
                condition=models.Q(merged_into__isnull=True),
                name="concern_live_by_votes_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="addressed")
                | (models.Q(addressed_on__isnull=False) & ~models.Q(response="")),
                name="concern_addressed_has_response",
            ),
        ]

    def __str__(self) -> str:
        return self.worry[:60]

    @property
    def code(self) -> uuid.UUID:
        return self.id

    @property
    def split(self) -> Split:
        """How the room stands on it: agree / disagree / pass and the scores (kickoff.consensus)."""
        return split_of(self)


class ConcernVote(models.Model):
    """'Me too'. One per person per concern while the session is open; unlinked at closing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="vote_rows")
    voter = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern", "voter"], name="vote_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"vote on {self.concern_id}"


class KickoffJoin(models.Model):
    """Someone opened the join page of an open session: the projector counts the room.

    Attendance only, written when the page is opened (never when a concern is sent), with no
    time: nothing in it can be lined up with an anonymous concern."""

    session = models.ForeignKey(KickoffSession, on_delete=models.CASCADE, related_name="joins")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "membership"], name="kickoff_join_once"),
        ]

    def __str__(self) -> str:
        return f"join of {self.session_id}"


class EmotionKind(models.TextChoices):
    # Translators: what a facilitator noticed in the kick-off room (an emotion signal).
    QUESTIONING = "questioning", pgettext_lazy("emotion signal", "Questioning")
    SILENCE = "silence", pgettext_lazy("emotion signal", "Silence")
    REPEATED_QUESTION = "repeated_question", _("The same question repeated")
    ANGER = "anger", _("Anger")
    ANXIETY = "anxiety", _("Anxiety")
    CYNICISM = "cynicism", _("Cynicism")
    ENTHUSIASM = "enthusiasm", _("Enthusiasm")


class EmotionSignal(TimeStamped):
    """What the facilitator noticed in the room. Negative emotion is signal; silence is the risk."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(KickoffSession, on_delete=models.CASCADE, related_name="emotions")
    kind = models.CharField(max_length=20, choices=EmotionKind.choices)
    intensity = models.PositiveSmallIntegerField()
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(intensity__gte=1, intensity__lte=3),
                name="emotion_intensity_1_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.intensity})"


class Stance(models.TextChoices):
    # Translators: a person's stance on the change (stakeholder map); a person of any gender.
    STRONG_OPPONENT = "strong_opponent", pgettext_lazy("stance", "Strong opponent")
    SCEPTIC = "sceptic", pgettext_lazy("stance", "Sceptic")
    UNDECIDED = "undecided", pgettext_lazy("stance", "Undecided")
    SUPPORTER = "supporter", pgettext_lazy("stance", "Supporter")
    CHAMPION = "champion", pgettext_lazy("stance", "Champion")


OPPOSED = (Stance.STRONG_OPPONENT, Stance.SCEPTIC)


class Influence(models.TextChoices):
    # Translators: how much influence a person has on others (stakeholder map).
    LOW = "low", pgettext_lazy("influence", "Low")
    MEDIUM = "medium", pgettext_lazy("influence", "Medium")
    HIGH = "high", pgettext_lazy("influence", "High")


class CurveStage(models.TextChoices):
    # Translators: where a person is on the change curve (stakeholder map).
    UNAWARE = "unaware", pgettext_lazy("change-curve stage", "Unaware")
    RESISTING = "resisting", pgettext_lazy("change-curve stage", "Resisting")
    EXPLORING = "exploring", pgettext_lazy("change-curve stage", "Exploring")
    COMMITTED = "committed", pgettext_lazy("change-curve stage", "Committed")


class StakeholderAssessment(models.Model):
    """Where a person stands on a date. Never overwritten: the history is the path."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_on = models.DateField()
    stance = models.CharField(max_length=20, choices=Stance.choices)
    influence = models.CharField(max_length=10, choices=Influence.choices)
    curve_stage = models.CharField(
        _("change-curve stage"), max_length=20, choices=CurveStage.choices
    )
    note = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant", "-assessed_on", "-recorded_at"]
        indexes = [
            # Latest assessment per participant (DISTINCT ON participant ORDER BY date DESC).
            models.Index(
                fields=["organisation", "participant", "-assessed_on"],
                name="assessment_latest_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.stance} on {self.assessed_on}"


class EngagementPlan(TimeStamped):
    """One-to-one work with an influential opponent (managers included)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="engagement_plan"
    )
    owner = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    goal = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Engagement plan for {self.participant_id}"


class EngagementAction(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(EngagementPlan, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=300)
    due_on = models.DateField()
    outcome = models.TextField(blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.action


# --- Agree / disagree / pass (issue #22: presenter mode and consensus) -------------------------


class Opinion(models.TextChoices):
    # Translators: a person's opinion on a concern: agree, disagree or pass (take no side).
    AGREE = "agree", pgettext_lazy("opinion on a concern", "Agree")
    DISAGREE = "disagree", pgettext_lazy("opinion on a concern", "Disagree")
    PASS = "pass", pgettext_lazy("opinion on a concern", "Pass")


# The counter on Concern that each opinion adds to.
OPINION_COUNTS = {Opinion.AGREE: "agrees", Opinion.DISAGREE: "disagrees", Opinion.PASS: "passes"}


class ConcernOpinion(models.Model):
    """Agree, disagree or pass on a concern (as Pol.is asks), beside 'me too'. One per person per
    concern, changeable while the session is open; deleted at closing like the votes, so only
    the counts on Concern remain."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="opinion_rows")
    voter = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    opinion = models.CharField(max_length=10, choices=Opinion.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern", "voter"], name="opinion_one_per_person"),
            models.CheckConstraint(
                condition=models.Q(opinion__in=["agree", "disagree", "pass"]),
                name="opinion_is_a_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opinion} on {self.concern_id}"


# --- Kick-off formats: reusable kick-off templates ---------------------------------------------


class KickoffFormat(RoomQuestions, TimeStamped):
    """A kick-off worth running again: its agenda ("step — minutes" lines), the two questions
    the room answers, whether the emotion check is part of it, and the follow-up days. A session
    planned from it keeps a copy; the sessions that share a format compare wave over wave."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    agenda = models.TextField(_("agenda"))
    worry_question = models.CharField(_('"What worries you" question'), max_length=200, blank=True)
    help_question = models.CharField(_('"What would help" question'), max_length=200, blank=True)
    emotion_check = models.BooleanField(_("emotion check"), default=True)
    follow_up_days = models.PositiveSmallIntegerField(_("follow-up days"), default=30)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Pickers show formats by name; an archived one can be restored, so it keeps its name.
            models.UniqueConstraint(
                Lower("name"), "organisation", name="kickoff_format_unique_name_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(follow_up_days__gte=1, follow_up_days__lte=365),
                name="kickoff_format_follow_up_days_1_365",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Moderation and themes (issue #22) ---------------------------------------------------------


class ThemeFollowUp(TimeStamped):
    """ "You said, we did" for a theme: a word recurring across a session's concerns, answered
    once for all the concerns holding it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        KickoffSession, on_delete=models.CASCADE, related_name="theme_follow_ups"
    )
    word = models.CharField(max_length=100, help_text="The theme's lexeme, as ts_stat gives it.")
    label = models.CharField(max_length=100, help_text="The theme as people wrote it.")
    concerns = models.ManyToManyField(Concern, related_name="theme_follow_ups")
    action = models.TextField(_("what we do"), blank=True)
    response = models.TextField(_("our response"))
    addressed_on = models.DateField()
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-addressed_on"]
        constraints = [
            models.UniqueConstraint(fields=["session", "word"], name="theme_follow_up_once"),
            models.CheckConstraint(condition=~models.Q(response=""), name="theme_has_response"),
        ]

    def __str__(self) -> str:
        return self.label
