"""Risks, problems, sessions, consultation cycles, management meetings and the home pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programme import services
from programme.anonymous import anonymous_flush
from programme.models import (
    FollowUp,
    Problem,
    Risk,
    Role,
    Session,
    SessionAttendance,
)
from tests.factories import member


def test_risks_are_shown_to_everyone_and_written_by_leads(org, programme, login):
    url = reverse("programme-risk-create", args=[org.slug, programme.code])
    data = {
        "title": "Posting takes time",
        "what_may_happen": "Less time for calls at first.",
        "what_we_do": "Two hours a week are protected.",
    }
    assert login(member(org, Role.SELLER)).post(url, data).status_code == 403
    assert login(member(org, Role.MANAGER)).post(url, data).status_code == 403
    assert not Risk.objects.exists()
    assert login(member(org, Role.CONSULTANT)).post(url, {"title": ""}).status_code == 400
    assert login(member(org, Role.CONSULTANT)).post(url, data).status_code == 302
    page = login(member(org, Role.SELLER)).get(
        reverse("programme-programme-detail", args=[org.slug, programme.code])
    )
    assert "Two hours a week are protected." in page.content.decode()


def test_anonymous_problem_keeps_no_author_and_no_time(org, programme, login):
    seller = member(org, Role.SELLER)
    url = reverse("programme-problem-list", args=[org.slug, programme.code])
    response = login(seller).post(
        url, {"title": "No time", "description": "Quotas leave no time.", "anonymous": "on"}
    )
    assert response.status_code == 302
    anonymous_flush()  # anonymous problems are written in batches by the timer
    problem = Problem.objects.get()
    assert problem.raised_by is None
    assert isinstance(problem.raised_on, datetime.date)
    assert not any(
        isinstance(getattr(problem, f.attname), datetime.datetime)
        for f in Problem._meta.concrete_fields
    )
    # The consultant sees "anonymous", not a name.
    page = login(member(org, Role.CONSULTANT)).get(url).content.decode()
    assert "anonymous" in page and seller.user.last_name not in page


def test_triage_is_for_leads_and_resolution_needs_words(org, programme, login):
    seller = member(org, Role.SELLER)
    consultant = member(org, Role.CONSULTANT)
    problem = services.problem_raise(
        programme=programme, by=seller, title="CRM", description="d", anonymous=False
    )
    url = reverse("programme-problem-detail", args=[org.slug, problem.code])
    assert login(seller).post(url, {"status": "resolved"}).status_code == 403
    response = login(consultant).post(url, {"status": "resolved", "owner": consultant.pk})
    assert response.status_code == 400
    assert "Say how it was resolved" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == "open"
    response = login(consultant).post(
        url, {"status": "resolved", "owner": consultant.pk, "resolution": "Licences bought."}
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.status, problem.owner, problem.resolved_on) == (
        "resolved",
        consultant,
        timezone.localdate(),
    )


def test_stale_problems_are_flagged_on_lead_home_pages(org, programme, login):
    old = Problem.objects.create(
        organisation=org,
        programme=programme,
        title="Old and open",
        description="d",
        raised_on=timezone.localdate() - datetime.timedelta(days=8),
    )
    Problem.objects.create(
        organisation=org, programme=programme, title="Fresh", description="d",
        raised_on=timezone.localdate(),
    )  # fmt: skip
    home = reverse("programme-organisation-home", args=[org.slug])
    consultant_page = login(member(org, Role.CONSULTANT)).get(home).content.decode()
    assert "1 problem open too long" in consultant_page and old.title in consultant_page
    assert "2 problems to triage" in consultant_page
    sponsor_page = login(member(org, Role.SPONSOR)).get(home).content.decode()
    assert "1 problem open too long" in sponsor_page
    seller_page = login(member(org, Role.SELLER)).get(home).content.decode()
    assert "open too long" not in seller_page


def test_stale_on_the_boundary_day_is_stale_everywhere(org, programme, login):
    """One definition of "open too long": a problem raised exactly `problem_flag_days` ago is
    flagged in the list, warned about on its page and counted on the home page; one raised a
    day later is none of these."""
    from programme.tenancy import organisation_time

    with organisation_time(org):
        today = timezone.localdate()
    days = programme.problem_flag_days
    boundary = Problem.objects.create(
        organisation=org, programme=programme, title="On the boundary", description="d",
        raised_on=today - datetime.timedelta(days=days),
    )  # fmt: skip
    younger = Problem.objects.create(
        organisation=org, programme=programme, title="A day younger", description="d",
        raised_on=today - datetime.timedelta(days=days - 1),
    )  # fmt: skip
    client = login(member(org, Role.CONSULTANT))
    badge = f"open over {days} days"
    rows = client.get(reverse("programme-problem-list", args=[org.slug, programme.code]))
    flagged = [row for row in rows.content.decode().split("<tr") if badge in row]
    assert len(flagged) == 1 and boundary.title in flagged[0]
    home = client.get(reverse("programme-organisation-home", args=[org.slug])).content.decode()
    assert "1 problem open too long" in home and boundary.title in home
    warning = f"Open for more than {days} days"
    detail = reverse("programme-problem-detail", args=[org.slug, boundary.code])
    assert warning in client.get(detail).content.decode()
    detail = reverse("programme-problem-detail", args=[org.slug, younger.code])
    assert warning not in client.get(detail).content.decode()


def session_data(**overrides):
    data = {
        "kind": "training",
        "title": "LinkedIn profile workshop",
        "starts_at": (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "practice_minutes": "0",
        "track": "seller",
        "segment": "Energy",
    }
    data.update(overrides)
    return data


def test_lecture_style_training_needs_explicit_confirmation(org, programme, login):
    client = login(member(org, Role.CONSULTANT))
    url = reverse("programme-session-list", args=[org.slug, programme.code])
    response = client.post(url, session_data())
    assert response.status_code == 400
    page = response.content.decode()
    assert "no hands-on practice and it is shorter than half a day" in page
    assert not Session.objects.exists()
    response = client.post(url, session_data(plan_anyway="on"))
    assert response.status_code == 302
    assert Session.objects.get().lecture_warning
    good = client.post(
        url, session_data(title="Hands-on", duration_minutes="240", practice_minutes="150")
    )
    assert good.status_code == 302
    assert Session.objects.get(title="Hands-on").lecture_warning == ""
    bad = client.post(url, session_data(duration_minutes="60", practice_minutes="90"))
    assert bad.status_code == 400
    assert "Practice cannot be longer than the session" in bad.content.decode()
    assert login(member(org, Role.SELLER)).post(url, session_data()).status_code == 403


def test_cycle_generates_sessions_and_attendance_shows_on_profiles(org, programme, login):
    consultant = member(org, Role.CONSULTANT)
    wave = services.wave_create(
        by=consultant, programme=programme, name="W1", start_date=timezone.localdate()
    )
    people = [member(org, Role.SELLER) for _ in range(3)]
    services.wave_add_members(
        by=consultant, wave=wave, participants=[p.participant for p in people]
    )
    first = timezone.now() - datetime.timedelta(weeks=3)
    response = login(consultant).post(
        reverse("programme-cycle-create", args=[org.slug, programme.code]),
        {
            "wave": wave.pk,
            "every_weeks": 2,
            "first_at": first.strftime("%Y-%m-%dT%H:%M"),
            "occurrences": 4,
            "duration_minutes": 90,
            "track": "seller",
        },
    )
    assert response.status_code == 302
    sessions = list(Session.objects.order_by("starts_at"))
    assert len(sessions) == 4
    assert sessions[1].starts_at - sessions[0].starts_at == datetime.timedelta(weeks=2)
    assert SessionAttendance.objects.count() == 12

    # The consultant ticks who came to the first session.
    url = reverse("programme-session-detail", args=[org.slug, sessions[0].code])
    login(consultant).post(url, {"present": [people[0].participant.pk, "999999", "x"]})
    assert SessionAttendance.objects.filter(session=sessions[0], attended=True).count() == 1
    assert SessionAttendance.objects.filter(session=sessions[0], attended=False).count() == 2
    assert login(people[0]).post(url, {"present": []}).status_code == 403

    page = (
        login(people[1])
        .get(reverse("programme-participant-detail", args=[org.slug, people[1].participant.code]))
        .content.decode()
    )
    assert "Missed (1)" in page and "Coming up (2)" in page

    # The list says who came where attendance was taken, never "0 / 3" where it was not.
    listing = login(people[1]).get(
        reverse("programme-session-list", args=[org.slug, programme.code])
    )
    cells = [
        " ".join(cell.split("</td>")[0].replace("<br>", " ").split())
        for cell in listing.content.decode().split('data-testid="attendance">')[1:]
    ]
    assert cells == [
        "1 / 3",  # recorded
        '<span class="text-body-secondary">3 expected (not recorded)</span>',  # past, not taken
        "3 expected",  # upcoming
        "3 expected",
    ]

    home = login(people[1]).get(reverse("programme-organisation-home", args=[org.slug]))
    assert "Your next session" in home.content.decode()

    bad = login(consultant).post(
        reverse("programme-cycle-create", args=[org.slug, programme.code]),
        {"wave": wave.pk, "every_weeks": 0, "occurrences": 500, "first_at": "soon"},
    )
    assert bad.status_code == 400
    assert Session.objects.count() == 4


def test_meetings_follow_ups_and_cadence_flags(org, programme, login):
    manager = member(org, Role.MANAGER)
    sponsor = programme.sponsors.get()
    home = reverse("programme-organisation-home", args=[org.slug])
    # No meeting since the programme started 60 days ago: the cadence is missed.
    assert "cadence missed" in login(sponsor).get(home).content.decode()

    url = reverse("programme-meeting-list", args=[org.slug, programme.code])
    assert login(member(org, Role.SELLER)).get(url).status_code == 403
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = login(manager).post(url, {"held_on": tomorrow.isoformat()})
    assert refused.status_code == 400 and "once they have been held" in refused.content.decode()
    response = login(manager).post(
        url,
        {"held_on": timezone.localdate().isoformat(), "attendees": [manager.pk, sponsor.pk],
         "decisions": "Wave 2 starts in March\nAmbassadors lead the demos"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "cadence missed" not in login(sponsor).get(home).content.decode()

    meeting_url = response["Location"]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    login(manager).post(
        meeting_url, {"text": "Book training rooms", "owner": manager.pk, "due_on": yesterday}
    )
    follow_up = FollowUp.objects.get()
    assert "1 overdue follow-up" in login(manager).get(home).content.decode()
    assert "1 overdue follow-up" in login(sponsor).get(home).content.decode()
    page = login(sponsor).get(meeting_url).content.decode()
    assert "Ambassadors lead the demos" in page and "overdue" in page

    done = reverse("programme-follow-up-done", args=[org.slug, follow_up.code])
    assert login(member(org, Role.SELLER)).post(done).status_code == 403
    assert login(manager).post(done).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    assert "overdue follow-up" not in login(manager).get(home).content.decode()


def test_wave_membership_is_one_per_programme(org, programme, login):
    consultant = member(org, Role.CONSULTANT)
    first = services.wave_create(
        by=consultant, programme=programme, name="A", start_date=timezone.localdate()
    )
    second = services.wave_create(
        by=consultant, programme=programme, name="B", start_date=timezone.localdate()
    )
    assert (first.number, second.number) == (1, 2)
    seller = member(org, Role.SELLER)
    client = login(consultant)
    client.post(
        reverse("programme-wave-detail", args=[org.slug, first.code]),
        {"participants": [seller.participant.pk]},
    )
    response = client.post(
        reverse("programme-wave-detail", args=[org.slug, second.code]),
        {"participants": [seller.participant.pk]},
    )
    # Not offered any more: the form refuses the choice and nothing moves.
    assert response.status_code == 400
    assert list(second.members.all()) == []
    assert first.members.count() == 1
    assert services.wave_add_members(
        by=consultant, wave=second, participants=[seller.participant]
    ) == (
        0,
        [seller.participant],
    )


def test_home_page_query_count_does_not_grow(
    org, programme, login, django_assert_num_queries, count_queries
):
    sponsor = programme.sponsors.get()
    client = login(sponsor)
    url = reverse("programme-organisation-home", args=[org.slug])

    def add(n):
        for i in range(n):
            a = services.announcement_save(
                programme=programme, author=sponsor, title=f"Draft {i}", body="b",
                audience="organisation",
            )  # fmt: skip
            services.problem_raise(
                programme=programme, by=sponsor, title=f"P{i}", description="d", anonymous=True
            )
            anonymous_flush()  # anonymous problems are written in batches by the timer
            assert a.pk

    add(1)
    client.get(url)
    few = count_queries(client.get, url)
    assert few <= 20
    add(8)
    with django_assert_num_queries(few):
        client.get(url)


def test_programme_lists_run_a_fixed_number_of_queries(org, programme, login, count_queries):
    consultant = member(org, Role.CONSULTANT)
    wave = services.wave_create(
        by=consultant, programme=programme, name="W", start_date=timezone.localdate()
    )
    client = login(consultant)
    urls = [
        reverse("programme-problem-list", args=[org.slug, programme.code]),
        reverse("programme-session-list", args=[org.slug, programme.code]),
        reverse("programme-meeting-list", args=[org.slug, programme.code]),
        reverse("programme-wave-detail", args=[org.slug, wave.code]),
        reverse("programme-programme-detail", args=[org.slug, programme.code]),
    ]

    def grow(n):
        for i in range(n):
            seller = member(org, Role.SELLER)
            services.wave_add_members(by=consultant, wave=wave, participants=[seller.participant])
            services.problem_raise(
                programme=programme, by=seller, title=f"P{i}", description="d", anonymous=i % 2
            )
            anonymous_flush()
            services.session_save(
                by=consultant, programme=programme,
                data={"kind": "consultation", "title": f"S{i}", "wave": wave,
                      "starts_at": timezone.now(), "duration_minutes": 60},
            )  # fmt: skip
            meeting = services.meeting_create(
                by=consultant, programme=programme, held_on=timezone.localdate(),
                attendees=[consultant], notes="", decisions="",
            )  # fmt: skip
            services.follow_up_add(
                by=consultant,
                meeting=meeting,
                text="t",
                owner=consultant,
                due_on=timezone.localdate(),
            )
            services.risk_save(
                by=consultant,
                programme=programme,
                data={"title": f"R{i}", "what_may_happen": "m", "what_we_do": "d"},
            )

    def queries(url):
        return count_queries(lambda: client.get(url).status_code == 200 or pytest.fail(url))

    grow(2)
    client.get(urls[0])  # the first visit also writes the session: not part of the page's cost
    small = {url: queries(url) for url in urls}
    grow(12)
    assert {url: queries(url) for url in urls} == small
