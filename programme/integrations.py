"""Integrations (Teams, Slack, signed webhooks): the reads and the form of the admins' page.

Writes live in `programme.services.integrations`; who may manage them is
`programme.services.integrations.can_manage_integrations` (the organisation's admins)."""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from programme.models import Endpoint, EndpointKind, OutboxMessage, OutboxStatus, Team
from programme.services.integrations import LOG_SIZE, WEBHOOK_EVENTS
from programme.viewer import Viewer

# Translators (below): the events a signed webhook may be sent, listed on the integrations page.
EVENT_LABELS = {
    "milestone.celebrated": _("Milestone celebrated (with the person's consent)"),
    "key_result.updated": _("Key result updated"),
    "import.finished": _("Activity import finished"),
    "person.deactivated": _("Person removed from the organisation"),
    "announcement.published": _("Announcement published"),
    "kickoff.opened": _("Kick-off opened"),
    "team.weekly_summary": _("Weekly team summary"),
    "test": _("Test message"),
}


def endpoints_of(viewer: Viewer) -> QuerySet[Endpoint]:
    """The organisation's endpoints with their queued / failed / dead counts (one query)."""
    return (
        Endpoint.objects.filter(organisation=viewer.organisation)
        .select_related("team")
        .annotate(
            waiting=Count(
                "messages",
                filter=Q(
                    messages__status__in=[
                        OutboxStatus.QUEUED,
                        OutboxStatus.FAILED,
                        OutboxStatus.SENDING,
                    ]
                ),
            ),
            dead=Count("messages", filter=Q(messages__status=OutboxStatus.DEAD)),
        )
        .order_by("kind", "name", "pk")
    )


def endpoint_of(viewer: Viewer, code: object) -> Endpoint | None:
    """One endpoint of the viewer's organisation by its code; None if malformed or foreign."""
    try:
        code = uuid.UUID(str(code))
    except ValueError:
        return None
    return Endpoint.objects.filter(organisation=viewer.organisation, code=code).first()


def delivery_log(endpoint: Endpoint) -> list[OutboxMessage]:
    """The endpoint's last LOG_SIZE messages, newest first (one query)."""
    return list(
        OutboxMessage.objects.filter(
            endpoint=endpoint, organisation_id=endpoint.organisation_id
        ).defer("payload")[:LOG_SIZE]
    )


class EndpointForm(forms.Form):
    # Translators: a form label: which kind of integration (Teams, Slack or a webhook).
    kind = forms.ChoiceField(label=_("Kind"), choices=EndpointKind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=80, required=False,
        help_text=_("How the list below shows it, e.g. “#sales-wins”."),
    )  # fmt: skip
    url = forms.CharField(
        label=_("Address (URL)"), max_length=500,
        help_text=_(
            "Teams: the URL of a workflow “When a Teams webhook request is received”. Slack: "
            "an incoming-webhook URL of your Slack app. Webhook: your receiver's https URL."
        ),
    )  # fmt: skip
    team = forms.ModelChoiceField(
        label=_("Team (Teams and Slack only)"), queryset=Team.objects.none(), required=False,
        empty_label=_("The whole organisation"),
    )  # fmt: skip
    events = forms.MultipleChoiceField(
        label=_("Events (webhooks only)"), required=False,
        choices=[(event, EVENT_LABELS[event]) for event in WEBHOOK_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args, viewer: Viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation=viewer.organisation)
