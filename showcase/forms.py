from __future__ import annotations

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _lazy

from showcase.images import MAX_IMAGES, CleanImage, image_clean
from showcase.models import CaseKind, CaseStudy, MarketingPick
from showcase.services import normalise_tags

LINKEDIN_POST = ("https://www.linkedin.com/feed/update/", "https://www.linkedin.com/posts/")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several images in one input (Django's documented pattern for multiple files)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleImageField, self).clean(item, initial) for item in files]


class CaseForm(forms.ModelForm):
    tags = forms.CharField(
        label=_lazy("Tags"),
        required=False,
        max_length=400,
        help_text=_lazy("Free tags, separated by commas."),
    )
    images = MultipleImageField(
        label=_lazy("Images"),
        required=False,
        help_text=_lazy(
            "Up to 5 images (JPEG, PNG or WebP, at most 5 MB each). Their metadata "
            "(location, camera) is removed."
        ),
    )

    class Meta:
        model = CaseStudy
        fields = ["kind", "title", "story", "outcome", "links", "technique", "segment", "tags",
                  "visibility", "feature_consent"]  # fmt: skip
        widgets = {
            "story": forms.Textarea(attrs={"rows": 8}),
            "links": forms.Textarea(attrs={"rows": 2}),
        }
        # The model's field names are not translatable: the form names them.
        labels = {
            "kind": _lazy("Kind"),
            "title": _lazy("Title"),
            "story": _lazy("Story"),
            "outcome": _lazy("Outcome"),
            "links": _lazy("Links"),
            "technique": _lazy("Technique"),
            "visibility": _lazy("Visibility"),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags)

    def clean_links(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        validate = forms.URLField(assume_scheme="https").clean
        bad = []
        for line in lines:
            try:
                validate(line)
            except forms.ValidationError:
                bad.append(line)
            else:
                if not line.lower().startswith(("http://", "https://")):
                    bad.append(line)
        if bad:
            # Translators: addresses is a comma-separated list of what the person typed.
            raise forms.ValidationError(
                gettext("Not a web address: %(addresses)s") % {"addresses": ", ".join(bad[:3])}
            )
        if len(lines) > 5:
            raise forms.ValidationError(gettext("At most 5 links."))
        return "\n".join(lines)

    def clean_images(self) -> list[CleanImage]:
        uploads = self.cleaned_data.get("images") or []
        existing = self.instance.images.count() if self.instance.pk else 0
        if existing + len(uploads) > MAX_IMAGES:
            raise forms.ValidationError(
                ngettext(
                    "At most %(max)s images per case (%(count)s already there).",
                    "At most %(max)s images per case (%(count)s already there).",
                    existing,
                )
                % {"max": MAX_IMAGES, "count": existing}
            )
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append(image_clean(upload))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned

    def clean_tags(self) -> list[str]:
        return normalise_tags(self.cleaned_data["tags"])


class FeedFilterForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", _lazy("Any kind")), *CaseKind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    tag = forms.CharField(required=False, max_length=40)
    segment = forms.CharField(required=False, max_length=120)
    team = forms.UUIDField(required=False)
    wave = forms.UUIDField(required=False)


class CommentForm(forms.Form):
    body = forms.CharField(label=_lazy("Your comment"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000)  # fmt: skip
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)


def is_linkedin_post(url: str) -> bool:
    return url.startswith(LINKEDIN_POST)


class PickForm(forms.ModelForm):
    url = forms.URLField(label=_lazy("Link to the company-page post"), max_length=500,
                         assume_scheme="https")  # fmt: skip

    campaign = forms.CharField(
        label=_lazy("Campaign name"), max_length=80, required=False,
        help_text=_lazy("Goes into the link sellers share (utm_campaign), so your web "
                        "analytics can tell these visits apart. Left empty: snowball-picks."),
    )  # fmt: skip

    class Meta:
        model = MarketingPick
        fields = ["url", "title", "note", "angle", "campaign"]
        widgets = {"angle": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "title": _lazy("Title"),
            "note": _lazy("Description"),
            "angle": _lazy("Suggested angle"),
        }
        help_texts = {
            "title": _lazy("What sellers read first. Left empty, the link's address is shown."),
            "note": _lazy("A line on what it is and why it matters to a buyer."),
        }

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(gettext("Paste the web address of the post (https://…)."))
        return url
