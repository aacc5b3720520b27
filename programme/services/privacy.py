"""A person's own data: download it, erase it (oneself, or an admin on a written request).

The programme core's own share of it (profile, notifications, e-mail choices...) is described,
exported and erased here too, as the first provider of `programme.privacy`; every other app's
share goes through that app's provider.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from programme import policies
from programme.csvexport import formula_safe
from programme.models import (
    Announcement,
    AnnouncementRecipient,
    AuditAction,
    AuditEntry,
    DailyDigest,
    DataExport,
    EmailPreference,
    ErasureRecord,
    FollowUp,
    ManagementMeeting,
    Membership,
    Notification,
    Participant,
    Problem,
    Programme,
    Question,
    RosterImport,
    SessionAttendance,
    User,
    WaveMember,
)
from programme.privacy import (
    DataGroup,
    ExportPart,
    Identity,
    PrivacyProvider,
    erasure_order,
    mentions,
    providers,
    register_privacy_provider,
    table,
)
from programme.services import integrations
from programme.services.audit import audit_forget_person, audit_record

logger = logging.getLogger(__name__)

# How long a download link works; the file is deleted by beat soon after.
EXPORT_LIFETIME = timedelta(hours=48)
# A build whose worker died is taken over after this long.
EXPORT_STALE_AFTER = timedelta(minutes=15)
FORMER_MEMBER = _("A former member")

__all__ = [
    "EXPORT_LIFETIME",
    "data_export_build",
    "data_export_request",
    "data_exports_prune",
    "identity_of",
    "person_erase",
]


def identity_of(membership: Membership) -> Identity:
    user = membership.user
    participant = Participant.objects.filter(membership=membership).first()
    return Identity(
        email=user.email,
        full_name=user.get_full_name(),
        linkedin_url=participant.linkedin_url if participant else "",
    )


# --- Download ----------------------------------------------------------------------------------


def data_export_request(*, by: Membership) -> DataExport:
    """Ask for one's own data: a task builds the ZIP. A request still being built is reused,
    so a double click builds one file."""
    policies.require(
        policies.can_see_own_data(by), by, by.organisation_id, "Everyone may download their data."
    )
    pending = DataExport.objects.filter(
        membership=by, status__in=[DataExport.Status.QUEUED, DataExport.Status.RUNNING]
    ).first()
    from programme import tasks

    if pending is not None:
        # A build whose worker died (or whose task was lost) is started again.
        if pending.updated_at < timezone.now() - EXPORT_STALE_AFTER:
            transaction.on_commit(lambda: tasks.data_export_build.delay(pending.pk))
        return pending
    with transaction.atomic():
        export = DataExport.objects.create(organisation_id=by.organisation_id, membership=by)
        audit_record(
            organisation=by.organisation_id, action=AuditAction.DATA_EXPORTED, actor=by,
            target=by,
        )  # fmt: skip
    transaction.on_commit(lambda: tasks.data_export_build.delay(export.pk))
    return export


def _claim(export_id: int) -> DataExport | None:
    """Compare-and-set: only one worker builds an export; a dead worker's build is retaken."""
    stale = timezone.now() - EXPORT_STALE_AFTER
    claimed = DataExport.objects.filter(
        Q(status=DataExport.Status.QUEUED)
        | Q(status=DataExport.Status.RUNNING, updated_at__lt=stale),
        pk=export_id,
    ).update(status=DataExport.Status.RUNNING, progress=0, updated_at=timezone.now())
    if not claimed:
        return None
    return DataExport.objects.select_related("membership__user", "organisation").get(pk=export_id)


