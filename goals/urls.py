from __future__ import annotations

from django.urls import path

from goals import views

org = "o/<slug:org>/"

urlpatterns = [
    path(org + "success/", views.proposal_list, {"subject": "success"}, name="goals-success"),
    path(org + "rituals/", views.proposal_list, {"subject": "ritual"}, name="goals-rituals"),
    path(org + "proposals/<str:subject>/new/", views.proposal_create, name="goals-proposal-create"),
    path(org + "proposals/<str:subject>/open-vote/", views.window_open, name="goals-window-open"),
    path(org + "proposals/<uuid:code>/vote/", views.proposal_vote, name="goals-proposal-vote"),
    path(
        org + "proposals/<uuid:code>/decide/", views.proposal_decide, name="goals-proposal-decide"
    ),
    path(org + "celebrations/", views.celebrations, name="goals-celebrations"),
    path(
        org + "celebrations/<uuid:code>/answer/",
        views.celebration_answer,
        name="goals-celebration-answer",
    ),
]
