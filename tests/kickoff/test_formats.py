"""Kick-off formats: the agenda and its run-sheet, saving a session as a format, planning the
next wave's kick-off from it (a copy, so later edits leave it alone), archiving, the emotion
check, and the wave-over-wave comparison (its figures and its fixed number of queries)."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kickoff import formats, services
from kickoff.models import ConcernStatus, EmotionSignal, KickoffFormat, KickoffSession
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role
from programme.navigation import navigation_for
from tests.factories import member

TODAY = timezone.localdate()
AGENDA = "Welcome — 10\nWhat worries you \u2013 20 min\nVote - 15\nNext steps: 5"


@pytest.fixture
def world(org):
    consultant, sponsor = member(org, Role.CONSULTANT), member(org, Role.SPONSOR)
    programme = programme_services.programme_save(
        organisation=org, by=consultant, data={"name": "Social selling", "start_date": TODAY},
        sponsors=[sponsor], consultants=[consultant],
    )  # fmt: skip
    wave1 = programme_services.wave_create(
        programme=programme, by=consultant, name="Supporters", start_date=TODAY
    )
    wave2 = programme_services.wave_create(
        programme=programme, by=consultant, name="Second wave", start_date=TODAY
    )
    session = services.kickoff_save(
        programme=programme, by=consultant, attendees=[],
        data={"title": "Kick-off Lyon", "held_on": TODAY - timedelta(days=30), "wave": wave1},
    )  # fmt: skip
    return {
        "consultant": consultant, "sponsor": sponsor, "programme": programme, "session": session,
        "wave1": wave1, "wave2": wave2,
    }  # fmt: skip


def a_format(world, **data) -> KickoffFormat:
    return services.kickoff_format_save(
        by=world["consultant"],
        data={"name": "Wave kick-off", "agenda": AGENDA, "worry_question": "What scares you?",
              "help_question": "What would make it easy?", "emotion_check": True,
              "follow_up_days": 21, **data},
    )  # fmt: skip


def plan(world, kickoff_format, **data) -> KickoffSession:
    return services.kickoff_plan_from_format(
        programme=world["programme"], by=world["consultant"], kickoff_format=kickoff_format,
        data={"title": "Kick-off wave 2", "held_on": TODAY, **data}, attendees=[],
    )  # fmt: skip


# --- The agenda -------------------------------------------------------------------------------


def test_an_agenda_reads_step_and_minutes_whatever_the_dash():
    steps = formats.parse_agenda(AGENDA + "\n\n  Q&A - open floor - 10  ")
    assert [(s.step, s.minutes) for s in steps] == [
        ("Welcome", 10), ("What worries you", 20), ("Vote", 15), ("Next steps", 5),
        ("Q&A - open floor", 10),
    ]  # fmt: skip
    assert formats.agenda_text(steps).splitlines()[1] == "What worries you — 20"


def test_a_bad_agenda_names_every_bad_line():
    with pytest.raises(formats.AgendaError) as caught:
        formats.parse_agenda("Welcome — 10\nDiscussion\n — 5\nMarathon — 0\nVote — 15")
    assert caught.value.messages == [
        "Line 2: end the line with the step's minutes, like 'What worries you — 20'.",
        "Line 3: name the step before its minutes.",
        "Line 4: a step lasts from 1 to 240 minutes.",
    ]
    with pytest.raises(formats.AgendaError, match="add up to 500 minutes"):
        formats.parse_agenda("One — 240\nTwo — 240\nThree — 20")


def test_the_run_sheet_counts_from_the_start_or_the_clock():
    steps = formats.parse_agenda(AGENDA)
    elapsed = formats.run_sheet(steps)
    assert [(r.starts, r.ends) for r in elapsed] == [
        ("0:00", "0:10"), ("0:10", "0:30"), ("0:30", "0:45"), ("0:45", "0:50"),
    ]  # fmt: skip
    clock = formats.run_sheet(steps, datetime.time(9, 55))
    assert [(r.starts, r.ends) for r in clock][-2:] == [("10:25", "10:40"), ("10:40", "10:45")]


# --- Saving, planning, editing ------------------------------------------------------------------


def test_save_as_a_format_is_prefilled_from_the_session_and_links_it(org, world, login):
    client = login(world["consultant"])
    session = world["session"]
    url = reverse("kickoff-session-save-as-format", args=[org.slug, session.code])
    page = client.get(url).content.decode()
    assert 'value="Kick-off Lyon"' in page  # named after the session, to be renamed
    assert "What worries you, what would help — 30" in page  # a suggested agenda
    response = client.post(
        url, {"name": "Wave kick-off", "agenda": AGENDA, "emotion_check": "on",
              "follow_up_days": 14, "worry_question": "What scares you?"},
    )  # fmt: skip
    assert response.status_code == 302
    kickoff_format = KickoffFormat.objects.get(organisation=org)
    assert kickoff_format.name == "Wave kick-off" and kickoff_format.follow_up_days == 14
    assert kickoff_format.agenda.splitlines()[1] == "What worries you — 20"
    session.refresh_from_db()
    assert session.kickoff_format == kickoff_format  # the next wave compares with this one
    assert session.worry_question == ""  # the session itself keeps what it asked
    detail = client.get(reverse("kickoff-session-detail", args=[org.slug, session.code]))
    assert "Format: Wave kick-off" in detail.content.decode()


def test_a_bad_agenda_or_a_taken_name_is_refused_and_saves_nothing(org, world, login):
    client = login(world["consultant"])
    a_format(world)
    url = reverse("kickoff-format-create", args=[org.slug])
    response = client.post(url, {"name": "Other", "agenda": "Welcome\nVote — 15",
                                 "follow_up_days": 30})  # fmt: skip
    assert response.status_code == 400
    assert "Line 1: end the line with the step&#x27;s minutes" in response.content.decode()
    response = client.post(url, {"name": "wave KICK-OFF", "agenda": "Vote — 15",
                                 "follow_up_days": 30})  # fmt: skip
    assert response.status_code == 400
    assert "A format named" in response.content.decode()
    assert KickoffFormat.objects.count() == 1
    with pytest.raises(ValidationError):  # the service checks whoever calls it
        services.kickoff_format_save(by=world["consultant"], data={"name": "X", "agenda": "Hi"})
    assert KickoffFormat.objects.count() == 1


def test_a_session_planned_from_a_format_asks_its_questions_and_keeps_them(org, world, login):
    kickoff_format = a_format(world)
    client = login(world["consultant"])
    response = client.post(
        reverse("kickoff-session-plan-from-format", args=[org.slug, world["programme"].code]),
        {"kickoff_format": str(kickoff_format.code), "title": "Kick-off wave 2",
         "held_on": TODAY.isoformat(), "starts_at": "09:30", "wave": world["wave2"].pk},
    )  # fmt: skip
    assert response.status_code == 302
    session = KickoffSession.objects.get(title="Kick-off wave 2")
    assert (session.kickoff_format, session.wave, session.follow_up_days) == (
        kickoff_format, world["wave2"], 21,
    )  # fmt: skip
    services.kickoff_open(session=session, by=world["consultant"])
    seller = login(member(org, Role.SELLER))
    join = reverse("kickoff-join", args=[org.slug, session.join_code])
    page = seller.get(join).content.decode()
    assert "What scares you?" in page and "What would make it easy? (optional)" in page

    # Editing the format later changes the next sessions, not this one.
    services.kickoff_format_save(
        by=world["consultant"], kickoff_format=kickoff_format,
        data={"worry_question": "Anything else?", "agenda": "Only — 5"},
    )  # fmt: skip
    page = seller.get(join).content.decode()
    assert "What scares you?" in page and "Anything else?" not in page
    board = client.get(reverse("kickoff-session-detail", args=[org.slug, session.code]))
    assert "09:40\u201310:00" in board.content.decode()  # the run-sheet from the session's copy
    assert "The room is asked: “What scares you?”" in board.content.decode()


def test_a_session_without_a_format_asks_the_standard_questions(org, world, login):
    session = world["session"]
    services.kickoff_open(session=session, by=world["consultant"])
    page = login(member(org, Role.SELLER)).get(
        reverse("kickoff-join", args=[org.slug, session.join_code])
    )
    assert "What worries me" in page.content.decode()
    assert (session.worry_label, session.help_label) == ("What worries me", "What would help")


def test_the_run_sheet_is_for_those_who_run_the_session(org, world, login):
    session = plan(world, a_format(world))
    url = reverse("kickoff-session-detail", args=[org.slug, session.code])
    consultant_page = login(world["consultant"]).get(url).content.decode()
    assert 'data-testid="run-sheet"' in consultant_page and "0:10\u20130:30" in consultant_page
    sponsor_page = login(world["sponsor"]).get(url).content.decode()
    assert 'data-testid="run-sheet"' not in sponsor_page
    assert "Save as a format" not in sponsor_page


def test_an_archived_format_is_not_offered_and_cannot_be_used(org, world, login):
    kickoff_format = a_format(world)
    kept = a_format(world, name="Short kick-off")
    client = login(world["consultant"])
    client.post(reverse("kickoff-format-archive", args=[org.slug, kickoff_format.code]))
    kickoff_format.refresh_from_db()
    assert kickoff_format.archived_at is not None
    url = reverse("kickoff-session-plan-from-format", args=[org.slug, world["programme"].code])
    page = client.get(url).content.decode()
    assert str(kept.code) in page and str(kickoff_format.code) not in page
    response = client.post(url, {"kickoff_format": str(kickoff_format.code), "title": "X",
                                 "held_on": TODAY.isoformat()})  # fmt: skip
    assert response.status_code == 400
    with pytest.raises(ValidationError, match="archived"):
        plan(world, kickoff_format)
    assert not KickoffSession.objects.filter(title__in=["X", "Kick-off wave 2"]).exists()
    # Restored, it is offered again.
    client.post(
        reverse("kickoff-format-archive", args=[org.slug, kickoff_format.code]), {"archived": "0"}
    )
    assert str(kickoff_format.code) in client.get(url).content.decode()


def test_a_wave_of_another_programme_is_refused(org, world, login):
    kickoff_format = a_format(world)
    other = programme_services.programme_save(
        organisation=org, by=world["consultant"], data={"name": "Other", "start_date": TODAY},
        sponsors=[], consultants=[],
    )  # fmt: skip
    foreign_wave = programme_services.wave_create(
        programme=other, by=world["consultant"], name="Theirs", start_date=TODAY
    )
    response = login(world["consultant"]).post(
        reverse("kickoff-session-plan-from-format", args=[org.slug, world["programme"].code]),
        {"kickoff_format": str(kickoff_format.code), "title": "X", "held_on": TODAY.isoformat(),
         "wave": foreign_wave.pk},
    )  # fmt: skip
    assert response.status_code == 400
    with pytest.raises(ValidationError, match="this programme's waves"):
        plan(world, kickoff_format, wave=foreign_wave)
    assert not KickoffSession.objects.filter(kickoff_format=kickoff_format).exists()


def test_without_the_emotion_check_no_signal_is_logged(org, world, login):
    session = plan(world, a_format(world, emotion_check=False))
    client = login(world["consultant"])
    page = client.get(reverse("kickoff-session-detail", args=[org.slug, session.code]))
    assert "leaves the emotion check out" in page.content.decode()
    assert "Log signal" not in page.content.decode()
    response = client.post(
        reverse("kickoff-emotion-log", args=[org.slug, session.code]),
        {"kind": "anger", "intensity": 2},
        follow=True,
    )
    assert response.status_code == 200
    assert "leaves the emotion check out" in response.content.decode()
    assert not EmotionSignal.objects.exists()


def test_kickoff_formats_are_in_the_navigation_of_those_who_use_them(org):
    def has(role):
        sections = navigation_for(member(org, role))
        return any(link.route == "kickoff-format-list" for s in sections for link in s.links)

    assert [has(role) for role in (Role.CONSULTANT, Role.ADMIN, Role.SPONSOR)] == [True] * 3
    assert [has(role) for role in (Role.SELLER, Role.MANAGER, Role.MARKETING)] == [False] * 3


# --- Wave over wave --------------------------------------------------------------------------


def _run(world, session, *, joiners: int, concerns: list[tuple[str, str, int]], addressed=0,
         emotions=()):  # fmt: skip
    """Open the session, have `joiners` people join, write concerns (worry, category, votes)."""
    consultant = world["consultant"]
    org = consultant.organisation
    services.kickoff_open(session=session, by=consultant)
    session.refresh_from_db()
    for _ in range(joiners):
        services.kickoff_join_record(session=session, by=member(org, Role.SELLER))
    made = []
    for worry, category, votes in concerns:
        concern = services.concern_submit(
            session=session, by=member(org, Role.SELLER), worry=worry, would_help="",
            anonymous=False,
        )  # fmt: skip
        services.concern_categorise(concern=concern, by=consultant, category=category)
        voters = [member(org, Role.SELLER) for _ in range(votes)]
        for voter in voters:
            services.concern_vote(concern=concern, by=voter)
        made.append(concern)
    for concern in made[:addressed]:
        concern.refresh_from_db()
        services.concern_follow_up(
            concern=concern, by=consultant, status=ConcernStatus.ADDRESSED, owner=None,
            action="", response="Done",
        )  # fmt: skip
    for kind, intensity in emotions:
        services.emotion_log(session=session, by=consultant,
                             data={"kind": kind, "intensity": intensity})  # fmt: skip
    services.kickoff_close(session=session, by=consultant)


def test_the_comparison_shows_each_wave_beside_the_previous_one(org, world, login):
    first = world["session"]
    kickoff_format = services.kickoff_format_save_from_session(
        session=first, by=world["consultant"], data={"name": "Wave kick-off", "agenda": AGENDA}
    )
    second = plan(world, kickoff_format, wave=world["wave2"])
    _run(world, first, joiners=4,
         concerns=[("No time", "Time", 3), ("Judged", "Fear", 5), ("Spam", "Fear", 0)],
         addressed=1, emotions=[("anxiety", 3), ("anxiety", 2)])  # fmt: skip
    _run(world, second, joiners=5, concerns=[("Examples?", "Skills", 2)], addressed=1,
         emotions=[("anxiety", 1)])  # fmt: skip
    page = login(world["sponsor"]).get(
        reverse("kickoff-format-compare", args=[org.slug, kickoff_format.code])
    )
    assert page.status_code == 200
    html = page.content.decode()
    # Oldest first, labelled by wave.
    assert html.index("Supporters") < html.index("Second wave")
    assert html.index("Kick-off Lyon") < html.index("Kick-off wave 2")
    from kickoff import selectors

    columns = selectors.format_comparison(kickoff_format)
    one, two = (c["figures"] for c in columns)
    assert (one.people, one.concerns, one.votes, one.addressed) == (4, 3, 8, 1)
    assert (two.people, two.concerns, two.votes, two.addressed) == (5, 1, 2, 1)
    assert one.categories == [("Fear", 5), ("Time", 3)]
    assert one.worries[0] == ("Judged", 5)
    assert one.emotions == {"anxiety": 2.5} and two.emotions == {"anxiety": 1.0}
    rows = {row.label: row for row in formats.comparison_rows([one, two], {"anxiety": "Anxiety"})}
    people = rows["People in the room"].cells
    assert (people[0].text, people[1].text, people[1].change_text) == ("4", "5", "+1")
    per_person = rows["'Me too' votes per person"].cells
    assert (per_person[0].text, per_person[1].text, per_person[1].change_text) == (
        "2.0", "0.4", "\u22121.6",
    )  # fmt: skip
    addressed = rows["Concerns addressed"].cells
    assert (addressed[0].text, addressed[1].text, addressed[1].change_text) == (
        "33 %", "100 %", "+67 pts",
    )  # fmt: skip
    anxiety = rows["Emotion: Anxiety (average intensity, 1-3)"].cells
    assert (anxiety[1].text, anxiety[1].change_text) == ("1.0", "\u22121.5")
    assert "+67 pts on the previous wave" in html and "Fear (5)" in html


def test_a_format_used_once_says_the_comparison_starts_with_the_second(org, world, login):
    kickoff_format = a_format(world)
    plan(world, kickoff_format)
    page = login(world["consultant"]).get(
        reverse("kickoff-format-compare", args=[org.slug, kickoff_format.code])
    )
    assert "the comparison starts with the second" in page.content.decode()


def test_people_come_from_the_attendance_list_when_nobody_joined(org, world):
    kickoff_format = a_format(world)
    session = services.kickoff_plan_from_format(
        programme=world["programme"], by=world["consultant"], kickoff_format=kickoff_format,
        data={"title": "Old-style", "held_on": TODAY},
        attendees=[member(org, Role.SELLER) for _ in range(3)],
    )  # fmt: skip
    from kickoff import selectors

    (column,) = selectors.format_comparison(kickoff_format)
    assert column["session"] == session
    assert (column["figures"].people, column["figures"].people_from_attendance) == (3, True)
    rows = formats.comparison_rows([column["figures"]], {})
    assert rows[0].cells[0].text == "3*"


def test_the_comparison_runs_a_fixed_number_of_queries(org, world, login, count_queries):
    kickoff_format = a_format(world)
    client = login(world["consultant"])
    url = reverse("kickoff-format-compare", args=[org.slug, kickoff_format.code])

    def add_sessions(n):
        for i in range(n):
            session = plan(world, kickoff_format, title=f"Wave {i}",
                           held_on=TODAY + timedelta(days=i), wave=world["wave2"])  # fmt: skip
            _run(world, session, joiners=2, concerns=[(f"W{i}", f"Cat {i}", 1), ("X", "", 0)],
                 addressed=1, emotions=[("anxiety", 2), ("silence", 1)])  # fmt: skip
        anonymous_flush()

    def count():
        return count_queries(lambda: client.get(url).status_code == 200 or pytest.fail(url))

    add_sessions(2)
    client.get(url)
    with_two = count()
    add_sessions(4)
    assert count() == with_two
    assert client.get(url).content.decode().count('data-testid="session-column"') == 6


def test_the_formats_list_offers_planning_from_each_format_in_fixed_queries(
    org, world, login, count_queries
):
    client = login(world["consultant"])
    url = reverse("kickoff-format-list", args=[org.slug])
    kickoff_format = a_format(world)
    page = client.get(url).content.decode()
    plan_url = reverse("kickoff-session-plan-from-format", args=[org.slug, world["programme"].code])
    assert f"{plan_url}?format={kickoff_format.code}" in page
    form = client.get(f"{plan_url}?format={kickoff_format.code}").content.decode()
    assert f'<option value="{kickoff_format.code}" selected>' in form
    # The sponsor compares; planning and editing are for those who run kick-offs.
    sponsor_page = login(world["sponsor"]).get(url).content.decode()
    assert "Compare waves" in sponsor_page and plan_url not in sponsor_page
    assert "Archive" not in sponsor_page

    def count():
        return count_queries(lambda: client.get(url).status_code == 200 or pytest.fail(url))

    one = count()
    for i in range(4):
        plan(world, a_format(world, name=f"Format {i}"))
    assert count() == one
