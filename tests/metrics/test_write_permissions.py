"""Every write of the metrics app asks its policy itself: a role x action matrix over the services,
whoever calls them (a page, a task, another app), and what a member meets on the pages."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics import services
from metrics.models import ActivityEvent, ActivityImport, ApiToken, IndicatorThreshold
from programme.models import Role
from tests.factories import member

ROLES = [Role.SELLER, Role.MANAGER, Role.MARKETING, Role.SPONSOR, Role.CONSULTANT, Role.ADMIN]
PROGRAMME_TEAM = {Role.CONSULTANT, Role.ADMIN}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def shares() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "Shares.csv", b"Date,ShareLink\n2024-03-01 08:00:00,https://x.example/1\n"
    )


def allowed(action) -> bool:
    try:
        action()
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("role", ROLES)
def test_imports_for_others_are_the_programme_teams(org, role):
    by = member(org, role)
    other = member(org, Role.SELLER)

    def upload(kind, participant):
        return lambda: services.activity_import_create(
            organisation=org, uploaded_by=by, participant=participant, kind=kind, upload=shares()
        )

    assert allowed(upload("linkedin_export", by.participant))  # one's own file: everyone
    assert allowed(upload("linkedin_export", other.participant)) is (role in PROGRAMME_TEAM)
    assert allowed(upload("crm", None)) is (role in PROGRAMME_TEAM)
    assert allowed(upload("ssi", None)) is (role in PROGRAMME_TEAM)


def test_a_linkedin_import_needs_someone_and_others_belong_to_nobody(org):
    consultant = member(org, Role.CONSULTANT)
    with pytest.raises(ValidationError, match="Choose whose LinkedIn file"):
        services.activity_import_create(
            organisation=org, uploaded_by=consultant, participant=None, kind="linkedin_export",
            upload=shares(),
        )  # fmt: skip
    crm = services.activity_import_create(
        organisation=org, uploaded_by=consultant, participant=consultant.participant, kind="crm",
        upload=shares(),
    )  # fmt: skip
    assert crm.participant is None


def test_nobody_imports_into_another_organisation(org, other_org):
    consultant = member(org, Role.CONSULTANT)
    foreigner = member(other_org, Role.SELLER)
    for organisation, participant in ((other_org, None), (org, foreigner.participant)):
        with pytest.raises(PermissionDenied):
            services.activity_import_create(
                organisation=organisation, uploaded_by=consultant, participant=participant,
                kind="linkedin_export" if participant else "crm", upload=shares(),
            )  # fmt: skip
    assert not ActivityImport.objects.exists()


def test_each_person_logs_only_their_own_activity(org):
    dana, erin = member(org, Role.SELLER), member(org, Role.SELLER)
    with pytest.raises(PermissionDenied):
        services.quick_log(
            by=dana, participant=erin.participant, what="meeting", note="", key=uuid.uuid4()
        )
    scores = {"establish_brand": Decimal(10), "find_people": Decimal(10),
              "engage_insights": Decimal(10), "build_relationships": Decimal(10)}  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.ssi_record(
            by=dana, participant=erin.participant, on=date(2026, 11, 2), total=Decimal(40),
            **scores,
        )  # fmt: skip
    assert not ActivityEvent.objects.exists()
    outcome = services.ssi_record(
        by=erin, participant=erin.participant, on=date(2026, 11, 2), total=Decimal(40), **scores
    )
    assert outcome == services.SSI_CREATED
    assert ActivityEvent.objects.get().details["engageinsights"] == "10"


@pytest.mark.parametrize("role", ROLES)
def test_api_tokens_are_the_admins(org, role):
    by = member(org, role)
    admin = member(org, Role.ADMIN)
    token, _secret = services.api_token_create(organisation=org, name="CRM", by=admin)
    assert allowed(lambda: services.api_token_create(organisation=org, name="x", by=by)) is (
        role == Role.ADMIN
    )
    assert allowed(lambda: services.api_token_revoke(token=token, by=by)) is (role == Role.ADMIN)


def test_an_admin_manages_only_their_own_organisations_tokens(org, other_org):
    admin, foreign_admin = member(org, Role.ADMIN), member(other_org, Role.ADMIN)
    token, _secret = services.api_token_create(organisation=org, name="CRM", by=admin)
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(token=token, by=foreign_admin)
    with pytest.raises(PermissionDenied):
        services.api_token_create(organisation=org, name="theirs", by=foreign_admin)
    token.refresh_from_db()
    assert token.revoked_at is None and ApiToken.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_thresholds_are_adopted_by_the_programme_team(
    org, role, django_capture_on_commit_callbacks
):
    by = member(org, role)
    with django_capture_on_commit_callbacks() as callbacks:
        ok = allowed(
            lambda: services.thresholds_set(by=by, values={"regular_weeks": 5}, reason="voted")
        )
    assert ok is (role in PROGRAMME_TEAM)
    stored = IndicatorThreshold.objects.filter(organisation=org).values_list("key", "value")
    assert list(stored) == ([("regular_weeks", 5.0)] if ok else [])
    assert len(callbacks) == (1 if ok else 0)  # the indicators are recomputed after commit


def test_only_tunable_thresholds_are_set(org):
    consultant = member(org, Role.CONSULTANT)
    with pytest.raises(ValidationError):
        services.thresholds_set(by=consultant, values={"gaming_minimum": 1})
    assert not IndicatorThreshold.objects.exists()


def test_a_member_without_a_profile_is_told_rather_than_failing(org, login):
    """A sponsor has no participant profile and no "whose file" field: uploading a LinkedIn
    file says why it cannot be imported (it was a server error)."""
    sponsor = member(org, Role.SPONSOR)
    sponsor.participant.delete()
    response = login(sponsor).post(
        reverse("metrics-import-upload", args=[org.slug]),
        {"kind": "linkedin_export", "file": shares()},
    )
    assert response.status_code == 400
    assert "Choose whose LinkedIn file this is." in response.content.decode()
    assert not ActivityImport.objects.exists()
