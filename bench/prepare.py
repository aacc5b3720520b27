"""What every benchmark needs before it measures: Django set up on a migrated database.

A fresh clone has an empty embedded database (`make bench` may be the first command run), so
each benchmark migrates first; on a migrated database this is a no-op costing well under a
second.
"""

from __future__ import annotations

import django
from django.core.management import call_command


def django_ready() -> None:
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
