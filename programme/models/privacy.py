"""A person's own data: the exports they ask for, and the record that someone was erased."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from programme.models.core import Membership, Organisation, TimeStamped


def export_upload_path(instance: DataExport, filename: str) -> str:
    # A random name: the path says nothing about whose data is inside.
    return f"privacy/{instance.organisation_id}/{uuid.uuid4().hex}.zip"


class DataExport(TimeStamped):
    """One "Download my data" request: built by a Celery task, downloadable by its owner only
    until it expires, then its file is deleted (beat)."""

    class Status(models.TextChoices):
        # Translators: the status of a person's "Download my data" file.
        QUEUED = "queued", pgettext_lazy("data export status", "Queued")
        RUNNING = "running", pgettext_lazy("data export status", "Being prepared")
        DONE = "done", pgettext_lazy("data export status", "Ready")
        FAILED = "failed", pgettext_lazy("data export status", "Failed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.FileField(upload_to=export_upload_path, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="data_export_progress_percent"
            ),
        ]
        indexes = [
            # The prune task: "exports whose link has expired and still hold a file".
            models.Index(
                fields=["expires_at"],
                condition=~models.Q(file=""),
                name="data_export_to_prune_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"data export {self.code} ({self.status})"


class ErasureRecord(models.Model):
    """That a person's data was erased, and nothing about who they were: a random reference
    (given to the person, or quoted in the reply to their written request), the day, whether
    they asked themselves or an admin acted on a written request, and how many rows went."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    on_request = models.BooleanField(default=False)  # an admin acted on a written request
    erased_by = models.ForeignKey(  # the admin; never the erased person
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_note = models.CharField(max_length=300, blank=True)
    kept_contributions = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)  # {"what": how many}, no ids
    erased_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-erased_on", "-id"]

    def __str__(self) -> str:
        return f"erasure {self.reference}"


__all__ = ["DataExport", "ErasureRecord"]
