"""LinkedIn exports as people really have them: every year's layout and language, copies saved
again by a spreadsheet, profile addresses in every form, and sellers whose name in Snowball is
not the one on LinkedIn. The account holder is found from the export itself, and the summary
says how. Nothing of other people is stored."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics import services
from metrics.importers import import_linkedin_export
from metrics.importers.linkedin_forms import DateColumn, profile_key
from metrics.ingest import ImportRefused, RowError
from metrics.models import ActivityEvent, ActivityImport, EventKind
from programme.models import Role
from tests.factories import member

DATA = Path(__file__).resolve().parent.parent / "data"
SENT, REPLIES = EventKind.MESSAGE_SENT, EventKind.MESSAGE_REPLY_RECEIVED


def seller(org, first: str, last: str, url: str = ""):
    membership = member(org, Role.SELLER, linkedin_url=url)
    membership.user.first_name, membership.user.last_name = first, last
    membership.user.save(update_fields=["first_name", "last_name"])
    return membership


def zip_files(target: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return target


def folder_files(folder: Path) -> dict[str, bytes]:
    return {file.name: file.read_bytes() for file in sorted(folder.iterdir())}


def run(org, membership, path: Path, filename: str | None = None):
    return import_linkedin_export(
        organisation=org, participant=membership.participant, path=path,
        filename=filename or path.name,
    )  # fmt: skip


def kinds(membership) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind, quantity in ActivityEvent.objects.filter(
        participant=membership.participant
    ).values_list("kind", "quantity"):
        counts[kind] = counts.get(kind, 0) + quantity
    return counts


def owner_lines(summary) -> list[str]:
    return [line for line in summary.feeds if line.startswith("Whose export: ")]


def stored_text() -> str:
    """Everything the imports stored: events and the import rows' summaries."""
    return str(list(ActivityEvent.objects.values())) + str(list(ActivityImport.objects.values()))


# One conversation in which both people write: only something outside the conversation tells
# whose export it is.
ONE_CONVERSATION = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
    "SUBJECT,CONTENT,FOLDER\n"
    "2-AAA,,Dana Seller,https://www.linkedin.com/in/dana-seller,Jules Prospect,"
    "https://www.linkedin.com/in/jules-prospect,2024-03-09 17:02:11 UTC,,Hello Jules,INBOX\n"
    "2-AAA,,Jules Prospect,https://www.linkedin.com/in/jules-prospect,Dana Seller,"
    "https://www.linkedin.com/in/dana-seller,2024-03-10 09:30:00 UTC,,Thanks Dana,INBOX\n"
)


# --- 1. Profile addresses in every form LinkedIn shows ---


ADDRESS_FORMS = [
    "https://de.linkedin.com/in/dana-seller/",
    "https://cz.linkedin.com/in/dana-seller",
    "HTTPS://WWW.LINKEDIN.COM/in/Dana-Seller?trk=public_profile_browsemap",
    "http://m.linkedin.com/in/dana-seller/#about",
    "https://www.linkedin.com/mwlite/in/dana-seller",
    "https://www.linkedin.com/in/dana-seller/de",
    "https://www.linkedin.com/in/dana%2Dseller///",
    "linkedin.com/in/dana-seller",
]


@pytest.mark.parametrize("stored", ADDRESS_FORMS)
def test_every_form_of_the_stored_address_finds_the_sellers_messages(org, tmp_path, stored):
    # Her name in Snowball is not her LinkedIn name and the export has no Profile.csv: only the
    # stored address can tell which side of the one conversation is hers.
    dana = seller(org, "Dee", "Sellers", stored)
    path = tmp_path / "messages.csv"
    path.write_text(ONE_CONVERSATION, encoding="utf-8")
    summary = run(org, dana, path)
    assert summary.errors == []
    assert kinds(dana) == {SENT: 1, REPLIES: 1}
    assert owner_lines(summary) == [
        "Whose export: Dana Seller (linkedin.com/in/dana-seller), the LinkedIn address on the "
        "Snowball profile."
    ]


def test_percent_encoding_and_accents_are_one_address():
    assert profile_key("https://www.linkedin.com/in/j%C3%B6rg-m%C3%BCller-7") == profile_key(
        "https://de.linkedin.com/in/Jörg-Müller-7/"
    )
    assert profile_key("NA") == "" and profile_key("") == ""


