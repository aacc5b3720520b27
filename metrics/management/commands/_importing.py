"""Shared by the import commands: resolve the organisation and person, run, print the summary."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metrics.ingest import ImportRefused
from metrics.services import run_importer
from programme.models import Organisation, Participant


class ImportCommand(BaseCommand):
    kind = ""
    needs_person = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        if self.needs_person:
            parser.add_argument("--email", required=True, help="the seller whose file it is")
        parser.add_argument("path")

    def handle(self, *args: object, **options: object) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation '{options['org']}'.")
        path = Path(str(options["path"]))
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        participant = None
        if self.needs_person:
            participant = (
                Participant.objects.filter(
                    organisation=organisation, membership__user__email=str(options["email"]).lower()
                )
                .select_related("membership__user")
                .first()
            )
            if participant is None:
                raise CommandError(f"Nobody in {organisation} has the e-mail {options['email']}.")
        try:
            summary = run_importer(
                kind=self.kind, organisation=organisation, participant=participant, path=path,
                filename=path.name,
            )  # fmt: skip
        except ImportRefused as refused:
            raise CommandError(
                "Refused, nothing written: " + "; ".join(f"{f}: {r}" for f, _, r in refused.errors)
            ) from None
        self.stdout.write(summary.text())
        if summary.errors:
            raise CommandError("The file has errors: nothing was written.")
