"""What other apps run after each rollup (e.g. milestone detection), registered at start-up so
`metrics` imports none of them."""

from __future__ import annotations

from collections.abc import Callable

_after_rollup: list[Callable[[int], object]] = []


def register_after_rollup(hook: Callable[[int], object]) -> Callable[[int], object]:
    if hook not in _after_rollup:
        _after_rollup.append(hook)
    return hook


def run_after_rollup(organisation_id: int) -> None:
    for hook in _after_rollup:
        hook(organisation_id)