def test_a_stale_address_counts_the_exports_own_holder_and_says_so(org, tmp_path):
    dana = seller(org, "Dana", "Seller", "https://www.linkedin.com/in/dana-old-handle")
    export = zip_files(tmp_path / "export.zip", folder_files(DATA / "linkedin_2024"))
    summary = run(org, dana, export)
    assert summary.errors == []
    assert kinds(dana)[SENT] == 2 and kinds(dana)[REPLIES] == 1
    assert owner_lines(summary) == [
        "Whose export: Dana Seller (linkedin.com/in/dana-seller), the one person in every "
        "conversation of messages.csv.",
        "Whose export: the LinkedIn address on the Snowball profile "
        "(linkedin.com/in/dana-old-handle) is not this export's (linkedin.com/in/dana-seller): "
        "messages were counted for the export's own account holder. If the address changed, "
        "update it on the profile.",
    ]


def test_a_german_2026_export_with_a_country_address_and_a_percent_encoded_slug(org, tmp_path):
    """Fully quoted messages.csv with line breaks in messages, a sponsored message without a
    sender address, a draft, a German preamble and a numbered Comments file."""
    jorg = seller(org, "Jörg", "Müller", "https://de.linkedin.com/in/jörg-müller-7/")
    files = folder_files(DATA / "linkedin_2026_de")
    # Files of the Complete export that only look alike are not the export's messages.
    files["guide_messages.csv"] = b"CONVERSATION ID,FROM,DATE\n2-X,Coach,2026-01-02 10:00:00 UTC\n"
    files["Articles/Articles/2026-01-05 Netze.html"] = b"<html></html>"
    export = zip_files(tmp_path / "Complete_LinkedInDataExport_02-01-2026.zip", files)
    summary = run(org, jorg, export)
    assert summary.errors == []
    assert kinds(jorg) == {
        SENT: 1,
        REPLIES: 1,
        EventKind.COMMENT_MADE: 1,  # from Comments_34875879.csv
        EventKind.CONNECTION_ACCEPTED: 2,
    }
    assert owner_lines(summary) == [
        "Whose export: Jörg Müller (linkedin.com/in/jörg-müller-7), the one person in every "
        "conversation of messages.csv."
    ]
    assert any(line.startswith("Comments.csv") for line in summary.feeds)
    for private in ("Lena", "Bauer", "Netz Akademie", "Donnerstag", "Tom Weber"):
        assert private not in stored_text()


# --- 2. The account holder found from the export itself, whatever the name in Snowball ---


def test_a_2021_export_without_recipient_addresses_for_a_seller_named_otherwise(org, tmp_path):
    # On LinkedIn she is "Jana Nováková-Berg"; the roster says "Jane Novak"; no stored address.
    jana = seller(org, "Jane", "Novak")
    export = zip_files(tmp_path / "Basic_LinkedInDataExport_02-11-2021.zip",
                       folder_files(DATA / "linkedin_2021"))  # fmt: skip
    summary = run(org, jana, export)
    assert summary.errors == []
    assert kinds(jana) == {
        SENT: 3,  # to Petr, to the group (TO joins names with ", "), to a "LinkedIn Member"
        REPLIES: 3,
        EventKind.CONNECTION_REQUEST_SENT: 1,
        EventKind.CONNECTION_ACCEPTED: 3,  # a hidden profile's row still has its date
        EventKind.POST_PUBLISHED: 1,
    }
    assert owner_lines(summary) == [
        "Whose export: Jana Nováková-Berg (linkedin.com/in/jana-novakova-42), the one person "
        "in every conversation of messages.csv."
    ]
    for private in ("Petr", "Dvořák", "Svobodová", "Karel", "pilot", "LinkedIn Member"):
        assert private not in stored_text()


def test_profile_csv_names_the_holder_of_a_single_conversation(org, tmp_path):
    dee = seller(org, "Dee", "Sellers")
    export = zip_files(tmp_path / "export.zip", {
        "messages.csv": ONE_CONVERSATION.encode(),
        "Profile.csv": (DATA / "linkedin_2024" / "Profile.csv").read_bytes(),
    })  # fmt: skip
    summary = run(org, dee, export)
    assert kinds(dee) == {SENT: 1, REPLIES: 1}
    assert owner_lines(summary) == [
        "Whose export: Dana Seller (linkedin.com/in/dana-seller), named in Profile.csv."
    ]


