"""Writes for the showcase. Each takes the acting member (`by`, or for a case the `author`
writing it) and asks `showcase.policies` itself, so it is safe whoever calls it; the views only
find the object among what the viewer may read. Files reach storage only for rows that commit
and leave it only once their rows are gone for good."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from programme import services as programme_services
from programme.blocked_words import blocked_words_among, blocked_words_by_organisation
from programme.i18n import english
from programme.markdown import render_markdown
from programme.models import EmailKind, Membership, Notification, Participant, Team
from programme.selectors import current_wave_id, own_participant
from showcase import policies, previews, sharing
from showcase.languages import author_language, case_language, case_languages_forget
from showcase.models import (
    CaseComment,
    CaseImage,
    CaseReaction,
    CaseReport,
    CaseStudy,
    MarketingPick,
    PickClick,
    PickPreview,
    PickShareLink,
    PickUptake,
    PreviewStatus,
    ReactionKind,
    UptakeAction,
    pick_preview_path,
)

_TAG = re.compile(r"[^\w\- ]+")


def normalise_tags(raw: str | list[str]) -> list[str]:
    """Free tags: lower case, trimmed, at most 10, each at most 40 characters, no duplicates."""
    items = raw.split(",") if isinstance(raw, str) else raw
    tags: list[str] = []
    for item in items:
        tag = _TAG.sub("", item).strip().lower()[:40]
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:10]


def _place(author: Participant) -> dict:
    return {"wave_id": current_wave_id(author), "team_id": author.team_id}


def case_save(*, author: Participant, data: dict, case: CaseStudy | None = None) -> CaseStudy:
    """Create a case, or change one, as `author`: the person writing, who must be its author.
    `data` comes from a validated form.

    The case, its links to picks and its images are saved together or not at all; an image
    file is stored before its row (a row never points at a missing file) and removed again
    if the save does not commit."""
    membership = author.membership
    if case is None:
        if not policies.can_author_case(membership, has_participant=True):
            raise PermissionDenied("Consultants, sponsors and marketing do not author cases.")
        case = CaseStudy(organisation_id=author.organisation_id, author=author, **_place(author))
    elif not policies.can_edit_case(membership, case):
        raise PermissionDenied("Only its author changes a case.")
    if data.get("visibility") == "wave" and case.wave_id is None:
        raise ValidationError(gettext("You are in no wave yet: choose your team or everyone."))
    if data.get("visibility") == "team" and case.team_id is None:
        raise ValidationError(gettext("You are in no team yet: choose everyone."))
    for field in ("kind", "title", "story", "outcome", "links", "technique", "segment",
                  "visibility"):  # fmt: skip
        setattr(case, field, data.get(field, getattr(case, field)) or "")
    case.language = case_language(membership, data.get("language"), case)
    case.feature_consent = bool(data.get("feature_consent", case.feature_consent))
    if not case.feature_consent:  # consent withdrawn: off the home page at once
        case.featured_at, case.featured_by = None, None
    case.tags = normalise_tags(data.get("tags", case.tags))
    blocked_words_refuse(case.organisation_id, {
        field: getattr(case, field) for field in ("title", "story", "outcome", "links", "segment")
    } | {"tags": " ".join(case.tags)})  # fmt: skip
    case.tags_text = " ".join(case.tags)
    case.story_html = render_markdown(case.story)
    stored: list[str] = []
    try:
        with transaction.atomic():
            case.save()
            case_languages_forget(case.organisation_id)
            _case_link_picks(case)
            _images_add(case, data.get("images") or [], stored)
    except BaseException:
        _files_delete(stored)  # the rows are gone: their files go too
        raise
    return case


def _images_add(case: CaseStudy, images: list, stored: list[str]) -> None:
    """Each image's file, then its row; `stored` names every file written, for the caller
    to remove should the transaction roll back."""
    start = case.images.count()
    for offset, image in enumerate(images):
        row = CaseImage(case=case, content_type=image.content_type, width=image.width,
                        height=image.height, position=start + offset)  # fmt: skip
        row.file.save("image", ContentFile(image.content), save=False)
        stored.append(row.file.name)
        row.save()


def _files_delete(names: list[str]) -> None:
    storage = CaseImage._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def image_delete(*, image: CaseImage, by: Membership) -> None:
    if not policies.can_edit_case(by, image.case):
        raise PermissionDenied("Only its author removes a case's images.")
    name = image.file.name
    image.delete()
    # After commit: a rolled-back delete keeps its row, and so its file.
    transaction.on_commit(lambda: _files_delete([name]))


def case_delete(*, case: CaseStudy, by: Membership) -> None:
    if not policies.can_edit_case(by, case):
        raise PermissionDenied("Only its author deletes a case.")
    names = [image.file.name for image in case.images.all()]
    case.delete()
    # After the rows are gone for good: a failed delete leaves a file, never a broken case.
    transaction.on_commit(lambda: _files_delete(names))


def reaction_toggle(*, case: CaseStudy, by: Membership, kind: str) -> bool:
    """Add this reaction, or take it back if given already. Returns whether it is now on."""
    if kind not in ReactionKind.values:
        raise ValidationError(gettext("Unknown reaction."))
    on, added = programme_services.row_toggle(CaseReaction, case=case, membership=by, kind=kind)
    if not added:
        return on
    if case.author is None:  # left by an erased author: nobody to tell
        return True
    author = case.author.membership
    # Translators: a notification; reaction is a reaction's name ("Inspiring").
    text = gettext_noop("%(name)s reacted “%(reaction)s” to your case “%(title)s”")
    reaction = ReactionKind(kind)
    params = {"name": _name(by), "reaction": {"_msgid": english(reaction.label)},
              "title": case.title}  # fmt: skip
    # Taking a reaction back and giving it again tells the author once, not each time.
    told = Notification.objects.filter(recipient=author, text=text, params=params)
    if author.pk != by.pk and not told.exists():
        programme_services.notify(
            recipient=author, kind=EmailKind.CASE_ACTIVITY, text=text, params=params,
            url=_case_url(case),
        )  # fmt: skip
    return True


def _name(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.email.split("@")[0]


def _case_url(case: CaseStudy) -> str:
    return reverse("showcase-case-detail", args=[case.organisation.slug, case.code])


def comment_add(
    *, case: CaseStudy, by: Membership, body: str, parent: CaseComment | None = None
) -> CaseComment:
    body = body.strip()
    if not body:
        raise ValidationError(gettext("Write something first."))
    if parent is not None and parent.case_id != case.pk:
        raise ValidationError(gettext("That comment belongs to another case."))
    comment = CaseComment.objects.create(
        case=case, author=by, parent=parent, body=body, body_html=render_markdown(body)
    )
    told = {by.pk}
    author = case.author.membership if case.author is not None else None
    url = _case_url(case) + f"#comment-{comment.code}"
    if author is not None and author.pk not in told:
        programme_services.notify(
            recipient=author,
            kind=EmailKind.CASE_ACTIVITY,
            text=gettext_noop("%(name)s commented on your case “%(title)s”"),
            params={"name": _name(by), "title": case.title},
            url=url,
        )
        told.add(author.pk)
    if parent is not None and parent.author_id is not None and parent.author_id not in told:
        programme_services.notify(
            recipient=parent.author,
            kind=EmailKind.CASE_ACTIVITY,
            text=gettext_noop("%(name)s replied to your comment on “%(title)s”"),
            params={"name": _name(by), "title": case.title},
            url=url,
        )
    return comment


def case_hide(*, case: CaseStudy, by: Membership, reason: str) -> None:
    if not policies.can_moderate(by):
        raise PermissionDenied("Only the programme team hides cases.")
    if not reason.strip():
        raise ValidationError(gettext("Say why: the author reads it."))
    case.hidden_at, case.hidden_reason, case.hidden_by = timezone.now(), reason.strip(), by
    case.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])
    CaseReport.objects.filter(case=case, handled_at__isnull=True).update(handled_at=timezone.now())


def case_unhide(*, case: CaseStudy, by: Membership) -> None:
    if not policies.can_moderate(by):
        raise PermissionDenied("Only the programme team shows hidden cases again.")
    case.hidden_at, case.hidden_reason, case.hidden_by = None, "", None
    case.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])


def comment_hide(*, comment: CaseComment, by: Membership, reason: str) -> None:
    if not policies.can_moderate(by):
        raise PermissionDenied("Only the programme team hides comments.")
    if not reason.strip():
        raise ValidationError(gettext("Say why: the author reads it."))
    comment.hidden_at, comment.hidden_reason, comment.hidden_by = (
        timezone.now(), reason.strip(), by
    )  # fmt: skip
    comment.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])


def case_report(*, case: CaseStudy, by: Membership, reason: str) -> bool:
    """Returns False if this person had reported it already."""
    if not reason.strip():
        raise ValidationError(gettext("Say what is wrong with it."))
    _, created = CaseReport.objects.get_or_create(
        case=case, membership=by, defaults={"reason": reason.strip()[:300]}
    )
    return created


def _feature_request_url(case: CaseStudy) -> str:
    # Its own address (not the case's #fragment), so the inbox keeps the question apart from
    # the comments and reactions on the same case.
    return _case_url(case) + "?feature-request=1#feature-request"


def case_feature(*, case: CaseStudy, by: Membership) -> None:
    """Feature a case whose author agreed already (the box on their form); they are told."""
    if not policies.can_feature(by):
        raise PermissionDenied("Consultants and managers feature cases.")
    if not case.feature_consent:
        raise ValidationError(
            gettext("The author has not agreed to have this case featured: ask them first.")
        )
    if case.hidden_at:
        raise ValidationError(gettext("A hidden case cannot be featured."))
    was_featured = case.featured_at is not None
    case.featured_at, case.featured_by = timezone.now(), by
    case.feature_requested_at, case.feature_requested_by = None, None
    case.save(
        update_fields=[
            "featured_at", "featured_by", "feature_requested_at", "feature_requested_by",
            "updated_at",
        ]
    )  # fmt: skip
    if not was_featured:
        _tell_author_featured(case, by)


def _tell_author_featured(case: CaseStudy, by: Membership) -> None:
    if case.author is None:
        return
    programme_services.notify(
        recipient=case.author.membership,
        kind=EmailKind.CASE_ACTIVITY,
        text=gettext_noop("Your case “%(title)s” is now featured on the home page (by %(name)s)."),
        params={"title": case.title, "name": _name(by)},
        url=_case_url(case),
    )


def case_unfeature(*, case: CaseStudy, by: Membership) -> None:
    if not policies.can_feature(by):
        raise PermissionDenied("Consultants and managers feature cases.")
    if case.featured_at is None:
        return
    case.featured_at, case.featured_by = None, None
    case.save(update_fields=["featured_at", "featured_by", "updated_at"])
    if case.author is None:
        return
    programme_services.notify(
        recipient=case.author.membership,
        kind=EmailKind.CASE_ACTIVITY,
        text=gettext_noop("Your case “%(title)s” is no longer featured on the home page."),
        params={"title": case.title},
        url=_case_url(case),
    )


def case_feature_request(*, case: CaseStudy, by: Membership) -> None:
    """Ask the author whether their case may go on the home page: a notification leads them to
    a yes and a no. Nothing is featured until they say yes."""
    if not policies.can_request_feature(by):
        raise PermissionDenied("Consultants and managers ask to feature cases.")
    if case.hidden_at:
        raise ValidationError(gettext("A hidden case cannot be featured."))
    if case.featured_at:
        raise ValidationError(gettext("This case is featured already."))
    if case.feature_consent:
        raise ValidationError(gettext("The author agreed already: feature it."))
    if case.feature_requested_at:
        raise ValidationError(gettext("The author was asked already: their answer is awaited."))
    if case.author is None:
        raise ValidationError(gettext("The author of this case has left: nobody can agree."))
    case.feature_requested_at, case.feature_requested_by = timezone.now(), by
    case.save(update_fields=["feature_requested_at", "feature_requested_by", "updated_at"])
    programme_services.notify(
        recipient=case.author.membership,
        kind=EmailKind.CASE_ACTIVITY,
        text=gettext_noop(
            "%(name)s asks to feature your case “%(title)s” on the home page. Yes or no?"
        ),
        params={"name": _name(by), "title": case.title},
        url=_feature_request_url(case),
    )


def case_feature_answer(*, case: CaseStudy, by: Membership, yes: bool | None) -> None:
    """The author's answer. Yes features the case at once (for whoever asked, who is told);
    no leaves it off the home page and tells whoever asked, kindly. None (neither yes nor
    no) is refused, after the permission check: only the author learns what was wrong."""
    if not policies.can_answer_feature_request(by, case):
        raise PermissionDenied("Only its author answers.")
    if yes is None:
        raise ValidationError(gettext("Answer yes or no."))
    if case.feature_requested_at is None:
        raise ValidationError(gettext("Nobody is asking to feature this case right now."))
    asker = case.feature_requested_by
    case.feature_requested_at, case.feature_requested_by = None, None
    fields = ["feature_requested_at", "feature_requested_by", "updated_at"]
    if yes and not case.hidden_at:
        case.feature_consent = True
        case.featured_at, case.featured_by = timezone.now(), asker
        fields += ["feature_consent", "featured_at", "featured_by"]
    case.save(update_fields=fields)
    if asker is None:
        return
    if yes:
        text = gettext_noop("%(name)s agreed: “%(title)s” is now featured on the home page.")
    else:
        text = gettext_noop("%(name)s prefers to keep “%(title)s” off the home page.")
    programme_services.notify(
        recipient=asker,
        kind=EmailKind.CASE_ACTIVITY,
        text=text,
        params={"name": _name(by), "title": case.title},
        url=_case_url(case),
    )


# --- Marketing picks -------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>()\[\]\"']+", re.IGNORECASE)


def url_key(url: str) -> str:
    """A link as compared: no scheme, no www., no query or fragment, no trailing slash, the
    host in lower case. Shares add tracking parameters; the content is the same."""
    rest = re.sub(r"^https?://", "", url.strip(), flags=re.IGNORECASE)
    rest = re.split(r"[?#]", rest, maxsplit=1)[0].rstrip("/.,;:")
    host, _, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{host}/{path}" if path else host


def _mentioned_keys(case: CaseStudy) -> set[str]:
    return {url_key(found) for found in _URL.findall(f"{case.links}\n{case.story}")}


def _case_link_picks(case: CaseStudy) -> None:
    """Remember which marketing picks a case points at (its links or its story)."""
    keys = _mentioned_keys(case)
    picks = MarketingPick.objects.filter(organisation_id=case.organisation_id, url_key__in=keys)
    case.picks.set(picks if keys else [])


@transaction.atomic
def pick_post(
    *, by: Membership, url: str, note: str, angle: str = "", title: str = "", campaign: str = ""
) -> MarketingPick:
    """Marketing posts content to amplify; everyone in the programme is told (digest by
    default), and cases already pointing at it are linked."""
    if not policies.can_post_pick(by):
        raise PermissionDenied("Marketing posts company content.")
    if not note.strip():
        raise ValidationError(gettext("Say in a line what it is and why it matters to a buyer."))
    blocked_words_refuse(by.organisation_id, {"url": url, "title": title, "note": note,
                                              "angle": angle, "campaign": campaign})  # fmt: skip
    pick = MarketingPick.objects.create(
        organisation_id=by.organisation_id, posted_by=by, url=url.strip(),
        url_key=url_key(url), title=title.strip()[:200], note=note.strip()[:300],
        angle=angle.strip()[:500], language=author_language(by),
    )  # fmt: skip
    _pick_share_setup(pick, campaign)
    mentioning = [
        case.pk
        for case in CaseStudy.objects.filter(organisation_id=by.organisation_id)
        .filter(Q(links__icontains=pick.url_key) | Q(story__icontains=pick.url_key))
        .only("pk", "links", "story")
        if pick.url_key in _mentioned_keys(case)
    ]
    pick.cases.set(mentioning)
    _notify_programme(pick)
    return pick


def _notify_programme(pick: MarketingPick) -> None:
    """Tell every participant who may write cases, in one statement whatever their number."""
    link = reverse("showcase-pick-list", args=[pick.organisation.slug]) + f"#pick-{pick.code}"
    programme_services.notify_members(
        organisation_id=pick.organisation_id,
        recipients=Membership.objects.active().filter(
            participant__isnull=False, joined_at__isnull=False, role__in=policies.AUTHOR_ROLES
        ),
        kind=EmailKind.MARKETING_PICK,
        # Translators: title is what marketing called the pick (or its description).
        text=gettext_noop("New from marketing: %(title)s"),
        params={"title": pick.title or pick.note},
        url=link,
    )


def pick_archive(*, pick: MarketingPick, by: Membership) -> None:
    if not policies.can_post_pick(by):
        raise PermissionDenied("Marketing archives its picks.")
    pick.archived_at = timezone.now()
    pick.save(update_fields=["archived_at", "updated_at"])


def uptake_toggle(*, pick: MarketingPick, by: Membership, action: str) -> bool:
    """Say you shared or commented on a pick, or take it back. Returns whether it is now on."""
    if action not in UptakeAction.values:
        raise ValidationError(gettext("Unknown action."))
    if not policies.can_take_up_pick(by, own_participant(by) is not None):
        raise PermissionDenied("Only people in the programme take up picks.")
    if pick.archived_at is not None:
        raise ValidationError(gettext("Marketing has archived this pick."))
    return programme_services.row_toggle(PickUptake, pick=pick, membership=by, action=action)[0]


# --- Picks that are easy to share well: blocked words, previews, share links, clicks ---------


def blocked_words_refuse(organisation_id: int, fields: dict[str, str]) -> None:
    """Refuse text holding one of the organisation's blocked words, naming the word (and the
    field it is in); changes nothing. One query."""
    words = blocked_words_by_organisation({organisation_id}).get(organisation_id, [])
    errors = {}
    for field, text in fields.items():
        found = blocked_words_among(words, text or "")
        if found:
            errors[field] = gettext(
                "“%(word)s” is on your organisation's list of blocked words: please rephrase."
            ) % {"word": found[0]}
    if errors:
        raise ValidationError(errors)


def _pick_share_setup(pick: MarketingPick, campaign: str) -> None:
    """A new pick's short link and its preview, fetched by a task once the pick commits."""
    PickShareLink.objects.create(
        pick=pick, code=sharing.new_code(), campaign=sharing.campaign_clean(campaign)
    )
    PickPreview.objects.create(pick=pick, status=PreviewStatus.PENDING)
    from showcase import tasks

    transaction.on_commit(lambda: tasks.pick_preview_fetch.delay(pick.pk))


