"""Roster CSV parsing and validation. Pure: reads bytes, returns rows or line-numbered errors.

Nothing here touches the database, so a bad file can never leave anything behind.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from programme.models import JobRole, Role

REQUIRED_COLUMNS = ("email", "first name", "last name", "team", "role", "job role")
OPTIONAL_COLUMNS = ("parent team",)
MAX_ROWS = 50_000
MAX_ERRORS = 200

_ROLE_WORDS = {**{r.value: r.value for r in Role}, **{r.label.lower(): r.value for r in Role}}
_JOB_ROLE_WORDS = {
    **{j.value: j.value for j in JobRole},
    **{j.label.lower(): j.value for j in JobRole},
    "presales": JobRole.PRE_SALES.value,
    "pre sales": JobRole.PRE_SALES.value,
    "sales": JobRole.SELLER.value,
}


@dataclass
class RosterRow:
    line: int
    email: str
    first_name: str
    last_name: str
    team: str
    parent_team: str
    role: str
    job_role: str

    def as_dict(self) -> dict[str, str | int]:
        return self.__dict__.copy()


@dataclass
class RosterResult:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, line: int | None, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))


def _header_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


def _decode(data: bytes, result: RosterResult) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.error(
            line,
            "this line is not UTF-8 text. Save the roster as 'CSV UTF-8' "
            "(comma or semicolon separated) and upload it again.",
        )
        return None


def _dialect(text: str) -> type[csv.Dialect]:
    """Standard CSV quoting as Excel and LibreOffice write it (a quote inside a quoted field is
    doubled); only the separator varies with the spreadsheet's language. It is the one of comma,
    semicolon and tab that splits the header into the most columns. (csv.Sniffer guessed the
    quoting from the header alone and read doubled quotes wrongly.)"""
    first_line = text.split("\n", 1)[0]
    best, most = ",", 0
    for delimiter in (",", ";", "\t"):
        try:
            columns = len(next(csv.reader([first_line], delimiter=delimiter), []))
        except csv.Error:
            continue
        if columns > most:
            best, most = delimiter, columns

    class Roster(csv.excel):
        delimiter = best

    return Roster


def roster_parse(data: bytes) -> RosterResult:
    """Validate a whole roster file; every row is checked before any is accepted."""
    result = RosterResult()
    text = _decode(data, result)
    if text is None:
        return result
    if "\x00" in text:
        result.error(None, "The file contains binary data; upload a CSV text file.")
        return result
    if not text.strip():
        result.error(None, "The file is empty.")
        return result

    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        result.error(1, f"the header cannot be read ({exc}).")
        return result
    columns = {_header_key(name): index for index, name in enumerate(header) if name.strip()}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        result.error(
            1,
            f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"The header must name: {', '.join(REQUIRED_COLUMNS)}.",
        )
        return result

    def cell(record: list[str], name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(record):
            return ""
        return record[index].strip()

    first_line_of: dict[str, int] = {}
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.error(start, f"this line cannot be read as CSV ({exc}).")
            break
        line = start
        if not any(value.strip() for value in record):
            continue
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.error(line, f"the roster has more than {MAX_ROWS} rows; split it into parts.")
            break
        if len(record) < len(header) and max(columns.values()) >= len(record):
            result.error(
                line, f"expected {len(header)} columns, found {len(record)} (a missing separator?)."
            )
            continue

        row_errors: list[str] = []
        email = cell(record, "email").lower()
        try:
            validate_email(email)
        except ValidationError:
            row_errors.append(
                f"'{email}' is not a valid e-mail address" if email else "e-mail is empty"
            )
        else:
            if email in first_line_of:
                row_errors.append(f"{email} already appears on line {first_line_of[email]}")
            else:
                first_line_of[email] = line

        first_name, last_name = cell(record, "first name"), cell(record, "last name")
        if not first_name:
            row_errors.append("first name is empty")
        if not last_name:
            row_errors.append("last name is empty")
        if len(first_name) > 150 or len(last_name) > 150:
            row_errors.append("a name is longer than 150 characters")

        team, parent_team = cell(record, "team"), cell(record, "parent team")
        if len(team) > 120 or len(parent_team) > 120:
            row_errors.append("a team name is longer than 120 characters")
        if parent_team and not team:
            row_errors.append("a parent team is given without a team")
        if team and parent_team and team.lower() == parent_team.lower():
            row_errors.append("a team cannot be its own parent")

        role_word = cell(record, "role").lower()
        role = _ROLE_WORDS.get(role_word)
        if role is None:
            allowed = ", ".join(r.value for r in Role)
            row_errors.append(
                f"unknown role '{cell(record, 'role')}' (use one of: {allowed})"
                if role_word
                else f"role is empty (use one of: {allowed})"
            )

        job_word = _header_key(cell(record, "job role")) or JobRole.SELLER.value
        job_role = _JOB_ROLE_WORDS.get(job_word) or _JOB_ROLE_WORDS.get(job_word.replace(" ", "_"))
        if job_role is None:
            allowed = ", ".join(j.value for j in JobRole)
            row_errors.append(
                f"unknown job role '{cell(record, 'job role')}' (use one of: {allowed})"
            )

        if row_errors:
            result.error(line, "; ".join(row_errors) + ".")
            continue
        result.rows.append(
            RosterRow(
                line=line,
                email=email,
                first_name=first_name,
                last_name=last_name,
                team=team,
                parent_team=parent_team,
                role=role or Role.SELLER.value,
                job_role=job_role or JobRole.SELLER.value,
            )
        )

    if result.ok and not result.rows:
        result.error(None, "The file has a header but no rows.")
    _check_team_parents(result)
    return result


def _check_team_parents(result: RosterResult) -> None:
    """A team has one parent in the file; two rows disagreeing is an error on the later row."""
    parent_of: dict[str, tuple[str, int]] = {}
    for row in result.rows:
        if not row.team:
            continue
        key = row.team.lower()
        parent = row.parent_team.lower()
        if key in parent_of and parent and parent_of[key][0] and parent_of[key][0] != parent:
            result.error(
                row.line,
                f"team '{row.team}' has parent '{row.parent_team}' here but another parent "
                f"on line {parent_of[key][1]}.",
            )
        elif parent or key not in parent_of:
            parent_of[key] = (parent, row.line)