def test_invitations_csv_shows_the_holder_of_a_single_conversation(org, tmp_path):
    dee = seller(org, "Dee", "Sellers")
    export = zip_files(tmp_path / "export.zip", {
        "messages.csv": ONE_CONVERSATION.encode(),
        "Invitations.csv": (DATA / "linkedin_2024" / "Invitations.csv").read_bytes(),
    })  # fmt: skip
    summary = run(org, dee, export)
    assert kinds(dee)[SENT] == 1 and kinds(dee)[REPLIES] == 1
    assert owner_lines(summary) == [
        "Whose export: Dana Seller (linkedin.com/in/dana-seller), the account holder in "
        "Invitations.csv."
    ]


def test_the_name_in_snowball_is_the_last_resort_and_the_summary_says_so(org, tmp_path):
    dana = seller(org, "Dana", "Séller")  # accents and case do not matter
    path = tmp_path / "messages.csv"
    path.write_text(ONE_CONVERSATION, encoding="utf-8")
    summary = run(org, dana, path)
    assert kinds(dana) == {SENT: 1, REPLIES: 1}
    [line] = owner_lines(summary)
    assert line.startswith("Whose export: Dana Seller (linkedin.com/in/dana-seller), the name in "
                           "Snowball (nothing in the export itself tells")  # fmt: skip


def test_a_conversation_nothing_attributes_is_refused_without_naming_anyone(org, tmp_path):
    dee = seller(org, "Dee", "Sellers")
    path = tmp_path / "messages.csv"
    path.write_text(ONE_CONVERSATION, encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        run(org, dee, path)
    [(name, line, reason)] = refused.value.errors
    assert name == "messages.csv" and line is None
    assert reason.startswith("cannot tell which of the 2 people who write in every conversation "
                             "holds this account")  # fmt: skip
    assert "Jules" not in reason and "Dana" not in reason
    assert not ActivityEvent.objects.exists()


# --- 3. Copies saved again by a spreadsheet ---

DATE_COLUMNS = {"Date", "DATE", "Connected On", "Sent At"}


def saved_again(
    folder: Path, *, delimiter: str, line_end: str, bom: bool, dates: str, blanks: str = "",
    quoting: int = csv.QUOTE_MINIMAL, headers: dict[str, str] | None = None,
) -> dict[str, bytes]:  # fmt: skip
    """The export's files as a spreadsheet writes them back: its separator, line ends, BOM and
    quoting; dates it recognised in its own form (`dates`: a strftime format; LinkedIn's
    Invitations dates, with a comma, stay text); empty cells as `blanks`; renamed headers."""
    files = {}
    for file in sorted(folder.iterdir()):
        rows = list(csv.reader(io.StringIO(file.read_text(encoding="utf-8-sig"), newline="")))
        header = next(i for i, row in enumerate(rows) if len(row) > 2)
        dated = [i for i, name in enumerate(rows[header]) if name in DATE_COLUMNS]
        rows[header] = [(headers or {}).get(name, name) for name in rows[header]]
        for row in rows[header + 1 :]:
            for i, value in enumerate(row):
                if i in dated and "," not in value and value:
                    when = _linkedin_date(value)
                    row[i] = when.strftime(dates if when.hour or when.minute else dates.split()[0])
                    if dates.startswith("%d-%b"):
                        row[i] = row[i].replace("Mar", "mars")
                elif not value and blanks:
                    row[i] = blanks
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=delimiter, lineterminator=line_end, quoting=quoting).writerows(
            rows
        )
        files[file.name] = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()
    return files


def _linkedin_date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.removesuffix(" UTC"))
    except ValueError:
        return datetime.strptime(value, "%d %b %Y")


ORIGINAL_2024 = {
    EventKind.POST_PUBLISHED: 3,
    EventKind.COMMENT_MADE: 2,
    EventKind.REACTION_MADE: 3,
    SENT: 2,
    REPLIES: 1,
    EventKind.CONNECTION_REQUEST_SENT: 2,
    EventKind.CONNECTION_ACCEPTED: 3,
}