def pick_preview_fetch(*, pick_id: int) -> str:
    """Fetch a pending preview from the pick's own link and store it; the bare link and a
    message for marketing when that fails. Idempotent: a preview no longer pending (fetched,
    failed, or entered by marketing meanwhile) is left alone. Returns the final status."""
    row = PickPreview.objects.select_related("pick").filter(pick_id=pick_id).first()
    if row is None or row.status != PreviewStatus.PENDING:
        return row.status if row else PreviewStatus.NONE
    try:
        preview, message = previews.preview_fetch(row.pick.url)
    except previews.PreviewError as error:
        PickPreview.objects.filter(pk=row.pk, status=PreviewStatus.PENDING).update(
            status=PreviewStatus.FAILED, message=str(error)[:300], fetched_at=timezone.now()
        )
        return PreviewStatus.FAILED
    return pick_preview_store(pick=row.pick, preview=preview, message=message,
                              only_pending=True)  # fmt: skip


def pick_preview_store(
    *, pick: MarketingPick, preview: previews.Preview, message: str = "",
    status: str = PreviewStatus.READY, only_pending: bool = False,
) -> str:  # fmt: skip
    """Store a preview (fetched, or the demo's): its thumbnail file first, then the row; the
    file goes again if the row does not take it."""
    row = PickPreview.objects.get(pick=pick)
    old_name = row.image.name
    new_name = ""
    if preview.image is not None:
        new_name = row.image.storage.save(
            pick_preview_path(row, "preview.jpg"), ContentFile(preview.image.content)
        )
    updated = PickPreview.objects.filter(
        pk=row.pk, **({"status": PreviewStatus.PENDING} if only_pending else {})
    ).update(
        status=status, title=preview.title[:200], description=preview.description[:500],
        image_url=preview.image_url[:1000], image=new_name,
        image_width=preview.image.width if preview.image else None,
        image_height=preview.image.height if preview.image else None,
        message=message[:300], fetched_at=timezone.now(),
    )  # fmt: skip
    if not updated:
        _files_delete([new_name] if new_name else [])
        return PickPreview.objects.get(pk=row.pk).status
    if old_name:
        transaction.on_commit(lambda: _files_delete([old_name]))
    return status


