"""Writes for the programme core. Views, tasks and commands call these; nothing else writes.

A write a person makes takes the acting membership (`by`) and asks `programme.policies`
itself. The organisation's own setup (`membership_create`, `team_ensure`, applying a stored
roster, sending invitations) runs for the organisation, from the seed command, the roster
import or a task, after the person who started it was checked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_noop

from programme import policies
from programme.models import (
    AuditAction,
    AuditEntry,
    DeactivationSource,
    Membership,
    Organisation,
    Participant,
    RosterImport,
    Team,
    User,
)
from programme.roster import RosterRow
from programme.services.mailing import send_claimed_batches

logger = logging.getLogger(__name__)

INVITATION_SALT = "snowball.invitation"
# Stored in English on the failed import (a worker has no reader's language); marked so the
# catalogues hold it and the page translates it when it shows it ({% translate error %}).
ROSTER_IMPORT_FAILED = gettext_noop(
    "The import stopped on an unexpected error; nothing was changed. "
    "Try again, and tell your administrator if it fails again."
)


# --- Organisations, teams, memberships ------------------------------------------------------------


def membership_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    verified: bool = False,
    team: Team | None = None,
    **participant_fields: object,
) -> Membership:
    """Add a person to an organisation (creating the user if new) with a participant profile."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, first_name=first_name, last_name=last_name)
    if verified:
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    membership, _ = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"role": role, "joined_at": timezone.now() if verified else None},
    )
    Participant.objects.get_or_create(
        membership=membership,
        defaults={"organisation": organisation, "team": team, **participant_fields},
    )
    return membership


def team_ensure(*, organisation: Organisation, name: str, parent: Team | None = None) -> Team:
    team = Team.objects.filter(organisation=organisation, name__iexact=name).first()
    if team is None:
        team = Team.objects.create(organisation=organisation, name=name, parent=parent)
    elif parent is not None and team.parent_id != parent.pk:
        team.parent = parent
        team.save(update_fields=["parent", "updated_at"])
    return team


def team_create(*, by: Membership, name: str, parent: Team | None = None) -> Team:
    """A team added on the Teams page (`team_ensure` is the organisation's own setup)."""
    policies.require(
        policies.can_manage_teams(by), by, by.organisation_id, "Only the programme team does."
    )
    return team_ensure(organisation=by.organisation, name=name, parent=parent)


def membership_deactivate(
    *, membership: Membership, by: Membership | None, source: str, audit: bool = True
) -> bool:
    """End `membership`'s access (a leaver, #18): they can no longer open the organisation and
    leave every audience, notification, reminder and invitation; nothing is deleted, so past
    aggregates keep them. `by` is the person acting (asked to the policy) or None for SCIM or a
    roster import already checked. False when they were already deactivated."""
    return _membership_access_set(
        membership=membership, by=by, source=source, audit=audit, active=False
    )


def membership_reactivate(
    *, membership: Membership, by: Membership | None, source: str, audit: bool = True
) -> bool:
    """Restore a leaver's access: they are back in audiences from now on. False when they were
    active."""
    return _membership_access_set(
        membership=membership, by=by, source=source, audit=audit, active=True
    )


def _membership_access_set(
    *, membership: Membership, by: Membership | None, source: str, audit: bool, active: bool
) -> bool:
    """One compare-and-set for both directions: only a membership in the other state changes,
    with its audit entry (and, on deactivation, the integrations' event) in the same
    transaction."""
    from programme.models import AuditAction
    from programme.services.audit import audit_record
    from programme.services.integrations import person_deactivated

    if by is not None:
        policies.require(
            policies.can_deactivate_member(by, membership),
            by,
            membership.organisation_id,
            "reactivate a member" if active else "deactivate a member",
        )
    now = timezone.now()
    with transaction.atomic():
        changed = Membership.objects.filter(
            pk=membership.pk, deactivated_at__isnull=not active
        ).update(
            deactivated_at=None if active else now,
            deactivated_by="" if active else source,
            updated_at=now,
        )
        if not changed:
            return False
        membership.refresh_from_db(fields=["deactivated_at", "deactivated_by", "updated_at"])
        if audit:
            audit_record(
                organisation=membership.organisation_id,
                action=AuditAction.REACTIVATED if active else AuditAction.DEACTIVATED,
                actor=by,
                actor_label="" if by else source.upper(),
                target=membership,
                details={"source": source},
            )
        if not active:
            person_deactivated(membership)
    return True


def membership_mark_joined(*, membership: Membership) -> None:
    if membership.joined_at is None:
        Membership.objects.filter(pk=membership.pk, joined_at__isnull=True).update(
            joined_at=timezone.now()
        )