def data_export_build(*, export_id: int) -> bool:
    """Build the ZIP of one export (idempotent: a finished or claimed export is left alone).
    Returns whether this call built it."""
    export = _claim(export_id)
    if export is None:
        return False
    membership = export.membership
    buffer = io.BytesIO()
    everything: dict[str, dict[str, list[dict]]] = {}
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", _readme(membership))
            steps = providers()
            for done, provider in enumerate(steps, start=1):
                part = provider.export(membership)
                everything[provider.app] = part.tables
                for name, rows in part.tables.items():
                    archive.writestr(f"csv/{provider.app}/{name}.csv", _csv(rows))
                for arcname, stored in part.files:
                    try:
                        with stored.open("rb") as handle:
                            archive.writestr(f"files/{provider.app}/{arcname}", handle.read())
                    except OSError:
                        logger.warning("data export: a stored file is missing, left out")
                DataExport.objects.filter(pk=export.pk).update(
                    progress=int(90 * done / len(steps)), updated_at=timezone.now()
                )
            archive.writestr("data.json", json.dumps(everything, cls=DjangoJSONEncoder, indent=2))
    except Exception:
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, finished_at=timezone.now()
        )
        raise
    content = buffer.getvalue()
    export.file.save("export.zip", ContentFile(content), save=False)
    now = timezone.now()
    finished = DataExport.objects.filter(pk=export.pk, status=DataExport.Status.RUNNING).update(
        file=export.file.name,
        size=len(content),
        status=DataExport.Status.DONE,
        progress=100,
        finished_at=now,
        expires_at=now + EXPORT_LIFETIME,
        updated_at=now,
    )
    if not finished:  # the person was erased meanwhile: their file must not stay behind
        export.file.storage.delete(export.file.name)
        return False
    return True


def _formula_safe(value: object) -> object:
    # Nested values as JSON; every cell formula-safe like any Snowball CSV (a case title can
    # be "=HYPERLINK(...)").
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder)
    return formula_safe(value)


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheet programs then read UTF-8 right
    if not rows:
        return out.getvalue()
    writer = csv.writer(out, dialect="excel")
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow([_formula_safe(value) for value in row.values()])
    return out.getvalue()


def _readme(membership: Membership) -> str:
    lines = [
        gettext("Your data in Snowball, organisation %(name)s, as of %(when)s.")
        % {"name": membership.organisation.name, "when": timezone.now().date().isoformat()},
        "",
        gettext(
            "data.json holds everything, for programs; the csv folder holds the same, one "
            "table per file, for spreadsheets; the files folder holds images you uploaded."
        ),
        "",
    ]
    for provider in providers():
        lines.append(str(provider.label))
        for group in provider.describe(membership):
            # Translators: one line of the README in a person's data download: what is kept
            # (e.g. "Notifications"), how many of it, and why it is kept.
            line = gettext("%(what)s: %(count)s. %(explanation)s") % {
                "what": group.label, "count": group.count, "explanation": group.explanation,
            }  # fmt: skip
            lines.append(f"  - {line}")
        for text in provider.not_kept:
            lines.append(f"  * {text}")
    return "\n".join(lines) + "\n"


def data_exports_prune() -> int:
    """Beat: delete the files of expired exports (the rows stay, without a file, so the page
    can say the link expired). Idempotent."""
    expired = list(
        DataExport.objects.filter(expires_at__lt=timezone.now()).exclude(file="").only("file")
    )
    for export in expired:
        name = export.file.name
        DataExport.objects.filter(pk=export.pk).update(file="")
        export.file.storage.delete(name)
    return len(expired)


# --- Erasure -----------------------------------------------------------------------------------


def person_erase(
    *,
    by: Membership,
    membership: Membership,
    keep_contributions: bool,
    request_note: str = "",
) -> ErasureRecord:
    """Erase `membership`'s personal data in its organisation, app by app through each app's
    provider, then its membership and profile, and the account when it was their only
    organisation. Leaves one `ErasureRecord` that says it happened and nothing about whom.

    Oneself, or an admin on a written request (`request_note` says which, never who)."""
    policies.require(
        policies.can_erase_person(by, membership),
        by,
        membership.organisation_id,
        "Only the person themselves, or an admin on their written request, erases their data.",
    )
    on_request = membership.pk != by.pk
    request_note = request_note.strip()
    identity = identity_of(membership)
    if on_request and not request_note:
        raise ValidationError(gettext("Say which written request this erasure answers."))
    if request_note and mentions(request_note, identity):
        raise ValidationError(
            gettext(
                "The note must not name the person (their name, e-mail or LinkedIn address): "
                "the record of the erasure outlives them. Give the request's date or number."
            )
        )
    files: list[tuple[object, str]] = []
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        # The audit log keeps what happened, never who was erased (#18).
        audit_forget_person(membership=membership)
        _audit_scrub(membership.organisation_id, identity)
        counts: dict[str, int] = {}
        for provider in erasure_order():
            for what, how_many in provider.erase(
                membership, keep_contributions=keep_contributions, identity=identity, files=files
            ).items():
                if how_many:
                    counts[what] = counts.get(what, 0) + how_many
        record = ErasureRecord.objects.create(
            organisation_id=by.organisation_id,
            on_request=on_request,
            erased_by=by if on_request else None,
            request_note=request_note[:300],
            kept_contributions=keep_contributions,
            counts=counts,
        )
        # Who asked on the person's behalf is kept; the person is not (a self-erasure has no
        # actor left to name).
        AuditEntry.objects.create(
            organisation_id=by.organisation_id, action=AuditAction.PERSON_ERASED,
            actor=by if on_request else None,
            actor_label=by.user.email if on_request else "",
            details={"reference": str(record.reference), "on_request": on_request,
                     "kept_contributions": keep_contributions},
        )  # fmt: skip
        # Files go once the rows are gone for good.
        transaction.on_commit(lambda: _files_delete(files))
    logger.info("erasure %s done", record.reference)
    return record


