"""Roster CSV parsing and validation. Pure: reads bytes, returns rows or line-numbered errors.

Nothing here touches the database, so a bad file can never leave anything behind. The file's
format (column names, role words) is English in every language; the errors are in the
reader's, each one a whole sentence.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, ngettext

from programme.models import JobRole, Role

REQUIRED_COLUMNS = ("email", "first name", "last name", "team", "role", "job role")
OPTIONAL_COLUMNS = ("parent team",)
MAX_ROWS = 50_000
MAX_ERRORS = 200

# The words a roster may use: the stored values (English whatever the reader's language; the
# labels are translated, so they are not import words).
_ROLE_WORDS = {r.value: r.value for r in Role}
_JOB_ROLE_WORDS = {
    **{j.value: j.value for j in JobRole},
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
            # Translators: "CSV UTF-8" is the name of the format in spreadsheet programs.
            gettext(
                "This line is not UTF-8 text. Save the roster as “CSV UTF-8” "
                "(comma or semicolon separated) and upload it again."
            ),
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
        result.error(None, gettext("The file contains binary data; upload a CSV text file."))
        return result
    if not text.strip():
        result.error(None, gettext("The file is empty."))
        return result

    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        # Translators: the reason in brackets comes from Python's CSV reader, in English.
        result.error(1, gettext("The header cannot be read (%(reason)s).") % {"reason": exc})
        return result
    columns = {_header_key(name): index for index, name in enumerate(header) if name.strip()}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        result.error(
            1,
            # Translators: the column names stay in English: they are the file's format.
            ngettext(
                "Missing column: %(missing)s. The header must name: %(required)s.",
                "Missing columns: %(missing)s. The header must name: %(required)s.",
                len(missing),
            )
            % {"missing": ", ".join(missing), "required": ", ".join(REQUIRED_COLUMNS)},
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
            # Translators: the reason in brackets comes from Python's CSV reader, in English.
            result.error(
                start, gettext("This line cannot be read as CSV (%(reason)s).") % {"reason": exc}
            )
            break
        line = start
        if not any(value.strip() for value in record):
            continue
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.error(
                line,
                ngettext(
                    "The roster has more than %(max)d row; split it into parts.",
                    "The roster has more than %(max)d rows; split it into parts.",
                    MAX_ROWS,
                )
                % {"max": MAX_ROWS},
            )
            break
        if len(record) < len(header) and max(columns.values()) >= len(record):
            result.error(
                line,
                ngettext(
                    "Expected %(expected)d column, found %(found)d (a missing separator?).",
                    "Expected %(expected)d columns, found %(found)d (a missing separator?).",
                    len(header),
                )
                % {"expected": len(header), "found": len(record)},
            )
            continue

        row_errors: list[str] = []
        email = cell(record, "email").lower()
        try:
            validate_email(email)
        except ValidationError:
            row_errors.append(
                gettext("“%(email)s” is not a valid e-mail address.") % {"email": email}
                if email
                else gettext("The e-mail address is empty.")
            )
        else:
            if email in first_line_of:
                row_errors.append(
                    gettext("%(email)s already appears on line %(line)d.")
                    % {"email": email, "line": first_line_of[email]}
                )
            else:
                first_line_of[email] = line

        first_name, last_name = cell(record, "first name"), cell(record, "last name")
        if not first_name:
            row_errors.append(gettext("The first name is empty."))
        if not last_name:
            row_errors.append(gettext("The last name is empty."))
        if len(first_name) > 150 or len(last_name) > 150:
            row_errors.append(
                ngettext(
                    "A name is longer than %(max)d character.",
                    "A name is longer than %(max)d characters.",
                    150,
                )
                % {"max": 150}
            )

        team, parent_team = cell(record, "team"), cell(record, "parent team")
        if len(team) > 120 or len(parent_team) > 120:
            row_errors.append(
                ngettext(
                    "A team name is longer than %(max)d character.",
                    "A team name is longer than %(max)d characters.",
                    120,
                )
                % {"max": 120}
            )
        if parent_team and not team:
            row_errors.append(gettext("A parent team is given without a team."))
        if team and parent_team and team.lower() == parent_team.lower():
            row_errors.append(gettext("A team cannot be its own parent."))

        role_word = cell(record, "role").lower()
        role = _ROLE_WORDS.get(role_word)
        if role is None:
            allowed = ", ".join(r.value for r in Role)
            # Translators: the allowed words stay in English: they are the file's format.
            row_errors.append(
                gettext("Unknown role “%(role)s” (use one of: %(allowed)s).")
                % {"role": cell(record, "role"), "allowed": allowed}
                if role_word
                else gettext("The role is empty (use one of: %(allowed)s).") % {"allowed": allowed}
            )

        job_word = _header_key(cell(record, "job role")) or JobRole.SELLER.value
        job_role = _JOB_ROLE_WORDS.get(job_word) or _JOB_ROLE_WORDS.get(job_word.replace(" ", "_"))
        if job_role is None:
            allowed = ", ".join(j.value for j in JobRole)
            # Translators: the allowed words stay in English: they are the file's format.
            row_errors.append(
                gettext("Unknown job role “%(job_role)s” (use one of: %(allowed)s).")
                % {"job_role": cell(record, "job role"), "allowed": allowed}
            )

        if row_errors:
            result.error(line, " ".join(row_errors))
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
        result.error(None, gettext("The file has a header but no rows."))
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
                gettext(
                    "Team “%(team)s” has parent “%(parent)s” here but another parent on line "
                    "%(line)d."
                )
                % {"team": row.team, "parent": row.parent_team, "line": parent_of[key][1]},
            )
        elif parent or key not in parent_of:
            parent_of[key] = (parent, row.line)
