from __future__ import annotations

from django.urls import path

from kickoff import views, views_presenter, views_stakeholders

tenant_urlpatterns = [
    path("join/<str:join_code>/", views.join, name="kickoff-join"),
    path(
        "join/<str:join_code>/concerns/<uuid:code>/vote/",
        views.concern_vote,
        name="kickoff-concern-vote",
    ),
    path("programmes/<uuid:code>/kickoffs/", views.kickoff_list, name="kickoff-session-list"),
    path(
        "programmes/<uuid:code>/you-said-we-did/",
        views.you_said_we_did,
        name="kickoff-you-said-we-did",
    ),
    path("kickoffs/<uuid:code>/", views.kickoff_detail, name="kickoff-session-detail"),
    path("kickoffs/<uuid:code>/open/", views.kickoff_open, name="kickoff-session-open"),
    path("kickoffs/<uuid:code>/close/", views.kickoff_close, name="kickoff-session-close"),
    path(
        "kickoffs/<uuid:code>/projector/",
        views_presenter.kickoff_projector,
        name="kickoff-projector",
    ),
    path("kickoffs/<uuid:code>/emotions/", views.emotion_log, name="kickoff-emotion-log"),
    path("concerns/<uuid:code>/", views.concern_detail, name="kickoff-concern-detail"),
    path(
        "concerns/<uuid:code>/category/",
        views.concern_categorise,
        name="kickoff-concern-categorise",
    ),
    path("concerns/<uuid:code>/merge/", views.concern_merge, name="kickoff-concern-merge"),
]

tenant_urlpatterns += [
    path("stakeholders/", views_stakeholders.stakeholder_map, name="kickoff-stakeholder-map"),
    path(
        "stakeholders/<uuid:code>/",
        views_stakeholders.stakeholder_detail,
        name="kickoff-stakeholder-detail",
    ),
    path(
        "stakeholders/<uuid:code>/actions/",
        views_stakeholders.engagement_action_add,
        name="kickoff-engagement-action-add",
    ),
    path(
        "engagement-actions/<uuid:code>/done/",
        views_stakeholders.engagement_action_done,
        name="kickoff-engagement-action-done",
    ),
    path(
        "programmes/<uuid:code>/wave-planner/",
        views_stakeholders.wave_planner,
        name="kickoff-wave-planner",
    ),
    path(
        "waves/<uuid:code>/rename/",
        views_stakeholders.wave_rename,
        name="kickoff-wave-rename",
    ),
    path(
        "kickoffs/<uuid:code>/report/",
        views_stakeholders.kickoff_report,
        name="kickoff-report",
    ),
]

# Presenter mode and agree / disagree / pass (issue #22).
tenant_urlpatterns += [
    path(
        "join/<str:join_code>/concerns/<uuid:code>/opinion/",
        views_presenter.concern_opinion,
        name="kickoff-concern-opinion",
    ),
    path(
        "kickoffs/<uuid:code>/presenter-notes/",
        views_presenter.presenter_notes,
        name="kickoff-presenter-notes",
    ),
]

# Outside any organisation.
urlpatterns = [
    path("join/", views.join_by_code, name="kickoff-join-by-code"),
]

# --- Kick-off formats ----------------------------------------------------------------------------
from kickoff import views_formats  # noqa: E402

tenant_urlpatterns += [
    path("kickoff-formats/", views_formats.format_list, name="kickoff-format-list"),
    path("kickoff-formats/new/", views_formats.format_create, name="kickoff-format-create"),
    path(
        "kickoff-formats/<uuid:code>/compare/",
        views_formats.format_compare,
        name="kickoff-format-compare",
    ),
    path(
        "kickoff-formats/<uuid:code>/edit/", views_formats.format_edit, name="kickoff-format-edit"
    ),
    path(
        "kickoff-formats/<uuid:code>/archive/",
        views_formats.format_archive,
        name="kickoff-format-archive",
    ),
    path(
        "kickoffs/<uuid:code>/save-as-format/",
        views_formats.session_save_as_format,
        name="kickoff-session-save-as-format",
    ),
    path(
        "programmes/<uuid:code>/kickoffs/from-format/",
        views_formats.session_plan_from_format,
        name="kickoff-session-plan-from-format",
    ),
]


# Moderation, themes, export (issue #22)
from kickoff import views_moderation  # noqa: E402

tenant_urlpatterns += [
    path(
        "concerns/<uuid:code>/moderate/",
        views_moderation.concern_moderate,
        name="kickoff-concern-moderate",
    ),
    path(
        "kickoffs/<uuid:code>/concerns.csv",
        views_moderation.kickoff_export,
        name="kickoff-session-export",
    ),
    path(
        "kickoffs/<uuid:code>/themes/follow-up/",
        views_moderation.theme_follow_up,
        name="kickoff-session-theme-follow-up",
    ),
]
tenant_urlpatterns += [
    path(
        "kickoffs/<uuid:code>/premoderation/",
        views_moderation.kickoff_premoderation,
        name="kickoff-session-premoderation",
    ),
]