def _audit_scrub(organisation_id: int, identity: Identity) -> int:
    """Entries that still name the person (a label written before the link to their membership
    was cut, a detail quoting them) lose it: the e-mail is nowhere in the log afterwards."""
    naming = AuditEntry.objects.filter(organisation_id=organisation_id).filter(
        Q(actor_label__iexact=identity.email)
        | Q(target_label__iexact=identity.email)
        | _any_contains("details", identity)
    )
    scrubbed = 0
    for entry in naming:
        if entry.actor_label.lower() == identity.email.lower():
            entry.actor_label = ""
        if entry.target_label.lower() == identity.email.lower():
            entry.target_label = ""
        entry.details = _scrubbed(entry.details, identity)
        entry.save(update_fields=["actor_label", "target_label", "details"])
        scrubbed += 1
    return scrubbed


def _scrubbed(value: object, identity: Identity) -> object:
    """`value` (plain JSON) with every mention of the person replaced, keys and structure kept."""
    if isinstance(value, str):
        for needle in identity.needles():
            value = _replace_folded(value, needle, str(FORMER_MEMBER))
        return value
    if isinstance(value, list):
        return [_scrubbed(item, identity) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, identity) for key, item in value.items()}
    return value


def _files_delete(files: list[tuple[object, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("erasure: a file could not be deleted")


def _programme_erase(
    membership: Membership, *, keep_contributions: bool, identity: Identity, files: list
) -> dict[str, int]:
    """The programme core's share, and last: the membership, profile and maybe the account."""
    organisation_id = membership.organisation_id
    participant = Participant.objects.filter(membership=membership).first()
    counts: dict[str, int] = {}

    def gone(what: str, result: tuple[int, dict] | int) -> None:
        counts[what] = result[0] if isinstance(result, tuple) else result

    # What the erasure record counts is stored in English (the record outlives the person and
    # is read by admins in their own languages) and translated where the record is shown.
    # Translators: a kind of data counted on the record of an erasure ("notifications: 12").
    gone(gettext_noop("notifications"), Notification.objects.filter(recipient=membership).delete())
    DailyDigest.objects.filter(membership=membership).delete()
    gone(
        gettext_noop("e-mail choices"),
        EmailPreference.objects.filter(membership=membership).delete(),
    )
    gone(
        gettext_noop("announcements received"),
        AnnouncementRecipient.objects.filter(membership=membership).delete(),
    )
    # What they wrote for everyone stays, without their name (as anonymous ones are).
    gone(
        # Translators: on the record of an erasure: questions kept without the author's name.
        gettext_noop("questions unsigned"),
        Question.objects.filter(organisation_id=organisation_id, author=membership).update(
            author=None
        ),
    )
    Question.objects.filter(organisation_id=organisation_id, answered_by=membership).update(
        answered_by=None
    )
    gone(
        # Translators: on the record of an erasure: problems kept without the author's name.
        gettext_noop("problems unsigned"),
        Problem.objects.filter(organisation_id=organisation_id, raised_by=membership).update(
            raised_by=None
        ),
    )
    Problem.objects.filter(organisation_id=organisation_id, owner=membership).update(owner=None)
    Announcement.objects.filter(organisation_id=organisation_id, drafted_by=membership).update(
        drafted_by=None
    )
    Announcement.objects.filter(organisation_id=organisation_id, published_by=membership).update(
        published_by=None
    )
    gone(gettext_noop("follow-ups owned"), FollowUp.objects.filter(owner=membership).delete())
    for programme in Programme.objects.filter(organisation_id=organisation_id):
        programme.sponsors.remove(membership)
        programme.consultants.remove(membership)
    for meeting in ManagementMeeting.objects.filter(attendees=membership):
        meeting.attendees.remove(membership)
    exports = list(DataExport.objects.filter(membership=membership).exclude(file=""))
    files += [(export.file.storage, export.file.name) for export in exports]
    # Translators: on the record of an erasure: the person's "Download my data" files.
    gone(gettext_noop("downloads"), DataExport.objects.filter(membership=membership).delete())
    if participant is not None:
        # Translators: on the record of an erasure: the person's places in waves.
        gone(
            gettext_noop("wave places"), WaveMember.objects.filter(participant=participant).delete()
        )
        gone(
            gettext_noop("session attendance"),
            SessionAttendance.objects.filter(participant=participant).delete(),
        )
    # Texts Snowball wrote for others that name the person ("Anna commented on your case").
    scrubbed = 0
    # The name may be in the text (older rows) or among its placeholders' values.
    for notification in Notification.objects.filter(organisation_id=organisation_id).filter(
        _any_contains("text", identity) | _any_contains("params", identity)
    ):
        text = notification.text
        params = dict(notification.params)
        for needle in identity.needles():
            text = _replace_folded(text, needle, str(FORMER_MEMBER))
            params = {
                key: _replace_folded(value, needle, str(FORMER_MEMBER))
                if isinstance(value, str)
                else value
                for key, value in params.items()
            }
        notification.text, notification.params = text, params
        notification.save(update_fields=["text", "params"])
        scrubbed += 1
    # Translators: on the record of an erasure: the person's name removed from others' texts.
    counts[gettext_noop("mentions in others' notifications")] = scrubbed
    # Roster uploads keep their rows until applied and afterwards: drop the person's.
    for roster in RosterImport.objects.filter(organisation_id=organisation_id).filter(
        _any_contains("rows", identity) | _any_contains("error", identity)
    ):
        roster.rows = [row for row in roster.rows if not mentions(row, identity)]
        roster.error = "" if mentions(roster.error, identity) else roster.error
        roster.save(update_fields=["rows", "error"])
    RosterImport.objects.filter(
        organisation_id=organisation_id, uploaded_by=membership.user
    ).update(uploaded_by=None)
    # The Django admin's log of changes to the person's account, membership and profile.
    LogEntry.objects.filter(_any_contains("object_repr", identity)).delete()
    user = membership.user
    if participant is not None:
        participant.delete()
    integrations.person_deactivated(membership, identity=identity)
    membership.delete()
    # Translators: on the record of an erasure: the person's profile in the programme.
    counts[gettext_noop("profile")] = 1
    if not Membership.objects.filter(user=user).exists():
        _account_delete(user)
    return counts


def _any_contains(column: str, identity: Identity) -> Q:
    query = Q(pk__in=[])
    for needle in identity.needles():
        query |= Q(**{f"{column}__icontains": needle})
    return query


def _replace_folded(text: str, needle: str, replacement: str) -> str:
    lowered, target = text.casefold(), needle.casefold()
    while (at := lowered.find(target)) >= 0:
        text = text[:at] + replacement + text[at + len(needle) :]
        lowered = text.casefold()
    return text


def _account_delete(user: User) -> None:
    """The account itself, its sign-in sessions, e-mail addresses and second factors (those
    cascade), and the Django admin's log lines about it."""
    user_key = str(user.pk)
    # The cached_db engine keeps sessions in the cache too: delete through the engine.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        # get_decoded() answers {} for a corrupt or tampered session: nobody's.
        if session.get_decoded().get("_auth_user_id") == user_key:
            store(session_key=session.session_key).delete()
    about = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=about, object_id=user_key).delete()
    user.delete()


# --- The programme core's provider -------------------------------------------------------------


def _programme_describe(membership: Membership) -> list[DataGroup]:
    participant = Participant.objects.filter(membership=membership).first()
    groups = [
        DataGroup(
            "profile",
            _("Profile"),
            _(
                "Your name, e-mail address, role, team, job role, industry segment, mindset, "
                "digital affinity, selling strategy and LinkedIn address: who you are in the "
                "programme. Erasure deletes it."
            ),
            1,
        ),
        DataGroup(
            "notifications",
            _("Notifications"),
            _("What Snowball told you in the app and by e-mail. Erasure deletes them."),
            Notification.objects.filter(recipient=membership).count(),
        ),
        DataGroup(
            "email_choices",
            _("E-mail choices"),
            _("Which e-mails you want at once, in a digest or not at all. Erasure deletes them."),
            EmailPreference.objects.filter(membership=membership).count(),
        ),
        DataGroup(
            "announcements",
            _("Announcements received"),
            _("Which sponsor announcements reached you, and when you opened and confirmed them."),
            AnnouncementRecipient.objects.filter(membership=membership).count(),
        ),
        DataGroup(
            "questions_problems",
            _("Questions and problems with your name"),
            _(
                "Questions you asked and problems you raised under your name. Erasure keeps "
                "them for the others, without your name, like anonymous ones."
            ),
            Question.objects.filter(author=membership).count()
            + Problem.objects.filter(raised_by=membership).count(),
        ),
        DataGroup(
            "follow_ups",
            _("Follow-ups you own"),
            _("Management-meeting follow-ups in your name. Erasure deletes them."),
            FollowUp.objects.filter(owner=membership).count(),
        ),
    ]
    if participant is not None:
        groups.append(
            DataGroup(
                "waves_sessions",
                _("Waves and sessions"),
                _(
                    "The wave you are in, and the trainings and consultations you were "
                    "expected at and attended. Erasure deletes them."
                ),
                WaveMember.objects.filter(participant=participant).count()
                + SessionAttendance.objects.filter(participant=participant).count(),
            )
        )
    return groups


def _programme_export(membership: Membership) -> ExportPart:
    user_fields = ("user__email", "user__first_name", "user__last_name", "user__date_joined",
                   "user__last_login", "organisation__name", "role", "invitation_sent_at",
                   "joined_at")  # fmt: skip
    part = ExportPart()
    part.tables["account"] = table(Membership.objects.filter(pk=membership.pk), *user_fields)
    participants = Participant.objects.filter(membership=membership)
    part.tables["profile"] = table(
        participants, "job_role", "team__name", "segment", "mindset", "digital_affinity",
        "selling_strategy", "linkedin_url", "is_ambassador", "created_at", "updated_at",
    )  # fmt: skip
    part.tables["waves"] = table(
        WaveMember.objects.filter(participant__membership=membership),
        "programme__name", "wave__number", "wave__name", "added_at",
    )  # fmt: skip
    part.tables["sessions"] = table(
        SessionAttendance.objects.filter(participant__membership=membership),
        "session__title", "session__kind", "session__starts_at", "attended",
    )  # fmt: skip
    part.tables["notifications"] = table(
        Notification.objects.filter(recipient=membership),
        "kind", "text", "url", "created_at", "read_at", "emailed_at",
    )  # fmt: skip
    part.tables["email_choices"] = table(
        EmailPreference.objects.filter(membership=membership), "kind", "mode", "updated_at"
    )
    part.tables["announcements_received"] = table(
        AnnouncementRecipient.objects.filter(membership=membership),
        "announcement__title", "emailed_at", "opened_at", "acknowledged_at",
    )  # fmt: skip
    part.tables["questions"] = table(
        Question.objects.filter(author=membership),
        "announcement__title", "body", "asked_on", "answer",
    )  # fmt: skip
    part.tables["problems"] = table(
        Problem.objects.filter(raised_by=membership),
        "title", "description", "raised_on", "status", "resolution",
    )  # fmt: skip
    part.tables["follow_ups"] = table(
        FollowUp.objects.filter(owner=membership), "text", "due_on", "done_at"
    )
    return part


def register() -> None:
    register_privacy_provider(
        PrivacyProvider(
            app="programme",
            label=_("You and the programme"),
            describe=_programme_describe,
            export=_programme_export,
            erase=_programme_erase,
            not_kept=(
                _(
                    "Anonymous questions and problems: they store no author, no address and "
                    "only the day, so nothing links them to you, and they are not in your "
                    "download. Erasure leaves them as they are."
                ),
            ),
        )
    )
