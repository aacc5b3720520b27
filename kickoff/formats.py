"""Kick-off formats, pure: the agenda's "step — minutes" lines, the run-sheet built from them,
and the wave-over-wave comparison table. No database here: selectors fetch, this shapes."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy

MAX_STEPS = 30
MAX_STEP_MINUTES = 240
MAX_TOTAL_MINUTES = 8 * 60  # a kick-off is a meeting, not a training day
MAX_STEP_LENGTH = 120

# "Why social selling — 15", "Why social selling - 15 min", "Why: 15", "Why | 15'".
# The minutes come last; whatever precedes the last separator is the step's name.
AGENDA_LINE = re.compile(
    r"^(?P<step>.*?)\s*(?:\u2014|\u2013|-|\||:)\s*(?P<minutes>\d{1,4})\s*"
    r"(?:min(?:utes?|s)?\.?|m|')?\s*$",
    re.IGNORECASE,
)
SEPARATOR = " — "


@dataclass(frozen=True)
class AgendaStep:
    step: str
    minutes: int


class AgendaError(ValueError):
    """Every problem of an agenda, one message per problem, with its line number."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_agenda(text: str) -> list[AgendaStep]:
    """The steps of an agenda written one per line as "step — minutes" (blank lines skipped).

    Raises AgendaError naming each bad line, so a person fixes them all in one go."""
    steps: list[AgendaStep] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = AGENDA_LINE.match(line)
        if match is None:
            problems.append(
                gettext(
                    "Line %(n)d: end the line with the step's minutes, "
                    "like 'What worries you — 20'."
                )
                % {"n": number}
            )
            continue
        step, minutes = match["step"].strip(), int(match["minutes"])
        if not step:
            problems.append(
                gettext("Line %(n)d: name the step before its minutes.") % {"n": number}
            )
        elif len(step) > MAX_STEP_LENGTH:
            problems.append(
                gettext("Line %(n)d: keep the step under %(max)d characters.")
                % {"n": number, "max": MAX_STEP_LENGTH}
            )
        elif not 1 <= minutes <= MAX_STEP_MINUTES:
            problems.append(
                gettext("Line %(n)d: a step lasts from 1 to %(max)d minutes.")
                % {"n": number, "max": MAX_STEP_MINUTES}
            )
        else:
            steps.append(AgendaStep(step=step, minutes=minutes))
    if not problems and len(steps) > MAX_STEPS:
        problems.append(gettext("An agenda has at most %(max)d steps.") % {"max": MAX_STEPS})
    total = sum(s.minutes for s in steps)
    if not problems and total > MAX_TOTAL_MINUTES:
        problems.append(
            gettext("The steps add up to %(total)d minutes: a kick-off lasts at most %(max)d.")
            % {"total": total, "max": MAX_TOTAL_MINUTES}
        )
    if problems:
        raise AgendaError(problems)
    return steps


def agenda_text(steps: Iterable[AgendaStep]) -> str:
    """The agenda as stored: one "step — minutes" line per step, whatever separator was typed."""
    return "\n".join(f"{s.step}{SEPARATOR}{s.minutes}" for s in steps)


def agenda_steps_lenient(text: str) -> list[AgendaStep]:
    """The steps of an agenda stored before (validated when saved): lines that no longer parse
    are skipped rather than breaking a page."""
    steps = []
    for raw in text.splitlines():
        match = AGENDA_LINE.match(raw.strip())
        if match and match["step"].strip():
            steps.append(AgendaStep(step=match["step"].strip(), minutes=int(match["minutes"])))
    return steps


@dataclass(frozen=True)
class RunSheetRow:
    step: str
    minutes: int
    starts: str  # "09:15" from the session's start, else "0:15" from the beginning
    ends: str


