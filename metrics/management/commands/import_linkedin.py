from __future__ import annotations

from metrics.management.commands._importing import ImportCommand
from metrics.models import ImportKind


class Command(ImportCommand):
    help = "Import a file as the web page does, and print the same summary."
    kind = ImportKind.LINKEDIN_EXPORT
    needs_person = True
