"""Closing a period: close and grade an objective, copy it forward to the next period, and the
period's read-only evaluation (issue #22)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from goals import policies, selectors, services
from goals.forms import CloseObjectiveForm, CopyForwardForm
from goals.models import Objective
from goals.models.okris import closure_of
from programme.tenancy import Viewer, tenant_view


def _errors(error: ValidationError) -> str:
    return "; ".join(getattr(error, "messages", [str(error)]))


@tenant_view
@require_http_methods(["GET", "POST"])
def objective_close(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    objective = selectors.objective_get(viewer, code)
    ended = timezone.localdate() >= objective.ends_on
    if not policies.can_close_objective(viewer, objective, ended=ended):
        raise PermissionDenied
    if closure_of(objective) is not None or objective.archived_at is not None:
        messages.info(request, _("This objective is already closed.") if objective.closed
                      else _("This objective is archived."))  # fmt: skip
        return redirect("goals-objective-detail", org=viewer.org, code=code)
    key_results = list(objective.key_results.all())
    prefill = {kr.pk: services.grade_prefill(kr) for kr in key_results}
    form = CloseObjectiveForm(request.POST or None, key_results=key_results, prefill=prefill)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_close(objective=objective, by=viewer.membership,
                                     grades=form.grades(),
                                     lessons=form.cleaned_data["lessons"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Closed and graded: the objective is now read-only."))
            return redirect("goals-objective-detail", org=viewer.org, code=code)
    status = 400 if request.method == "POST" else 200
    context = {"objective": objective, "form": form}
    return render(request, "goals/close_objective.html", context, status=status)


@tenant_view
@require_http_methods(["GET", "POST"])
def objective_copy_forward(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    objective = selectors.objective_get(viewer, code)
    if not policies.can_copy_objective(viewer, objective):
        raise PermissionDenied
    closure = closure_of(objective)
    if closure is None or closure.copied_to_id is not None:
        messages.info(
            request,
            _("Close and grade the objective before copying it forward.")
            if closure is None
            else _("This objective was already copied forward."),
        )
        return redirect("goals-objective-detail", org=viewer.org, code=code)  # fmt: skip
    starts_on, ends_on = services.next_period(objective)
    form = CopyForwardForm(request.POST or None,
                           initial={"starts_on": starts_on, "ends_on": ends_on})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.objective_copy_forward(
                objective=objective, by=viewer.membership,
                starts_on=form.cleaned_data["starts_on"], ends_on=form.cleaned_data["ends_on"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Copied forward, with baselines where this period "
                                        "ended. Check the targets."))  # fmt: skip
            return redirect("goals-objective-detail", org=viewer.org, code=copy.code)
    status = 400 if request.method == "POST" else 200
    context = {"objective": objective, "form": form}
    return render(request, "goals/copy_forward.html", context, status=status)


@tenant_view
@require_GET
def evaluation(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    programme = selectors.programme_get(viewer, code)
    context = selectors.evaluation(viewer, programme, request.GET.get("period") or None)
    return render(request, "goals/evaluation.html", context)


def period_actions(viewer: Viewer, objective: Objective) -> dict[str, bool]:
    """What the objective's page offers about its period: close and grade, copy forward."""
    closure, live = closure_of(objective), objective.archived_at is None
    ended = timezone.localdate() >= objective.ends_on
    return {
        "can_close": live and closure is None
        and policies.can_close_objective(viewer, objective, ended=ended),
        "can_copy": live and closure is not None and closure.copied_to_id is None
        and policies.can_copy_objective(viewer, objective),
    }  # fmt: skip
