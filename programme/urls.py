from __future__ import annotations

from django.urls import path

from programme.views import announcements, core, preferences, programmes, sessions

org = "o/<slug:org>/"

urlpatterns = [
    path("", core.home, name="home"),
    path("invitations/<str:token>/", core.invitation_accept, name="programme-invitation-accept"),
    path(org, core.organisation_home, name="programme-organisation-home"),
    # People, teams, roster
    path(org + "people/", core.people_list, name="programme-people-list"),
    path(org + "me/", core.my_profile, name="programme-participant-me"),
    path(org + "me/email/", preferences.email_preferences, name="programme-email-preferences"),
    path(org + "me/notifications/", preferences.notifications, name="programme-notifications"),
    path(
        org + "me/notifications/badge/",
        preferences.notifications_badge,
        name="programme-notifications-badge",
    ),
    path(
        "email/unsubscribe/<str:token>/",
        preferences.email_unsubscribe,
        name="programme-email-unsubscribe",
    ),
    path(
        org + "settings/", preferences.organisation_settings, name="programme-organisation-settings"
    ),
    path(org + "people/<uuid:code>/", core.participant_detail, name="programme-participant-detail"),
    path(
        org + "people/<uuid:code>/invite/",
        core.participant_invite,
        name="programme-participant-invite",
    ),
    path(org + "teams/", core.team_list, name="programme-team-list"),
    path(org + "roster/", core.roster_upload, name="programme-roster-upload"),
    path(org + "roster/<uuid:code>/", core.roster_detail, name="programme-roster-detail"),
    # Programmes, waves, risks, problems
    path(org + "programmes/", programmes.programme_list, name="programme-programme-list"),
    path(
        org + "programmes/<uuid:code>/",
        programmes.programme_detail,
        name="programme-programme-detail",
    ),
    path(
        org + "programmes/<uuid:code>/edit/",
        programmes.programme_edit,
        name="programme-programme-edit",
    ),
    path(
        org + "programmes/<uuid:code>/waves/", programmes.wave_create, name="programme-wave-create"
    ),
    path(org + "waves/<uuid:code>/", programmes.wave_detail, name="programme-wave-detail"),
    path(
        org + "waves/<uuid:code>/remove/<uuid:participant>/",
        programmes.wave_member_remove,
        name="programme-wave-member-remove",
    ),
    path(
        org + "programmes/<uuid:code>/risks/new/",
        programmes.risk_create,
        name="programme-risk-create",
    ),
    path(org + "risks/<uuid:code>/", programmes.risk_edit, name="programme-risk-edit"),
    path(
        org + "programmes/<uuid:code>/problems/",
        programmes.problem_list,
        name="programme-problem-list",
    ),
    path(org + "problems/<uuid:code>/", programmes.problem_detail, name="programme-problem-detail"),
    # Announcements and questions
    path(
        org + "announcements/", announcements.announcement_list, name="programme-announcement-list"
    ),
    path(
        org + "programmes/<uuid:code>/announcements/new/",
        announcements.announcement_create,
        name="programme-announcement-create",
    ),
    path(
        org + "announcements/<uuid:code>/",
        announcements.announcement_detail,
        name="programme-announcement-detail",
    ),
    path(
        org + "announcements/<uuid:code>/edit/",
        announcements.announcement_edit,
        name="programme-announcement-edit",
    ),
    path(
        org + "announcements/<uuid:code>/publish/",
        announcements.announcement_publish,
        name="programme-announcement-publish",
    ),
    path(
        org + "announcements/<uuid:code>/acknowledge/",
        announcements.announcement_acknowledge,
        name="programme-announcement-acknowledge",
    ),
    path(
        org + "announcements/<uuid:code>/reach/",
        announcements.announcement_reach,
        name="programme-announcement-reach",
    ),
    path(
        org + "announcements/<uuid:code>/remind/",
        announcements.announcement_remind,
        name="programme-announcement-remind",
    ),
    path(
        org + "announcements/<uuid:code>/questions/",
        announcements.question_ask,
        name="programme-question-ask",
    ),
    path(
        org + "questions/<uuid:code>/answer/",
        announcements.question_answer,
        name="programme-question-answer",
    ),
    # Sessions, cycles, management meetings
    path(
        org + "programmes/<uuid:code>/sessions/",
        sessions.session_list,
        name="programme-session-list",
    ),
    path(
        org + "programmes/<uuid:code>/cycles/", sessions.cycle_create, name="programme-cycle-create"
    ),
    path(org + "sessions/<uuid:code>/", sessions.session_detail, name="programme-session-detail"),
    path(
        org + "programmes/<uuid:code>/meetings/",
        sessions.meeting_list,
        name="programme-meeting-list",
    ),
    path(org + "meetings/<uuid:code>/", sessions.meeting_detail, name="programme-meeting-detail"),
    path(
        org + "follow-ups/<uuid:code>/done/",
        sessions.follow_up_done,
        name="programme-follow-up-done",
    ),
]
