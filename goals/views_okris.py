"""OKRIs: objectives, key results (indicator-linked or checked in by hand), initiatives."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals import policies, selectors, services
from goals.forms import (
    CheckInForm,
    InitiativeForm,
    InitiativeStatusForm,
    KeyResultForm,
    ObjectiveForm,
)
from goals.models import Objective
from goals.views_alignment import okri_listing
from goals.views_periods import period_actions
from programme.models import Membership
from programme.tenancy import Viewer, tenant_view


def _owner(membership: Membership, form: Form) -> Membership | None:
    """The person chosen in the form's picker (scoped to the organisation by its queryset),
    or the member themself when they left "Me"."""
    return form.cleaned_data.get("owner") or membership


@tenant_view
@require_GET
def okri_list(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    mine = request.GET.get("mine") == "1"
    sponsor = policies.can_confirm_revenue(membership)
    listing = okri_listing(request, viewer, mine=mine)  # filters, paging, KPIs: views_alignment
    context = {
        **listing,
        "evaluations": selectors.closed_periods_of(viewer),
        "mine": mine,
        "can_create": policies.can_create_objective(membership),
        "awaiting": selectors.revenue_awaiting(viewer) if sponsor else [],
        "revenue_warning": services.REVENUE_WARNING,
    }
    return render(request, "goals/okris.html", context)


@tenant_view(policy=policies.can_create_objective)
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    form = ObjectiveForm(request.POST or None, organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        owner = _owner(membership, form)
        if owner is not None:
            data = form.cleaned_data
            try:
                objective = services.objective_create(
                    by=membership, programme=data["programme"], scope=data["scope"],
                    wave=data["wave"], team=data["team"], title=data["title"], owner=owner,
                    starts_on=data["starts_on"], ends_on=data["ends_on"],
                    parent=data.get("parent"),
                )  # fmt: skip
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, "; ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, _("Objective set. Now add its key results."))
                return redirect("goals-objective-detail", org=viewer.org, code=objective.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "goals/objective_form.html", {"form": form}, status=status)


def _detail(request: HttpRequest, viewer: Viewer, objective: Objective,
            status: int = 200, **forms: Form) -> HttpResponse:  # fmt: skip
    membership = viewer.membership
    can_edit = policies.can_edit_objective(viewer, objective)
    for initiative in objective.initiatives.all():
        initiative.can_update = (
            objective.archived_at is None and objective.closed is None
            and policies.can_update_initiative(membership, initiative.owner_id, can_edit)
        )  # fmt: skip
    for key_result in objective.key_results.all():
        key_result.form = forms.get(f"check_in_{key_result.pk}") or CheckInForm(
            prefix=str(key_result.code)
        )
    context = {
        "objective": objective,
        "can_edit": can_edit and objective.archived_at is None and objective.closed is None,
        "can_archive": can_edit and objective.archived_at is None,
        **period_actions(viewer, objective),
        "can_confirm": policies.can_confirm_revenue(membership),
        "key_result_form": forms.get("key_result")
        or KeyResultForm(auto_id="kr_%s", objective=objective),
        "initiative_form": forms.get("initiative")
        or InitiativeForm(organisation=membership.organisation, auto_id="initiative_%s"),
        "statuses": InitiativeStatusForm.base_fields["status"].choices,
        "revenue_warning": services.REVENUE_WARNING,
    }
    return render(request, "goals/objective_detail.html", context, status=status)


@tenant_view
@require_GET
def objective_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    objective = selectors.objective_get(viewer, code, history=True)
    return _detail(request, viewer, selectors.objective_rolled_up(viewer, objective))


def _editable(viewer: Viewer, objective: Objective) -> None:
    """Forms on an objective are refused before they are read: a 403, not the form's errors."""
    if not policies.can_edit_objective(viewer, objective):
        raise PermissionDenied


