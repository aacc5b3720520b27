from __future__ import annotations

from django.urls import path

from metrics import views, views_dashboards
from metrics.api import api

tenant_urlpatterns = [
    path("activity/", views.activity_home, name="metrics-activity-home"),
    path("activity/quick-log/", views.quick_log, name="metrics-quick-log"),
    path("activity/ssi/", views.ssi_entry, name="metrics-ssi-entry"),
    path("activity/imports/", views.import_upload, name="metrics-import-upload"),
    path("activity/imports/<uuid:code>/", views.import_detail, name="metrics-import-detail"),
    path("dashboard/", views_dashboards.dashboard, name="metrics-dashboard"),
    path(
        "dashboard/programme/",
        views_dashboards.dashboard_sponsor,
        name="metrics-dashboard-sponsor",
    ),
    path(
        "dashboard/team/",
        views_dashboards.dashboard_manager,
        name="metrics-dashboard-manager",
    ),
    path(
        "dashboard/consultant/",
        views_dashboards.dashboard_consultant,
        name="metrics-dashboard-consultant",
    ),
    path(
        "dashboard/people/",
        views_dashboards.dashboard_people,
        name="metrics-dashboard-people",
    ),
    path("dashboard/me/", views_dashboards.dashboard_seller, name="metrics-dashboard-seller"),
    path("api-tokens/", views.api_tokens, name="metrics-api-tokens"),
    path(
        "api-tokens/<uuid:code>/revoke/",
        views.api_token_revoke,
        name="metrics-api-token-revoke",
    ),
]

# Outside any organisation.
urlpatterns = [
    path("api/v1/", api.urls),
]
