"""Who may do what in the programme core, by role: one function per action.

Write services ask these themselves (through `require`), so a write is refused whoever calls
it; views ask them to decide what to show, and pass whole-page ones to `tenant_view(policy=)`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from programme.models import (
    Announcement,
    AnnouncementRecipient,
    FollowUp,
    Membership,
    Participant,
    Role,
)


def require(allowed: bool, by: Membership, organisation_id: int, why: str) -> None:
    """What every write service does first: refuse (PermissionDenied, a 403 when it reaches a
    page) unless the policy allowed it and the object is in the actor's own organisation."""
    if not allowed or by.organisation_id != organisation_id:
        raise PermissionDenied(why)


STAFF_ROLES = {Role.CONSULTANT, Role.ADMIN}
OVERSIGHT_ROLES = {Role.SPONSOR, Role.CONSULTANT, Role.ADMIN}
# Who may own a follow-up, a problem or a concern and sit in a management meeting: the people
# who lead the change (sellers and marketing are who it is for, not who answers for it).
OWNER_ROLES = frozenset({Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.ADMIN})


def can_view_people(membership: Membership) -> bool:
    """Sponsors, consultants and admins see everyone; managers see their own teams."""
    return membership.role in OVERSIGHT_ROLES or membership.role == Role.MANAGER


def can_edit_participant(membership: Membership, participant: Participant) -> bool:
    return participant.membership_id == membership.pk or membership.role in STAFF_ROLES


def can_edit_participant_placement(membership: Membership) -> bool:
    """Team, job role and ambassador flag are set by the programme team, not by oneself."""
    return membership.role in STAFF_ROLES


def can_import_roster(membership: Membership) -> bool:
    return membership.role in STAFF_ROLES


def can_resend_invitation(membership: Membership) -> bool:
    return membership.role in STAFF_ROLES


def can_view_teams(membership: Membership) -> bool:
    return can_view_people(membership)


def can_change_organisation_settings(membership: Membership) -> bool:
    return membership.role == Role.ADMIN


def can_manage_teams(membership: Membership) -> bool:
    return membership.role in STAFF_ROLES


def can_deactivate_member(by: Membership, target: Membership) -> bool:
    """Leavers (#18): the programme team (consultants, admins) ends or restores a person's
    access to its organisation; nobody deactivates themselves, and only an admin touches
    another admin."""
    if target.organisation_id != by.organisation_id or target.pk == by.pk:
        return False
    if target.role == Role.ADMIN:
        return by.role == Role.ADMIN
    return by.role in STAFF_ROLES


# Whom a roster re-import may deactivate for missing from the file (#18): the client's people,
# whom the roster lists. The programme team (consultants, often from outside, and admins) is
# managed by hand, never ended by being absent from a spreadsheet.
ROSTER_LEAVER_ROLES = frozenset({Role.SPONSOR, Role.MANAGER, Role.SELLER, Role.MARKETING})


def can_read_audit_log(membership: Membership) -> bool:
    return membership.role == Role.ADMIN


# --- Programme, announcements, problems, sessions, meetings -------------------------------------

PROGRAMME_LEADS = {Role.SPONSOR, Role.CONSULTANT}


def can_manage_programme(membership: Membership) -> bool:
    """Create and shape programmes, waves, sessions and cycles."""
    return membership.role in STAFF_ROLES


def can_draft_announcement(membership: Membership) -> bool:
    return membership.role in PROGRAMME_LEADS


def can_publish_announcement(membership: Membership) -> bool:
    """The change is communicated by the sponsor, not the consultant: sponsors alone publish."""
    return membership.role == Role.SPONSOR


def can_remind_announcement(membership: Membership) -> bool:
    return membership.role == Role.SPONSOR


def can_view_all_announcements(membership: Membership) -> bool:
    """Drafts and reach; everyone else sees only what was published to them."""
    return membership.role in OVERSIGHT_ROLES


def can_confirm_reading(membership: Membership, recipient: AnnouncementRecipient) -> bool:
    """Opening and "I have read this" are recorded for oneself only."""
    return recipient.membership_id == membership.pk


def can_ask_question(membership: Membership, announcement: Announcement) -> bool:
    """Anyone who can read an announcement asks under it, once it is published."""
    return announcement.status == Announcement.Status.PUBLISHED


def can_answer_question(membership: Membership) -> bool:
    return membership.role in PROGRAMME_LEADS


def can_manage_risks(membership: Membership) -> bool:
    return membership.role in PROGRAMME_LEADS


def can_raise_problem(membership: Membership) -> bool:
    """Everyone in the organisation raises problems (anonymously if they wish)."""
    return membership.role in set(Role)


def can_triage_problem(membership: Membership) -> bool:
    return membership.role in PROGRAMME_LEADS


def can_view_problem_authors(membership: Membership) -> bool:
    return membership.role in PROGRAMME_LEADS


def can_record_attendance(membership: Membership) -> bool:
    return membership.role in STAFF_ROLES


def can_view_meetings(membership: Membership) -> bool:
    return membership.role in OWNER_ROLES


def can_manage_meetings(membership: Membership) -> bool:
    """Management keeps the change going when the consultant is not there."""
    return membership.role in {Role.SPONSOR, Role.MANAGER, Role.CONSULTANT}


def can_close_follow_up(membership: Membership, follow_up: FollowUp) -> bool:
    """Those who run the meetings, and the follow-up's owner, mark it done."""
    return can_manage_meetings(membership) or follow_up.owner_id == membership.pk


# --- What each home page flags ---------------------------------------------------------------


def sees_all_people(membership: Membership) -> bool:
    """Everyone in the organisation, not only one's own teams."""
    return membership.role in OVERSIGHT_ROLES


def sees_only_own_teams(membership: Membership) -> bool:
    return membership.role == Role.MANAGER


# A home page lists only work its reader can do there: the problems to triage and those open
# too long go to whoever may triage them, this week's sessions to whoever records attendance.
def home_shows_problem_flags(membership: Membership) -> bool:
    return can_triage_problem(membership)


def home_shows_triage(membership: Membership) -> bool:
    return can_triage_problem(membership)


def home_shows_sessions(membership: Membership) -> bool:
    return can_record_attendance(membership)


def home_shows_drafts_and_reach(membership: Membership) -> bool:
    return membership.role in OVERSIGHT_ROLES


def home_shows_follow_ups(membership: Membership) -> bool:
    return can_view_meetings(membership)


def home_follow_ups_are_own_only(membership: Membership) -> bool:
    """A manager is shown the follow-ups they own; sponsors and consultants see them all."""
    return membership.role == Role.MANAGER


# --- A person's own data ------------------------------------------------------------------------


def can_see_own_data(membership: Membership) -> bool:
    """Everyone sees, downloads and may erase what Snowball keeps about them."""
    return True


def can_erase_on_request(membership: Membership) -> bool:
    """Erase someone else's data on their written request (and see the record of erasures)."""
    return membership.role == Role.ADMIN


def can_erase_person(by: Membership, target: Membership) -> bool:
    """Oneself always; another member of the organisation only as its admin, on request."""
    if target.organisation_id != by.organisation_id:
        return False
    return target.pk == by.pk or can_erase_on_request(by)


# --- Blocked words (moderation) ---


def can_edit_blocked_words(membership: Membership) -> bool:
    """The organisation's list of words that hold a text for moderation: those who moderate
    (consultants) and administrators."""
    return membership.role in STAFF_ROLES


def can_translate_announcement(membership: Membership) -> bool:
    """Translations are part of the draft: whoever may draft it may write them (#20)."""
    return can_draft_announcement(membership)