def _elapsed(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def run_sheet(steps: Sequence[AgendaStep], start: datetime.time | None = None) -> list[RunSheetRow]:
    """Each step with when it starts and ends: clock times from `start` when the session has
    one, else the time elapsed since the beginning (0:00, 0:15, ...)."""
    rows = []
    offset = 0
    for step in steps:
        begin, end = offset, offset + step.minutes
        if start is not None:
            origin = datetime.datetime.combine(datetime.date(2000, 1, 1), start)
            starts = (origin + datetime.timedelta(minutes=begin)).strftime("%H:%M")
            ends = (origin + datetime.timedelta(minutes=end)).strftime("%H:%M")
        else:
            starts, ends = _elapsed(begin), _elapsed(end)
        rows.append(RunSheetRow(step=step.step, minutes=step.minutes, starts=starts, ends=ends))
        offset = end
    return rows


DEFAULT_AGENDA = gettext_lazy(
    "Why social selling, told by the sponsor — 15\n"
    "Examples from our own industry — 15\n"
    "What worries you, what would help — 30\n"
    "Me too: the room votes — 10\n"
    "What happens next, and when — 20"
)


# --- Wave over wave ------------------------------------------------------------------------


@dataclass
class Cell:
    value: float | None
    text: str
    change: float | None = None
    change_text: str = ""


@dataclass
class Row:
    label: str
    cells: list[Cell]
    hint: str = ""


@dataclass
class SessionFigures:
    """What a selector measured for one session of the format."""

    people: int
    people_from_attendance: bool  # nobody joined on a phone: the attendance list counts
    concerns: int
    votes: int
    addressed: int
    emotions: dict[str, float] = field(default_factory=dict)  # kind -> average intensity
    categories: list[tuple[str, int]] = field(default_factory=list)  # top, by votes
    worries: list[tuple[str, int]] = field(default_factory=list)  # top, by votes

    @property
    def votes_per_person(self) -> float | None:
        return self.votes / self.people if self.people else None

    @property
    def addressed_share(self) -> float | None:
        return self.addressed / self.concerns if self.concerns else None


def _number(value: float | None, decimals: int) -> str:
    if value is None:
        return "—"
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{number_format(round(value * 100), use_l10n=True)} %"


def _change_text(change: float | None, decimals: int, percent: bool) -> str:
    if change is None:
        return ""
    shown = round(change * 100) if percent else round(change, decimals)
    if shown == 0:
        text = "±0"
    else:
        sign = "+" if shown > 0 else "\u2212"  # a minus sign, not a hyphen
        number = number_format(abs(shown), decimal_pos=0 if percent else decimals, use_l10n=True)
        text = f"{sign}{number}"
    if not percent:
        return text
    # Translators: a change in percentage points, e.g. "+12 pts" (signed number).
    return gettext("%(change)s pts") % {"change": text}


def _row(
    label: str, values: list[float | None], *, decimals: int = 0, percent: bool = False,
    hint: str = "",
) -> Row:  # fmt: skip
    cells = []
    for index, value in enumerate(values):
        previous = values[index - 1] if index else None
        change = value - previous if value is not None and previous is not None else None
        text = _percent(value) if percent else _number(value, decimals)
        cells.append(Cell(value, text, change, _change_text(change, decimals, percent)))
    return Row(label=label, cells=cells, hint=hint)


def comparison_rows(figures: Sequence[SessionFigures], emotion_labels: dict[str, str]) -> list[Row]:
    """One row per measure, one cell per session (oldest first), each with its change from the
    session before it (the previous wave of the same format)."""
    rows = [
        _row(gettext("People in the room"), [f.people for f in figures],
             hint=gettext("Joined on their phone; * the attendance list, when nobody joined.")),
        _row(gettext("Concerns"), [f.concerns for f in figures]),
        _row(gettext("'Me too' votes per person"), [f.votes_per_person for f in figures],
             decimals=1),
        _row(gettext("Concerns addressed"), [f.addressed_share for f in figures], percent=True,
             hint=gettext("Share of the session's concerns answered in 'you said, we did'.")),
    ]  # fmt: skip
    for cell, f in zip(rows[0].cells, figures, strict=True):
        if f.people_from_attendance:
            cell.text += "*"
    kinds = [kind for kind in emotion_labels if any(kind in f.emotions for f in figures)]
    for kind in kinds:
        rows.append(
            _row(
                gettext("Emotion: %(kind)s (average intensity, 1-3)")
                % {"kind": emotion_labels[kind]},
                [f.emotions.get(kind) for f in figures],
                decimals=1,
            )
        )
    return rows
