from __future__ import annotations

from django.urls import path

from programme import views

urlpatterns = [
    path("", views.home, name="home"),
    path("invitations/<str:token>/", views.invitation_accept, name="programme-invitation-accept"),
    path("o/<slug:org>/", views.organisation_home, name="programme-organisation-home"),
    path("o/<slug:org>/people/", views.people_list, name="programme-people-list"),
    path("o/<slug:org>/me/", views.my_profile, name="programme-participant-me"),
    path(
        "o/<slug:org>/people/<uuid:code>/",
        views.participant_detail,
        name="programme-participant-detail",
    ),
    path(
        "o/<slug:org>/people/<uuid:code>/invite/",
        views.participant_invite,
        name="programme-participant-invite",
    ),
    path("o/<slug:org>/teams/", views.team_list, name="programme-team-list"),
    path("o/<slug:org>/roster/", views.roster_upload, name="programme-roster-upload"),
    path("o/<slug:org>/roster/<uuid:code>/", views.roster_detail, name="programme-roster-detail"),
]