# What only the programme team sets on a profile (`can_edit_participant_placement`).
PLACEMENT_FIELDS = frozenset({"team", "job_role", "is_ambassador"})


def participant_update(
    *, participant: Participant, by: Membership, data: dict[str, object]
) -> list[str]:
    """Apply a validated profile form; returns the fields that changed."""
    policies.require(
        policies.can_edit_participant(by, participant)
        and (policies.can_edit_participant_placement(by) or not PLACEMENT_FIELDS & set(data)),
        by,
        participant.organisation_id,
        "Only the person themself or the programme team edits a profile.",
    )
    changed = [name for name, value in data.items() if getattr(participant, name) != value]
    for name in changed:
        setattr(participant, name, data[name])
    if changed:
        participant.save(update_fields=[*changed, "updated_at"])
    return changed


# --- Roster import --------------------------------------------------------------------------------


def roster_import_create(
    *, by: Membership, filename: str, rows: list[RosterRow], deactivate_missing: bool = False
) -> RosterImport:
    """Store a validated roster and queue its import once the row is committed. With
    `deactivate_missing` (#18) nothing is queued yet: the import waits until `by` (or another
    of the programme team) confirms the list of people it would deactivate."""
    from programme import tasks

    policies.require(
        policies.can_import_roster(by), by, by.organisation_id, "Only the programme team does."
    )
    roster_import = RosterImport.objects.create(
        organisation_id=by.organisation_id,
        uploaded_by=by.user,
        filename=filename[:255],
        rows=[row.as_dict() for row in rows],
        total_rows=len(rows),
        deactivate_missing=deactivate_missing,
        status=RosterImport.Status.AWAITING if deactivate_missing else RosterImport.Status.QUEUED,
    )
    if not deactivate_missing:
        transaction.on_commit(lambda: tasks.roster_import_apply.delay(roster_import.pk))
    return roster_import


def roster_leavers_fingerprint(membership_ids: Iterable[int]) -> str:
    """A short digest of a list of people, carried by the confirmation form: confirming
    applies exactly the list that was shown, or nothing."""
    joined = ",".join(str(pk) for pk in sorted(membership_ids))
    return salted_hmac("snowball.roster-leavers", joined).hexdigest()[:20]


def roster_import_confirm(*, by: Membership, roster_import: RosterImport, shown: str) -> int:
    """The uploader saw the people missing from the file and confirmed (#18): the import is
    queued with those people to deactivate. `shown` is the fingerprint of the list they saw;
    if the list changed since (someone joined or left), nothing happens and they look again.
    Returns how many will be deactivated."""
    from programme import selectors, tasks

    policies.require(
        policies.can_import_roster(by), by, roster_import.organisation_id,
        "Only the programme team does.",
    )  # fmt: skip
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if locked.status != RosterImport.Status.AWAITING:
            raise ValidationError(gettext("This import is no longer waiting for confirmation."))
        leavers = list(selectors.roster_missing_members(locked).values_list("pk", flat=True))
        if roster_leavers_fingerprint(leavers) != shown:
            raise ValidationError(
                gettext(
                    "The list of people not in the file changed since you saw it. Nothing was "
                    "changed: check the list again."
                )
            )
        RosterImport.objects.filter(pk=locked.pk).update(
            status=RosterImport.Status.QUEUED, deactivate_ids=leavers, updated_at=timezone.now()
        )
        transaction.on_commit(lambda: tasks.roster_import_apply.delay(locked.pk))
    roster_import.refresh_from_db()
    return len(leavers)


def roster_import_cancel(*, by: Membership, roster_import: RosterImport) -> bool:
    """Drop an import that waits for confirmation: nothing changes and the file's rows (names,
    e-mail addresses) are not kept. False when it was no longer waiting."""
    policies.require(
        policies.can_import_roster(by), by, roster_import.organisation_id,
        "Only the programme team does.",
    )  # fmt: skip
    cancelled = RosterImport.objects.filter(
        pk=roster_import.pk, status=RosterImport.Status.AWAITING
    ).update(status=RosterImport.Status.CANCELLED, rows=[], finished_at=timezone.now(),
             updated_at=timezone.now())  # fmt: skip
    roster_import.refresh_from_db()
    return bool(cancelled)


@dataclass
class RosterCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (membership, role before, role after) for the audit log.
    role_changes: list[tuple[Membership, str, str]] = field(default_factory=list)


