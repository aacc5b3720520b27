"""My data: what Snowball keeps about me, download it, erase me; and an admin's erasure on a
written request."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programme import policies, selectors, services
from programme.models import DataExport, Membership, User
from programme.tenancy import Viewer, tenant_view
from programme.widgets import PersonChoiceField

KEEP, DELETE = "keep", "delete"


class _ContributionsForm(forms.Form):
    contributions = forms.ChoiceField(
        label=_("Your case studies and comments"),
        choices=[
            (DELETE, _("Delete them, with the others' comments and reactions on my cases")),
            (KEEP, _("Leave them to the others, without my name")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens to your case studies and comments.")},
    )


class ErasureForm(_ContributionsForm):
    # Typing one's own address, not ticking a box: erasure cannot be undone, and nothing that
    # submits forms blindly (a stray click, a script) can do it.
    confirm = forms.CharField(
        label=_("To confirm, type your e-mail address"),
        max_length=254,
        help_text=_("Erasure cannot be undone."),
        error_messages={"required": _("Type your e-mail address to confirm the erasure.")},
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip()
        if typed.casefold() != self.email.casefold():
            raise ValidationError(
                _("That is not your e-mail address: type it exactly to confirm the erasure.")
            )
        return typed


class RequestErasureForm(_ContributionsForm):
    field_order = ["request_note", "contributions", "confirm"]
    confirm = forms.BooleanField(
        label=_("I have checked the request comes from this person. Erasure cannot be undone."),
        error_messages={"required": _("Tick the box to confirm: erasure cannot be undone.")},
    )
    request_note = forms.CharField(
        label=_("Which written request"),
        max_length=300,
        help_text=_(
            "The request's date, channel or ticket number, e.g. “letter of 3 March, ticket "
            "4711”. Not the person's name or e-mail: this record outlives them."
        ),
        error_messages={"required": _("Say which written request this erasure answers.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contributions"].label = _("Their case studies and comments")
        self.fields["contributions"].choices = [
            (DELETE, _("Delete them, as the request asks")),
            (KEEP, _("Leave them to the others, without their name")),
        ]


class PersonForm(forms.Form):
    person = PersonChoiceField(
        queryset=Membership.objects.none(),
        label=_("Person"),
        error_messages={"required": _("Choose the person whose written request it is.")},
    )

    def __init__(self, *args: object, members, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members


def _export_context(viewer: Viewer) -> dict[str, object]:
    export = selectors.data_export_latest(viewer.membership)
    return {
        "export": export,
        "export_usable": export is not None and selectors.export_usable(export),
        "in_progress": export is not None
        and export.status in (DataExport.Status.QUEUED, DataExport.Status.RUNNING),
    }


@tenant_view(policy=policies.can_see_own_data)
@require_GET
def my_data(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """What Snowball keeps about me, app by app; the download's progress (polled by htmx)."""
    context = _export_context(viewer)
    if request.htmx:
        return render(request, "programme/my_data.html#export-status", context)
    context["apps"] = selectors.data_of(viewer.membership)
    context["can_erase_on_request"] = policies.can_erase_on_request(viewer.membership)
    return render(request, "programme/my_data.html", context)


@tenant_view(policy=policies.can_see_own_data)
@require_POST
def my_data_export(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    services.data_export_request(by=viewer.membership)
    messages.info(request, gettext("Your download is being prepared: it appears below."))
    return redirect(reverse("programme-my-data", args=[viewer.org]) + "#download")


@tenant_view(policy=policies.can_see_own_data)
@require_GET
def my_data_download(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    export = selectors.data_export_of_owner(viewer.membership, code)
    if not selectors.export_usable(export):
        context = {"expired": True, **_export_context(viewer)}
        return render(request, "programme/my_data_expired.html", context, status=410)
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"snowball-my-data-{viewer.org}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_view(policy=policies.can_see_own_data)
@require_http_methods(["GET", "POST"])
def my_data_erase(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = ErasureForm(request.POST if request.method == "POST" else None, email=viewer.user.email)
    context = {"form": form, "apps": selectors.data_of(viewer.membership)}
    if request.method == "GET":
        return render(request, "programme/my_data_erase.html", context)
    if not form.is_valid():
        return render(request, "programme/my_data_erase.html", context, status=400)
    user_id = viewer.user.pk
    record = services.person_erase(
        by=viewer.membership,
        membership=viewer.membership,
        keep_contributions=form.cleaned_data["contributions"] == KEEP,
    )
    done = gettext(
        "Your data in %(organisation)s is erased. Reference of the erasure: %(reference)s."
    ) % {"organisation": viewer.organisation.name, "reference": record.reference}
    if not User.objects.filter(pk=user_id).exists():
        logout(request)
        messages.success(request, done)
        return redirect("account_login")
    messages.success(request, done)
    return redirect("home")


@tenant_view(policy=policies.can_erase_on_request)
@require_http_methods(["GET", "POST"])
def erasure_requests(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """An admin erases a person on their written request: choose them, see what goes, say
    which request, confirm. The record of erasures below names nobody."""
    members = selectors.erasable_members(viewer.organisation, viewer.membership)
    source = request.POST if request.method == "POST" else request.GET
    chooser = PersonForm(source if "person" in source else None, members=members)
    context: dict[str, object] = {
        "chooser": chooser,
        "records": selectors.erasure_records(viewer.organisation),
    }
    if not chooser.is_bound or not chooser.is_valid():
        status = 400 if chooser.is_bound else 200
        return render(request, "programme/my_data_requests.html", context, status=status)
    target = chooser.cleaned_data["person"]
    form = RequestErasureForm(request.POST if request.method == "POST" else None)
    context.update(
        target=target, form=form, apps=selectors.data_of(target), name=_person_name(target)
    )
    if request.method == "GET":
        return render(request, "programme/my_data_requests.html", context)
    if form.is_valid():
        try:
            record = services.person_erase(
                by=viewer.membership,
                membership=target,
                keep_contributions=form.cleaned_data["contributions"] == KEEP,
                request_note=form.cleaned_data["request_note"],
            )
        except ValidationError as error:
            form.add_error("request_note", error)
        else:
            messages.success(
                request,
                gettext("Erased. Quote the reference %(reference)s in your reply to the request.")
                % {"reference": record.reference},
            )
            return redirect("programme-erasure-requests", org=viewer.org)
    return render(request, "programme/my_data_requests.html", context, status=400)


def _person_name(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.email
