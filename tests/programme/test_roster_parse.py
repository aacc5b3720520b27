"""The roster parser: every kind of bad file is refused with the line to fix."""

from __future__ import annotations

import csv
import io

from programme.roster import roster_parse

HEADER = "email,first name,last name,team,role,job role\n"


def test_good_comma_file_with_bom() -> None:
    data = ("\ufeff" + HEADER + "Jane.Doe@Example.com,Jane,Doe,Lyon,seller,pre-sales\n").encode()
    result = roster_parse(data)
    assert result.ok, result.errors
    [row] = result.rows
    assert (row.email, row.first_name, row.team, row.role, row.job_role) == (
        "jane.doe@example.com",
        "Jane",
        "Lyon",
        "seller",
        "pre_sales",
    )


def test_semicolon_file_with_header_variants_and_quoted_values() -> None:
    data = (
        b"E-mail;First_Name;Last Name;Team;Role;Job role;Parent team\r\n"
        b'sam@example.com;"Sam; Jr";Lee;Lyon;Manager;Executive;South\r\n'
        b"\r\n"
        b"ana@example.com;Ana;Ruiz;;consultant;;\r\n"
    )
    # "E-mail" is not "email": the header must name the column, so this file is refused.
    assert not roster_parse(data).ok
    data = data.replace(b"E-mail", b"Email")
    result = roster_parse(data)
    assert result.ok, result.errors
    sam, ana = result.rows
    assert sam.first_name == "Sam; Jr" and sam.parent_team == "South" and sam.role == "manager"
    assert ana.team == "" and ana.job_role == "seller" and ana.line == 4


def test_missing_column_is_named() -> None:
    result = roster_parse(b"email,first name,last name,team,role\nx@example.com,X,Y,T,seller\n")
    assert result.errors == [
        (
            1,
            "Missing column: job role. The header must name: "
            "email, first name, last name, team, role, job role.",
        )
    ]


def test_each_bad_row_gets_its_line_number() -> None:
    data = (
        HEADER
        + "ok@example.com,Ok,Person,T,seller,seller\n"
        + "not-an-email,Bad,Mail,T,seller,seller\n"
        + "OK@example.com,Dup,Licate,T,seller,seller\n"
        + "role@example.com,Un,Known,T,wizard,seller\n"
        + "job@example.com,Un,Known,T,seller,astronaut\n"
        + "short@example.com,Short\n"
    ).encode()
    result = roster_parse(data)
    assert not result.ok
    lines = {line: message for line, message in result.errors}
    assert set(lines) == {3, 4, 5, 6, 7}
    assert "“not-an-email” is not a valid e-mail address." in lines[3]
    assert "ok@example.com already appears on line 2." in lines[4]
    assert "Unknown role “wizard”" in lines[5]
    assert "Unknown job role “astronaut”" in lines[6]
    assert "Expected 6 columns, found 2" in lines[7]


def test_not_utf8_names_the_line() -> None:
    data = (
        HEADER + "a@example.com,A,B,T,seller,seller\n"
    ).encode() + "é@x.com,É,B,T,seller,seller\n".encode("latin-1")
    result = roster_parse(data)
    assert result.errors[0][0] == 3
    assert "not UTF-8" in result.errors[0][1]


def test_empty_and_header_only_files() -> None:
    assert roster_parse(b"").errors == [(None, "The file is empty.")]
    assert roster_parse(HEADER.encode()).errors == [(None, "The file has a header but no rows.")]


def test_binary_file_is_refused() -> None:
    assert not roster_parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").ok


def test_conflicting_team_parents() -> None:
    data = (
        b"email,first name,last name,team,role,job role,parent team\n"
        b"a@example.com,A,A,Lyon,seller,seller,South\n"
        b"b@example.com,B,B,Lyon,seller,seller,North\n"
    )
    result = roster_parse(data)
    assert result.errors == [
        (3, "Team “Lyon” has parent “North” here but another parent on line 2.")
    ]


def _saved_by_spreadsheet(rows: list[list[str]], **how: object) -> bytes:
    """A roster as a spreadsheet writes it: standard CSV quoting, a quote inside a quoted field
    doubled; the separator, line end and quoting of text cells vary by program and language."""
    out = io.StringIO(newline="")
    csv.writer(out, **how).writerows(rows)
    return out.getvalue().encode("utf-8")


ROSTER_ROWS = [
    ["email", "first name", "last name", "team", "role", "job role"],
    ["jo@example.com", 'Jo "JJ"', "Doe", 'Sales, "North"', "seller", "seller"],
    ["ana@example.com", "Ana", 'O"Neil', "Lyon", "manager", "pre-sales"],
]


def test_a_roster_saved_by_excel_keeps_doubled_quotes() -> None:
    # Excel in a German or French locale: BOM, semicolons, CRLF, quotes only where needed.
    data = b"\xef\xbb\xbf" + _saved_by_spreadsheet(
        ROSTER_ROWS, delimiter=";", lineterminator="\r\n"
    )
    assert b'"Jo ""JJ"""' in data
    result = roster_parse(data)
    assert result.ok, result.errors
    jo, ana = result.rows
    assert (jo.first_name, jo.team, jo.role) == ('Jo "JJ"', 'Sales, "North"', "seller")
    assert (ana.last_name, ana.role) == ('O"Neil', "manager")


def test_a_roster_saved_by_libreoffice_with_every_text_cell_quoted() -> None:
    data = _saved_by_spreadsheet(
        ROSTER_ROWS, delimiter=",", lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    assert data.startswith(b'"email","first name"')
    result = roster_parse(data)
    assert result.ok, result.errors
    jo, ana = result.rows
    assert (jo.first_name, jo.team) == ('Jo "JJ"', 'Sales, "North"')
    assert ana.last_name == 'O"Neil'


def test_a_tab_separated_roster() -> None:
    data = _saved_by_spreadsheet(ROSTER_ROWS, delimiter="\t")
    result = roster_parse(data)
    assert result.ok, result.errors
    assert result.rows[0].first_name == 'Jo "JJ"'
