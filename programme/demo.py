"""Demo data contributed by the other apps: `seed_demo` runs every registered seeder.

Each seeder receives the demo organisation and must be idempotent (running twice changes
nothing); `programme` imports none of the apps that register here.
"""

from __future__ import annotations

from collections.abc import Callable

from programme.models import Organisation

_seeders: list[Callable[[Organisation], None]] = []


def register_demo_seeder(seeder: Callable[[Organisation], None]) -> Callable[[Organisation], None]:
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def run_demo_seeders(organisation: Organisation) -> None:
    for seeder in _seeders:
        seeder(organisation)