@tenant_view
@require_POST
def objective_archive(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    objective = selectors.objective_get(viewer, code)
    try:  # the service refuses (403) whoever may not edit the objective
        services.objective_archive(objective=objective, by=viewer.membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("“%(title)s” is archived.") % {"title": objective.title})
    return redirect("goals-okris", org=viewer.org)


@tenant_view
@require_POST
def key_result_create(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    objective = selectors.objective_get(viewer, code)
    _editable(viewer, objective)
    form = KeyResultForm(request.POST, auto_id="kr_%s", objective=objective)
    if form.is_valid():
        try:
            key_result = services.key_result_add(objective=objective, by=membership,
                                                 **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if key_result.needs_sponsor:
                messages.warning(
                    request,
                    # Translators: warning is the whole paragraph on revenue in the first phase.
                    _("%(warning)s The sponsor is asked.") % {"warning": services.REVENUE_WARNING},
                )
            elif services.already_met(key_result):
                messages.info(request, _(
                    "Added. Its baseline (%(baseline)s) already meets the target, so it counts "
                    "as met while it stays there, and as off track if it slips."
                ) % {"baseline": f"{key_result.baseline:g}"})  # fmt: skip
            else:
                messages.success(
                    request,
                    _("Added, with a baseline of %(baseline)s.")
                    % {"baseline": f"{key_result.baseline:g}"},
                )
            return redirect("goals-objective-detail", org=viewer.org, code=code)
    objective = selectors.objective_get(viewer, code, history=True)
    return _detail(request, viewer, objective, status=400, key_result=form)


@tenant_view
@require_POST
def initiative_create(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    objective = selectors.objective_get(viewer, code)
    _editable(viewer, objective)
    form = InitiativeForm(
        request.POST, organisation=membership.organisation, auto_id="initiative_%s"
    )
    if form.is_valid() and (owner := _owner(membership, form)) is not None:
        try:
            services.initiative_add(objective=objective, by=membership, owner=owner,
                                    title=form.cleaned_data["title"],
                                    due_on=form.cleaned_data["due_on"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Initiative added."))
            return redirect("goals-objective-detail", org=viewer.org, code=code)
    objective = selectors.objective_get(viewer, code, history=True)
    return _detail(request, viewer, objective, status=400, initiative=form)


@tenant_view
@require_POST
def key_result_check_in(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    key_result = selectors.key_result_get(viewer, code)
    objective = key_result.objective
    _editable(viewer, objective)
    form = CheckInForm(request.POST, prefix=str(key_result.code))
    if form.is_valid():
        try:
            services.check_in(key_result=key_result, by=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Checked in."))
            return redirect("goals-objective-detail", org=viewer.org, code=objective.code)
    objective = selectors.objective_get(viewer, objective.code, history=True)
    forms = {f"check_in_{key_result.pk}": form}
    return _detail(request, viewer, objective, status=400, **forms)


@tenant_view
@require_POST
def key_result_confirm(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    key_result = selectors.key_result_get(viewer, code)
    try:  # the service refuses (403) whoever is not a sponsor
        services.key_result_confirm(key_result=key_result, by=viewer.membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Confirmed: it counts toward the objective's progress."))
    return redirect("goals-objective-detail", org=viewer.org, code=key_result.objective.code)


@tenant_view
@require_POST
def key_result_remove(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    key_result = selectors.key_result_get(viewer, code)
    try:
        services.key_result_remove(key_result=key_result, by=viewer.membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("“%(title)s” is removed.") % {"title": key_result.title})
    return redirect("goals-objective-detail", org=viewer.org, code=key_result.objective.code)


@tenant_view
@require_POST
def initiative_status(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    initiative = selectors.initiative_get(viewer, code)
    form = InitiativeStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses offered."))
    else:
        try:
            services.initiative_status_set(initiative=initiative, by=viewer.membership,
                                           status=form.cleaned_data["status"])  # fmt: skip
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Status updated."))
    return redirect("goals-objective-detail", org=viewer.org, code=initiative.objective.code)
