from __future__ import annotations

from django.urls import path

from programme.views import (
    announcements,
    audit,
    core,
    preferences,
    privacy,
    programmes,
    sessions,
)
from programme.views import translations as announcement_translations

tenant_urlpatterns = [
    path("", core.organisation_home, name="programme-organisation-home"),
    # People, teams, roster
    path("people/", core.people_list, name="programme-people-list"),
    path("me/", core.my_profile, name="programme-participant-me"),
    path("me/email/", preferences.email_preferences, name="programme-email-preferences"),
    path("me/notifications/", preferences.notifications, name="programme-notifications"),
    path(
        "me/notifications/badge/",
        preferences.notifications_badge,
        name="programme-notifications-badge",
    ),
    path("settings/", preferences.organisation_settings, name="programme-organisation-settings"),
    path("audit/", audit.audit_log, name="programme-audit-log"),
    # My data: what Snowball keeps about me, download it, erase me; erasure on request
    path("me/data/", privacy.my_data, name="programme-my-data"),
    path("me/data/export/", privacy.my_data_export, name="programme-my-data-export"),
    path(
        "me/data/download/<uuid:code>/",
        privacy.my_data_download,
        name="programme-my-data-download",
    ),
    path("me/data/erase/", privacy.my_data_erase, name="programme-my-data-erase"),
    path("privacy/erasures/", privacy.erasure_requests, name="programme-erasure-requests"),
    path("people/<uuid:code>/", core.participant_detail, name="programme-participant-detail"),
    path(
        "people/<uuid:code>/invite/",
        core.participant_invite,
        name="programme-participant-invite",
    ),
    path(
        "people/<uuid:code>/deactivate/",
        core.participant_deactivate,
        name="programme-participant-deactivate",
    ),
    path(
        "people/<uuid:code>/reactivate/",
        core.participant_reactivate,
        name="programme-participant-reactivate",
    ),
    path("teams/", core.team_list, name="programme-team-list"),
    path("roster/", core.roster_upload, name="programme-roster-upload"),
    path("roster/<uuid:code>/", core.roster_detail, name="programme-roster-detail"),
    path("roster/<uuid:code>/confirm/", core.roster_confirm, name="programme-roster-confirm"),
    # Programmes, waves, risks, problems
    path("programmes/", programmes.programme_list, name="programme-programme-list"),
    path(
        "programmes/<uuid:code>/",
        programmes.programme_detail,
        name="programme-programme-detail",
    ),
    path(
        "programmes/<uuid:code>/edit/",
        programmes.programme_edit,
        name="programme-programme-edit",
    ),
    path("programmes/<uuid:code>/waves/", programmes.wave_create, name="programme-wave-create"),
    path("waves/<uuid:code>/", programmes.wave_detail, name="programme-wave-detail"),
    path(
        "waves/<uuid:code>/remove/<uuid:participant>/",
        programmes.wave_member_remove,
        name="programme-wave-member-remove",
    ),
    path(
        "programmes/<uuid:code>/risks/new/",
        programmes.risk_create,
        name="programme-risk-create",
    ),
    path("risks/<uuid:code>/", programmes.risk_edit, name="programme-risk-edit"),
    path(
        "programmes/<uuid:code>/problems/",
        programmes.problem_list,
        name="programme-problem-list",
    ),
    path("problems/<uuid:code>/", programmes.problem_detail, name="programme-problem-detail"),
    # Announcements and questions
    path("announcements/", announcements.announcement_list, name="programme-announcement-list"),
    path(
        "programmes/<uuid:code>/announcements/new/",
        announcements.announcement_create,
        name="programme-announcement-create",
    ),
    path(
        "announcements/<uuid:code>/",
        announcements.announcement_detail,
        name="programme-announcement-detail",
    ),
    path(
        "announcements/<uuid:code>/edit/",
        announcements.announcement_edit,
        name="programme-announcement-edit",
    ),
    path(
        "announcements/<uuid:code>/publish/",
        announcements.announcement_publish,
        name="programme-announcement-publish",
    ),
    path(
        "announcements/<uuid:code>/acknowledge/",
        announcements.announcement_acknowledge,
        name="programme-announcement-acknowledge",
    ),
    path(
        "announcements/<uuid:code>/reach/",
        announcements.announcement_reach,
        name="programme-announcement-reach",
    ),
    path(
        "announcements/<uuid:code>/remind/",
        announcements.announcement_remind,
        name="programme-announcement-remind",
    ),
    path(
        "announcements/<uuid:code>/questions/",
        announcements.question_ask,
        name="programme-question-ask",
    ),
    path(
        "questions/<uuid:code>/answer/",
        announcements.question_answer,
        name="programme-question-answer",
    ),
    # Sessions, cycles, management meetings
    path(
        "programmes/<uuid:code>/sessions/",
        sessions.session_list,
        name="programme-session-list",
    ),
    path("programmes/<uuid:code>/cycles/", sessions.cycle_create, name="programme-cycle-create"),
    path("sessions/<uuid:code>/", sessions.session_detail, name="programme-session-detail"),
    path(
        "programmes/<uuid:code>/meetings/",
        sessions.meeting_list,
        name="programme-meeting-list",
    ),
    path("meetings/<uuid:code>/", sessions.meeting_detail, name="programme-meeting-detail"),
    path(
        "follow-ups/<uuid:code>/done/",
        sessions.follow_up_done,
        name="programme-follow-up-done",
    ),
]

