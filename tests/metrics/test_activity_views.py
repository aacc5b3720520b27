"""Activity pages and the ingestion API, as their users meet them."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from metrics import services
from metrics.models import ActivityEvent, ActivityImport, ApiToken, EventKind
from programme.models import Role
from tests.factories import OrganisationFactory, member

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def export_upload(name: str = "export.zip") -> SimpleUploadedFile:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in (DATA / "linkedin_2024").iterdir():
            archive.write(file, file.name)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def test_quick_log_is_one_tap_and_idempotent(org, seller, login):
    client = login(seller)
    page = client.get(reverse("metrics-activity-home", args=[org.slug])).content.decode()
    assert "Booked a meeting via LinkedIn" in page
    key = "7b0a5a3e-8f8a-4b55-9c53-0a0a0a0a0a0a"
    url = reverse("metrics-quick-log", args=[org.slug])
    for _ in range(2):  # a double tap
        client.post(url, {"what": "meeting", "note": "Grid Co", "key": key})
    event = ActivityEvent.objects.get()
    assert event.kind == EventKind.MEETING_BOOKED and event.via_linkedin is True
    assert event.participant == seller.participant and event.source == "quick_log"
    refused = client.post(url, {"what": "nonsense", "key": key}, follow=True)
    assert "Choose what happened" in refused.content.decode()
    assert ActivityEvent.objects.count() == 1


def test_ssi_entry_validates_pillars(org, seller, login):
    client = login(seller)
    url = reverse("metrics-ssi-entry", args=[org.slug])
    data = {"on": "2026-11-02", "total": "62", "establish_brand": "15", "find_people": "16",
            "engage_insights": "14", "build_relationships": "17"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    event = ActivityEvent.objects.get()
    assert event.kind == EventKind.SSI_SNAPSHOT and str(event.value) == "62.00"
    assert event.details["findpeople"] == "16"
    bad = client.post(url, {**data, "on": "2026-11-03", "total": "90"})
    assert bad.status_code == 400 and "sum of the four pillars" in bad.content.decode()
    bad = client.post(url, {**data, "on": "2026-11-03", "find_people": "26"})
    assert bad.status_code == 400
    assert ActivityEvent.objects.count() == 1


def test_unparseable_upload_is_refused_at_once(org, seller, login):
    client = login(seller)
    url = reverse("metrics-import-upload", args=[org.slug])
    fake = SimpleUploadedFile("export.zip", b"PK\x03\x04 definitely not a zip", "application/zip")
    response = client.post(url, {"kind": "linkedin_export", "file": fake})
    assert response.status_code == 400
    assert "damaged or truncated" in response.content.decode()
    assert not ActivityImport.objects.exists()
    sheet = SimpleUploadedFile("analytics.xlsx", b"not a workbook")
    response = client.post(url, {"kind": "linkedin_analytics", "file": sheet})
    assert response.status_code == 400 and "not an Excel workbook" in response.content.decode()


def test_sellers_cannot_import_for_others(org, seller, login):
    other = member(org, Role.SELLER)
    client = login(seller)
    url = reverse("metrics-import-upload", args=[org.slug])
    response = client.post(
        url, {"kind": "crm", "participant": other.participant.pk, "file": export_upload()}
    )
    assert response.status_code == 400  # CRM is not a choice for a seller
    assert not ActivityImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_upload_runs_in_a_worker_and_reports(celery_worker, org, login):
    seller = member(org, Role.SELLER, linkedin_url="https://www.linkedin.com/in/dana-seller")
    client = login(seller)
    response = client.post(
        reverse("metrics-import-upload", args=[org.slug]),
        {"kind": "linkedin_export", "file": export_upload()},
    )
    assert response.status_code == 302
    item = ActivityImport.objects.get()
    deadline = time.monotonic() + 30
    while item.status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        item.refresh_from_db()
    assert item.status == "done", item.errors
    assert item.created_count == ActivityEvent.objects.count() > 0
    page = client.get(response["Location"]).content.decode()
    assert f"<strong>{item.created_count}</strong> events created" in page
    assert "Not in this export" in page
    # Another seller of the same organisation cannot read this import.
    assert login(member(org, Role.SELLER)).get(response["Location"]).status_code == 403


def test_api_tokens_are_for_admins_and_shown_once(org, login):
    admin = member(org, Role.ADMIN)
    url = reverse("metrics-api-tokens", args=[org.slug])
    assert login(member(org, Role.CONSULTANT)).get(url).status_code == 403
    page = login(admin).post(url, {"name": "CRM sync"}).content.decode()
    token = ApiToken.objects.get()
    secret = page.split('data-testid="new-token">')[1].split("<")[0]
    assert secret.startswith("sbt_") and token.token_hash == services.token_hash(secret)
    assert secret not in login(admin).get(url).content.decode()
    assert secret not in str(list(ApiToken.objects.values()))


@pytest.fixture
def api_client(org):
    admin = member(org, Role.ADMIN)
    token, secret = services.api_token_create(organisation=org, name="CRM", by=admin)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.token, client.admin = token, admin
    return client


def post_events(client, events):
    return client.post(
        "/api/v1/events", json.dumps({"events": events}), content_type="application/json"
    )


def test_api_answers_per_event(org, seller, api_client):
    good = {"external_id": "crm-1", "email": seller.user.email.upper(), "kind": "meeting_booked",
            "occurred_at": "2026-11-02T10:00:00+01:00", "via_linkedin": True}  # fmt: skip
    response = post_events(
        api_client,
        [
            good,
            {**good, "external_id": "crm-2", "kind": "teleportation"},
            {**good, "external_id": "crm-3", "email": "nobody@example.com"},
            {**good, "external_id": "crm-4", "occurred_at": "1999-01-01T00:00:00"},
            {**good, "external_id": "crm-5", "quantity": -3},
            good,
            "not an object",
        ],
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "created", "rejected", "rejected", "rejected", "rejected", "duplicate", "rejected",
    ]  # fmt: skip
    assert "kind must be one of" in body["results"][1]["reason"]
    assert (body["created"], body["duplicates"], body["rejected"]) == (1, 1, 5)
    again = post_events(api_client, [good]).json()
    assert again["results"][0]["status"] == "duplicate"
    assert ActivityEvent.objects.count() == 1


def test_api_refuses_bad_tokens_big_batches_and_foreign_people(org, seller, api_client):
    event = {"external_id": "x", "email": seller.user.email, "kind": "deal_won",
             "occurred_at": "2026-11-02T10:00:00Z", "value": 1000}  # fmt: skip
    assert post_events(Client(HTTP_AUTHORIZATION="Bearer wrong"), [event]).status_code == 401
    assert post_events(Client(), [event]).status_code == 401
    too_many = post_events(api_client, [event] * 1001)
    assert too_many.status_code == 422
    broken = api_client.post("/api/v1/events", "{not json", content_type="application/json")
    assert broken.status_code in (400, 422)
    outsider = member(OrganisationFactory(), Role.SELLER)
    foreign = post_events(api_client, [{**event, "email": outsider.user.email}]).json()
    assert foreign["results"][0]["status"] == "rejected"
    services.api_token_revoke(token=api_client.token, by=api_client.admin)
    assert post_events(api_client, [event]).status_code == 401
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize("field", ["external_id", "url", "email", "kind", "occurred_at"])
def test_api_refuses_a_nul_character_in_any_text_field_and_writes_nothing(
    org, seller, api_client, field
):
    """PostgreSQL cannot store a NUL (\\x00) in text: a batch holding one is refused whole,
    with a 400 that names the event and the field, instead of failing on the way in."""
    good = {"external_id": "crm-1", "email": seller.user.email, "kind": "meeting_booked",
            "occurred_at": "2026-11-02T10:00:00+01:00", "url": "https://crm.example/1"}  # fmt: skip
    bad = {**good, "external_id": "crm-2", field: good[field] + "\x00"}
    response = post_events(api_client, [good, bad])
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert field in detail and "event 1" in detail and "nothing was written" in detail
    assert not ActivityEvent.objects.exists()
    assert post_events(api_client, [good]).json()["created"] == 1


def test_openapi_schema_is_served(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/events" in schema["paths"]
    docs = Client().get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()
