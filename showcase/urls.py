from __future__ import annotations

from django.urls import path

from showcase import redirects, views, views_picks, views_share, views_translations

org = "showcase/"
pick = org + "picks/<uuid:code>/"
case = org + "<uuid:code>/"

tenant_urlpatterns = [
    path("showcase/", views.case_feed, name="showcase-case-feed"),
    path(org + "search/", views.case_search, name="showcase-case-search"),
    path(org + "new/", views.case_create, name="showcase-case-create"),
    path(case, views.case_detail, name="showcase-case-detail"),
    path(case + "edit/", views.case_edit, name="showcase-case-edit"),
    path(case + "delete/", views.case_delete, name="showcase-case-delete"),
    path(case + "react/", views.case_react, name="showcase-case-react"),
    path(case + "comment/", views.case_comment, name="showcase-case-comment"),
    path(case + "hide/", views.case_hide, name="showcase-case-hide"),
    path(case + "unhide/", views.case_unhide, name="showcase-case-unhide"),
    path(case + "report/", views.case_report, name="showcase-case-report"),
    path(case + "feature/", views.case_feature, name="showcase-case-feature"),
    path(case + "feature/answer/", views.case_feature_answer, name="showcase-case-feature-answer"),
    path(org + "comments/<uuid:code>/hide/", views.comment_hide, name="showcase-comment-hide"),
    path(org + "images/<uuid:code>/", views.case_image, name="showcase-image"),
    path(org + "images/<uuid:code>/delete/", views.case_image_delete, name="showcase-image-delete"),
    path(org + "picks/", views_picks.pick_list, name="showcase-pick-list"),
    path(org + "picks/new/", views_picks.pick_create, name="showcase-pick-create"),
    path(org + "picks/uptake/", views_picks.pick_report, name="showcase-pick-report"),
    path(pick + "took-up/", views_picks.pick_uptake, name="showcase-pick-uptake"),
    path(pick + "archive/", views_picks.pick_archive, name="showcase-pick-archive"),
    path(
        pick + "translation/",
        views_translations.pick_translation,
        name="showcase-pick-translation",
    ),
]

# Picks that are easy to share well: the share step, "I shared it", the stored preview.
tenant_urlpatterns += [
    path(pick + "share/", views_share.pick_share, name="showcase-pick-share"),
    path(pick + "shared/", views_share.pick_shared, name="showcase-pick-shared"),
    path(pick + "preview/", views_share.pick_preview, name="showcase-pick-preview"),
    path(pick + "preview.jpg", views_share.pick_preview_image, name="showcase-pick-preview-image"),
]

# Outside any organisation: a pick's short link, opened by whoever reads the seller's post.
urlpatterns: list = [
    path("r/<str:code>/", redirects.pick_redirect, name="showcase-pick-redirect"),
    path("r/<str:code>/<str:team>/", redirects.pick_redirect, name="showcase-pick-redirect-team"),
]
