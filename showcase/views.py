"""The showcase: feed, search, case pages, writing, reactions, comments, moderation.

Each view finds its object through a selector that takes the viewer (404 outside what they may
read) and calls one service, which decides whether this member may do it (403). Views ask the
policies only what to show."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programme.tenancy import Viewer, tenant_view
from showcase import fragments, policies, selectors, services
from showcase.forms import CaseForm, CommentForm, FeedFilterForm, ReasonForm, is_linkedin_post
from showcase.languages import author_language
from showcase.models import CaseComment


@tenant_view
@require_GET
def case_feed(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = FeedFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.feed_page(selectors.feed(viewer, filters), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_author": policies.can_author_case(viewer.membership, viewer.participant is not None),
    }
    context["cards_key"] = fragments.feed_cards_key(
        page, viewer.org, page.number, page.has_next, context["query"], context["can_author"],
        form.has_changed(),
    )  # fmt: skip
    if request.htmx and request.GET.get("page"):
        return render(request, "showcase/feed.html#cards", context)
    return render(request, "showcase/feed.html", context)


@tenant_view
@require_GET
def case_search(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    words = request.GET.get("q", "").strip()[:200]
    results = selectors.search(viewer, words) if words else []
    context = {"words": words, "results": results}
    if request.htmx:
        return render(request, "showcase/search.html#results", context)
    return render(request, "showcase/search.html", context)


@tenant_view
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    if not policies.can_author_case(viewer.membership, viewer.participant is not None):
        raise PermissionDenied  # the form is not shown to those who may not write
    return _case_form(request, viewer, None)


@tenant_view
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    case = selectors.case_get(viewer, code)
    if not policies.can_edit_case(viewer.membership, case):
        raise PermissionDenied  # the form is not shown to those who may not write
    return _case_form(request, viewer, case)


def _case_form(request: HttpRequest, viewer: Viewer, case) -> HttpResponse:
    form = CaseForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=case,
        initial=None if case else {"language": author_language(viewer.membership)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.case_save(author=viewer.participant, data=form.cleaned_data, case=case)
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "visibility", error)
        else:
            messages.success(request, gettext("Published. Thank you for sharing.") if case is None
                             else gettext("Saved."))  # fmt: skip
            return redirect("showcase-case-detail", org=viewer.org, code=saved.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "showcase/case_form.html", {"form": form, "case": case}, status=status)


@tenant_view
@require_GET
def case_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    case = selectors.case_get(viewer, code)
    return render(request, "showcase/case_detail.html", _detail_context(viewer, case))


def _detail_context(viewer: Viewer, case, comment_form: CommentForm | None = None) -> dict:
    membership = viewer.membership
    comments = list(case.comments.all())
    children: dict[int | None, list[CaseComment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    threads = [(c, children.get(c.pk, [])) for c in children.get(None, [])]
    return {
        "case": case,
        "links": [(url, is_linkedin_post(url)) for url in case.link_list],
        "reactions": selectors.reaction_summary(case, viewer),
        "threads": threads,
        "comment_form": comment_form or CommentForm(),
        "can_edit": policies.can_edit_case(membership, case),
        "can_moderate": policies.can_moderate(membership),
        "can_feature": policies.can_feature(membership),
        "can_answer_feature": policies.can_answer_feature_request(membership, case),
    }


@tenant_view
@require_POST
def case_delete(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    case = selectors.case_get(viewer, code)
    services.case_delete(case=case, by=viewer.membership)
    messages.success(request, gettext("Deleted."))
    return redirect("showcase-case-feed", org=viewer.org)


@tenant_view
@require_POST
def case_react(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    case = selectors.case_get(viewer, code)
    try:
        services.reaction_toggle(case=case, by=viewer.membership, kind=request.POST.get("kind", ""))
    except ValidationError:
        return HttpResponse("Unknown reaction.", status=400)
    if request.htmx:
        context = {"case": case, "reactions": selectors.reaction_summary(case, viewer)}
        return render(request, "showcase/case_detail.html#reactions", context)
    return redirect("showcase-case-detail", org=viewer.org, code=code)


@tenant_view
@require_POST
def case_comment(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    case = selectors.case_get(viewer, code)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = case.comments.filter(code=form.cleaned_data["parent"]).first()
        try:
            services.comment_add(
                case=case, by=viewer.membership, body=form.cleaned_data["body"], parent=parent
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            return redirect("showcase-case-detail", org=viewer.org, code=code)
    context = _detail_context(viewer, case, comment_form=form)
    return render(request, "showcase/case_detail.html", context, status=400)


def _reason(request: HttpRequest) -> str:
    """The reason a moderator gave ("" if none or too long: the service then says why)."""
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


_SAY_WHY = _("Say why: the author reads the reason.")
_HIDDEN = _("Hidden. The author sees why.")


@tenant_view
@require_POST
def case_hide(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    case = selectors.case_get(viewer, code)
    try:
        services.case_hide(case=case, by=viewer.membership, reason=_reason(request))
    except ValidationError:
        messages.error(request, _SAY_WHY)
    else:
        messages.success(request, _HIDDEN)
    return redirect("showcase-case-detail", org=viewer.org, code=code)


@tenant_view
@require_POST
def case_unhide(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    case = selectors.case_get(viewer, code)
    services.case_unhide(case=case, by=viewer.membership)
    return redirect("showcase-case-detail", org=viewer.org, code=code)


@tenant_view
@require_POST
def comment_hide(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    comment = selectors.comment_get(viewer, code)
    try:
        services.comment_hide(comment=comment, by=viewer.membership, reason=_reason(request))
    except ValidationError:
        messages.error(request, _SAY_WHY)
    else:
        messages.success(request, _HIDDEN)
    return redirect("showcase-case-detail", org=viewer.org, code=comment.case.code)


@tenant_view
@require_POST
def case_report(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    case = selectors.case_get(viewer, code)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say what is wrong with it."))
    elif services.case_report(case=case, by=viewer.membership, reason=form.cleaned_data["reason"]):
        messages.success(request, gettext("Reported to the programme team. Thank you."))
    else:
        messages.info(request, gettext("You reported it already."))
    return redirect("showcase-case-detail", org=viewer.org, code=code)


@tenant_view
@require_GET
def case_image(request: HttpRequest, viewer: Viewer, code: str) -> FileResponse:
    """Images are served only to those who may read their case (never from a public URL)."""
    image = selectors.image_get(viewer, code)
    response = FileResponse(image.file.open("rb"), content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@tenant_view
@require_POST
def case_image_delete(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    image = selectors.image_get(viewer, code)
    services.image_delete(image=image, by=viewer.membership)
    return redirect("showcase-case-edit", org=viewer.org, code=image.case.code)


@tenant_view
@require_POST
def case_feature(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Take a case off the home page, feature it (author agreed already), or ask its author."""
    membership = viewer.membership
    case = selectors.case_get(viewer, code)
    try:
        if request.POST.get("off"):
            services.case_unfeature(case=case, by=membership)
            messages.success(request, gettext("Taken off the home page; the author is told."))
        elif case.feature_consent:
            services.case_feature(case=case, by=membership)
            messages.success(request, gettext("Featured on the home page; the author is told."))
        else:
            services.case_feature_request(case=case, by=membership)
            messages.success(
                request,
                gettext(
                    "The author is asked. The case goes on the home page only if they say yes."
                ),
            )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("showcase-case-detail", org=viewer.org, code=code)


@tenant_view
@require_POST
def case_feature_answer(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """The author's yes or no to featuring their case."""
    case = selectors.case_get(viewer, code)
    answer = request.POST.get("answer")
    try:
        services.case_feature_answer(
            case=case, by=viewer.membership, yes={"yes": True, "no": False}.get(answer)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if answer == "yes":
            messages.success(
                request,
                gettext(
                    "Thank you: your case is on the home page. Untick the box on its edit form "
                    "to take it off at any time."
                ),
            )
        else:
            messages.success(request, gettext("Understood: your case stays off the home page."))
    return redirect("showcase-case-detail", org=viewer.org, code=code)
