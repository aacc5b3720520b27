from __future__ import annotations

from django.urls import path

from goals import views
from goals import views_okris as okris

tenant_urlpatterns = [
    path("success/", views.proposal_list, {"subject": "success"}, name="goals-success"),
    path("rituals/", views.proposal_list, {"subject": "ritual"}, name="goals-rituals"),
    path("proposals/<str:subject>/new/", views.proposal_create, name="goals-proposal-create"),
    path("proposals/<str:subject>/open-vote/", views.window_open, name="goals-window-open"),
    path("proposals/<uuid:code>/vote/", views.proposal_vote, name="goals-proposal-vote"),
    path(
        "proposals/<uuid:code>/decide/", views.proposal_decide, name="goals-proposal-decide"
    ),
    path("celebrations/", views.celebrations, name="goals-celebrations"),
    path(
        "celebrations/<uuid:code>/answer/",
        views.celebration_answer,
        name="goals-celebration-answer",
    ),
    path("okris/", okris.okri_list, name="goals-okris"),
    path("okris/new/", okris.objective_create, name="goals-objective-create"),
    path("okris/<uuid:code>/", okris.objective_detail, name="goals-objective-detail"),
    path("okris/<uuid:code>/archive/", okris.objective_archive,
         name="goals-objective-archive"),
    path("okris/<uuid:code>/key-results/new/", okris.key_result_create,
         name="goals-key-result-create"),
    path("okris/<uuid:code>/initiatives/new/", okris.initiative_create,
         name="goals-initiative-create"),
    path("key-results/<uuid:code>/check-in/", okris.key_result_check_in,
         name="goals-key-result-check-in"),
    path("key-results/<uuid:code>/confirm/", okris.key_result_confirm,
         name="goals-key-result-confirm"),
    path("key-results/<uuid:code>/remove/", okris.key_result_remove,
         name="goals-key-result-remove"),
    path("initiatives/<uuid:code>/status/", okris.initiative_status,
         name="goals-initiative-status"),
]  # fmt: skip

# Every page of this app lives inside an organisation.
urlpatterns: list = []

# --- Alignment (issue #22) ---
from goals import views_alignment  # noqa: E402

tenant_urlpatterns += [
    path("okris/alignment/", views_alignment.alignment, name="goals-alignment"),
    path("okris/<uuid:code>/align/", views_alignment.objective_align,
         name="goals-objective-align"),
]  # fmt: skip


# --- Closing a period: grades, lessons, copies forward (issue #22) ---
from goals import views_periods as periods  # noqa: E402

tenant_urlpatterns += [
    path("okris/<uuid:code>/close/", periods.objective_close, name="goals-objective-close"),
    path("okris/<uuid:code>/copy-forward/", periods.objective_copy_forward,
         name="goals-objective-copy-forward"),
    path("okris/evaluation/<uuid:code>/", periods.evaluation, name="goals-evaluation"),
]  # fmt: skip