def roster_import_apply(*, roster_import_id: int) -> RosterImport | None:
    """Apply a stored roster: all of it or nothing. Safe to run twice or after a crash."""
    claimed = RosterImport.objects.filter(
        pk=roster_import_id, status__in=[RosterImport.Status.QUEUED, RosterImport.Status.RUNNING]
    ).update(status=RosterImport.Status.RUNNING)
    if not claimed:
        # Done (or failed) already: a repeated delivery changes nothing, except that a worker
        # that died between the commit and queueing the invitations left them unqueued: queue
        # them now (sending is claimed per person, so nobody is invited twice).
        done = RosterImport.objects.filter(pk=roster_import_id, status=RosterImport.Status.DONE)
        if organisation_id := done.values_list("organisation_id", flat=True).first():
            _invitations_enqueue(organisation_id)
        return None

    try:
        with transaction.atomic():
            roster_import = (
                RosterImport.objects.select_for_update()
                .select_related("organisation")
                .get(pk=roster_import_id)
            )
            if roster_import.status != RosterImport.Status.RUNNING:
                return roster_import  # a concurrent delivery finished it while we waited
            rows = [RosterRow(**row) for row in roster_import.rows]
            counts = _roster_rows_apply(organisation=roster_import.organisation, rows=rows)
            deactivated, reactivated = _roster_activation_apply(roster_import, rows)
            roster_import.status = RosterImport.Status.DONE
            roster_import.created_count = counts.created
            roster_import.updated_count = counts.updated
            roster_import.unchanged_count = counts.unchanged
            roster_import.deactivated_count = len(deactivated)
            roster_import.reactivated_count = len(reactivated)
            _roster_audit(roster_import, counts, deactivated, reactivated)
            roster_import.finished_at = timezone.now()
            # The roster's rows (names, e-mail addresses) are in the people's records now:
            # the upload's copy goes, only the counts stay.
            roster_import.rows = []
            roster_import.save(
                update_fields=[
                    "status", "created_count", "updated_count", "unchanged_count",
                    "deactivated_count", "reactivated_count", "finished_at", "rows",
                    "updated_at",
                ]
            )  # fmt: skip
    except Exception:
        logger.exception("roster import %s failed", roster_import_id)
        RosterImport.objects.filter(pk=roster_import_id).update(
            status=RosterImport.Status.FAILED,
            rows=[],
            error=ROSTER_IMPORT_FAILED,
            finished_at=timezone.now(),
        )
        raise

    organisation_id = roster_import.organisation_id
    transaction.on_commit(lambda: _invitations_enqueue(organisation_id))
    return roster_import


def _invitations_enqueue(organisation_id: int) -> None:
    from programme import tasks

    tasks.invitations_send_for_organisation.delay(organisation_id)


def _roster_activation_apply(
    roster_import: RosterImport, rows: list[RosterRow]
) -> tuple[list[Membership], list[Membership]]:
    """Leavers (#18), in the import's transaction: people in the file who had been deactivated
    are back; with "deactivate people not in this file", those the uploader confirmed are
    deactivated, unless they are in the file after all. Two UPDATEs whatever the numbers;
    a repeated run finds nobody left to change. Returns (deactivated, reactivated)."""
    from programme.services.integrations import person_deactivated

    now = timezone.now()
    emails = [row.email for row in rows]
    in_organisation = Membership.objects.filter(organisation_id=roster_import.organisation_id)
    reactivated = list(
        in_organisation.filter(user__email__in=emails, deactivated_at__isnull=False)
        .select_related("user")
        .order_by("pk")
    )
    in_organisation.filter(pk__in=[m.pk for m in reactivated]).update(
        deactivated_at=None, deactivated_by="", updated_at=now
    )
    deactivated: list[Membership] = []
    if roster_import.deactivate_ids:
        deactivated = list(
            in_organisation.active()
            .filter(pk__in=roster_import.deactivate_ids, role__in=policies.ROSTER_LEAVER_ROLES)
            .exclude(user__email__in=emails)
            .select_related("user")
            .order_by("pk")
        )
        in_organisation.filter(pk__in=[m.pk for m in deactivated]).update(
            deactivated_at=now, deactivated_by=DeactivationSource.ROSTER, updated_at=now
        )
        for membership in deactivated:
            person_deactivated(membership)  # webhooks: the opaque code only
    return deactivated, reactivated