@pytest.mark.parametrize(
    "how",
    [
        # Excel in French: BOM, semicolons, CRLF, day first (13/03/2024 in messages.csv tells the
        # order for the files whose days are all 12 or less), "10-mars-24" in Connections.csv,
        # renamed header case, NA for empty cells.
        {"delimiter": ";", "line_end": "\r\n", "bom": True, "dates": "%d/%m/%Y %H:%M",
         "blanks": "NA", "headers": {"SharedUrl": "SharedURL", "ShareLink": "SHARELINK"}},
        {"delimiter": ";", "line_end": "\r\n", "bom": True, "dates": "%d-%b-%y", "blanks": "NA"},
        # Excel in German: dotted dates.
        {"delimiter": ";", "line_end": "\r\n", "bom": True, "dates": "%d.%m.%Y %H:%M"},
        # LibreOffice in American English: every text cell quoted, month first.
        {"delimiter": ",", "line_end": "\n", "bom": False, "dates": "%m/%d/%Y %H:%M",
         "quoting": csv.QUOTE_ALL},
        # Excel in Swedish: ISO dates without seconds; saved as tab-separated text.
        {"delimiter": "\t", "line_end": "\r\n", "bom": True, "dates": "%Y-%m-%d %H:%M"},
    ],
    ids=["excel-fr", "excel-fr-short", "excel-de", "libreoffice-us", "excel-sv-tabs"],
)  # fmt: skip
def test_an_export_saved_again_by_a_spreadsheet_imports_the_same(org, tmp_path, how):
    dana = seller(org, "Dana", "Seller", "https://www.linkedin.com/in/dana-seller")
    files = saved_again(DATA / "linkedin_2024", **how)
    summary = run(org, dana, zip_files(tmp_path / "export.zip", files))
    assert summary.errors == []
    assert kinds(dana) == ORIGINAL_2024


def test_the_stored_french_excel_copy_imports_the_same(org, tmp_path):
    """tests/data/linkedin_2024_excel_fr is the 2024 export as Excel in French saves it."""
    dana = seller(org, "Dana", "Seller", "https://www.linkedin.com/in/dana-seller")
    files = folder_files(DATA / "linkedin_2024_excel_fr")
    assert files["Shares.csv"].startswith(b"\xef\xbb\xbfDate;SHARELINK;")
    summary = run(org, dana, zip_files(tmp_path / "export.zip", files))
    assert summary.errors == []
    assert kinds(dana) == ORIGINAL_2024


def test_a_date_that_could_be_either_order_is_refused_with_its_line(org, tmp_path):
    dana = seller(org, "Dana", "Seller")
    path = tmp_path / "Shares.csv"
    path.write_text(
        "Date;ShareLink;ShareCommentary\n"
        "03/04/2024 10:00;https://www.linkedin.com/feed/update/urn:li:share:1;One\n"
        "05/04/2024 11:00;https://www.linkedin.com/feed/update/urn:li:share:2;Two\n",
        encoding="utf-8",
    )
    summary = run(org, dana, path)
    assert summary.errors == [
        ("Shares.csv", 2, "'03/04/2024 10:00' could be 3 April or 4 March: no date in Shares.csv "
         "or the other files of this upload shows whether the day or the month comes first. "
         "Download the export again, or save the dates as YYYY-MM-DD")
    ]  # fmt: skip
    assert not ActivityEvent.objects.exists()


def test_dates_written_in_two_orders_are_refused_naming_both_lines(org, tmp_path):
    dana = seller(org, "Dana", "Seller")
    path = tmp_path / "Reactions.csv"
    path.write_text(
        "Date,Type,Link\n"
        "13/03/2024 10:00,LIKE,https://www.linkedin.com/feed/update/urn:li:activity:1\n"
        "03/14/2024 10:00,LIKE,https://www.linkedin.com/feed/update/urn:li:activity:2\n",
        encoding="utf-8",
    )
    summary = run(org, dana, path)
    assert summary.errors == [
        ("Reactions.csv", 3, "'03/14/2024 10:00' can only be read month first, but line 2 "
         "('13/03/2024 10:00') was read day first: the dates of Reactions.csv must all be "
         "written one way")
    ]  # fmt: skip
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18-Jun-24", datetime(2024, 6, 18)),
        ("3/12/24, 11:20\u202fAM", datetime(2024, 3, 12, 11, 20)),
        ("3/12/24, 12:05 PM", datetime(2024, 3, 12, 12, 5)),
        ("18.06.24", datetime(2024, 6, 18)),
        ("18. 6. 2024 9:05", datetime(2024, 6, 18, 9, 5)),
        ("2024/06/18 10:00:00 UTC", datetime(2024, 6, 18, 10)),
        ("10 mars 2024", datetime(2024, 3, 10)),
        ("10. März 2024", datetime(2024, 3, 10)),
        ("7. března 2024", datetime(2024, 3, 7)),
        ("12 okt. 2023", datetime(2023, 10, 12)),
        ("Jun 18, 2024", datetime(2024, 6, 18)),
        ("2024-06-18T10:00:00Z", datetime(2024, 6, 18, 10)),
    ],
)
def test_date_forms_of_exports_and_spreadsheets(text, expected):
    parsed = DateColumn("X.csv").parse(text, 2)
    assert parsed.replace(tzinfo=None) == expected


