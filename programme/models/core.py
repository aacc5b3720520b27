"""Tenancy core: organisations, people, their roles, teams and participant profiles."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programme import fixed_select


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get(self, *args: object, **kwargs: object) -> User:
        """`User.objects.get(pk=...)`, which every signed-in request runs (the authentication
        backends' `get_user`), through a select built once (programme.fixed_select) instead of
        compiled again each time; any other lookup is the ORM's."""
        if args or kwargs.keys() != {"pk"} or self._db not in (None, DEFAULT_DB_ALIAS):
            return super().get(*args, **kwargs)
        try:
            pk = self.model._meta.pk.to_python(kwargs["pk"])
        except ValidationError:
            return super().get(*args, **kwargs)  # the ORM's own error for a malformed key
        user = fixed_select.one(self.model, id=pk)
        if user is None:
            raise self.model.DoesNotExist("User matching query does not exist.")
        return user


class User(AbstractUser):
    """A person who signs in with their e-mail address; no usernames."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Their language (one of settings.LANGUAGES; "" until chosen or guessed at first sign-in)
    # and time zone ("" = each organisation's); pages and e-mails to them follow both.
    language = models.CharField(max_length=10, blank=True, default="")
    time_zone = models.CharField(max_length=64, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        constraints = [
            # E-mail addresses are stored lower-cased; this keeps mixed-case duplicates out too.
            models.UniqueConstraint(Lower("email"), name="user_unique_email_ci"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Organisation(TimeStamped):
    """A tenant: one company running a programme. Every row of tenant data belongs to one."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    industry_segment = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    # The language of people who have not chosen one and whose browser offers none of ours.
    language = models.CharField(max_length=10, default="en-gb")
    managers_see_individuals = models.BooleanField(
        default=False,
        help_text=_("Managers see each seller's indicators; otherwise only team aggregates."),
    )
    # A line sellers are asked to add when they share company content ("#employee").
    disclosure_line = models.CharField(max_length=100, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    # Translators: a person's role in Snowball (what they may do), shown beside their name.
    SPONSOR = "sponsor", pgettext_lazy("role", "Sponsor")
    CONSULTANT = "consultant", pgettext_lazy("role", "Consultant")
    MANAGER = "manager", pgettext_lazy("role", "Manager")
    SELLER = "seller", pgettext_lazy("role", "Seller")
    # Translators: the role of the people who post company content for sellers to share.
    MARKETING = "marketing", pgettext_lazy("role", "Marketing")
    # Translators: the role of the organisation's administrators.
    ADMIN = "admin", pgettext_lazy("role", "Admin")


class DeactivationSource(models.TextChoices):
    # Translators: who ended a person's access to an organisation.
    ROSTER = "roster", pgettext_lazy("deactivated by", "Roster import")
    SCIM = "scim", pgettext_lazy("deactivated by", "Provisioning (SCIM)")
    ADMIN = "admin", pgettext_lazy("deactivated by", "Administrator")


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        """Those still in the organisation: every audience, notification, reminder, invitation
        and picker starts here (leavers, #18, are left out; past aggregates are not)."""
        return self.filter(deactivated_at__isnull=True)


class Membership(TimeStamped):
    """A user's place in one organisation. A consultant may hold several, one per client."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SELLER)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    # A leaver (issue #18): deactivated by SCIM, a roster re-import or an administrator. They
    # can no longer open the organisation and leave every audience, notification, reminder and
    # invitation; nothing of theirs is deleted, so past aggregates stay as they were.
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.CharField(
        max_length=10, blank=True, default="", choices=DeactivationSource.choices
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_org"
            ),
        ]
        indexes = [
            # The invitation sweep: "memberships of this organisation still to invite".
            models.Index(
                fields=["organisation"],
                condition=models.Q(invitation_sent_at__isnull=True),
                name="membership_to_invite_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class Team(TimeStamped):
    """A sales team; parent teams let regions roll up."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organisation", Lower("name"), name="team_unique_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class JobRole(models.TextChoices):
    # Translators: a participant's job in the sales organisation (not their role in Snowball).
    SELLER = "seller", pgettext_lazy("job role", "Seller")
    PRE_SALES = "pre_sales", pgettext_lazy("job role", "Pre-sales")
    PARTNER = "partner", pgettext_lazy("job role", "Partner")
    EXECUTIVE = "executive", pgettext_lazy("job role", "Executive")


class Mindset(models.TextChoices):
    # Translators: a seller who mostly wins new customers.
    HUNTER = "hunter", _("Hunter")
    # Translators: a seller who mostly grows existing customers.
    FARMER = "farmer", _("Farmer")


class SellingStrategy(models.TextChoices):
    # Translators: selling by posting and sharing content that draws buyers in.
    CONTENT_LED = "content_led", _("Content-led")
    # Translators: selling by contacting buyers directly.
    DIRECT_ACQUISITION = "direct_acquisition", _("Direct acquisition")


class Participant(TimeStamped):
    """The programme profile that goes with a membership."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="participants"
    )
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="participant"
    )
    job_role = models.CharField(max_length=20, choices=JobRole.choices, default=JobRole.SELLER)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="participants"
    )
    segment = models.CharField(_("industry segment"), max_length=120, blank=True)
    mindset = models.CharField(max_length=10, choices=Mindset.choices, blank=True)
    digital_affinity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("1 (avoids digital tools) to 5 (lives on them)")
    )
    selling_strategy = models.CharField(
        max_length=20, choices=SellingStrategy.choices, default=SellingStrategy.CONTENT_LED
    )
    linkedin_url = models.URLField(_("LinkedIn profile URL"), blank=True)
    is_ambassador = models.BooleanField(_("ambassador"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digital_affinity__isnull=True)
                | models.Q(digital_affinity__gte=1, digital_affinity__lte=5),
                name="participant_digital_affinity_1_5",
            ),
        ]
        indexes = [
            # The people list filtered by team, in name order.
            models.Index(fields=["organisation", "team"], name="participant_org_team_idx"),
        ]

    def __str__(self) -> str:
        return str(self.membership.user)


class RosterImport(TimeStamped):
    """One roster CSV upload. Rows are validated before this exists; a task applies them."""

    class Status(models.TextChoices):
        # "Deactivate people not in this file" was ticked (#18): nothing happens until the
        # person who uploaded it confirms the list of leavers.
        AWAITING = "awaiting", pgettext_lazy("roster import status", "Waiting for confirmation")
        CANCELLED = "cancelled", pgettext_lazy("roster import status", "Cancelled")
        QUEUED = "queued", pgettext_lazy("roster import status", "Queued")
        RUNNING = "running", pgettext_lazy("roster import status", "Importing")
        DONE = "done", pgettext_lazy("roster import status", "Done")
        FAILED = "failed", pgettext_lazy("roster import status", "Failed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="roster_imports"
    )
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    rows = models.JSONField(default=list)
    total_rows = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    # Leavers (#18): whether the uploader asked to deactivate the people missing from the file,
    # the memberships they confirmed (applied with the rows, in the same transaction), and the
    # outcome: those deactivated, and those in the file reactivated.
    deactivate_missing = models.BooleanField(default=False)
    deactivate_ids = models.JSONField(default=list, blank=True)
    deactivated_count = models.PositiveIntegerField(default=0)
    reactivated_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


__all__ = [
    "DeactivationSource",
    "JobRole",
    "Membership",
    "MembershipQuerySet",
    "Mindset",
    "Organisation",
    "Participant",
    "Role",
    "RosterImport",
    "SellingStrategy",
    "Team",
    "TimeStamped",
    "User",
    "UserManager",
]
