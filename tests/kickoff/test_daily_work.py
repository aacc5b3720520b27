"""The consultant's daily kick-off work (#27): named concerns show the name, closing asks first,
wave names are unique and can be changed."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kickoff import services
from kickoff.models import Concern, ConcernOpinion, ConcernVote, KickoffSession
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role, Wave
from tests.factories import member

TODAY = timezone.localdate()


@pytest.fixture
def kickoff(org, consultant):
    programme = programme_services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling", "start_date": TODAY},
        sponsors=[],
        consultants=[consultant],
    )
    session = services.kickoff_save(
        by=consultant,
        programme=programme,
        data={"title": "Kick-off Lyon", "held_on": TODAY, "facilitator": consultant},
        attendees=[],
    )
    services.kickoff_open(by=consultant, session=session)
    session.refresh_from_db()
    return session


# --- "Show my name with it" ----------------------------------------------------------------------


def test_a_named_concern_shows_its_authors_name_wherever_the_concern_is_shown(
    org, consultant, kickoff, login
):
    seller = member(org, Role.SELLER)
    seller.user.first_name, seller.user.last_name = "Anna", "Andersen"
    seller.user.save()
    shy = member(org, Role.SELLER)
    join = reverse("kickoff-join", args=[org.slug, kickoff.join_code])
    login(seller).post(join, {"worry": "No time to post", "named": "on"})
    login(shy).post(join, {"worry": "Being judged on likes"})
    anonymous_flush()  # anonymous concerns are written in batches by the timer
    named = Concern.objects.get(worry="No time to post")
    anonymous = Concern.objects.get(worry="Being judged on likes")
    assert anonymous.author is None

    staff = login(consultant)
    pages = {
        "board": staff.get(reverse("kickoff-session-detail", args=[org.slug, kickoff.code])),
        "concern": staff.get(reverse("kickoff-concern-detail", args=[org.slug, named.code])),
        "projector": staff.get(reverse("kickoff-projector", args=[org.slug, kickoff.code])),
        "report": staff.get(reverse("kickoff-report", args=[org.slug, kickoff.code])),
        "join": login(shy).get(join),
    }
    for where, page in pages.items():
        assert page.status_code == 200, where
        assert "from Anna Andersen" in page.content.decode(), where
    # The anonymous one carries no name, and says so to the team.
    page = staff.get(reverse("kickoff-concern-detail", args=[org.slug, anonymous.code]))
    html = page.content.decode()
    assert "anonymous" in html and shy.user.get_full_name() not in html
    projector = pages["projector"].content.decode()
    assert projector.count('data-testid="concern-author"') == 1


def test_the_join_page_says_who_sees_the_name(org, kickoff, login):
    page = login(member(org, Role.SELLER)).get(
        reverse("kickoff-join", args=[org.slug, kickoff.join_code])
    )
    html = page.content.decode()
    assert "Show my name with it" in html
    assert "on the screen in the room" in html and "consultants and sponsors" in html


# --- Close session asks first ---------------------------------------------------------------------


def _votes(org, kickoff, login):
    first = Concern.objects.create(organisation=org, session=kickoff, worry="Time")
    second = Concern.objects.create(organisation=org, session=kickoff, worry="Tools")
    for voter in (member(org, Role.SELLER), member(org, Role.SELLER)):
        services.concern_vote(concern=first, by=voter)
        services.concern_vote(concern=second, by=voter)
    services.concern_opine(concern=first, by=member(org, Role.SELLER), opinion="agree")


def test_close_session_asks_first_saying_what_is_forgotten(org, consultant, kickoff, login):
    _votes(org, kickoff, login)
    client = login(consultant)
    url = reverse("kickoff-session-close", args=[org.slug, kickoff.code])
    board = client.get(reverse("kickoff-session-detail", args=[org.slug, kickoff.code]))
    assert f'href="{url}"' in board.content.decode()  # a link: works without JavaScript

    # One click (the old button's plain POST) no longer closes.
    response = client.post(url)
    assert response.status_code == 200
    kickoff.refresh_from_db()
    assert kickoff.status == KickoffSession.Status.OPEN
    assert ConcernVote.objects.count() == 4

    question = client.get(url).content.decode()
    assert (
        "4 “me too” votes and 1 agree, disagree or pass by 3 people on 2 concerns are no longer"
        " linked to anyone" in question
    )
    assert "cannot be opened again" in question
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Yes, close and forget the voters" in fragment

    response = client.post(url, {"confirm": "close"})
    assert response.status_code == 302
    kickoff.refresh_from_db()
    assert kickoff.status == KickoffSession.Status.CLOSED
    assert ConcernVote.objects.count() == 0 and ConcernOpinion.objects.count() == 0
    assert sorted(Concern.objects.values_list("votes", "agrees")) == [(2, 0), (2, 1)]


def test_only_the_facilitator_closes(org, kickoff, login):
    url = reverse("kickoff-session-close", args=[org.slug, kickoff.code])
    for role in (Role.SELLER, Role.SPONSOR, Role.MANAGER):
        client = login(member(org, role))
        assert client.get(url).status_code == 403
        assert client.post(url, {"confirm": "close"}).status_code == 403
    kickoff.refresh_from_db()
    assert kickoff.status == KickoffSession.Status.OPEN


# --- Waves: unique names, a sensible default, renaming ----------------------------------------


def test_the_planner_suggests_a_free_name_and_refuses_a_second_supporters(
    org, consultant, kickoff, login
):
    programme = kickoff.programme
    sellers = [member(org, Role.SELLER) for _ in range(4)]
    client = login(consultant)
    url = reverse("kickoff-wave-planner", args=[org.slug, programme.code])
    assert 'value="Supporters"' in client.get(url).content.decode()
    client.post(
        url,
        {
            "name": "Supporters",
            "start_date": "2026-12-01",
            "participants": [sellers[0].participant.pk],
        },
    )
    page = client.get(url).content.decode()
    assert 'value="Supporters"' not in page and 'value="Wave 2"' in page

    response = client.post(
        url,
        {
            "name": "supporters ",
            "start_date": "2027-01-10",
            "participants": [sellers[1].participant.pk],
        },
    )
    assert response.status_code == 400
    assert "Another wave of this programme is already called" in response.content.decode()
    assert programme.waves.count() == 1


def test_a_wave_is_renamed_by_whoever_plans_waves(org, consultant, kickoff, login):
    programme = kickoff.programme
    first = programme_services.wave_create(
        by=consultant, programme=programme, name="Supporters", start_date=TODAY
    )
    second = programme_services.wave_create(
        by=consultant, programme=programme, name="Wave 2", start_date=TODAY
    )
    client = login(consultant)
    planner = client.get(reverse("kickoff-wave-planner", args=[org.slug, programme.code]))
    rename = reverse("kickoff-wave-rename", args=[org.slug, second.code])
    assert rename in planner.content.decode()

    taken = client.post(rename, {"name": "SUPPORTERS"})
    assert taken.status_code == 400
    assert "already called" in taken.content.decode()
    blank = client.post(rename, {"name": "  "})
    assert blank.status_code == 400
    second.refresh_from_db()
    assert second.name == "Wave 2"

    done = client.post(rename, {"name": "Early majority"}, follow=True)
    assert "Wave 2 is now called Early majority." in done.content.decode()
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.name, second.name) == ("Supporters", "Early majority")
    for role in (Role.SELLER, Role.MANAGER, Role.SPONSOR):
        assert login(member(org, role)).post(rename, {"name": "Mine"}).status_code == 403
    second.refresh_from_db()
    assert second.name == "Early majority"


def test_the_database_holds_the_rule_and_the_migration_renames_old_duplicates(org, kickoff):
    from importlib import import_module

    from django.db import IntegrityError, transaction

    programme = kickoff.programme
    constraint = next(
        c for c in Wave._meta.constraints if c.name == "wave_unique_name_per_programme"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Wave, constraint)
    for number, name in enumerate(["Supporters", "Supporters", "supporters", "Supporters (2)"], 1):
        Wave.objects.create(programme=programme, number=number, name=name, start_date=TODAY)
    Wave.objects.create(programme=programme, number=5, name="", start_date=TODAY)
    Wave.objects.create(programme=programme, number=6, name="", start_date=TODAY)
    migration = import_module("programme.migrations.0007_wave_unique_name_per_programme")
    migration.rename_duplicate_waves(apps, None)
    with connection.cursor() as cursor:  # deferred foreign-key checks would block the index
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        editor.add_constraint(Wave, constraint)
    names = list(programme.waves.order_by("number").values_list("name", flat=True))
    assert names == ["Supporters", "Supporters (3)", "supporters (4)", "Supporters (2)", "", ""]
    with pytest.raises(IntegrityError), transaction.atomic():
        Wave.objects.create(programme=programme, number=7, name="SUPPORTERS", start_date=TODAY)


# --- The printed report --------------------------------------------------------------------


def test_the_report_holds_the_sponsors_input_and_the_emotion_sources_laid_out_for_print(
    org, consultant, kickoff, login
):
    from pathlib import Path

    from kickoff.models import EmotionSignal

    seller = member(org, Role.SELLER)
    seller.user.first_name, seller.user.last_name = "Jonas", "Berg"
    seller.user.save()
    KickoffSession.objects.filter(pk=kickoff.pk).update(
        sponsor_notes="We measure habits, not likes.", examples="https://example.com/post"
    )
    EmotionSignal.objects.create(
        session=kickoff, kind="cynicism", intensity=2, participant=seller.participant
    )
    html = login(consultant).get(reverse("kickoff-report", args=[org.slug, kickoff.code]))
    html = html.content.decode()
    assert "Sponsor's input" in html and "We measure habits, not likes." in html
    assert "https://example.com/post" in html
    assert "By source" in html and "Jonas Berg" in html and "Cynicism" in html
    assert "kickoff/report.css" in html and " style=" not in html
    css = (Path(__file__).resolve().parents[2] / "kickoff/static/kickoff/report.css").read_text()
    assert "@media print" in css and "break-inside: avoid" in css


def test_the_programme_page_refuses_a_taken_wave_name_with_a_message(
    org, consultant, kickoff, login
):
    programme = kickoff.programme
    programme_services.wave_create(
        by=consultant, programme=programme, name="Supporters", start_date=TODAY
    )
    response = login(consultant).post(
        reverse("programme-wave-create", args=[org.slug, programme.code]),
        {"name": "Supporters", "start_date": "2027-01-04"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Another wave of this programme is already called “Supporters”" in (
        response.content.decode()
    )
    assert programme.waves.count() == 1
