"""How the room stands on each concern: agree / disagree / pass counts turned into a split, a
consensus score and a divisiveness score, and the four orders of the presenter's screen.

Pure: counts in, numbers and orders out; no database, no request.

For a concern with `a` agrees, `d` disagrees and `p` passes:

- *sided voters* ``n = a + d``. A pass says "no opinion": it counts as participation on the
  join page but takes no side, so it is not in the split.
- *agree share* ``a / n``: the share agreeing among those who took a side.
- *participation weight* ``w = n / (n + MIN_VOTERS)``: 5 sided voters weigh 0.5, 20 weigh 0.8,
  100 weigh 0.95. A clear verdict of many outweighs the same verdict of a few.
- *one-sidedness* ``|a - d| / n``: 0 at 50/50, 1 when everybody took the same side.
- **consensus** ``= one-sidedness x w``: what the room broadly shares (agreeing, or agreeing
  that it is not a worry).
- **divisive** ``= (1 - one-sidedness) x w = 2 x min(a, d) / n x w``: what splits the room;
  highest for a large room at 50/50.

Consensus and divisive add up to the weight: each says how much of the room's considered
voice points one way or splits. A concern with fewer than MIN_VOTERS sided voters shows no
split (a split of three people says more about them than about the room) and ranks after
every concern that has one, in both orders, most "me too" votes first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

MIN_VOTERS = 5

MOST_VOTED, NEWEST, CONSENSUS, DIVISIVE = "votes", "newest", "consensus", "divisive"
SORTS = (MOST_VOTED, NEWEST, CONSENSUS, DIVISIVE)


class Counted(Protocol):
    votes: int
    agrees: int
    disagrees: int
    passes: int


@dataclass(frozen=True)
class Split:
    agrees: int
    disagrees: int
    passes: int

    @property
    def sided(self) -> int:
        return self.agrees + self.disagrees

    @property
    def voters(self) -> int:
        return self.sided + self.passes

    @property
    def shown(self) -> bool:
        """Enough sided voters for the split to be shown (and ranked)."""
        return self.sided >= MIN_VOTERS

    @property
    def agree_share(self) -> float | None:
        return self.agrees / self.sided if self.shown else None

    @property
    def agree_percent(self) -> int | None:
        share = self.agree_share
        return None if share is None else round(share * 100)

    @property
    def disagree_percent(self) -> int | None:
        share = self.agree_percent
        return None if share is None else 100 - share

    @property
    def weight(self) -> float:
        return self.sided / (self.sided + MIN_VOTERS)

    @property
    def one_sidedness(self) -> float:
        return abs(self.agrees - self.disagrees) / self.sided if self.sided else 0.0

    @property
    def consensus(self) -> float | None:
        return self.one_sidedness * self.weight if self.shown else None

    @property
    def divisive(self) -> float | None:
        return (1 - self.one_sidedness) * self.weight if self.shown else None


def split_of(concern: Counted) -> Split:
    return Split(concern.agrees, concern.disagrees, concern.passes)


T = TypeVar("T", bound=Counted)


def ordered(
    concerns: Iterable[T],
    sort: str,
    *,
    arrivals: Mapping[str, int] | None = None,
    key: Callable[[T], str] = lambda c: str(c.pk),  # type: ignore[attr-defined]
) -> list[T]:
    """The concerns in the presenter's order. Python's sort is stable, so ties keep the order
    they came in (the selector's: most votes, then category, then key).

    - MOST_VOTED: most "me too" votes, then most agrees.
    - NEWEST: latest arrival on the screen first (`arrivals`: concern key -> arrival tick;
      concerns without one arrived first), then most votes.
    - CONSENSUS / DIVISIVE: highest score first; those without a split after them, by votes.
    """
    items = list(concerns)
    if sort == NEWEST:
        seen = arrivals or {}
        return sorted(items, key=lambda c: (-seen.get(key(c), 0), -c.votes))
    if sort in (CONSENSUS, DIVISIVE):

        def rank(concern: T) -> tuple[int, float, int]:
            split = split_of(concern)
            score = split.consensus if sort == CONSENSUS else split.divisive
            return (0 if score is not None else 1, -(score or 0.0), -concern.votes)

        return sorted(items, key=rank)
    return sorted(items, key=lambda c: (-c.votes, -c.agrees))


def sort_or_default(value: str | None) -> str:
    """A sort named in a query string, or the default for anything else."""
    return value if value in SORTS else MOST_VOTED


def revealed(items: Sequence[T], reveal: int | None) -> tuple[list[T], int]:
    """In reveal mode the screen shows the first `reveal` concerns of the order and counts the
    rest as hidden; without it, all of them are candidates."""
    if reveal is None:
        return list(items), 0
    shown = list(items[: max(0, reveal)])
    return shown, len(items) - len(shown)
