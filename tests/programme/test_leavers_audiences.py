"""Leavers (#18) leave every audience: with a deactivated member present, each way Snowball
picks people (announcements and their reminders, notifications and digests, invitations,
calendar invitations and feeds, the weekly summary, check-in reminders, pickers, people lists,
team sizes, the organisation chooser) reaches the active member and not the leaver; past
aggregates (an announcement's reach) stay as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programme import selectors, services
from programme.models import (
    AnnouncementRecipient,
    EmailKind,
    EmailMode,
    EmailPreference,
    Membership,
    Notification,
    Role,
)
from tests.factories import TeamFactory, member


def leave(membership: Membership) -> Membership:
    assert services.membership_deactivate(membership=membership, by=None, source="scim")
    membership.refresh_from_db()
    return membership


@pytest.fixture
def pair(org):
    """An active seller and a leaver, both joined, in the same team."""
    team = TeamFactory(organisation=org, name="North")
    active = member(org, Role.SELLER, team=team)
    leaver = member(org, Role.SELLER, team=team)
    return active, leave(leaver)


def _programme(org, sponsor, consultant):
    return services.programme_save(
        by=consultant, organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[sponsor], consultants=[consultant],
    )  # fmt: skip


def test_an_announcement_reaches_the_active_not_the_leaver_and_its_past_reach_stays(
    org, consultant, pair
):
    active, leaver = pair
    sponsor = member(org, Role.SPONSOR)
    programme = _programme(org, sponsor, consultant)
    draft = services.announcement_save(
        programme=programme,
        author=consultant,
        title="We start",
        body="Why",
        audience="organisation",
    )
    size = services.announcement_audience_size(announcement=draft, publisher=sponsor)
    assert services.announcement_publish(announcement=draft, publisher=sponsor) == size
    reached = set(AnnouncementRecipient.objects.values_list("membership_id", flat=True))
    assert active.pk in reached and leaver.pk not in reached
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert active.pk in told and leaver.pk not in told
    services.announcement_send(announcement_id=draft.pk)
    assert leaver.user.email not in {m.to[0] for m in mail.outbox}
    assert active.user.email in {m.to[0] for m in mail.outbox}

    # Someone who leaves after publication stays in its reach (a past aggregate) but is not
    # reminded, in-app or by e-mail.
    mail.outbox.clear()
    leave(active)
    assert AnnouncementRecipient.objects.filter(membership=active).exists()
    # The reach page's "Remind the N" button names those a reminder reaches, leavers left out.
    totals = selectors.announcement_reach(draft)["totals"]
    assert totals["audience"] == size and totals["pending"] == size - 1
    assert services.announcement_remind(announcement=draft, by=sponsor) == size - 1
    assert not Notification.objects.filter(recipient=active, text__startswith="Reminder").exists()
    services.announcement_send_reminders(announcement_id=draft.pk)
    assert active.user.email not in {m.to[0] for m in mail.outbox}


def test_notify_members_tells_only_active_members(org, pair):
    active, leaver = pair
    told = services.notify_members(
        organisation_id=org.pk,
        recipients=Membership.objects.filter(pk__in=[active.pk, leaver.pk]),
        kind=EmailKind.CELEBRATION,
        text="Hello",
    )
    assert told == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [active.pk]
    assert services.notify(recipient=leaver, kind=EmailKind.OKRI, text="Hi") is None
    assert services.notify(recipient=active, kind=EmailKind.OKRI, text="Hi") is not None


def test_a_leaver_gets_no_digest_and_no_immediate_e_mail(org, pair):
    active, leaver = pair
    org.time_zone = "UTC"
    org.save()
    for person in (active, leaver):
        EmailPreference.objects.create(
            membership=person, kind=EmailKind.CELEBRATION, mode=EmailMode.DIGEST
        )
        EmailPreference.objects.create(
            membership=person, kind=EmailKind.OKRI, mode=EmailMode.IMMEDIATE
        )
    # Written while both were active, then one left: what waits is not sent to them.
    Membership.objects.filter(pk=leaver.pk).update(deactivated_at=None)
    for person in (active, leaver):
        services.notify(recipient=person, kind=EmailKind.CELEBRATION, text="Digest me")
        services.notify(recipient=person, kind=EmailKind.OKRI, text="Now")
    Membership.objects.filter(pk=leaver.pk).update(deactivated_at=timezone.now())
    services.notifications_send_immediate(organisation_id=org.pk)
    at_nine = timezone.now().replace(hour=9, minute=0)
    services.daily_digests_send(organisation_id=org.pk, now=at_nine)
    recipients = [m.to[0] for m in mail.outbox]
    assert recipients.count(active.user.email) == 2  # one immediate, one digest
    assert leaver.user.email not in recipients


def test_invitations_skip_the_leaver_and_their_link_stops_working(org, consultant):
    waiting = member(org, Role.SELLER)
    gone = member(org, Role.SELLER)
    Membership.objects.filter(pk__in=[waiting.pk, gone.pk]).update(joined_at=None)
    token = services.invitation_token(membership=gone)
    leave(gone)
    assert services.invitations_send(organisation_id=org.pk) == 1
    assert [m.to[0] for m in mail.outbox] == [waiting.user.email]
    assert services.invitation_membership(token=token) is None
    gone.refresh_from_db()
    assert gone.invitation_sent_at is None


def test_calendar_invitations_and_feeds_leave_the_leaver_out(org, consultant, pair):
    from kickoff.calendar import kickoff_event
    from programme.calendar import feed_owner
    from tests.factories import open_kickoff

    active, leaver = pair
    session = open_kickoff(org, consultant)
    session.attendees.set([active, leaver])
    event = kickoff_event(org.pk, session.code)
    invited = {attendee.membership_id for attendee in event.attendees}
    assert active.pk in invited and leaver.pk not in invited

    _token, raw = services.calendar_feed_create(by=leaver)
    _token, raw_active = services.calendar_feed_create(by=active)
    assert feed_owner(raw) is None
    assert feed_owner(raw_active) == active


def test_the_weekly_summary_is_not_queued_for_a_leaver(org, pair):
    from datetime import date

    from metrics import summaries
    from metrics.models import WeeklySummary

    active, _leaver = pair
    assert summaries.weekly_summaries_queue(organisation=org, week=date(2026, 11, 16)) == 1
    assert list(WeeklySummary.objects.values_list("participant__membership", flat=True)) == [
        active.pk
    ]


def test_check_in_reminders_skip_a_leaving_owner_until_they_are_back(org, consultant):
    from goals import services as goals_services
    from goals.models import KeyResult
    from metrics.indicators import monday

    org.time_zone = "UTC"
    org.save()
    sponsor = member(org, Role.SPONSOR)
    programme = _programme(org, sponsor, consultant)
    owner = member(org, Role.MANAGER)
    today = timezone.localdate()
    objective = goals_services.objective_create(
        by=consultant, programme=programme, scope="programme", title="A weekly habit",
        owner=owner, starts_on=today - timedelta(days=7), ends_on=today + timedelta(days=90),
    )  # fmt: skip
    goals_services.key_result_add(
        objective=objective, by=consultant, title="Manual", source="manual", baseline=0,
        target=10,
    )  # fmt: skip
    KeyResult.objects.update(created_at=timezone.now() - timedelta(days=10))
    leave(owner)
    this_monday = monday(timezone.now().date())
    nine = datetime(this_monday.year, this_monday.month, this_monday.day, 9, 5, tzinfo=UTC)
    assert goals_services.checkin_reminders_send(organisation_id=org.pk, now=nine) == 0
    assert not Notification.objects.filter(kind=EmailKind.OKRI).exists()
    services.membership_reactivate(membership=owner, by=consultant, source="admin")
    assert goals_services.checkin_reminders_send(organisation_id=org.pk, now=nine) == 1


def test_pickers_people_lists_and_team_sizes_leave_the_leaver_out(org, consultant, pair):
    from goals.forms import owners_for
    from programme.forms import ProgrammeForm

    active, leaver = pair
    boss, gone_boss = member(org, Role.MANAGER), leave(member(org, Role.MANAGER))
    owners = set(selectors.possible_owners(org))
    assert boss in owners and gone_boss not in owners
    assert active in set(owners_for(org)) and leaver not in set(owners_for(org))
    sponsors = set(ProgrammeForm(organisation=org).fields["sponsors"].queryset)
    assert gone_boss not in sponsors
    north = next(t for t in selectors.teams_with_counts(org) if t.name == "North")
    assert north.size == 1
    summary = selectors.organisation_summary(org)
    assert summary["deactivated"] == 2 and summary["sellers"] == 1


def test_the_chooser_does_not_offer_an_organisation_one_has_left(org, other_org, login):
    stays = member(other_org, Role.SELLER)
    here = member(org, Role.SELLER)
    Membership.objects.filter(pk=here.pk).update(user=stays.user)
    client = login(stays)
    response = client.get(reverse("home"))
    assert response.status_code == 200  # two organisations: the chooser offers both
    assert "Acme" in response.content.decode()
    leave(Membership.objects.get(pk=here.pk))
    response = client.get(reverse("home"))  # one left: straight to the other
    assert response.status_code == 302
    assert response["Location"] == reverse("programme-organisation-home", args=[other_org.slug])


def test_someone_whose_only_membership_ended_is_told_so(org, login, pair):
    _active, leaver = pair
    response = login(leaver).get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your access has ended" in page and "was deactivated" in page
    # Never deactivated: the usual words.
    from tests.factories import UserFactory

    stranger = UserFactory()
    from django.test import Client

    client = Client()
    client.force_login(stranger)
    page = client.get(reverse("home")).content.decode()
    assert "not part of a programme yet" in page and "Your access has ended" not in page
