"""How far a key result has come, and whether it is on track: one definition, used by every
page that shows progress. Pure functions of numbers and dates, so each rule is tested alone.

Progress runs from the baseline to the target in the key result's direction and is clamped to
0..1: a value worse than the baseline is 0, never negative, and going past the target is 1.
"Stay at or above / below" results are 1 while the value holds the line and 0 otherwise. An
"increase to" (or "decrease to") result whose baseline already met its target has no distance
to travel: it is treated as holding the line, so it reads 100 % while it still meets the target
(not 0 %, as a division by a backwards distance gave) and 0 % once it slips.

Status combines two signals, and the worse one decides:
- progress against the share of the objective's period already gone (a key result halfway
  through its period should be about halfway to its target): behind by more than AT_RISK_GAP
  is off track, behind by more than ON_TRACK_GAP is at risk;
- the confidence given at the last check-in (1-10, "how sure are you the target will be
  reached?"): LOW_CONFIDENCE or less is off track, SHAKY_CONFIDENCE or less is at risk. A
  confidence older than the check-in cadence (CHECK_IN_CADENCE_DAYS) no longer counts: it
  says what someone believed weeks ago, and the key result is flagged "check-in overdue"
  instead. Once the target is reached, or the period is over, the result is in and confidence
  no longer matters.
The reason shown with the status names the deciding signal first ("confidence 4/10 at the
last check-in", "12 points behind the time gone (38% done, 50% of the period gone)").

A manual key result with no check-in (or, never checked in, not made) for longer than the
cadence is overdue while its objective's period runs; indicator-linked ones follow the rollups
by themselves and are never overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext, gettext_lazy, ngettext

# Progress may lag the calendar by this much and still be on track, and by up to AT_RISK_GAP
# before it is off track. Adoption is not linear (the first weeks move slowly, then habits
# spread), so a strict "progress >= time gone" would call nearly every new key result at risk.
ON_TRACK_GAP = 0.10
AT_RISK_GAP = 0.25
# A check-in at least every two weeks: the reminder goes out weekly, so two missed reminders make
# a key result overdue (no organisation-level cadence setting exists yet).
CHECK_IN_CADENCE_DAYS = 14
LOW_CONFIDENCE = 3  # at or below: off track, whatever the numbers say
SHAKY_CONFIDENCE = 6  # at or below: at risk
_EPSILON = 1e-9  # 33.3 - 33.3 in floating point: a value at its target has reached it


class Direction(models.TextChoices):
    INCREASE = "increase", gettext_lazy("Increase to")
    DECREASE = "decrease", gettext_lazy("Decrease to")
    STAY_ABOVE = "stay_above", gettext_lazy("Stay at or above")
    STAY_BELOW = "stay_below", gettext_lazy("Stay at or below")


HOLDING = {Direction.STAY_ABOVE, Direction.STAY_BELOW}


class Status(models.TextChoices):
    ON_TRACK = "on_track", gettext_lazy("On track")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    OFF_TRACK = "off_track", gettext_lazy("Off track")


def _upward(direction: str) -> bool:
    return direction in (Direction.INCREASE, Direction.STAY_ABOVE)


def meets(direction: str, value: float, target: float) -> bool:
    """Whether a value is at or past the target, on the good side."""
    if _upward(direction):
        return value >= target - _EPSILON
    return value <= target + _EPSILON


def holds_the_line(direction: str, baseline: float, target: float) -> bool:
    """Stay above / below, or an increase / decrease whose baseline already met its target."""
    return direction in HOLDING or meets(direction, baseline, target)


def progress(direction: str, baseline: float, target: float, current: float) -> float:
    """From 0 to 1, see the module's docstring."""
    if holds_the_line(direction, baseline, target):
        return 1.0 if meets(direction, current, target) else 0.0
    done = (current - baseline) / (target - baseline)
    if meets(direction, current, target):
        done = 1.0
    return min(max(done, 0.0), 1.0)


def time_gone(starts_on: date, ends_on: date, today: date) -> float:
    """The share of a period already gone, 0 before it starts and 1 after it ends."""
    length = (ends_on - starts_on).days
    if length <= 0:
        return 1.0
    return min(max((today - starts_on).days / length, 0.0), 1.0)


@dataclass(frozen=True)
class Track:
    status: str
    reason: str

    @property
    def label(self) -> str:
        return str(Status(self.status).label)


