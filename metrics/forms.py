from __future__ import annotations

import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from metrics.ingest import CsvRows, ImportRefused
from metrics.models import ImportKind
from metrics.services import QUICK_LOG_KINDS
from programme.forms import DateInput
from programme.models import Organisation, Participant


def precheck(kind: str, upload: object) -> None:
    """Refuse at once a file that cannot be parsed at all (the task does the full check)."""
    from metrics import importers

    name = Path(upload.name).name
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        path = Path(handle.name)
        try:
            if kind == ImportKind.LINKEDIN_EXPORT:
                importers.export_members(path, name)
            elif kind == ImportKind.LINKEDIN_ANALYTICS:
                import openpyxl

                try:
                    openpyxl.load_workbook(path, read_only=True).close()
                except Exception:
                    raise ImportRefused(
                        [(name, None, gettext("not an Excel workbook (.xlsx)"))]
                    ) from None
            else:
                required = (
                    importers.SSI_COLUMNS if kind == ImportKind.SSI else importers.CRM_COLUMNS
                )
                with open(path, "rb") as binary:
                    CsvRows(binary, name, required, delimiters=",;")
        except ImportRefused as refused:
            raise forms.ValidationError(
                "; ".join(
                    # Translators: a reason the uploaded file is refused, and the line it is on.
                    gettext("%(reason)s (line %(line)s)") % {"reason": reason, "line": line}
                    if line
                    else str(reason)
                    for _name, line, reason in refused.errors
                )
            ) from None
    upload.seek(0)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices, label=_("What is it?"))
    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        required=False,
        label=_("Whose file (LinkedIn files)"),
        help_text=_("Leave empty for your own."),
        empty_label=_("My own file"),
    )
    file = forms.FileField(label=_("File"))

    def __init__(
        self, *args: object, organisation: Organisation, for_others: bool, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        if for_others:
            self.fields["participant"].queryset = (
                Participant.objects.filter(
                    organisation=organisation, membership__deactivated_at__isnull=True
                )
                .select_related("membership__user")
                .order_by("membership__user__last_name")
            )
        else:
            del self.fields["participant"]
            self.fields["kind"].choices = [
                (ImportKind.LINKEDIN_EXPORT, ImportKind.LINKEDIN_EXPORT.label),
                (ImportKind.LINKEDIN_ANALYTICS, ImportKind.LINKEDIN_ANALYTICS.label),
            ]

    def clean(self) -> dict:
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        if upload is None or kind is None:
            return data
        if upload.size > settings.ACTIVITY_UPLOAD_MAX_BYTES:
            self.add_error(
                "file",
                gettext("The file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.ACTIVITY_UPLOAD_MAX_BYTES),
                },
            )
            return data
        try:
            precheck(kind, upload)
        except forms.ValidationError as error:
            self.add_error("file", error)
        return data


class QuickLogForm(forms.Form):
    what = forms.ChoiceField(
        choices=[(key, label) for key, (_kind, label) in QUICK_LOG_KINDS.items()],
        widget=forms.RadioSelect,
        label=_("What happened?"),
    )
    note = forms.CharField(max_length=500, required=False, label=_("Note (optional)"))
    key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class SsiForm(forms.Form):
    on = forms.DateField(widget=DateInput, label=_("Date"), initial=timezone.localdate)
    total = forms.DecimalField(min_value=0, max_value=100, decimal_places=2, label=_("SSI total"))
    establish_brand = forms.DecimalField(
        min_value=0, max_value=25, decimal_places=2, label=_("Establish brand")
    )
    find_people = forms.DecimalField(
        min_value=0, max_value=25, decimal_places=2, label=_("Find people")
    )
    engage_insights = forms.DecimalField(
        min_value=0, max_value=25, decimal_places=2, label=_("Engage insights")
    )
    build_relationships = forms.DecimalField(
        min_value=0, max_value=25, decimal_places=2, label=_("Build relationships")
    )

    # In metrics.selectors.SSI_PILLARS order.
    PILLAR_FIELDS = ("establish_brand", "find_people", "engage_insights", "build_relationships")

    def clean(self) -> dict:
        data = super().clean()
        pillars = [data.get(f) for f in ("establish_brand", "find_people", "engage_insights",
                                          "build_relationships")]  # fmt: skip
        if data.get("on") and data["on"] > timezone.localdate():
            self.add_error("on", gettext("The date cannot be in the future."))
        complete = None not in pillars and data.get("total") is not None
        if complete and abs(data["total"] - sum(pillars, Decimal(0))) > 1:
            self.add_error("total", gettext("The total is the sum of the four pillars."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label=_("Name"), help_text=_("Which system uses it, e.g. 'CRM sync'.")
    )
