"""OKRIs: objectives with an owner and a period, for the programme, a wave or a team; key
results that measure them from a baseline; initiatives that move them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from goals.progress import HOLDING, Direction
from goals.progress import progress as progress_of
from programme.models import Membership, Organisation, Programme, Team, TimeStamped, Wave


class Scope(models.TextChoices):
    """The same words as metrics.GroupKind: an objective's indicators are that group's."""

    PROGRAMME = "programme", _("The whole programme")
    WAVE = "wave", _("One wave")
    TEAM = "team", _("One team (with its sub-teams)")
    PERSON = "person", _("One person (its owner)")


class Objective(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.PROGRAMME)
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    archived_at = models.DateTimeField(null=True, blank=True)
    # Alignment (goals.alignment): the objective this one sits under, same programme, no cycles.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["ends_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="okr_period"),
            models.CheckConstraint(
                condition=Q(scope=Scope.PROGRAMME, wave__isnull=True, team__isnull=True)
                | Q(scope=Scope.WAVE, wave__isnull=False, team__isnull=True)
                | Q(scope=Scope.TEAM, wave__isnull=True, team__isnull=False)
                | Q(scope=Scope.PERSON, wave__isnull=True, team__isnull=True),
                name="okr_scope_matches_group",
            ),
        ]
        # The OKRI page: an organisation's objectives that are not archived.
        indexes = [models.Index(fields=["organisation", "archived_at"], name="okr_org_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def group_id(self) -> int:
        return self.team_id or self.wave_id or self.programme_id


class KeyResult(TimeStamped):
    """Progress runs from the baseline (captured when the key result is made) to the target,
    the way its direction says (goals.progress). An indicator-linked key result reads its
    group's rollups after each run; a manual one moves with check-ins."""

    Direction = Direction

    class Source(models.TextChoices):
        INDICATOR = "indicator", _("From the indicators (updated after each rollup)")
        MANUAL = "manual", _("Checked in by hand")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices)
    indicator = models.CharField(max_length=30, blank=True)  # a key of goals.okris.INDICATORS
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    unit = models.CharField(max_length=30, blank=True)
    baseline = models.FloatField()
    target = models.FloatField()
    current = models.FloatField()
    measured_week = models.DateField(null=True, blank=True)  # indicator: the week read
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)  # of the last check-in
    checked_in_at = models.DateTimeField(null=True, blank=True)
    about_revenue = models.BooleanField(default=False)
    # Revenue in the first phase stays out of progress until a sponsor confirms it.
    needs_sponsor = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reminded_week = models.DateField(null=True, blank=True)  # the check-in reminder's Monday
    # Alignment (goals.alignment): its share in the objective's weighted mean, and a broader
    # objective of the same programme it also counts toward.
    weight = models.PositiveSmallIntegerField(default=1)
    contributes_to = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="contributions"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="kr_weight_positive"),
            # Only a key result that holds a line may start on its target.
            models.CheckConstraint(
                condition=~Q(target=F("baseline")) | Q(direction__in=sorted(HOLDING)),
                name="kr_target_differs_unless_holding",
            ),
            models.CheckConstraint(
                condition=Q(source="manual", indicator="")
                | Q(source="indicator", indicator__gt=""),
                name="kr_indicator_only_when_linked",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> float:
        """From 0 (at the baseline or behind it) to 1 (target reached), clamped."""
        return progress_of(self.direction, self.baseline, self.target, self.current)

    @property
    def counts(self) -> bool:
        return not (self.needs_sponsor and self.confirmed_at is None)


class CheckIn(models.Model):
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="check_ins")
    value = models.FloatField()
    confidence = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=1000)
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=1, confidence__lte=10), name="checkin_confidence_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} ({self.confidence}/10)"


class Initiative(TimeStamped):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return self.title


# --- Closing a period: grades, lessons, copies forward (issue #22) ---


class ObjectiveClosure(TimeStamped):
    """An objective closed and graded at the end of its period (or earlier by its owner or a
    consultant). Its existence makes the objective read-only: no check-ins, no edits, and the
    indicators stop moving its key results. `copied_to` is the objective of the next period it
    was copied forward to (once)."""

    objective = models.OneToOneField(Objective, on_delete=models.CASCADE, related_name="closure")
    closed_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lessons = models.TextField(max_length=4000)
    copied_to = models.OneToOneField(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="origin"
    )

    def __str__(self) -> str:
        return f"{self.objective} (closed)"


class KeyResultGrade(models.Model):
    """A key result's grade when its objective closed: 0.0 to 1.0 in steps of 0.1 (prefilled
    from its progress), a comment, and the value it ended on."""

    key_result = models.OneToOneField(KeyResult, on_delete=models.CASCADE, related_name="grade")
    score = models.DecimalField(max_digits=2, decimal_places=1)
    comment = models.TextField(blank=True, max_length=1000)
    final_value = models.FloatField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="kr_grade_between_0_and_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.score}"


def closure_of(objective: Objective) -> ObjectiveClosure | None:
    """The objective's closure, or None while it is open (no query when it was selected with
    `select_related("closure")`)."""
    try:
        return objective.closure
    except ObjectiveClosure.DoesNotExist:
        return None