def _by_gap(done: float, expected: float, *, worse: bool = False) -> Track:
    done_pct, expected_pct = round(100 * done), round(100 * expected)
    if done >= 1 - _EPSILON:
        return Track(Status.ON_TRACK, gettext("target reached"))
    if expected >= 1:
        return Track(Status.OFF_TRACK, gettext("the period is over, target not reached"))
    reason = gettext("%(done)s%% done, %(expected)s%% of the period gone") % {
        "done": done_pct, "expected": expected_pct,
    }  # fmt: skip
    gap = expected - done
    if gap <= ON_TRACK_GAP and not worse:
        return Track(Status.ON_TRACK, reason)
    if gap > 0:
        points = round(100 * gap)
        reason = ngettext(
            "%(points)s point behind the time gone (%(reason)s)",
            "%(points)s points behind the time gone (%(reason)s)", points,
        ) % {"points": points, "reason": reason}  # fmt: skip
    if worse:
        reason = gettext("worse than the baseline; %(reason)s") % {"reason": reason}
    return Track(Status.AT_RISK if gap <= AT_RISK_GAP else Status.OFF_TRACK, reason)


_SEVERITY = {Status.ON_TRACK: 0, Status.AT_RISK: 1, Status.OFF_TRACK: 2}


def by_confidence(confidence: int) -> str:
    """What a confidence alone says: see the module's docstring."""
    if confidence <= LOW_CONFIDENCE:
        return Status.OFF_TRACK
    if confidence <= SHAKY_CONFIDENCE:
        return Status.AT_RISK
    return Status.ON_TRACK


def _by_numbers(direction: str, baseline: float, target: float, current: float,
                expected: float) -> Track:  # fmt: skip
    if holds_the_line(direction, baseline, target):
        if meets(direction, current, target):
            return Track(Status.ON_TRACK, gettext("holding the line"))
        if direction in HOLDING:
            return Track(Status.OFF_TRACK, gettext("the value has crossed the line"))
        return Track(Status.OFF_TRACK, gettext("it met the target when set, and has slipped"))
    worse = not meets(direction, current, baseline)
    return _by_gap(progress(direction, baseline, target, current), expected, worse=worse)


def key_result_track(
    *, direction: str, baseline: float, target: float, current: float, expected: float,
    confidence: int | None = None, confidence_age: int | None = None,
    cadence_days: int = CHECK_IN_CADENCE_DAYS,
) -> Track:  # fmt: skip
    """On track, at risk or off track, with the reason in words: the worse of what the numbers
    and the last check-in's confidence say (module docstring). `confidence_age` is the number of
    days since that check-in (None: given just now)."""
    numbers = _by_numbers(direction, baseline, target, current, expected)
    reached = direction not in HOLDING and meets(direction, current, target)
    if confidence is None or expected >= 1 or reached:
        return numbers
    said = by_confidence(confidence)
    if said == Status.ON_TRACK:
        return numbers
    if confidence_age is not None and confidence_age > cadence_days:
        stale = gettext(
            "the last confidence (%(confidence)s/10, %(days)s days ago) is too old to count"
        ) % {"confidence": confidence, "days": confidence_age}
        return Track(numbers.status, f"{numbers.reason}; {stale}")
    words = gettext("confidence %(confidence)s/10 at the last check-in") % {
        "confidence": confidence
    }
    if _SEVERITY[said] > _SEVERITY[numbers.status]:
        return Track(said, f"{words}; {numbers.reason}")
    return Track(numbers.status, f"{numbers.reason}; {words}")


def check_in_overdue(*, last: date, today: date,
                     cadence_days: int = CHECK_IN_CADENCE_DAYS) -> int | None:  # fmt: skip
    """Days since the last check-in (or since the key result was made) when that is longer
    than the cadence; None while it is not overdue."""
    days = (today - last).days
    return days if days > cadence_days else None


def objective_track(done: float | None, expected: float) -> Track | None:
    """The objective's mean progress against its period; None without a counted key result."""
    if done is None:
        return None
    return _by_gap(done, expected)


def infer_direction(*, source: str, baseline: float, target: float) -> str:
    """For key results made before the direction was asked: every indicator measures something
    the programme wants more of (shares of people, meetings, deals), so a linked one increases;
    a manual one goes the way its target lies from its baseline."""
    if source == "indicator" or target >= baseline:
        return Direction.INCREASE
    return Direction.DECREASE