# Outside any organisation.
urlpatterns = [
    path("", core.home, name="home"),
    path("invitations/<str:token>/", core.invitation_accept, name="programme-invitation-accept"),
    path(
        "email/unsubscribe/<str:token>/",
        preferences.email_unsubscribe,
        name="programme-email-unsubscribe",
    ),
]

# Blocked words (moderation)
from programme.views import moderation as moderation_views  # noqa: E402

tenant_urlpatterns += [
    path("settings/blocked-words/", moderation_views.blocked_words, name="programme-blocked-words"),
]

# Calendar: private feeds (programme/calendar.py) and cancelling a session
from programme.views import calendar as calendar_views  # noqa: E402

tenant_urlpatterns += [
    path("me/calendar/", calendar_views.calendar_feed_page, name="programme-calendar-feed"),
    path(
        "me/calendar/new/",
        calendar_views.calendar_feed_create,
        name="programme-calendar-feed-create",
    ),
    path(
        "me/calendar/revoke/",
        calendar_views.calendar_feed_revoke,
        name="programme-calendar-feed-revoke",
    ),
    path(
        "sessions/<uuid:code>/delete/",
        calendar_views.session_delete,
        name="programme-session-delete",
    ),
]
urlpatterns += [
    path(
        "calendar/<str:token>.ics",
        calendar_views.calendar_feed_ics,
        name="programme-calendar-feed-ics",
    ),
]


# Integrations: Teams, Slack and signed webhooks (admins).
from programme import views_integrations  # noqa: E402

tenant_urlpatterns += [
    path("settings/integrations/", views_integrations.integrations, name="programme-integrations"),
    path(
        "settings/integrations/remove/",
        views_integrations.integration_remove,
        name="programme-integration-remove",
    ),
    path(
        "settings/integrations/switch/",
        views_integrations.integration_switch,
        name="programme-integration-switch",
    ),
    path(
        "settings/integrations/test/",
        views_integrations.integration_test,
        name="programme-integration-test",
    ),
    # Announcements in several languages (#20)
    path(
        "announcements/<uuid:code>/translation/",
        announcement_translations.announcement_translation,
        name="programme-announcement-translation",
    ),
]

# A person's language and time zone (for every organisation they belong to).
from programme import views_locale  # noqa: E402

tenant_urlpatterns += [
    path("me/language/", views_locale.language_settings, name="programme-language-settings"),
]
