"""Announcements: sponsors alone publish; the audience reads and acknowledges; no double mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programme import services
from programme.anonymous import anonymous_flush
from programme.models import Announcement, AnnouncementRecipient, Question, Role
from tests.factories import OrganisationFactory, TeamFactory, foreign_world, member


@pytest.fixture
def setting(org):
    """A programme with two waves, a sponsor, a consultant and sellers in each wave."""
    sponsor = member(org, Role.SPONSOR)
    consultant = member(org, Role.CONSULTANT)
    north = TeamFactory(organisation=org, name="North")
    south = TeamFactory(organisation=org, name="South")
    programme = services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[sponsor],
        consultants=[consultant],
    )
    wave1 = services.wave_create(
        by=consultant, programme=programme, name="Supporters", start_date=timezone.localdate()
    )
    wave2 = services.wave_create(
        by=consultant, programme=programme, name="", start_date=timezone.localdate()
    )
    w1 = [member(org, Role.SELLER, team=north if i % 2 else south) for i in range(3)]
    w2 = [member(org, Role.SELLER, team=south) for _ in range(2)]
    services.wave_add_members(by=consultant, wave=wave1, participants=[m.participant for m in w1])
    services.wave_add_members(by=consultant, wave=wave2, participants=[m.participant for m in w2])
    return {
        "programme": programme,
        "sponsor": sponsor,
        "consultant": consultant,
        "wave1": wave1,
        "wave2": wave2,
        "w1": w1,
        "w2": w2,
        "north": north,
    }


def draft_via_view(client, org, programme, **data):
    payload = {"title": "We start", "body": "**Why** we do this", "audience": "organisation"}
    payload.update(data)
    return client.post(
        reverse("programme-announcement-create", args=[org.slug, programme.code]), payload
    )


def test_consultant_drafts_but_cannot_publish(org, setting, login):
    client = login(setting["consultant"])
    response = draft_via_view(
        client, org, setting["programme"], audience="waves", waves=[setting["wave1"].pk]
    )
    announcement = Announcement.objects.get()
    assert response["Location"].endswith(f"/announcements/{announcement.code}/")
    page = client.get(response["Location"]).content.decode()
    assert "Only a sponsor can publish it." in page
    assert "Publish in my name" not in page
    publish = reverse("programme-announcement-publish", args=[org.slug, announcement.code])
    assert client.post(publish).status_code == 403
    announcement.refresh_from_db()
    assert announcement.status == "draft"
    assert not AnnouncementRecipient.objects.exists()
    # The service refuses too, whatever calls it.
    with pytest.raises(Exception, match="Only a sponsor"):
        services.announcement_publish(announcement=announcement, publisher=setting["consultant"])


@pytest.mark.parametrize("role", [Role.SELLER, Role.MANAGER, Role.MARKETING, Role.ADMIN])
def test_nobody_but_a_sponsor_publishes(org, setting, login, role):
    announcement = services.announcement_save(
        programme=setting["programme"],
        author=setting["consultant"],
        title="t",
        body="b",
        audience="organisation",
    )
    response = login(member(org, role)).post(
        reverse("programme-announcement-publish", args=[org.slug, announcement.code]),
        {"confirm": "yes"},
    )
    assert response.status_code in (403, 404)
    announcement.refresh_from_db()
    assert announcement.status == "draft"


def test_sponsor_publishes_to_wave_1_only(org, setting, login, django_capture_on_commit_callbacks):
    announcement = services.announcement_save(
        programme=setting["programme"],
        author=setting["consultant"],
        title="Wave one starts",
        body="Hello <script>alert(1)</script> **team** [site](javascript:alert(1))",
        audience="waves",
        waves=[setting["wave1"]],
    )
    sponsor_client = login(setting["sponsor"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = sponsor_client.post(
            reverse("programme-announcement-publish", args=[org.slug, announcement.code]),
            {"confirm": "yes"},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    announcement.refresh_from_db()
    assert announcement.status == "published"
    assert announcement.published_by == setting["sponsor"]
    assert set(AnnouncementRecipient.objects.values_list("membership_id", flat=True)) == {
        m.pk for m in setting["w1"]
    }
    detail = reverse("programme-announcement-detail", args=[org.slug, announcement.code])

    # A wave 1 seller sees it (sanitised), opens it and acknowledges it.
    seller = setting["w1"][0]
    client = login(seller)
    assert (
        "Wave one starts"
        in client.get(reverse("programme-announcement-list", args=[org.slug])).content.decode()
    )
    page = client.get(detail).content.decode()
    assert "<strong>team</strong>" in page
    assert "<script>alert(1)</script>" not in page and "javascript:" not in page
    recipient = AnnouncementRecipient.objects.get(membership=seller)
    assert recipient.opened_at is not None and recipient.acknowledged_at is None
    client.post(reverse("programme-announcement-acknowledge", args=[org.slug, announcement.code]))
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is not None

    # A wave 2 seller neither lists nor opens it.
    other = login(setting["w2"][0])
    assert (
        "Wave one starts"
        not in other.get(reverse("programme-announcement-list", args=[org.slug])).content.decode()
    )
    assert other.get(detail).status_code == 404

    # The sponsor's reach shows 3 in the audience, 1 opened, 1 acknowledged.
    reach = sponsor_client.get(
        reverse("programme-announcement-reach", args=[org.slug, announcement.code])
    )
    assert reach.status_code == 200
    totals = reach.context["reach"]["totals"]
    assert (totals["audience"], totals["opened"], totals["acknowledged"]) == (3, 1, 1)
    assert {row["team__name"] for row in reach.context["reach"]["by_team"]} == {"North", "South"}

    # A published announcement cannot be published again or edited.
    again = sponsor_client.post(
        reverse("programme-announcement-publish", args=[org.slug, announcement.code]),
        {"confirm": "yes"},
    )
    assert again.status_code == 302
    assert AnnouncementRecipient.objects.count() == 3


def test_team_audience_includes_teams_below(org, setting):
    region = TeamFactory(organisation=org, name="Region")
    setting["north"].parent = region
    setting["north"].save()
    announcement = services.announcement_save(
        programme=setting["programme"],
        author=setting["sponsor"],
        title="North news",
        body="b",
        audience="teams",
        teams=[region],
    )
    size = services.announcement_publish(announcement=announcement, publisher=setting["sponsor"])
    north_people = {m.pk for m in setting["w1"] if m.participant.team_id == setting["north"].pk}
    assert size == len(north_people) == 1
    assert (
        set(AnnouncementRecipient.objects.values_list("membership_id", flat=True)) == north_people
    )


def test_emails_go_once_even_when_the_task_runs_twice(org, setting):
    announcement = services.announcement_save(
        programme=setting["programme"],
        author=setting["sponsor"],
        title="Everyone",
        body="b",
        audience="organisation",
    )
    size = services.announcement_publish(announcement=announcement, publisher=setting["sponsor"])
    assert services.announcement_send(announcement_id=announcement.pk) == size
    assert services.announcement_send(announcement_id=announcement.pk) == 0
    assert len(mail.outbox) == size
    assert len({m.to[0] for m in mail.outbox}) == size
    assert "/announcements/" in mail.outbox[0].body

    # Reminders reach only those who have not acknowledged, once per round.
    first = AnnouncementRecipient.objects.filter(announcement=announcement).first()
    services.announcement_acknowledge(by=first.membership, recipient=first)
    services.announcement_remind(announcement=announcement, by=setting["sponsor"])
    assert services.announcement_send_reminders(announcement_id=announcement.pk) == size - 1
    assert services.announcement_send_reminders(announcement_id=announcement.pk) == 0
    reminders = [m for m in mail.outbox if m.subject.startswith("Reminder:")]
    assert len(reminders) == size - 1
    assert first.membership.user.email not in {m.to[0] for m in reminders}


def test_only_the_sponsor_reminds(org, setting, login):
    announcement = services.announcement_save(
        programme=setting["programme"], author=setting["sponsor"], title="t", body="b",
        audience="organisation",
    )  # fmt: skip
    services.announcement_publish(announcement=announcement, publisher=setting["sponsor"])
    url = reverse("programme-announcement-remind", args=[org.slug, announcement.code])
    assert login(setting["consultant"]).post(url).status_code == 403
    assert login(setting["w1"][0]).post(url).status_code == 403
    announcement.refresh_from_db()
    assert announcement.reminder_rounds == 0
    assert login(setting["sponsor"]).post(url).status_code == 302
    announcement.refresh_from_db()
    assert announcement.reminder_rounds == 1


def test_anonymous_question_stores_no_author_and_no_time(org, setting, login):
    announcement = services.announcement_save(
        programme=setting["programme"], author=setting["sponsor"], title="t", body="b",
        audience="organisation",
    )  # fmt: skip
    services.announcement_publish(announcement=announcement, publisher=setting["sponsor"])
    seller = setting["w1"][0]
    url = reverse("programme-question-ask", args=[org.slug, announcement.code])
    response = login(seller).post(
        url, {"body": "Will this be used to rate us?", "anonymous": "on"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    anonymous_flush()  # anonymous questions are written in batches by the timer
    question = Question.objects.get()
    assert question.author is None
    stored = {f.attname: getattr(question, f.attname) for f in Question._meta.concrete_fields}
    assert seller.pk not in stored.values() and seller.user_id not in stored.values()
    assert "10.1.2.3" not in str(stored)
    assert not any(hasattr(value, "hour") for value in stored.values() if value)  # no timestamps

    named = login(seller).post(url, {"body": "And training dates?"})
    assert named.status_code == 302
    assert Question.objects.filter(author=seller).count() == 1

    # The sponsor answers; a seller cannot.
    answer_url = reverse("programme-question-answer", args=[org.slug, question.code])
    assert login(seller).post(answer_url, {"answer": "No."}).status_code == 403
    login(setting["sponsor"]).post(answer_url, {"answer": "No: it is never used for ratings."})
    question.refresh_from_db()
    assert question.answer.startswith("No:") and question.answered_by == setting["sponsor"]
    page = (
        login(setting["w2"][0])
        .get(reverse("programme-announcement-detail", args=[org.slug, announcement.code]))
        .content.decode()
    )
    assert "Asked anonymously" in page and "never used for ratings" in page


def test_bad_announcement_input_is_refused(org, setting, login):
    client = login(setting["consultant"])
    response = draft_via_view(client, org, setting["programme"], title="", audience="waves")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page and "Choose at least one wave" in page
    foreign_wave = foreign_world(OrganisationFactory())["wave"]
    response = draft_via_view(
        client, org, setting["programme"], audience="waves", waves=[foreign_wave.pk]
    )
    assert response.status_code == 400
    assert not Announcement.objects.filter(organisation=org).exists()


def test_announcement_list_query_count_is_fixed(org, setting, login, django_assert_num_queries):
    client = login(setting["w1"][0])
    url = reverse("programme-announcement-list", args=[org.slug])

    def publish(n):
        for i in range(n):
            a = services.announcement_save(
                programme=setting["programme"], author=setting["sponsor"], title=f"A{i}",
                body="b", audience="organisation",
            )  # fmt: skip
            services.announcement_publish(announcement=a, publisher=setting["sponsor"])

    publish(2)
    client.get(url)
    with django_assert_num_queries(4) as few:
        client.get(url)
    publish(15)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("not read yet") == 17


def _draft(setting, **data):
    values = {"title": "We start", "body": "Why", "audience": "organisation", **data}
    return services.announcement_save(
        programme=setting["programme"], author=setting["consultant"], **values
    )


def test_the_list_offers_a_new_announcement_to_those_who_may_draft(org, setting, login):
    new = reverse("programme-announcement-create", args=[org.slug, setting["programme"].code])
    listing = reverse("programme-announcement-list", args=[org.slug])
    for who in (setting["sponsor"], setting["consultant"]):
        page = login(who).get(listing).content.decode()
        assert "New announcement" in page and new in page
    seller_page = login(setting["w1"][0]).get(listing).content.decode()
    assert "New announcement" not in seller_page and new not in seller_page


def test_publishing_asks_first_saying_how_many_and_which_waves(org, setting, login):
    announcement = _draft(setting, audience="waves", waves=[setting["wave1"]])
    client = login(setting["sponsor"])
    publish = reverse("programme-announcement-publish", args=[org.slug, announcement.code])
    detail = client.get(
        reverse("programme-announcement-detail", args=[org.slug, announcement.code])
    ).content.decode()
    # The draft's button leads to the confirmation, never straight to publication.
    assert f'href="{publish}"' in detail and f'action="{publish}"' not in detail

    page = client.get(publish)
    assert page.status_code == 200
    text = page.content.decode()
    assert "It goes to <strong>3 people</strong>" in text
    assert "Supporters" in text and "Yes, publish to 3 people" in text
    # A POST that did not come from the confirmation only shows it again: nothing is sent.
    assert client.post(publish).status_code == 200
    announcement.refresh_from_db()
    assert announcement.status == "draft" and not AnnouncementRecipient.objects.exists()

    response = client.post(publish, {"confirm": "yes"})
    assert response.status_code == 302
    announcement.refresh_from_db()
    assert announcement.status == "published"
    assert AnnouncementRecipient.objects.count() == 3


def test_confirmation_counts_everyone_but_the_sponsor_and_names_teams(org, setting, login):
    everyone = _draft(setting)
    client = login(setting["sponsor"])
    page = client.get(
        reverse("programme-announcement-publish", args=[org.slug, everyone.code])
    ).content.decode()
    # consultant + 5 sellers; the sponsor does not confirm reading their own words
    assert "It goes to <strong>6 people</strong>" in page and f"everyone in {org.name}" in page

    teams = _draft(setting, audience="teams", teams=[setting["north"]])
    page = client.get(
        reverse("programme-announcement-publish", args=[org.slug, teams.code])
    ).content.decode()
    assert "<strong>North</strong>" in page and "and the teams below them" in page


def test_confirmation_comes_as_a_fragment_for_htmx(org, setting, login):
    announcement = _draft(setting)
    client = login(setting["sponsor"])
    publish = reverse("programme-announcement-publish", args=[org.slug, announcement.code])
    fragment = client.get(publish, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="publish-confirm"' in fragment and "<html" not in fragment
    response = client.post(publish, {"confirm": "yes"}, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].endswith("/reach/")


def test_the_audience_boxes_are_marked_for_the_script_that_hides_them(org, setting, login):
    client = login(setting["sponsor"])
    page = client.get(
        reverse("programme-announcement-create", args=[org.slug, setting["programme"].code])
    ).content.decode()
    assert 'data-audience-for="waves"' in page and 'data-audience-for="teams"' in page
    assert "js/announcements.js" in page and "<script>" not in page
