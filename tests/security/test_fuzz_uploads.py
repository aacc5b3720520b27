"""Every upload, fuzzed through its real view: the roster CSV, the LinkedIn export (ZIP or CSV),
the LinkedIn analytics workbook, the SSI and CRM CSVs and case images. Malformed, truncated,
wrongly encoded and hostile files (ZIP bombs, path traversal, formula injection, XSS) get a
clear message and change nothing; accepted ones are imported whole, and no page shows a payload
unescaped. The CI profile runs a few dozen examples per upload; `make bench` runs the
benchmark profile (HYPOTHESIS_PROFILE=bench, 1,000 examples per upload)."""

from __future__ import annotations

import csv
import io
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from metrics import services as metrics_services
from metrics.models import ActivityImport, ImportKind
from programme import services as programme_services
from programme.csvexport import csv_response
from programme.models import Role, RosterImport
from showcase.models import CaseImage, CaseStudy
from tests.factories import member
from tests.security.hostile import (
    PAYLOADS,
    XSS_MARKERS,
    csv_bytes,
    filenames,
    hostile_text,
    image_bytes,
    xlsx_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    """Rows in every table of the project, in one query (sessions excepted)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'django_session' ORDER BY tablename"
        )
        tables = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT " + ", ".join(f'(SELECT count(*) FROM "{name}")' for name in tables)  # noqa: S608
        )
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {name: (before[name], after[name]) for name in after if before[name] != after[name]}


def assert_escaped(html: str) -> None:
    for marker in XSS_MARKERS:
        assert marker not in html, f"unescaped payload in the page: {marker}"


def refused_with_a_message(response) -> list[str]:
    """A 400 whose form errors are shown on the page; returns them."""
    assert response.status_code == 400, response.status_code
    form = response.context["form"]
    messages = [str(message) for errors in form.errors.values() for message in errors]
    assert messages and all(message.strip() for message in messages)
    html = response.content.decode()
    assert_escaped(html)
    shown = unescape(html)
    for message in messages:
        assert message[:40] in shown, f"not on the page: {message}"
    return messages


# --- Roster CSV ---

ROSTER_HEADER = ["email", "first name", "last name", "team", "role", "job role", "parent team"]
ROSTER_CELLS = {
    "email": st.builds("p{}@acme.example".format, st.integers(0, 30)),
    "first name": st.sampled_from(["Zoë", "Ana", '=HYPERLINK("http://x","y")', PAYLOADS[7]]),
    "last name": st.sampled_from(["Ångström", "Li", "+cmd|' /C calc'!A0", "O'Brien"]),
    "team": st.sampled_from(["Lyon", "Paris", "", "../../etc", PAYLOADS[8]]),
    "role": st.sampled_from(["seller", "Manager", " sponsor ", "admin", "king"]),
    "job role": st.sampled_from(["seller", "pre-sales", "Partner", "", "wizard"]),
    "parent team": st.sampled_from(["", "France", "Lyon", "Paris"]),
}


@given(data=csv_bytes(ROSTER_HEADER, ROSTER_CELLS), name=filenames)
def test_roster_upload_refuses_with_a_message_or_imports_everything(
    org, consultant, login, data, name
) -> None:
    client = login(consultant)
    before = table_counts()
    response = client.post(
        reverse("programme-roster-upload", args=[org.slug]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )
    if response.status_code != 302:
        refused_with_a_message(response)
        assert changed(before, table_counts()) == {}
        return
    roster_import = RosterImport.objects.order_by("-pk").first()
    assert set(changed(before, table_counts())) == {"programme_rosterimport"}
    programme_services.roster_import_apply(roster_import_id=roster_import.pk)
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE, roster_import.error
    done = roster_import.created_count + roster_import.updated_count
    assert done + roster_import.unchanged_count == roster_import.total_rows
    for page in ("programme-people-list", "programme-roster-upload"):
        listing = client.get(reverse(page, args=[org.slug]))
        assert listing.status_code == 200
        assert_escaped(listing.content.decode())


# --- Activity uploads: LinkedIn export, analytics, SSI, CRM ---

EMAILS = ["dana@acme.example", "DANA@acme.example ", "nobody@acme.example", ""]
DATES = ["2024-03-04 08:15:02", "2024-03-04", "3/8/24, 6:14 PM", "04.03.2024", "2031-01-01", ""]
SSI_HEADER = ["email", "date", "total", "establish brand", "find people", "engage insights",
              "build relationships"]  # fmt: skip
SCORE = st.sampled_from(["12.5", "12,5", "25", "0", "26", "-1", "abc", ""])
SSI_CELLS = {
    "email": st.sampled_from(EMAILS), "date": st.sampled_from(DATES),
    "total": st.sampled_from(["50", "50.0", "101", "x"]), "establish brand": SCORE,
    "find people": SCORE, "engage insights": SCORE, "build relationships": SCORE,
}  # fmt: skip
CRM_HEADER = ["email", "date", "kind", "amount", "crm id", "came through linkedin"]
CRM_CELLS = {
    "email": st.sampled_from(EMAILS), "date": st.sampled_from(DATES),
    "kind": st.sampled_from(["meeting", "Deal won", "opportunity", "lunch"]),
    "amount": st.sampled_from(["", "12 000", "1,000,000", "-5", "1e400", "€5"]),
    "crm id": st.sampled_from(["", "OPP-1", "OPP-2", PAYLOADS[0]]),
    "came through linkedin": st.sampled_from(["yes", "No", "oui", "maybe", ""]),
}  # fmt: skip
EXPORT_MEMBERS = {
    "shares.csv": csv_bytes(
        ["Date", "ShareLink", "ShareCommentary"],
        {"Date": st.sampled_from(DATES),
         "ShareLink": st.sampled_from(["https://www.linkedin.com/feed/update/1", "javascript:x"])},
    ),
    "messages.csv": csv_bytes(
        ["CONVERSATION ID", "FROM", "SENDER PROFILE URL", "DATE", "CONTENT", "IS MESSAGE DRAFT"],
        {"CONVERSATION ID": st.sampled_from(["2-A", "2-B"]), "DATE": st.sampled_from(DATES),
         "FROM": st.sampled_from(["Dana Seller", "Jules Prospect"]),
         "SENDER PROFILE URL": st.sampled_from(["https://www.linkedin.com/in/dana-seller", ""])},
    ),
    "connections.csv": csv_bytes(
        ["First Name", "Last Name", "Connected On"], {"Connected On": st.sampled_from(DATES)}
    ),
    "profile.csv": csv_bytes(["First Name", "Last Name", "Headline", "Summary"], {}),
    "comments.csv": csv_bytes(["Date", "Link", "Message"], {"Date": st.sampled_from(DATES)}),
    "reactions.csv": csv_bytes(["Date", "Type", "Link"], {"Date": st.sampled_from(DATES)}),
    "invitations.csv": csv_bytes(
        ["From", "To", "Sent At", "Direction"],
        {"Sent At": st.sampled_from(DATES), "Direction": st.sampled_from(["OUTGOING", "IN"])},
    ),
}  # fmt: skip

UPLOADS = {
    ImportKind.LINKEDIN_EXPORT: st.one_of(
        st.tuples(st.sampled_from(["export.zip", "Basic_LinkedInDataExport.zip", "x.csv"]),
                  zip_bytes(EXPORT_MEMBERS)),
        st.tuples(st.sampled_from(["Shares.csv", "messages.csv", "Profile.csv"]),
                  st.one_of(*EXPORT_MEMBERS.values())),
    ),
    ImportKind.LINKEDIN_ANALYTICS: st.tuples(st.sampled_from(["analytics.xlsx", "a.xls"]),
                                             xlsx_bytes()),
    ImportKind.SSI: st.tuples(st.just("ssi.csv"), csv_bytes(SSI_HEADER, SSI_CELLS)),
    ImportKind.CRM: st.tuples(st.just("crm.csv"), csv_bytes(CRM_HEADER, CRM_CELLS)),
}  # fmt: skip


@pytest.fixture
def uploader(org, consultant, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dana = member(org, Role.SELLER, linkedin_url="https://www.linkedin.com/in/dana-seller")
    dana.user.first_name, dana.user.last_name, dana.user.email = "Dana", "Seller", EMAILS[0]
    dana.user.save()
    return login(consultant), dana.participant


@pytest.mark.parametrize("kind", list(UPLOADS), ids=str)
def test_activity_uploads_refuse_with_a_message_or_import_everything(
    uploader, org, kind, tmp_path
) -> None:
    client, dana = uploader

    @given(upload=UPLOADS[kind])
    def check(upload: tuple[str, bytes]) -> None:
        name, data = upload
        before = table_counts()
        response = client.post(
            reverse("metrics-import-upload", args=[org.slug]),
            {"kind": kind, "participant": dana.pk, "file": SimpleUploadedFile(name, data)},
        )
        if response.status_code != 302:
            refused_with_a_message(response)
            assert changed(before, table_counts()) == {}
            return
        item = ActivityImport.objects.order_by("-pk").first()
        stored = table_counts()
        metrics_services.activity_import_run(activity_import_id=item.pk)
        item.refresh_from_db()
        assert not [path for path in tmp_path.rglob("*") if path.is_file()], "upload kept"
        after = table_counts()
        written = changed(stored, after)
        if item.status == ActivityImport.Status.FAILED:
            assert item.errors and all(reason.strip() for _, _, reason in item.errors)
            reasons = " ".join(reason for _, _, reason in item.errors)
            assert "unexpected error" not in reasons, reasons
            assert written == {}, "a failed import left rows behind"
        else:
            assert item.status == ActivityImport.Status.DONE and not item.errors
            events = written.get("metrics_activityevent", (0, 0))
            assert events[1] - events[0] == item.created_count
            assert set(written) <= {"metrics_activityevent", "metrics_linkedinprofiletext"}
        detail = client.get(reverse("metrics-import-detail", args=[org.slug, item.code]))
        assert detail.status_code == 200
        assert_escaped(detail.content.decode())

    check()


# --- Case images ---


@given(
    images=st.lists(st.tuples(filenames, image_bytes()), min_size=1, max_size=3),
    title=hostile_text,
)
def test_case_images_are_refused_by_name_or_stored_clean(
    org, login, settings, tmp_path, images, title
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = login(member(org, Role.SELLER))
    before = table_counts()
    response = client.post(
        reverse("showcase-case-create", args=[org.slug]),
        {
            "kind": "meeting_booked", "title": title[:200] or "A first meeting",
            "story": "We met after a comment on her post.", "visibility": "organisation",
            "images": [SimpleUploadedFile(name, data) for name, data in images],
        },
    )  # fmt: skip
    if response.status_code != 302:
        refused_with_a_message(response)
        assert changed(before, table_counts()) == {}
        return
    case = CaseStudy.objects.order_by("-pk").first()
    stored = list(CaseImage.objects.filter(case=case))
    assert len(stored) == len(images)
    for image in stored:
        with Image.open(image.file.path) as decoded:
            assert decoded.format in ("JPEG", "PNG", "WEBP")
            assert not decoded.getexif(), "metadata left in a stored image"
    page = client.get(reverse("showcase-case-detail", args=[org.slug, case.code]))
    assert page.status_code == 200
    assert_escaped(page.content.decode())


# --- CSV exports ---


@given(cells=st.lists(hostile_text, min_size=1, max_size=8))
def test_csv_exports_never_hand_a_spreadsheet_a_formula(cells) -> None:
    response = csv_response("x.csv", ["Name"] * len(cells), [cells])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2 and len(rows[1]) == len(cells)
    formula = ("=", "+", "-", "@", "\t", "\r")
    for written, given_cell in zip(rows[1], cells, strict=True):
        assert not written.startswith(formula), written
        assert written == ("'" + given_cell if given_cell.startswith(formula) else given_cell)
