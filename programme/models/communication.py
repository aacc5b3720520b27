"""The sponsor's voice: announcements, who received and read them, and questions under them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from programme.models.core import Membership, Organisation, Team, TimeStamped
from programme.models.programmes import Programme, Wave


class Audience(models.TextChoices):
    # Translators: who an announcement is published to.
    ORGANISATION = "organisation", _("Everyone in the organisation")
    WAVES = "waves", _("Chosen waves")
    TEAMS = "teams", _("Chosen teams")


class Announcement(TimeStamped):
    """Drafted by a consultant or sponsor; published only by a sponsor, in the sponsor's name."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("announcement status", "Draft")
        PUBLISHED = "published", pgettext_lazy("announcement status", "Published")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField(max_length=200)
    body = models.TextField(
        # Translators: keep the asterisks: they are how Markdown marks bold and italic.
        help_text=_("Markdown: **bold**, *italic*, lists, links.")
    )
    body_html = models.TextField(editable=False, blank=True)
    drafted_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    audience = models.CharField(
        max_length=20, choices=Audience.choices, default=Audience.ORGANISATION
    )
    audience_waves = models.ManyToManyField(Wave, blank=True, related_name="+")
    audience_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    reminder_rounds = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                # The publisher may be gone: an erased sponsor's announcements stay, unsigned.
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="announcement_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRecipient(models.Model):
    """One person an announcement was published to; the audience is fixed at publication."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="recipients"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="announcements_received"
    )
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    emailed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "membership"], name="recipient_unique_per_announcement"
            ),
        ]
        indexes = [
            # The send task: "recipients of this announcement not e-mailed yet".
            models.Index(
                fields=["announcement"],
                condition=models.Q(emailed_at__isnull=True),
                name="recipient_to_email_idx",
            ),
            # A person's unread announcements on their home page.
            models.Index(fields=["membership", "acknowledged_at"], name="recipient_member_ack_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} ← {self.announcement_id}"


class Question(models.Model):
    """A question under an announcement. Anonymous ones keep no author and only the day.

    Not TimeStamped on purpose: see Problem.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="questions"
    )
    author = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    asked_on = models.DateField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_on", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class EmailKind(models.TextChoices):
    """Every kind of e-mail a person can tune. Invitations and password resets are not here:
    they are answers to something the person or the programme team just did."""

    # Translators: a kind of e-mail on the person's e-mail settings, in their own words ("my").
    ANNOUNCEMENT = "announcement", _("Announcements from the sponsor, and their reminders")
    CASE_ACTIVITY = "case_activity", _("Comments and reactions on my case studies")
    CELEBRATION = "celebration", _("Milestones: mine (asked privately first) and my team's")
    MARKETING_PICK = "marketing_pick", _("New company content to share, from marketing")
    WEEKLY_SUMMARY = "weekly_summary", _("My weekly summary (Monday morning)")
    OKRI = "okri", _("Key results: weekly check-in reminders, and decisions asked of me")
    INTEGRATION = (
        "integration",
        _("Integrations: a Teams, Slack or webhook address that fails (admins)"),
    )


class EmailMode(models.TextChoices):
    # Translators: how a kind of e-mail is sent: at once ("Send it"), in a digest, or not at all.
    IMMEDIATE = "immediate", pgettext_lazy("e-mail mode", "Send it")
    DIGEST = "digest", pgettext_lazy("e-mail mode", "In a daily digest")
    OFF = "off", pgettext_lazy("e-mail mode", "Off")


class EmailPreference(models.Model):
    """How one person wants one kind of e-mail. No row means the kind's default."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=40, choices=EmailKind.choices)
    mode = models.CharField(max_length=10, choices=EmailMode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind"], name="email_preference_unique_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.mode}"


class DailyDigest(models.Model):
    """One person's digest e-mail for one day: at most one, claimed before it is sent. The
    notifications it carries point at it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(db_default=Now())
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "day"], name="daily_digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.day}"


def _shown(value: object) -> object:
    """A notification's value as shown: one stored as {"_msgid": "Inspiring"} (a label) is
    translated too, and {"_lowerfirst": true} lowers its first letter (mid-sentence)."""
    if not (isinstance(value, dict) and "_msgid" in value):
        return value
    text = gettext(value["_msgid"])
    return text[:1].lower() + text[1:] if value.get("_lowerfirst") else text


class Notification(models.Model):
    """Something a person is told about: shown in-app, and e-mailed as their preference for its
    kind says (at once, in the daily digest, or not at all).

    `emailed_at` is set when the e-mail left (or was claimed for sending), and also when the
    e-mail went by another path, such as the announcement's own message."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=EmailKind.choices)
    # The English message (a msgid marked with gettext_noop) and the values of its named
    # placeholders: each reader sees it in their own language, whoever's action told them.
    # Rows written before translations have params {} and their text as it was.
    text = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        DailyDigest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["organisation", "created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_to_email_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """What the reader sees, in the active language (theirs). A message with a plural keeps
        its plural msgid and count in `params` ("_plural", "_count"): `i18n.deferred.ngettext`."""
        values = {key: _shown(value) for key, value in self.params.items()}
        if "_plural" in self.params:
            translated = ngettext(self.text, self.params["_plural"], self.params.get("_count", 1))
        else:
            translated = gettext(self.text)
        if not self.params:
            return translated
        for message in (translated, self.text):  # a translation that lost a placeholder: English
            try:
                return message % values
            except (KeyError, TypeError, ValueError):
                continue
        return self.text


__all__ = [
    "Announcement",
    "AnnouncementRecipient",
    "Audience",
    "DailyDigest",
    "EmailKind",
    "EmailMode",
    "EmailPreference",
    "Notification",
    "Question",
]
