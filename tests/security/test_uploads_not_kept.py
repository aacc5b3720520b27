"""Issue 19: no uploaded byte outlives its import. A LinkedIn export holds message texts and
other people's contacts; SSI and CRM files and rosters hold many people's data. Each is uploaded
through its real page, imported (done or refused), and then every file under MEDIA_ROOT and
every row is searched for it."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from metrics import services as metrics_services
from metrics.models import ActivityImport, ImportKind
from programme import services as programme_services
from programme.models import Role, RosterImport
from tests.factories import member

DATA = Path(__file__).resolve().parent.parent / "data" / "linkedin_2024"
# Words found only in the export's messages and contacts, never in what Snowball keeps.
PRIVATE = [b"Tuesday works", b"Jules Prospect"]


def export_zip(broken: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # stored: bytes findable
        for file in sorted(DATA.iterdir()):
            archive.write(file, f"export/{file.name}")
        if broken:  # one bad line: the whole import is refused
            archive.writestr("export/Reactions.csv", "Date,Type,Link\nnot a date,LIKE,x\n")
    return buffer.getvalue()


SSI = (
    b"email,date,total,establish brand,find people,engage insights,build relationships\n"
    b"dana@acme.example,2024-03-04,50,12,13,12,13\n"
)
CRM = (b"email,date,kind,amount,crm id,came through linkedin\n"
       b"dana@acme.example,2024-03-04,deal,1000,CRM-1,yes\n")  # fmt: skip


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def seller(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dana = member(org, Role.SELLER, linkedin_url="https://www.linkedin.com/in/dana-seller")
    dana.user.first_name, dana.user.last_name = "Dana", "Seller"
    dana.user.email = "dana@acme.example"
    dana.user.save(update_fields=["first_name", "last_name", "email"])
    return dana


def upload(client, org, kind: str, name: str, data: bytes) -> ActivityImport:
    response = client.post(
        reverse("metrics-import-upload", args=[org.slug]),
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return ActivityImport.objects.order_by("-pk").first()


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("Basic_LinkedInDataExport.zip", export_zip(), ActivityImport.Status.DONE),
        # An export with one bad line: refused, and deleted all the same.
        ("broken.zip", export_zip(broken=True), ActivityImport.Status.FAILED),
    ],
    ids=["imported", "refused"],
)
def test_no_uploaded_byte_survives_the_import(org, seller, login, tmp_path, name, data, status):
    client = login(seller)
    item = upload(client, org, ImportKind.LINKEDIN_EXPORT, name, data)
    assert files_under(tmp_path), "the upload waits for its task on disk"
    metrics_services.activity_import_run(activity_import_id=item.pk)
    item.refresh_from_db()
    assert item.status == status
    assert files_under(tmp_path) == []
    assert item.file.name == ""
    # A redelivered task finds nothing left to do, and nothing comes back.
    metrics_services.activity_import_run(activity_import_id=item.pk)
    assert files_under(tmp_path) == []
    stored = str(list(ActivityImport.objects.values())).encode()
    assert not any(word in stored for word in PRIVATE)


@pytest.mark.parametrize(
    ("kind", "name", "data"),
    [
        (ImportKind.SSI, "ssi.csv", SSI),
        (ImportKind.CRM, "crm.csv", CRM),
        (ImportKind.CRM, "crm.csv", CRM.replace(b"2024-03-04", b"someday")),  # refused
    ],
    ids=["ssi", "crm", "crm-refused"],
)
def test_files_for_many_sellers_are_deleted_too(org, seller, consultant, login, tmp_path, kind,
                                                name, data):  # fmt: skip
    client = login(consultant)
    response = client.post(
        reverse("metrics-import-upload", args=[org.slug]),
        {
            "kind": kind,
            "participant": seller.participant.pk,
            "file": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 302
    item = ActivityImport.objects.order_by("-pk").first()
    metrics_services.activity_import_run(activity_import_id=item.pk)
    assert files_under(tmp_path) == []


def test_uploads_a_lost_task_left_behind_are_deleted_by_retention(org, seller, login, tmp_path):
    from metrics import retention

    client = login(seller)
    lost = upload(client, org, ImportKind.LINKEDIN_EXPORT, "export.zip", export_zip())
    fresh = upload(client, org, ImportKind.LINKEDIN_EXPORT, "export.zip", export_zip())
    ActivityImport.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - retention.STALE_AFTER - timedelta(minutes=1)
    )
    # A file no row names: its row's transaction rolled back after the file was written.
    orphan = tmp_path / "imports" / str(org.pk) / "orphan"
    orphan.write_bytes(b"Tuesday works")
    retention.imports_prune(now=timezone.now() + retention.ORPHAN_AFTER + timedelta(minutes=1))
    lost.refresh_from_db()
    assert lost.status == ActivityImport.Status.FAILED and "upload it again" in str(lost.errors)
    assert files_under(tmp_path) == [Path(fresh.file.path)]  # an import in flight keeps its file


def test_the_upload_pages_say_what_is_kept(org, seller, login):
    client = login(seller)
    for name in ("metrics-import-upload", "metrics-activity-home"):
        page = client.get(reverse(name, args=[org.slug])).content.decode()
        assert "deleted as soon as the import finishes" in page, name


def test_a_roster_import_keeps_only_its_counts(org, consultant):
    from programme.roster import RosterRow

    row = RosterRow(line=2, email="new.person@acme.example", first_name="New", last_name="Person",
                    team="Nordics", role="seller", job_role="", parent_team="")  # fmt: skip
    roster_import = programme_services.roster_import_create(
        by=consultant, filename="roster.csv", rows=[row]
    )
    programme_services.roster_import_apply(roster_import_id=roster_import.pk)
    roster_import = RosterImport.objects.get(pk=roster_import.pk)
    assert roster_import.status == RosterImport.Status.DONE and roster_import.created_count == 1
    assert roster_import.rows == []
    assert "new.person" not in str(list(RosterImport.objects.values()))