def _roster_audit(
    roster_import: RosterImport,
    counts: RosterCounts,
    deactivated: list[Membership],
    reactivated: list[Membership],
) -> None:
    """The import's entries in the audit log, in one INSERT: the import with its counts, then
    each role change, deactivation and reactivation, by the person who uploaded the file."""
    organisation_id = roster_import.organisation_id
    actor = (
        Membership.objects.filter(
            organisation_id=organisation_id, user_id=roster_import.uploaded_by_id
        )
        .select_related("user")
        .first()
    )
    label = actor.user.email if actor else ""

    def entry(action: str, target: Membership | None = None, **details: object) -> AuditEntry:
        return AuditEntry(
            organisation_id=organisation_id, action=action, actor=actor,
            actor_label=label or "Snowball", target=target,
            target_label=target.user.email if target else "", details=details,
        )  # fmt: skip

    entries = [
        entry(
            AuditAction.ROSTER_IMPORTED,
            file=roster_import.filename,
            rows=roster_import.total_rows,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            deactivated=len(deactivated),
            reactivated=len(reactivated),
        ),
        *(
            entry(AuditAction.ROLE_CHANGED, membership, source="roster", **{"from": old, "to": new})
            for membership, old, new in counts.role_changes
        ),
        *(entry(AuditAction.DEACTIVATED, m, source="roster") for m in deactivated),
        *(entry(AuditAction.REACTIVATED, m, source="roster") for m in reactivated),
    ]
    AuditEntry.objects.bulk_create(entries)


def _roster_teams(organisation: Organisation, rows: list[RosterRow]) -> dict[str, Team]:
    names = {r.team for r in rows if r.team} | {r.parent_team for r in rows if r.parent_team}
    teams = {t.name.lower(): t for t in Team.objects.filter(organisation=organisation)}
    new = [
        Team(organisation=organisation, name=name)
        for name in {n.lower(): n for n in names}.values()
        if name.lower() not in teams
    ]
    for team in Team.objects.bulk_create(new):
        teams[team.name.lower()] = team
    reparented = []
    for row in rows:
        if row.team and row.parent_team:
            team, parent = teams[row.team.lower()], teams[row.parent_team.lower()]
            if team.parent_id != parent.pk:
                team.parent_id = parent.pk
                reparented.append(team)
    Team.objects.bulk_update(reparented, ["parent"])
    return teams


def _roster_rows_apply(*, organisation: Organisation, rows: list[RosterRow]) -> RosterCounts:
    """Set-based upsert: a fixed number of queries per import, whatever its size."""
    counts = RosterCounts()
    teams = _roster_teams(organisation, rows)
    emails = [row.email for row in rows]

    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    # One unusable marker for the whole batch: generating 24,000 random ones costs seconds.
    unusable = make_password(None)
    new_users = [
        User(email=row.email, first_name=row.first_name, last_name=row.last_name, password=unusable)
        for row in rows
        if row.email not in users
    ]
    for user in User.objects.bulk_create(new_users):
        users[user.email] = user

    # Names are corrected by a re-import only for people no other organisation also holds.
    shared_user_ids = set(
        Membership.objects.filter(user__email__in=emails)
        .exclude(organisation=organisation)
        .values_list("user_id", flat=True)
    )
    renamed: list[User] = []
    for row in rows:
        user = users[row.email]
        if user.pk in shared_user_ids:
            continue
        if (user.first_name, user.last_name) != (row.first_name, row.last_name):
            user.first_name, user.last_name = row.first_name, row.last_name
            renamed.append(user)
    User.objects.bulk_update(renamed, ["first_name", "last_name"])
    renamed_ids = {u.pk for u in renamed}

    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(organisation=organisation, user__email__in=emails)
    }
    new_memberships = [
        Membership(user=users[row.email], organisation=organisation, role=row.role)
        for row in rows
        if users[row.email].pk not in memberships
    ]
    created_user_ids = {m.user_id for m in new_memberships}
    for membership in Membership.objects.bulk_create(new_memberships):
        memberships[membership.user_id] = membership

    participants = {
        p.membership_id: p
        for p in Participant.objects.filter(membership__in=[m.pk for m in memberships.values()])
    }
    role_changed: list[Membership] = []
    profile_changed: list[Participant] = []
    new_participants: list[Participant] = []
    for row in rows:
        user = users[row.email]
        membership = memberships[user.pk]
        team = teams[row.team.lower()] if row.team else None
        changed = user.pk in renamed_ids
        if membership.role != row.role:
            counts.role_changes.append((membership, membership.role, row.role))
            membership.role = row.role
            role_changed.append(membership)
            changed = True
        participant = participants.get(membership.pk)
        if participant is None:
            new_participants.append(
                Participant(
                    organisation=organisation,
                    membership=membership,
                    job_role=row.job_role,
                    team=team,
                )
            )
        elif (participant.job_role, participant.team_id) != (row.job_role, team and team.pk):
            participant.job_role, participant.team = row.job_role, team
            profile_changed.append(participant)
            changed = True
        if user.pk in created_user_ids:
            counts.created += 1
        elif changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
    Membership.objects.bulk_update(role_changed, ["role"])
    Participant.objects.bulk_create(new_participants)
    Participant.objects.bulk_update(profile_changed, ["job_role", "team"])
    return counts


