from __future__ import annotations

from django import forms

from showcase.models import CaseKind, CaseStudy
from showcase.services import normalise_tags

LINKEDIN_POST = ("https://www.linkedin.com/feed/update/", "https://www.linkedin.com/posts/")


class CaseForm(forms.ModelForm):
    tags = forms.CharField(
        required=False, max_length=400, help_text="Free tags, separated by commas."
    )

    class Meta:
        model = CaseStudy
        fields = ["kind", "title", "story", "outcome", "links", "technique", "segment", "tags",
                  "visibility"]  # fmt: skip
        widgets = {
            "story": forms.Textarea(attrs={"rows": 8}),
            "links": forms.Textarea(attrs={"rows": 2}),
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
            raise forms.ValidationError(f"Not a web address: {', '.join(bad[:3])}")
        if len(lines) > 5:
            raise forms.ValidationError("At most 5 links.")
        return "\n".join(lines)

    def clean_tags(self) -> list[str]:
        return normalise_tags(self.cleaned_data["tags"])


class FeedFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *CaseKind.choices], required=False)
    tag = forms.CharField(required=False, max_length=40)
    segment = forms.CharField(required=False, max_length=120)
    team = forms.UUIDField(required=False)
    wave = forms.UUIDField(required=False)


class CommentForm(forms.Form):
    body = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000)  # fmt: skip
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)


def is_linkedin_post(url: str) -> bool:
    return url.startswith(LINKEDIN_POST)