def pick_shared_record(*, pick: MarketingPick, by: Membership) -> bool:
    """ "I shared it", said on coming back from LinkedIn: recorded once, never taken back by a
    second click (unlike the toggle on the list). Returns whether this call recorded it."""
    if not policies.can_take_up_pick(by, own_participant(by) is not None):
        raise PermissionDenied("Only people in the programme take up picks.")
    if pick.archived_at is not None:
        raise ValidationError(gettext("Marketing has archived this pick."))
    _, created = PickUptake.objects.get_or_create(
        pick=pick, membership=by, action=UptakeAction.SHARED
    )
    return created


def pick_click_count(*, link: PickShareLink, team: str) -> None:
    """One click through a pick's short link, counted in one statement per (pick, team). A team
    code that names no team of the pick's organisation counts as no team. Nothing about the
    person clicking is stored."""
    known = {
        sharing.team_key(code)
        for code in Team.objects.filter(organisation_id=link.pick.organisation_id).values_list(
            "code", flat=True
        )
    }
    key = team if team in known else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PickClick._meta.db_table} (pick_id, team_key, clicks) "  # noqa: S608
            "VALUES (%s, %s, 1) ON CONFLICT (pick_id, team_key) "
            f"DO UPDATE SET clicks = {PickClick._meta.db_table}.clicks + 1",
            [link.pick_id, key],
        )
