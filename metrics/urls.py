from __future__ import annotations

from django.urls import path

from metrics import views, views_dashboards
from metrics.api import api

org = "o/<slug:org>/"

urlpatterns = [
    path("api/v1/", api.urls),
    path(org + "activity/", views.activity_home, name="metrics-activity-home"),
    path(org + "activity/quick-log/", views.quick_log, name="metrics-quick-log"),
    path(org + "activity/ssi/", views.ssi_entry, name="metrics-ssi-entry"),
    path(org + "activity/imports/", views.import_upload, name="metrics-import-upload"),
    path(org + "activity/imports/<uuid:code>/", views.import_detail, name="metrics-import-detail"),
    path(org + "dashboard/", views_dashboards.dashboard, name="metrics-dashboard"),
    path(
        org + "dashboard/programme/",
        views_dashboards.dashboard_sponsor,
        name="metrics-dashboard-sponsor",
    ),
    path(
        org + "dashboard/team/",
        views_dashboards.dashboard_manager,
        name="metrics-dashboard-manager",
    ),
    path(
        org + "dashboard/consultant/",
        views_dashboards.dashboard_consultant,
        name="metrics-dashboard-consultant",
    ),
    path(
        org + "dashboard/people/",
        views_dashboards.dashboard_people,
        name="metrics-dashboard-people",
    ),
    path(org + "dashboard/me/", views_dashboards.dashboard_seller, name="metrics-dashboard-seller"),
    path(org + "api-tokens/", views.api_tokens, name="metrics-api-tokens"),
    path(
        org + "api-tokens/<uuid:code>/revoke/",
        views.api_token_revoke,
        name="metrics-api-token-revoke",
    ),
]
