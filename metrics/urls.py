from __future__ import annotations

from django.urls import path

from metrics import views
from metrics.api import api

org = "o/<slug:org>/"

urlpatterns = [
    path("api/v1/", api.urls),
    path(org + "activity/", views.activity_home, name="metrics-activity-home"),
    path(org + "activity/quick-log/", views.quick_log, name="metrics-quick-log"),
    path(org + "activity/ssi/", views.ssi_entry, name="metrics-ssi-entry"),
    path(org + "activity/imports/", views.import_upload, name="metrics-import-upload"),
    path(org + "activity/imports/<uuid:code>/", views.import_detail, name="metrics-import-detail"),
    path(org + "api-tokens/", views.api_tokens, name="metrics-api-tokens"),
    path(
        org + "api-tokens/<uuid:code>/revoke/",
        views.api_token_revoke,
        name="metrics-api-token-revoke",
    ),
]
