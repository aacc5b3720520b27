"""Activity events and their imports. Indicators (a later issue) are computed from these."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programme.models import Membership, Organisation, Participant, TimeStamped


class EventKind(models.TextChoices):
    POST_PUBLISHED = "post_published", _("Post published")
    COMMENT_MADE = "comment_made", _("Comment made")
    REACTION_MADE = "reaction_made", _("Reaction made")
    MESSAGE_SENT = "message_sent", _("Message sent")
    MESSAGE_REPLY_RECEIVED = "message_reply_received", _("Message reply received")
    CONNECTION_REQUEST_SENT = "connection_request_sent", _("Connection request sent")
    CONNECTION_ACCEPTED = "connection_accepted", _("Connection accepted")
    POST_IMPRESSIONS = "post_impressions", _("Post impressions")
    REACTIONS_RECEIVED = "reactions_received", _("Reactions received")
    COMMENTS_RECEIVED = "comments_received", _("Comments received")
    PROFILE_VIEWS = "profile_views", _("Profile views")
    MEETING_BOOKED = "meeting_booked", _("Meeting booked")
    OPPORTUNITY_CREATED = "opportunity_created", _("Opportunity created")
    DEAL_WON = "deal_won", _("Deal won")
    SSI_SNAPSHOT = "ssi_snapshot", _("SSI snapshot")


class EventSource(models.TextChoices):
    LINKEDIN_EXPORT = "linkedin_export", _("LinkedIn data export")
    LINKEDIN_ANALYTICS = "linkedin_analytics", _("LinkedIn analytics export")
    SSI = "ssi", _("Social Selling Index")
    CRM = "crm", _("CRM")
    QUICK_LOG = "quick_log", _("Quick log")
    API = "api", _("API")


class ActivityEvent(models.Model):
    """One thing a seller did or received. (organisation, source, external id) is unique, so
    importing the same file, batch or log twice adds nothing."""

    # No single-column indexes: (organisation, ...) and (participant, occurred_at) below serve
    # every lookup, and each index is one more write per imported row.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="activity_events", db_index=False
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    # Monday of the ISO week of occurred_at in the organisation's time zone: rollups group by it.
    week = models.DateField()
    quantity = models.PositiveIntegerField(default=1)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    via_linkedin = models.BooleanField(
        null=True, help_text=_("CRM outcomes: came through LinkedIn")
    )
    details = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, choices=EventSource.choices)
    external_id = models.CharField(max_length=200)
    ingested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "external_id"], name="event_unique_source_id"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="event_quantity_ok"),
        ]
        indexes = [
            # Rollups: "events of this organisation by participant and week".
            models.Index(fields=["organisation", "week", "participant"], name="event_org_week_idx"),
            # A person's recent activity, newest first.
            models.Index(fields=["participant", "-occurred_at"], name="event_participant_time_idx"),
            # Incremental rollups: "events ingested since the last run". Rows arrive in
            # ingestion order, so a BRIN index is tiny and costs imports almost nothing.
            BrinIndex(fields=["ingested_at"], name="event_ingested_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} x{self.quantity} ({self.source})"


class LinkedInProfileText(TimeStamped):
    """The seller's own headline and summary (from Profile.csv), for profile distinctiveness."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="linkedin_profile_text"
    )
    headline = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    # Written by metrics.distinctiveness: the first profile of the near-identical cluster this
    # one belongs to (None: distinct enough, or the first of its cluster), and how alike.
    lookalike_of = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    similarity = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.headline[:60]


class ImportKind(models.TextChoices):
    LINKEDIN_EXPORT = "linkedin_export", _("LinkedIn data export (ZIP or CSV)")
    LINKEDIN_ANALYTICS = "linkedin_analytics", _("LinkedIn content analytics (XLSX)")
    SSI = "ssi", _("SSI scores (CSV)")
    CRM = "crm", _("CRM outcomes (CSV)")


def import_upload_path(instance: ActivityImport, filename: str) -> str:
    return f"imports/{instance.organisation_id}/{uuid.uuid4().hex}"