def test_empty_and_na_dates_are_named_as_empty():
    for text in ("", "NA", "#N/A"):
        with pytest.raises(RowError, match="the date is empty"):
            DateColumn("X.csv").parse(text, 2)


# --- 4. Messages that help fix the file ---


def test_a_wrong_header_says_what_was_found_and_how_to_get_a_good_file(org, tmp_path):
    dana = seller(org, "Dana", "Seller")
    path = tmp_path / "Connections.csv"
    path.write_bytes(b"Name,Company\nJules Prospect,Acme\n")
    with pytest.raises(ImportRefused) as refused:
        run(org, dana, path)
    assert refused.value.errors[0][2] == (
        "no header row with the columns “First Name”, “Last Name”, “Connected On” (the file "
        "begins with “Name”, “Company” instead). Is this the Connections.csv of LinkedIn's data "
        "export, unchanged? Download the export again from LinkedIn (Settings, Data privacy, Get "
        "a copy of your data) and upload the ZIP or the file as it arrives."
    )


def test_a_header_missing_one_column_names_it(org, tmp_path):
    dana = seller(org, "Dana", "Seller")
    path = tmp_path / "connections.CSV"
    path.write_bytes(b"First Name;Last Name;Company\nJules;Prospect;Acme\n")
    with pytest.raises(ImportRefused) as refused:
        run(org, dana, path)
    name, _line, reason = refused.value.errors[0]
    assert name == "Connections.csv"
    assert "(its header lacks “Connected On”)" in reason


def test_random_bytes_named_zip_are_not_a_zip_file(org, tmp_path):
    dana = seller(org, "Dana", "Seller")
    path = tmp_path / "Basic_LinkedInDataExport.zip"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImportRefused) as refused:
        run(org, dana, path)
    assert refused.value.errors[0][2].startswith("this is not a ZIP file")


def test_files_are_named_as_linkedin_writes_them(org, tmp_path):
    dana = seller(org, "Dana", "Seller", "https://www.linkedin.com/in/dana-seller")
    bad = ONE_CONVERSATION.replace("2024-03-10 09:30:00 UTC", "someday")
    export = zip_files(tmp_path / "export.zip", {"Export/MESSAGES.CSV": bad.encode()})
    summary = run(org, dana, export)
    assert summary.errors == [("messages.csv", 3, "'someday' is not a date this importer knows")]
    path = tmp_path / "MESSAGES.CSV"
    path.write_text(bad, encoding="utf-8")
    assert run(org, dana, path).errors[0][0] == "messages.csv"


# --- The import page says whose export it was ---


def test_the_import_page_says_how_the_holder_was_recognised(org, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dana = seller(org, "Dana", "Seller", "https://de.linkedin.com/in/dana-old")
    content = zip_files(tmp_path / "e.zip", folder_files(DATA / "linkedin_2024")).read_bytes()
    client = login(dana)
    response = client.post(
        reverse("metrics-import-upload", args=[org.slug]),
        {"kind": "linkedin_export", "file": SimpleUploadedFile("export.zip", content)},
    )
    item = ActivityImport.objects.get()
    services.activity_import_run(activity_import_id=item.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Whose export" in page
    assert "Dana Seller (linkedin.com/in/dana-seller), the one person in every conversation" in (
        page
    )
    assert "(linkedin.com/in/dana-old) is not this export&#x27;s" in page
