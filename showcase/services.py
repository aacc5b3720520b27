"""Writes for the showcase. Permission is checked again here, not only in the views."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from programme import services as programme_services
from programme.markdown import render_markdown
from programme.models import EmailKind, Membership, Notification, Participant
from programme.selectors import current_wave_id
from showcase import policies
from showcase.models import (
    CaseComment,
    CaseImage,
    CaseReaction,
    CaseReport,
    CaseStudy,
    ReactionKind,
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
    """Create a case, or change one by its author. `data` comes from a validated form."""
    membership = author.membership
    if case is None:
        if not policies.can_author_case(membership, has_participant=True):
            raise PermissionDenied("Consultants, sponsors and marketing do not author cases.")
        case = CaseStudy(organisation_id=author.organisation_id, author=author, **_place(author))
    elif not policies.can_edit_case(membership, case):
        raise PermissionDenied("Only its author changes a case.")
    if data.get("visibility") == "wave" and case.wave_id is None:
        raise ValidationError("You are in no wave yet: choose your team or everyone.")
    if data.get("visibility") == "team" and case.team_id is None:
        raise ValidationError("You are in no team yet: choose everyone.")
    for field in ("kind", "title", "story", "outcome", "links", "technique", "segment",
                  "visibility"):  # fmt: skip
        setattr(case, field, data.get(field, getattr(case, field)) or "")
    case.feature_consent = bool(data.get("feature_consent", case.feature_consent))
    if not case.feature_consent:  # consent withdrawn: off the home page at once
        case.featured_at, case.featured_by = None, None
    case.tags = normalise_tags(data.get("tags", case.tags))
    case.tags_text = " ".join(case.tags)
    case.story_html = render_markdown(case.story)
    case.save()
    images = data.get("images") or []
    start = case.images.count()
    for offset, image in enumerate(images):
        row = CaseImage(case=case, content_type=image.content_type, width=image.width,
                        height=image.height, position=start + offset)  # fmt: skip
        row.file.save("image", ContentFile(image.content), save=True)
    return case


def image_delete(*, image: CaseImage, by: Membership) -> None:
    if not policies.can_edit_case(by, image.case):
        raise PermissionDenied("Only its author removes a case's images.")
    image.file.delete(save=False)
    image.delete()


def case_delete(*, case: CaseStudy, by: Membership) -> None:
    if not policies.can_edit_case(by, case):
        raise PermissionDenied("Only its author deletes a case.")
    files = [image.file for image in case.images.all()]
    case.delete()
    for file in files:  # after the rows: a failed delete leaves a file, never a broken case
        file.delete(save=False)


def reaction_toggle(*, case: CaseStudy, by: Membership, kind: str) -> bool:
    """Add this reaction, or take it back if given already. Returns whether it is now on."""
    if kind not in ReactionKind.values:
        raise ValidationError("Unknown reaction.")
    deleted, _ = CaseReaction.objects.filter(case=case, membership=by, kind=kind).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            CaseReaction.objects.create(case=case, membership=by, kind=kind)
    except IntegrityError:  # a double click raced us: it is on either way
        return True
    author = case.author.membership
    text = f"{_name(by)} reacted “{ReactionKind(kind).label}” to your case “{case.title}”"
    # Taking a reaction back and giving it again tells the author once, not each time.
    if author.pk != by.pk and not Notification.objects.filter(recipient=author, text=text[:300]):
        programme_services.notify(
            recipient=author, kind=EmailKind.CASE_ACTIVITY, text=text, url=_case_url(case)
        )
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
        raise ValidationError("Write something first.")
    if parent is not None and parent.case_id != case.pk:
        raise ValidationError("That comment belongs to another case.")
    comment = CaseComment.objects.create(
        case=case, author=by, parent=parent, body=body, body_html=render_markdown(body)
    )
    told = {by.pk}
    author = case.author.membership
    url = _case_url(case) + f"#comment-{comment.code}"
    if author.pk not in told:
        programme_services.notify(
            recipient=author,
            kind=EmailKind.CASE_ACTIVITY,
            text=f"{_name(by)} commented on your case “{case.title}”",
            url=url,
        )
        told.add(author.pk)
    if parent is not None and parent.author_id not in told:
        programme_services.notify(
            recipient=parent.author,
            kind=EmailKind.CASE_ACTIVITY,
            text=f"{_name(by)} replied to your comment on “{case.title}”",
            url=url,
        )
    return comment


def case_hide(*, case: CaseStudy, by: Membership, reason: str) -> None:
    if not policies.can_moderate(by):
        raise PermissionDenied("Only the programme team hides cases.")
    if not reason.strip():
        raise ValidationError("Say why: the author reads it.")
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
        raise ValidationError("Say why: the author reads it.")
    comment.hidden_at, comment.hidden_reason, comment.hidden_by = (
        timezone.now(), reason.strip(), by
    )  # fmt: skip
    comment.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])


def case_report(*, case: CaseStudy, by: Membership, reason: str) -> bool:
    """Returns False if this person had reported it already."""
    if not reason.strip():
        raise ValidationError("Say what is wrong with it.")
    _, created = CaseReport.objects.get_or_create(
        case=case, membership=by, defaults={"reason": reason.strip()[:300]}
    )
    return created


def case_feature(*, case: CaseStudy, by: Membership) -> None:
    if not policies.can_feature(by):
        raise PermissionDenied("Consultants and managers feature cases.")
    if not case.feature_consent:
        raise ValidationError("The author has not agreed to have this case featured.")
    if case.hidden_at:
        raise ValidationError("A hidden case cannot be featured.")
    case.featured_at, case.featured_by = timezone.now(), by
    case.save(update_fields=["featured_at", "featured_by", "updated_at"])


def case_unfeature(*, case: CaseStudy, by: Membership) -> None:
    if not policies.can_feature(by):
        raise PermissionDenied("Consultants and managers feature cases.")
    case.featured_at, case.featured_by = None, None
    case.save(update_fields=["featured_at", "featured_by", "updated_at"])
