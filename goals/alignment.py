"""Alignment: objectives under objectives (programme → wave → team → person), and the rule that
rolls their progress up the tree. Pure functions of plain numbers, so each rule is tested alone.

The roll-up rule, exactly:

    progress(O) = Σ wᵢ·pᵢ / Σ wᵢ   over the items of O, or None when O has no item

and the items of an objective O are
  1. each of its own key results that counts (revenue awaiting a sponsor does not), with the
     key result's weight and its progress (goals.progress: from the baseline to the target in
     the key result's direction, clamped to 0..1, so a "decrease to" counts how far it came down);
  2. each key result of another objective that contributes to O and counts, with its weight and
     its progress (the same number it gives its own objective: it counts in both);
  3. each live child objective whose own progress is not None, with weight 1 (a child objective
     weighs as much as one key result of the default weight) and its rolled-up progress.

A child with no item at all is left out rather than read as 0 %: an objective nobody has measured
yet says nothing about its parent. Weights are whole numbers of at least 1.

Levels: programme (0) is broader than wave (1), wave than team (2), team than person (3). An
objective sits under one of the same or a broader level of the same programme (a sub-team's
objective under its team's), never under itself or one of its own descendants. A key result
contributes only to an objective of a strictly broader level than its own objective's: so
contributions point up, and the roll-up never loops.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LEVELS = {"programme": 0, "wave": 1, "team": 2, "person": 3}
CHILD_WEIGHT = 1


def level(scope: str) -> int:
    return LEVELS[scope]


def may_sit_under(child_scope: str, parent_scope: str) -> bool:
    """An objective sits under one of the same or a broader level."""
    return level(parent_scope) <= level(child_scope)


def may_contribute_to(own_scope: str, target_scope: str) -> bool:
    """A key result counts toward an objective of a strictly broader level than its own."""
    return level(target_scope) < level(own_scope)


def ancestors(start: int | None, parent_of: Mapping[int, int | None]) -> list[int]:
    """`start` and the objectives above it, nearest first; stops at a loop (old data)."""
    seen: list[int] = []
    node = start
    while node is not None and node not in seen:
        seen.append(node)
        node = parent_of.get(node)
    return seen


def would_cycle(child: int, new_parent: int | None, parent_of: Mapping[int, int | None]) -> bool:
    """Whether putting `child` under `new_parent` would make it its own ancestor."""
    return child in ancestors(new_parent, parent_of)


@dataclass(frozen=True)
class Item:
    """One key result's part in a roll-up: its weight and its progress (0..1)."""

    weight: int
    progress: float


@dataclass
class Node:
    """One objective of the tree, after the roll-up."""

    pk: int
    parent: int | None
    progress: float | None = None
    depth: int = 0
    children: list[int] = field(default_factory=list)


def weighted_mean(items: Iterable[tuple[float, float]]) -> float | None:
    """Σ w·p / Σ w over (weight, progress) pairs; None without any."""
    total = done = 0.0
    for weight, value in items:
        total += weight
        done += weight * value
    return done / total if total else None


def roll_up(
    parent_of: Mapping[int, int | None],
    own: Mapping[int, list[Item]],
    contributed: Mapping[int, list[Item]] | None = None,
) -> dict[int, Node]:
    """Every objective's rolled-up progress (see the module's docstring). `parent_of` names every
    live objective and its parent (a parent outside it, archived for instance, counts as none);
    `own` and `contributed` hold the counted key results of each objective and those that
    contribute to it. Children are computed before their parents, iteratively, so a deep tree
    needs no recursion; a loop in old data is cut where it closes."""
    contributed = contributed or {}
    nodes = {
        pk: Node(pk=pk, parent=parent if parent in parent_of and parent != pk else None)
        for pk, parent in parent_of.items()
    }
    for node in nodes.values():
        if node.parent is not None:
            nodes[node.parent].children.append(node.pk)
    order: list[int] = []
    placed: set[int] = set()
    roots = [pk for pk, node in nodes.items() if node.parent is None]
    # Depth-first from each root; a node in a loop with no root is treated as a root.
    for start in roots + [pk for pk in nodes if pk not in roots]:
        if start in placed:
            continue
        stack = [(start, 0)]
        while stack:
            pk, depth = stack.pop()
            if pk in placed:
                continue
            placed.add(pk)
            nodes[pk].depth = depth
            order.append(pk)
            stack.extend((child, depth + 1) for child in reversed(nodes[pk].children))
    for pk in reversed(order):  # children first
        node = nodes[pk]
        items = [(item.weight, item.progress) for item in own.get(pk, [])]
        items += [(item.weight, item.progress) for item in contributed.get(pk, [])]
        items += [
            (CHILD_WEIGHT, nodes[child].progress)
            for child in node.children
            if nodes[child].progress is not None and nodes[child].depth > node.depth
        ]
        node.progress = weighted_mean(items)
    return nodes


def tree_order(nodes: Mapping[int, Node], sort_key: Mapping[int, object]) -> list[Node]:
    """The nodes depth-first, each level sorted by `sort_key` (for the alignment page)."""
    result: list[Node] = []
    roots = sorted((n for n in nodes.values() if n.parent is None), key=lambda n: sort_key[n.pk])
    stack = list(reversed(roots))
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        result.append(node)
        children = sorted((nodes[c] for c in node.children), key=lambda n: sort_key[n.pk])
        stack.extend(reversed(children))
    return result
