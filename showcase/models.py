"""Case studies written by sellers for sellers ("the Sharepoint"), with reactions and comments."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from programme.models import Membership, Organisation, Participant, Team, TimeStamped, Wave


class CaseKind(models.TextChoices):
    POST_WORKED = "post_worked", _("A post that worked")
    COMMENT_CONVERSATION = "comment_conversation", _("A conversation in the comments")
    PRIVATE_MESSAGE = "private_message", _("A private-message conversation")
    MEETING_BOOKED = "meeting_booked", _("A meeting booked")
    COOPERATION = "cooperation", _("A cooperation")
    DEAL_WON = "deal_won", _("A deal won")
    LESSON = "lesson", _("A lesson from a failure")


class Technique(models.TextChoices):
    CONTENT = "content", _("Posting own content")
    COMMENTING = "commenting", _("Commenting on others' posts")
    MESSAGING = "messaging", _("Private messages")
    NETWORKING = "networking", _("Growing the network")
    SHARING = "sharing", _("Sharing company content")
    EVENTS = "events", _("Events and live")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    ORGANISATION = "organisation", _("Everyone in the organisation")
    WAVE = "wave", _("My wave")
    TEAM = "team", _("My team")


class CaseStudy(TimeStamped):
    """What worked (or did not), told by the seller who did it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # None: the author was erased and chose to leave the case to the others, without their name.
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    kind = models.CharField(max_length=30, choices=CaseKind.choices)
    title = models.CharField(max_length=160)
    story = models.TextField(help_text=_("Markdown: what you did, how, and what happened."))
    story_html = models.TextField(editable=False)
    outcome = models.CharField(max_length=300, blank=True)
    links = models.TextField(blank=True, help_text=_("One link per line."))
    technique = models.CharField(max_length=20, choices=Technique.choices, blank=True)
    segment = models.CharField(_("industry segment"), max_length=120, blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.ORGANISATION
    )
    # Where the author stood when publishing: visibility follows these, not later moves.
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Nobody is put on show against their will: featuring needs the author's consent, and
    # withdrawing it takes the case off the home page.
    feature_consent = models.BooleanField(
        _("the programme team may feature this case on the home page"), default=False
    )
    featured_at = models.DateTimeField(null=True, blank=True)
    featured_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Someone of the programme team asked the author (a notification with yes and no); the
    # case is featured only when the author says yes.
    feature_requested_at = models.DateTimeField(null=True, blank=True)
    feature_requested_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector(Coalesce("tags_text", Value("")), weight="B", config="english")
        + SearchVector("story", "outcome", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    tags_text = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Search: "cases of this organisation matching these words".
            GinIndex(fields=["search"], name="case_search_gin"),
            # The feed, newest first.
            models.Index(fields=["organisation", "-created_at"], name="case_feed_idx"),
            # Filter by tag.
            GinIndex(fields=["tags"], name="case_tags_gin"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class ReactionKind(models.TextChoices):
    USEFUL = "useful", _("Useful")
    INSPIRING = "inspiring", _("Inspiring")
    WILL_TRY = "will_try", _("I'll try this")


class CaseReaction(models.Model):
    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="reactions")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One of each kind per person and case.
            models.UniqueConstraint(
                fields=["case", "membership", "kind"], name="case_reaction_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"


class CaseComment(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="comments")
    # None: the author was erased and chose to leave the comment, without their name.
    author = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class CaseReport(models.Model):
    """Anyone may report a case to the programme team; one report per person and case."""

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="reports")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "membership"], name="case_report_once"),
        ]

    def __str__(self) -> str:
        return f"report on {self.case_id}"


def case_image_path(instance: CaseImage, filename: str) -> str:
    # Never the uploaded name: it can say things (and contain anything).
    return f"showcase/{instance.case.organisation_id}/{uuid.uuid4().hex}.{instance.extension}"