class ActivityImport(TimeStamped):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", pgettext_lazy("import status", "Done")
        FAILED = "failed", _("Failed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=ImportKind.choices)
    # The upload, held only until the import finishes (done or refused): then it is deleted
    # and this is emptied (metrics.services.upload_discard).
    file = models.FileField(upload_to=import_upload_path, blank=True)
    filename = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    # Days whose counts a later analytics export restated (the earlier counts were replaced).
    updated_count = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)  # [[file, line, reason], ...] (capped)
    skipped_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [[file, line, reason], ...]
    feeds = models.JSONField(default=list, blank=True)  # what these files can and cannot feed
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class ApiToken(TimeStamped):
    """A per-organisation API token. Only its SHA-256 is stored; it is shown once."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ParticipantWeek(models.Model):
    """One participant's activity in one ISO week, rolled up from events by set-based SQL.

    The rollup tables hold no database foreign keys (db_constraint=False): they are derived,
    rewritten by hundreds of thousands of rows at a time from ids the same statement reads, and
    a deferred foreign-key check per row cost more than the rollup itself. Django still
    cascades deletes of participants and organisations to them.

    Written only by metrics.rollups (INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE);
    indicators and dashboards read this, never the raw events.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the (organisation, ...) indexes below serve
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="weeks",
        db_constraint=False,
        db_index=False,  # the unique (participant, week) index serves
    )
    week = models.DateField()
    posts = models.PositiveIntegerField(default=0)
    comments_made = models.PositiveIntegerField(default=0)
    reactions_made = models.PositiveIntegerField(default=0)
    messages_sent = models.PositiveIntegerField(default=0)
    connection_requests = models.PositiveIntegerField(default=0)
    connections_accepted = models.PositiveIntegerField(default=0)
    replies_received = models.PositiveIntegerField(default=0)
    reactions_received = models.PositiveIntegerField(default=0)
    comments_received = models.PositiveIntegerField(default=0)
    profile_views = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    meetings_via_linkedin = models.PositiveIntegerField(default=0)
    opportunities = models.PositiveIntegerField(default=0)
    deals = models.PositiveIntegerField(default=0)
    deals_via_linkedin = models.PositiveIntegerField(default=0)
    deal_value = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # Interactions are tracked at all (analytics, quick log or API sent some): without it,
    # "no interaction" is unknown, never an alarm.
    interactions_tracked = models.BooleanField(default=False)
    # The last day of this week (in the organisation's zone) an interaction source reported on.
    last_tracked = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "week"], name="participant_week_unique"),
        ]
        indexes = [
            # Dashboards: "this organisation's weeks in a range".
            models.Index(fields=["organisation", "week"], name="participant_week_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} week {self.week}"


class RollupState(models.Model):
    """When an organisation's rollup last started: the incremental run looks back from here."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    incremental_started_at = models.DateTimeField(null=True, blank=True)
    full_started_at = models.DateTimeField(null=True, blank=True)
    full_week = models.DateField(null=True, blank=True)  # the current week of the last full run

    def __str__(self) -> str:
        return f"rollup state of {self.organisation_id}"


class IndicatorWeek(models.Model):
    """One participant's change indicators as of the end of one ISO week.

    Written only by metrics.rollups from ParticipantWeek (window functions over a dense
    participant x week grid); the meanings are defined once, in metrics.indicators. A
    participant with nothing to say in a week (never acted, nothing received) has no row.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the (organisation, ...) indexes below serve
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="indicator_weeks",
        db_constraint=False,
        db_index=False,  # the unique (participant, week) index serves
    )
    week = models.DateField()
    own_actions = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)  # received this week
    interactions_window = models.PositiveIntegerField(default=0)  # received over the window
    active = models.BooleanField(default=False)  # at least one own action this week
    active_weeks = models.PositiveSmallIntegerField(default=0)  # content weeks in the window
    # Weeks in a row up to here with a post, comment or message (connection requests alone
    # never count, as for "regular"); the regularity streak people read builds on it.
    streak = models.PositiveSmallIntegerField(default=0)
    regular = models.BooleanField(default=False)
    quality = models.FloatField(null=True, blank=True)
    handles_skill = models.BooleanField(default=False)
    # An interaction source (analytics, quick log, API) has ever reported for the person, by
    # this week; last_tracked is the newest day it reported on (metrics.indicators.TRACKED).
    tracked = models.BooleanField(default=False)
    last_tracked = models.DateField(null=True, blank=True)
    about_to_quit = models.BooleanField(default=False)
    lapsed = models.BooleanField(default=False)
    no_interaction_data = models.BooleanField(default=False)
    gaming = models.BooleanField(default=False)
    first_action = models.BooleanField(default=False)  # acted at least once by this week
    meetings_total = models.PositiveIntegerField(default=0)  # via LinkedIn, cumulative
    deals_total = models.PositiveIntegerField(default=0)  # via LinkedIn, cumulative

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "week"], name="indicator_week_unique"),
        ]
        indexes = [
            # Dashboards: "this organisation's people in the current week".
            models.Index(fields=["organisation", "week"], name="indicator_week_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} indicators week {self.week}"


class GroupKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PROGRAMME = "programme", _("Programme")
    WAVE = "wave", pgettext_lazy("group of people", "Wave")
    TEAM = "team", _("Team (with its sub-teams)")


class GroupWeek(models.Model):
    """A group's indicators in one ISO week: counts of people, never names.

    A team counts the people of every team below it. Written only by metrics.rollups
    (GROUP BY over IndicatorWeek, INSERT ... ON CONFLICT DO UPDATE).
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the (organisation, ...) indexes below serve
    )
    kind = models.CharField(max_length=20, choices=GroupKind.choices)
    group_id = models.PositiveIntegerField()  # the organisation, programme, wave or team id
    week = models.DateField()
    participants = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    trained = models.PositiveIntegerField(default=0)
    first_action = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    regular = models.PositiveIntegerField(default=0)
    receiving = models.PositiveIntegerField(default=0)  # received interactions in the window
    handles_skill = models.PositiveIntegerField(default=0)
    about_to_quit = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)
    no_interaction_data = models.PositiveIntegerField(default=0)
    gaming = models.PositiveIntegerField(default=0)
    with_meeting = models.PositiveIntegerField(default=0)
    with_deal = models.PositiveIntegerField(default=0)
    own_actions = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    meetings_total = models.PositiveIntegerField(default=0)
    deals_total = models.PositiveIntegerField(default=0)
    median_active_weeks = models.FloatField(default=0)
    median_interactions_window = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "group_id", "week"], name="group_week_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.group_id} week {self.week}"


class WeeklySummary(models.Model):
    """One participant's personal weekly e-mail about one finished week. The row is claimed
    (sent_at set) before the mail leaves, so nobody gets the same week twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="weekly_summaries"
    )
    week = models.DateField()  # the Monday of the week it is about
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "week"], name="weekly_summary_once_per_week"
            ),
        ]
        indexes = [
            # The send loop: "this organisation's summaries of this week not sent yet".
            models.Index(
                fields=["organisation", "week"],
                condition=models.Q(sent_at__isnull=True),
                name="weekly_summary_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"summary of {self.week} for {self.participant_id}"


class IndicatorThreshold(models.Model):
    """A threshold the organisation adopted (from a success definition made with its sellers),
    overriding the default in `metrics.indicators.Thresholds`."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    value = models.FloatField()
    reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="threshold_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


# --- Authenticity: engagement pods and copy-paste posts (issue #23) ---------------------------


class PostSignature(models.Model):
    """One own post (Shares.csv) as the copy-paste check needs it: a MinHash signature of its
    commentary and its first words, never the whole text. Written by the LinkedIn import;
    `copy_of` (the first post of its cluster of near-identical posts, itself for that first
    post; None for a post no other resembles) by metrics.authenticity."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    external_id = models.CharField(max_length=200)  # the post's ActivityEvent external id
    week = models.DateField()
    first_words = models.CharField(max_length=200)
    signature = ArrayField(models.IntegerField())
    copy_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    similarity = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="post_signature_unique"
            ),
        ]
        indexes = [
            # The consultant's dashboard: "this organisation's clusters of copied posts".
            models.Index(
                fields=["organisation", "copy_of"],
                condition=models.Q(copy_of__isnull=False),
                name="post_signature_copies_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.first_words


class InteractionCircle(models.Model):
    """One participant's reactions and comments given over the recent weeks (LinkedIn export),
    how many went to colleagues' own posts, how many of the colleagues' went to theirs, and the
    pair or ring they belong to (`ring`: the smallest participant id of it). Written only by
    metrics.authenticity, after each rollup."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    team_id = models.PositiveIntegerField(null=True, blank=True)
    given = models.PositiveIntegerField(default=0)  # reactions and comments given
    given_linked = models.PositiveIntegerField(default=0)  # ... that name a post we can key
    inside = models.PositiveIntegerField(default=0)  # ... to a colleague's own post
    inside_received = models.PositiveIntegerField(default=0)  # colleagues' on this one's posts
    ring = models.PositiveIntegerField(null=True, blank=True)
    ring_share = models.FloatField(null=True, blank=True)  # given inside the ring / given

    class Meta:
        indexes = [
            # Team dashboards: "this organisation's circles by team"; consultant: rings.
            models.Index(fields=["organisation", "team_id"], name="circle_org_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.inside}/{self.given} inside"