# --- Invitations ----------------------------------------------------------------------------------


def _password_fingerprint(user: User) -> str:
    """Changes when the password is set, so an accepted invitation link stops working."""
    return salted_hmac(INVITATION_SALT, user.password or "-").hexdigest()[:16]


def invitation_token(*, membership: Membership) -> str:
    return signing.dumps(
        {"m": membership.code.hex, "p": _password_fingerprint(membership.user)},
        salt=INVITATION_SALT,
        compress=True,
    )


def invitation_membership(*, token: str) -> Membership | None:
    """The membership an invitation token is for, or None if it is forged, expired or used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE_DAYS * 86400
        )
    except signing.BadSignature:
        return None
    membership = (
        Membership.objects.active()
        .select_related("user", "organisation")
        .filter(code=data.get("m", ""), organisation__archived_at__isnull=True)
        .first()
        if isinstance(data, dict) and _is_hex_uuid(data.get("m"))
        else None
    )
    if membership is None or data.get("p") != _password_fingerprint(membership.user):
        return None
    return membership


def _is_hex_uuid(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == 32 and all(c in "0123456789abcdef" for c in value)
    )


def invitation_accept(*, membership: Membership, password: str) -> User:
    """Set the invited person's password; the e-mail the link came by is now verified."""
    user = membership.user
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.filter(user=user).exclude(email=user.email).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        membership_mark_joined(membership=membership)
    return user


def _invitation_message(membership: Membership, connection: object) -> EmailMessage:
    user, organisation = membership.user, membership.organisation
    if user.has_usable_password():
        link = settings.SITE_URL + reverse("programme-organisation-home", args=[organisation.slug])
    else:
        link = settings.SITE_URL + reverse(
            "programme-invitation-accept", args=[invitation_token(membership=membership)]
        )
    context = {
        "membership": membership,
        "user": user,
        "organisation": organisation,
        "link": link,
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    subject = render_to_string("programme/email/invitation_subject.txt", context).strip()
    body = render_to_string("programme/email/invitation_body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        connection=connection,
    )


def invitations_send(*, organisation_id: int, membership_ids: Iterable[int] | None = None) -> int:
    """Send pending invitations in batches; none is ever sent twice (see mailing)."""

    def pending() -> QuerySet[Membership]:
        rows = Membership.objects.active().filter(
            organisation_id=organisation_id,
            invitation_sent_at__isnull=True,
            joined_at__isnull=True,
            organisation__archived_at__isnull=True,
        )
        return rows if membership_ids is None else rows.filter(pk__in=list(membership_ids))

    return send_claimed_batches(
        pending=pending,
        claim={"invitation_sent_at": timezone.now()},
        release={"invitation_sent_at": None},
        build=_invitation_message,
        related=("user", "organisation"),
        recipient=lambda membership: (membership.user, membership.organisation),
    )


def invitation_resend(*, membership: Membership, by: Membership) -> None:
    """Queue one more invitation to someone who has not joined yet."""
    from programme import tasks

    policies.require(
        policies.can_resend_invitation(by),
        by,
        membership.organisation_id,
        "Only the programme team sends invitations.",
    )
    Membership.objects.filter(pk=membership.pk, joined_at__isnull=True).update(
        invitation_sent_at=None
    )
    organisation_id, membership_id = membership.organisation_id, membership.pk
    transaction.on_commit(
        lambda: tasks.invitations_send_for_organisation.delay(organisation_id, [membership_id])
    )


def row_toggle(model: type, **fields: object) -> tuple[bool, bool]:
    """A one-per-person mark (a reaction, a vote, "I shared it"): remove it if it is there,
    else add it. Returns (whether it is now on, whether this call added it); a double click
    that raced another is on either way, added once."""
    deleted, _ = model.objects.filter(**fields).delete()
    if deleted:
        return False, False
    try:
        with transaction.atomic():
            model.objects.create(**fields)
    except IntegrityError:
        return True, False
    return True, True


__all__ = [
    "invitation_accept",
    "invitation_membership",
    "invitation_resend",
    "invitation_token",
    "invitations_send",
    "membership_create",
    "membership_deactivate",
    "membership_mark_joined",
    "membership_reactivate",
    "participant_update",
    "roster_import_apply",
    "roster_import_cancel",
    "roster_import_confirm",
    "roster_import_create",
    "roster_leavers_fingerprint",
    "row_toggle",
    "team_create",
    "team_ensure",
]
