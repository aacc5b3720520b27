"""Reads for "My data": what each app keeps about a person, their downloads, the erasures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from programme.models import DataExport, ErasureRecord, Membership, Organisation
from programme.privacy import DataGroup, providers

__all__ = [
    "AppData",
    "data_export_latest",
    "data_export_of_owner",
    "data_of",
    "erasable_members",
    "erasure_records",
    "export_usable",
]


@dataclass
class AppData:
    label: object
    groups: list[DataGroup]
    not_kept: tuple[object, ...]


def data_of(membership: Membership) -> list[AppData]:
    """What every app keeps about `membership`, in plain words, app by app."""
    return [
        AppData(provider.label, provider.describe(membership), provider.not_kept)
        for provider in providers()
    ]


def data_export_latest(membership: Membership) -> DataExport | None:
    return DataExport.objects.filter(membership=membership).order_by("-created_at").first()


def data_export_of_owner(membership: Membership, code: str) -> DataExport:
    """The owner's own export, ready and not expired; 404 for anyone else's, as for none."""
    export = DataExport.objects.filter(
        membership=membership, code=code, status=DataExport.Status.DONE
    ).first()
    if export is None:
        raise Http404("No such download")
    return export


def export_usable(export: DataExport) -> bool:
    """Its link still works: the file is there and has not expired."""
    expires_at = export.expires_at
    return bool(export.file) and expires_at is not None and expires_at > timezone.now()


def erasable_members(organisation: Organisation, by: Membership) -> QuerySet[Membership]:
    """Whom an admin may erase on request: anyone of the organisation but themselves."""
    return (
        Membership.objects.filter(organisation=organisation)
        .exclude(pk=by.pk)
        .select_related("user", "participant__team")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def erasure_records(organisation: Organisation) -> QuerySet[ErasureRecord]:
    return ErasureRecord.objects.filter(organisation=organisation).select_related("erased_by__user")
