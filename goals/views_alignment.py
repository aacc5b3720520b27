"""Alignment (issue #22): the objective tree, moving an objective under another, and the OKRI
list's filters, paging and KPIs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from goals import kpis, policies, selectors, services
from goals.forms import OkriFilterForm
from goals.selectors import Branch
from programme.tenancy import Viewer, tenant_view


def _page_number(raw: str | None) -> int:
    try:
        return max(int(raw or 1), 1)
    except ValueError:
        return 1


def okri_listing(request: HttpRequest, viewer: Viewer, *, mine: bool) -> dict[str, object]:
    """The OKRI list's context: the filter form, one page of objectives and the KPIs of the
    narrowest group chosen. An unknown filter value is reported next to its field and left
    out; the others still apply."""
    organisation = viewer.organisation
    form = OkriFilterForm(request.GET or None, organisation=organisation)
    chosen = form.chosen() if form.is_bound else {}
    page = selectors.objectives_page(viewer, mine=mine, page=_page_number(request.GET.get("page")),
                                     **chosen)  # fmt: skip
    kind, group_id, group = kpis.scope_of(
        organisation, programme=chosen.get("programme"), wave=chosen.get("wave"),
        team=chosen.get("team"),
    )  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "objectives": page.objectives,
        "page": page,
        "filter_form": form,
        "filtered": any(value is not None for value in chosen.values()),
        "query": query.urlencode(),
        "kpis": kpis.kpi_panel(organisation, kind=kind, group_id=group_id, group=group),
    }


def _flatten(branches: list[Branch]) -> list[Branch]:
    flat: list[Branch] = []
    stack = list(reversed(branches))
    while stack:
        branch = stack.pop()
        flat.append(branch)
        stack.extend(reversed(branch.children))
    return flat


@tenant_view
@require_GET
def alignment(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    roots = selectors.alignment_tree(viewer)
    editable = [
        branch.objective for branch in _flatten(roots)
        if policies.can_edit_objective(viewer, branch.objective)
    ]  # fmt: skip
    context = {"roots": roots, "can_create": policies.can_create_objective(viewer.membership)}
    if editable:
        # One choice list for every "sits under" form on the page (the services check levels).
        context["parent_choices"] = list(selectors.parent_choices(viewer))
        for objective in editable:
            objective.can_align = True
    return render(request, "goals/alignment.html", context)


@tenant_view
@require_POST
def objective_align(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    objective = selectors.objective_get(viewer, code)
    raw = request.POST.get("parent", "").strip()
    parent = None
    if raw:
        parent = selectors.objective_by_code(viewer, raw)
        if parent is None:
            messages.error(request, _("Choose one of the objectives offered to sit under."))
            return redirect("goals-alignment", org=viewer.org)
    try:  # the service refuses (403) whoever may not edit the objective
        services.objective_parent_set(objective=objective, by=viewer.membership, parent=parent)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if parent is None:
            messages.success(request, _("“%(title)s” is now a top objective.")
                             % {"title": objective.title})  # fmt: skip
        else:
            messages.success(request, _("“%(title)s” now sits under “%(parent)s”.")
                             % {"title": objective.title, "parent": parent.title})  # fmt: skip
    return redirect("goals-alignment", org=viewer.org)
