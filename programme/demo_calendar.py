"""Demo data for calendars: the programme team meets the sponsor (so every demo login has a
session in their feed), and Anna has a feed address (her Calendar feed page shows it exists)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from programme import services
from programme.demo import register_demo_seeder
from programme.models import (
    CalendarFeedToken,
    Membership,
    Organisation,
    Participant,
    Programme,
    Role,
    Session,
    SessionKind,
)
from programme.tenancy import organisation_zone

TEAM_SESSION = "Programme team check-in: how wave 1 is going"


@register_demo_seeder
def seed_calendar(organisation: Organisation) -> None:
    programme = Programme.objects.filter(organisation=organisation).order_by("pk").first()
    consultant = (
        Membership.objects.filter(organisation=organisation, role=Role.CONSULTANT)
        .order_by("pk")
        .first()
    )
    if programme is None or consultant is None:
        return
    if not Session.objects.filter(programme=programme, title=TEAM_SESSION).exists():
        zone = organisation_zone(organisation)
        day = timezone.localdate(timezone=zone) + timedelta(days=8)
        session = services.session_save(
            programme=programme,
            by=consultant,
            data={
                "kind": SessionKind.CONSULTATION,
                "title": TEAM_SESSION,
                "starts_at": datetime.combine(day, time(10), tzinfo=zone),
                "duration_minutes": 60,
            },
        )
        staff = Participant.objects.filter(organisation=organisation).exclude(
            membership__role=Role.SELLER
        )
        services.session_attendees_add(session=session, by=consultant, participants=staff)
    anna = Membership.objects.filter(
        organisation=organisation, user__email__startswith="anna.andersen@"
    ).first()
    if anna is not None and not CalendarFeedToken.objects.filter(membership=anna).exists():
        services.calendar_feed_create(by=anna)