class CaseImage(models.Model):
    """An image of a case: checked by content, re-encoded without metadata, served only to
    those who may read the case."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=case_image_path)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"image {self.position} of {self.case_id}"

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[self.content_type]


class MarketingPick(TimeStamped):
    """Company-page content marketing asks sellers to amplify, with an angle for doing it in
    their own voice (a copy-pasted share helps nobody)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    posted_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(_("link to the company-page post"), max_length=500)
    url_key = models.CharField(max_length=500, editable=False, db_index=True)
    # A link alone says nothing to a seller: a title (the address's host and path when
    # marketing gave none) and a line on why it matters.
    title = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("description"), max_length=300)
    angle = models.CharField(
        _("suggested angle"), max_length=500, blank=True,
        help_text=_("How a seller could make it their own: a question to ask, a story to add."),
    )  # fmt: skip
    archived_at = models.DateTimeField(null=True, blank=True)
    # Cases whose links or story point at this content: computed when a case is saved.
    cases = models.ManyToManyField(CaseStudy, blank=True, related_name="picks")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="pick_org_idx")]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title marketing gave, else where the link leads (host and path)."""
        if self.title:
            return self.title
        key = self.url_key or self.url
        return key if len(key) <= 80 else key[:79] + "…"


class UptakeAction(models.TextChoices):
    SHARED = "shared", _("I shared it")
    COMMENTED = "commented", _("I commented on it")


class PickUptake(models.Model):
    """A seller saying they amplified a pick; one of each action per person."""

    pick = models.ForeignKey(MarketingPick, on_delete=models.CASCADE, related_name="uptakes")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=UptakeAction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pick", "membership", "action"], name="uptake_once_per_action"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.action} {self.pick_id}"


# --- Picks that are easy to share well (previews, share links, clicks) ----------------------


class PreviewStatus(models.TextChoices):
    NONE = "none", _("No preview")
    PENDING = "pending", _("Fetching the preview")
    READY = "ready", _("Preview ready")
    FAILED = "failed", _("No preview could be fetched")
    MANUAL = "manual", _("Entered by marketing")


def pick_preview_path(instance: PickPreview, filename: str) -> str:
    return f"showcase/{instance.pick.organisation_id}/previews/{uuid.uuid4().hex}.jpg"


class PickPreview(models.Model):
    """What a pick's page says about itself (its Open Graph title, description and image),
    fetched by the server from the pick's own link or entered by marketing. The image is a
    small copy stored here, so readers' browsers contact nobody but Snowball."""

    pick = models.OneToOneField(MarketingPick, on_delete=models.CASCADE, related_name="preview")
    status = models.CharField(
        max_length=10, choices=PreviewStatus.choices, default=PreviewStatus.PENDING
    )
    title = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    image_url = models.URLField(max_length=1000, blank=True)  # where it came from, never shown
    image = models.FileField(upload_to=pick_preview_path, blank=True)
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    # Why the fetch failed, for marketing (never shown to sellers).
    message = models.CharField(max_length=300, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"preview of {self.pick_id} ({self.status})"


class PickShareLink(models.Model):
    """Short code of a pick's share link (`/r/<code>/<team>/`): random, so a code says nothing
    and cannot be guessed from another pick's; marketing's UTM campaign name rides along."""

    pick = models.OneToOneField(MarketingPick, on_delete=models.CASCADE, related_name="share")
    code = models.CharField(max_length=12, unique=True)
    campaign = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return self.code


class PickClick(models.Model):
    """Clicks through a pick's short link, counted per pick and team: no person, no IP, no
    user agent, no time finer than the row's last update. `team_key` is the team's short
    code as it appears in the link ("" when the link named no team of the organisation)."""

    pick = models.ForeignKey(MarketingPick, on_delete=models.CASCADE, related_name="clicks")
    team_key = models.CharField(max_length=12, blank=True)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # The ON CONFLICT target of the redirect's counting upsert.
            models.UniqueConstraint(fields=["pick", "team_key"], name="pick_click_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.clicks} clicks on {self.pick_id} ({self.team_key or 'no team'})"
