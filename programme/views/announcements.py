"""Announcements in the sponsor's voice, their reach, and questions under them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from programme import policies, selectors, services
from programme.forms import AnnouncementForm, AnswerForm, QuestionForm
from programme.models import Announcement, Audience
from programme.pages import render_form_page
from programme.tenancy import Viewer, tenant_view


@tenant_view
@require_GET
def announcement_list(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    announcements = selectors.announcements_visible_to(membership)
    context = {
        "announcements": announcements,
        # Where "New announcement" leads: one button per programme, since a draft belongs to one.
        "programmes": selectors.programmes_for(membership.organisation)
        if policies.can_draft_announcement(membership)
        else [],
        "can_publish": policies.can_publish_announcement(membership),
    }
    return render(request, "programme/announcement_list.html", context)


def _announcement_form_data(form: AnnouncementForm) -> dict[str, object]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "body": data["body"],
        "audience": data["audience"],
        "waves": data["waves"],
        "teams": data["teams"],
    }


@tenant_view
@require_http_methods(["GET", "POST"])
def announcement_create(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    if not policies.can_draft_announcement(membership):
        raise PermissionDenied
    form = AnnouncementForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        announcement = services.announcement_save(
            programme=programme, author=membership, **_announcement_form_data(form)
        )
        messages.success(
            request,
            _("Draft saved. Publish it below.")
            if policies.can_publish_announcement(membership)
            else _("Draft saved. The sponsor will read it and publish it in their name."),
        )
        return redirect("programme-announcement-detail", org=viewer.org, code=announcement.code)
    context = {"programme": programme, "form": form, "announcement": None}
    return render_form_page(request, "programme/announcement_form.html", context, form)


@tenant_view
@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    announcement = selectors.announcement_get_for(membership, code)
    if not policies.can_draft_announcement(membership):
        raise PermissionDenied
    if announcement.status != Announcement.Status.DRAFT:
        messages.error(request, _("A published announcement can no longer be changed."))
        return redirect("programme-announcement-detail", org=viewer.org, code=code)
    initial = {
        "title": announcement.title,
        "body": announcement.body,
        "audience": announcement.audience,
        "waves": list(announcement.audience_waves.all()),
        "teams": list(announcement.audience_teams.all()),
    }
    form = AnnouncementForm(request.POST or None, programme=announcement.programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.announcement_save(
            programme=announcement.programme,
            author=membership,
            announcement=announcement,
            **_announcement_form_data(form),
        )
        messages.success(request, _("Draft saved."))
        return redirect("programme-announcement-detail", org=viewer.org, code=code)
    context = {"programme": announcement.programme, "form": form, "announcement": announcement}
    return render_form_page(request, "programme/announcement_form.html", context, form)


def _detail_context(membership, announcement, recipient, question_form) -> dict:
    return {
        "announcement": announcement,
        "recipient": recipient,
        "questions": selectors.questions_for(announcement),
        "question_form": question_form,
        "is_draft": announcement.status == Announcement.Status.DRAFT,
        "can_edit": policies.can_draft_announcement(membership),
        "can_publish": policies.can_publish_announcement(membership),
        "can_view_reach": policies.can_view_all_announcements(membership),
        "can_answer": policies.can_answer_question(membership),
        "audience_waves": announcement.audience_waves.all(),
        "audience_teams": announcement.audience_teams.all(),
    }


@tenant_view
@require_GET
def announcement_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    announcement = selectors.announcement_get_for(membership, code)
    recipient = selectors.recipient_for(announcement, membership)
    if recipient is not None:
        services.announcement_mark_opened(recipient=recipient, by=membership)
    context = _detail_context(membership, announcement, recipient, QuestionForm())
    return render(request, "programme/announcement_detail.html", context)


def _strong_names(announcement: Announcement) -> SafeString:
    """The chosen waves or teams, each in bold, as one value for a whole translated sentence."""
    if announcement.audience == Audience.WAVES:
        chosen = announcement.audience_waves.all()
    else:
        chosen = announcement.audience_teams.all()
    return format_html_join(", ", "<strong>{}</strong>", ((str(item),) for item in chosen))


@tenant_view
@require_http_methods(["GET", "POST"])
def announcement_publish(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Publishing reaches everyone at once and cannot be undone, so it takes two steps: this
    page (or, with htmx, its fragment under the draft) says how many people and which waves or
    teams will receive it; only the POST of its "confirm" button publishes."""
    membership = viewer.membership
    announcement = selectors.announcement_get_for(membership, code)
    if not policies.can_publish_announcement(membership):
        raise PermissionDenied
    if announcement.status != Announcement.Status.DRAFT:
        messages.info(request, _("This announcement is already published."))
        return redirect("programme-announcement-detail", org=viewer.org, code=code)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        context = {
            "announcement": announcement,
            "size": services.announcement_audience_size(
                announcement=announcement, publisher=membership
            ),
            "audience_names": _strong_names(announcement),
        }
        template = "programme/announcement_publish.html"
        if request.htmx:
            template += "#publish-confirm"
        return render(request, template, context)
    try:
        size = services.announcement_publish(announcement=announcement, publisher=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programme-announcement-detail", org=viewer.org, code=code)
    messages.success(
        request,
        ngettext(
            "Published in your name to %(count)d person.",
            "Published in your name to %(count)d people.",
            size,
        )
        % {"count": size},
    )
    response = redirect("programme-announcement-reach", org=viewer.org, code=code)
    if request.htmx:
        # A redirect answered to htmx would be swapped into the draft; the whole page moves.
        return HttpResponseClientRedirect(response["Location"])
    return response


@tenant_view
@require_POST
def announcement_acknowledge(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    announcement = selectors.announcement_get_for(membership, code)
    recipient = selectors.recipient_for(announcement, membership)
    if recipient is None:
        messages.info(request, _("This announcement was not addressed to you: nothing to confirm."))
    elif services.announcement_acknowledge(recipient=recipient, by=membership):
        messages.success(request, _("Thank you: the sponsor can see that you have read it."))
    return redirect("programme-announcement-detail", org=viewer.org, code=code)


@tenant_view(policy=policies.can_view_all_announcements)
@require_GET
def announcement_reach(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    announcement = selectors.announcement_get_for(membership, code)
    context = {
        "announcement": announcement,
        "reach": selectors.announcement_reach(announcement),
        "can_remind": policies.can_remind_announcement(membership)
        and announcement.status == Announcement.Status.PUBLISHED,
    }
    return render(request, "programme/announcement_reach.html", context)


@tenant_view
@require_POST
def announcement_remind(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    announcement = selectors.announcement_get_for(membership, code)
    if not policies.can_remind_announcement(membership):
        raise PermissionDenied
    try:
        count = services.announcement_remind(announcement=announcement, by=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "A reminder is going to the %(count)d person who has not confirmed yet.",
                "A reminder is going to the %(count)d who have not confirmed yet.",
                count,
            )
            % {"count": count},
        )
    return redirect("programme-announcement-reach", org=viewer.org, code=code)


@tenant_view
@require_POST
def question_ask(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    announcement = selectors.announcement_get_for(membership, code)
    if not policies.can_ask_question(membership, announcement):
        raise PermissionDenied  # no question form under a draft
    form = QuestionForm(request.POST)
    if not form.is_valid():
        recipient = selectors.recipient_for(announcement, membership)
        context = _detail_context(membership, announcement, recipient, form)
        return render(request, "programme/announcement_detail.html", context, status=400)
    services.question_ask(
        announcement=announcement,
        author=membership,
        body=form.cleaned_data["body"],
        anonymous=form.cleaned_data["anonymous"],
    )
    messages.success(
        request,
        _(
            "Your question is being added: anonymous questions appear within half a minute, "
            "in a batch with others, so nothing links them to you. The sponsor or a consultant "
            "will answer."
        )
        if form.cleaned_data["anonymous"]
        else _("Your question is posted; the sponsor or a consultant will answer."),
    )
    return redirect("programme-announcement-detail", org=viewer.org, code=code)


@tenant_view
@require_POST
def question_answer(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    question = selectors.question_get(membership.organisation, code)
    if not policies.can_answer_question(membership):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.question_answer(
            question=question, by=membership, answer=form.cleaned_data["answer"]
        )
        messages.success(request, _("Answer posted."))
    else:
        messages.error(request, _("Write an answer before posting it."))
    return redirect(
        "programme-announcement-detail", org=viewer.org, code=question.announcement.code
    )
