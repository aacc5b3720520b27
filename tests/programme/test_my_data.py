"""My data: what Snowball keeps about a person, "Download my data", "Erase me", and an admin's
erasure on a written request. After erasure no table holds the person's e-mail, name, LinkedIn
address or ids, except the record that an erasure happened."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme import services
from programme.anonymous import anonymous_flush
from programme.models import (
    DataExport,
    EmailPreference,
    ErasureRecord,
    Membership,
    Notification,
    Participant,
    Role,
    RosterImport,
    User,
)
from programme.navigation import navigation_for
from tests.factories import PASSWORD, UserFactory, member

NAME = ("Zephyrine", "Quillfeather")
EMAIL = "zephyrine.quillfeather@acme.example"
LINKEDIN = "https://www.linkedin.com/in/zephyrine-quillfeather-4711"


@pytest.fixture
def person(org) -> Membership:
    user = UserFactory(email=EMAIL, first_name=NAME[0], last_name=NAME[1])
    membership = Membership.objects.create(
        user=user, organisation=org, role=Role.SELLER, joined_at=timezone.now()
    )
    Participant.objects.create(organisation=org, membership=membership, linkedin_url=LINKEDIN)
    return membership


def _world(org, person: Membership) -> dict[str, object]:
    """The person's data in every app, and traces of them in others' rows."""
    from goals import services as goals_services
    from goals.models import Celebration
    from kickoff import services as kickoff_services
    from kickoff.models import StakeholderAssessment
    from metrics.models import ActivityEvent, ActivityImport, LinkedInProfileText
    from showcase import services as showcase_services
    from showcase.models import CaseImage

    today = timezone.localdate()
    sponsor = member(org, Role.SPONSOR)
    consultant = member(org, Role.CONSULTANT)
    colleague = member(org, Role.SELLER)
    programme = services.programme_save(
        organisation=org, by=consultant, data={"name": "Social selling", "start_date": today},
        sponsors=[sponsor], consultants=[],
    )  # fmt: skip
    # Showcase: a case with an image, comments both ways, a reaction.
    case = showcase_services.case_save(
        author=person.participant,
        data={"kind": "post_worked", "title": "My post about pumps", "story": "It worked.",
              "visibility": "organisation"},
    )  # fmt: skip
    image = CaseImage(case=case, content_type="image/png", width=1, height=1)
    image.file.save("image", ContentFile(b"png bytes"), save=True)
    theirs = showcase_services.case_save(
        author=colleague.participant,
        data={"kind": "lesson", "title": "A colleague's lesson", "story": "Learnt.",
              "visibility": "organisation"},
    )  # fmt: skip
    showcase_services.comment_add(case=theirs, by=person, body="Thanks, very useful")
    showcase_services.reaction_toggle(case=theirs, by=person, kind="useful")
    showcase_services.comment_add(case=case, by=colleague, body="Great post")
    # Kick-off: a signed and an anonymous concern, a join, a vote, an assessment.
    kickoff = kickoff_services.kickoff_save(
        programme=programme, by=consultant, data={"title": "Kick-off", "held_on": today},
        attendees=[person],
    )  # fmt: skip
    kickoff_services.kickoff_open(session=kickoff, by=consultant)
    kickoff.refresh_from_db()
    signed = kickoff_services.concern_submit(
        session=kickoff, by=person, worry="Signed worry", would_help="", anonymous=False
    )
    kickoff_services.concern_submit(
        session=kickoff, by=person, worry="Anonymous worry", would_help="", anonymous=True
    )
    other = kickoff_services.concern_submit(
        session=kickoff, by=colleague, worry="Colleague's worry", would_help="", anonymous=True
    )
    anonymous_flush()  # anonymous concerns are written in batches by beat's timer
    other = type(other).objects.get(pk=other.pk)
    kickoff_services.concern_vote(concern=other, by=person)
    StakeholderAssessment.objects.create(
        organisation=org, participant=person.participant, assessed_on=today, stance="sceptic",
        influence="high", curve_stage="resisting", note="Doubts it", assessed_by=consultant,
    )  # fmt: skip
    # Metrics: events, an import for them, their LinkedIn profile text, a CRM import naming them.
    ActivityEvent.objects.create(
        organisation=org, participant=person.participant, kind="post_published",
        occurred_at=timezone.now(), week=today - datetime.timedelta(days=today.weekday()),
        source="quick_log", external_id="q-1", url=LINKEDIN + "/recent-activity",
    )  # fmt: skip
    ActivityImport.objects.create(
        organisation=org, participant=person.participant, kind="linkedin_export",
        filename="Basic_LinkedInDataExport.zip", uploaded_by=person, status="done",
    )  # fmt: skip
    ActivityImport.objects.create(
        organisation=org, kind="crm", filename="crm.csv", uploaded_by=consultant, status="done",
        skipped=[["crm.csv", 3, f"no person with the e-mail {EMAIL}"], ["crm.csv", 4, "empty"]],
    )  # fmt: skip
    LinkedInProfileText.objects.create(
        participant=person.participant, headline="Pump seller", summary="Zephyrine sells pumps"
    )
    # Goals: a proposal, a vote on another, a milestone with consent.
    mine = goals_services.proposal_add(by=person, subject="ritual", statement="Cake on Friday")
    theirs_proposal = goals_services.proposal_add(
        by=colleague, subject="ritual", statement="A bell"
    )
    goals_services.window_open(
        by=consultant, subject="ritual", closes_at=timezone.now() + datetime.timedelta(days=7)
    )
    goals_services.vote_toggle(proposal=theirs_proposal, by=person)
    Celebration.objects.create(
        organisation=org, participant=person.participant, kind="first_meeting", consent="team"
    )
    # Programme: an e-mail choice, notifications, a roster upload with their row, an admin log.
    EmailPreference.objects.create(membership=person, kind="case_activity", mode="digest")
    services.notify(recipient=person, kind="case_activity", text="Hello there")
    RosterImport.objects.create(
        organisation=org, filename="roster.csv", status="done",
        rows=[{"email": EMAIL, "first_name": NAME[0], "last_name": NAME[1]},
              {"email": "someone.else@acme.example", "first_name": "Some", "last_name": "One"}],
    )  # fmt: skip
    LogEntry.objects.create(
        user=member(org, Role.ADMIN).user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.user.pk),
        object_repr=f"{NAME[0]} {NAME[1]}",
        action_flag=CHANGE,
    )
    return {"case": case, "image": image, "signed": signed, "proposal": mine,
            "colleague": colleague, "consultant": consultant, "sponsor": sponsor}  # fmt: skip


def _traces(ids: dict[str, list[int]], texts: list[str]) -> list[str]:
    """Every place the person still appears: any text or JSON column of any table holding one
    of `texts`, and any column pointing at the user, membership or participant ids."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = current_schema()
                 AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')"""
        )
        columns = cursor.fetchall()
        for table_name, column in columns:
            for text in texts:
                cursor.execute(
                    f'SELECT count(*) FROM "{table_name}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                    [f"%{text}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table_name}.{column} holds {text!r}")
    targets = {User: ids["user"], Membership: ids["membership"], Participant: ids["participant"]}
    for model in django_apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model in targets:
                wanted = targets[field.related_model]
                if model._base_manager.filter(**{f"{field.attname}__in": wanted}).exists():
                    found.append(f"{model._meta.db_table}.{field.column} points at the person")
    for session in Session.objects.all():
        if session.get_decoded().get("_auth_user_id") in {str(i) for i in ids["user"]}:
            found.append("a sign-in session of the person")
    return found


def _ids(person: Membership) -> dict[str, list[int]]:
    return {
        "user": [person.user_id],
        "membership": [person.pk],
        "participant": [person.participant.pk],
    }


TEXTS = [EMAIL, f"{NAME[0]} {NAME[1]}", NAME[0], NAME[1], LINKEDIN]


# --- The page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reaches_my_data_from_its_navigation(org, role) -> None:
    membership = member(org, role)
    urls = [link.url for section in navigation_for(membership) for link in section.links]
    assert reverse("programme-my-data", args=[org.slug]) in urls


def test_my_data_says_what_is_kept_and_what_is_not(org, person, login) -> None:
    _world(org, person)
    page = login(person).get(reverse("programme-my-data", args=[org.slug])).content.decode()
    for heading in ("Profile", "Case studies", "Comments", "Notifications", "E-mail choices",
                    "Activity events: Quick log", "Imports", "Milestones and your consents",
                    "Proposals and votes", "Kick-offs you joined"):  # fmt: skip
        assert heading in page, heading
    assert "Anonymous concerns: they store no author" in page
    assert "Anonymous questions and problems" in page
    assert "Erase me" in page and "Download my data" in page


def test_my_profile_links_to_my_data(org, person, login) -> None:
    page = login(person).get(reverse("programme-participant-me", args=[org.slug]), follow=True)
    assert reverse("programme-my-data", args=[org.slug]) in page.content.decode()


# --- Download -----------------------------------------------------------------------------------


def test_download_builds_a_zip_of_json_and_csv_for_its_owner_only(
    org, person, login, django_capture_on_commit_callbacks
) -> None:
    _world(org, person)
    client = login(person)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("programme-my-data-export", args=[org.slug]))
    assert response.status_code == 302 and len(callbacks) == 1
    export = DataExport.objects.get(membership=person)
    assert export.status == "queued"
    # While queued the page polls and shows progress.
    page = client.get(reverse("programme-my-data", args=[org.slug])).content.decode()
    assert "Preparing your download" in page and 'hx-trigger="every 1s"' in page
    assert services.data_export_build(export_id=export.pk) is True
    assert services.data_export_build(export_id=export.pk) is False  # idempotent
    export.refresh_from_db()
    assert export.status == "done" and export.progress == 100
    url = reverse("programme-my-data-download", args=[org.slug, export.code])
    assert url in client.get(reverse("programme-my-data", args=[org.slug])).content.decode()

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert {"README.txt", "data.json", "csv/showcase/cases.csv"} <= set(names)
    assert any(name.startswith("files/showcase/") for name in names)
    data = json.loads(archive.read("data.json"))
    assert data["programme"]["account"][0]["user__email"] == EMAIL
    assert data["showcase"]["cases"][0]["title"] == "My post about pumps"
    assert data["metrics"]["activity_events"][0]["source"] == "quick_log"
    assert data["goals"]["votes"][0]["proposal__statement"] == "A bell"
    assert data["kickoff"]["concerns_signed"][0]["worry"] == "Signed worry"
    assert "Anonymous worry" not in archive.read("data.json").decode()
    assert "My post about pumps" in archive.read("csv/showcase/cases.csv").decode("utf-8-sig")

    # Nobody else gets it: not a colleague, not an admin, not signed out.
    for other in (member(org, Role.SELLER), member(org, Role.ADMIN)):
        assert login(other).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_an_expired_download_is_refused_and_its_file_pruned(org, person, login) -> None:
    export = DataExport.objects.create(organisation=org, membership=person)
    services.data_export_build(export_id=export.pk)
    export.refresh_from_db()
    storage, name = export.file.storage, export.file.name
    DataExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    url = reverse("programme-my-data-download", args=[org.slug, export.code])
    response = login(person).get(url)
    assert response.status_code == 410
    assert "This download has expired" in response.content.decode()
    assert services.data_exports_prune() == 1
    assert not storage.exists(name)
    assert services.data_exports_prune() == 0


# --- Erasure ------------------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [True, False], ids=["keep-contributions", "delete-them"])
def test_after_erasure_no_table_holds_the_person(org, person, login, keep) -> None:
    world = _world(org, person)
    client = login(person)  # a sign-in session row for the person
    client.get(reverse("programme-my-data", args=[org.slug]))
    ids = _ids(person)
    assert _traces(ids, TEXTS), "the world holds the person before erasure"
    image_storage, image_name = world["image"].file.storage, world["image"].file.name

    response = client.get(reverse("programme-my-data-erase", args=[org.slug]))
    assert "cannot be undone" in response.content.decode()
    response = client.post(
        reverse("programme-my-data-erase", args=[org.slug]),
        {"contributions": "keep" if keep else "delete", "confirm": EMAIL.upper()},
    )
    assert response.status_code == 302 and response["Location"] == reverse("account_login")

    assert _traces(ids, TEXTS) == []
    record = ErasureRecord.objects.get()
    assert not record.on_request and record.erased_by is None
    assert record.kept_contributions is keep and record.counts["activity events"] == 1
    # The others' things stay: their case, their anonymous concern, and the counts.
    from kickoff.models import Concern
    from showcase.models import CaseStudy

    assert CaseStudy.objects.filter(title="A colleague's lesson").exists()
    assert Concern.objects.filter(worry="Colleague's worry", votes=1).exists()
    assert Concern.objects.filter(worry="Signed worry", author=None).exists()
    # The colleague's notification now reads "A former member commented..."
    told = [n.message for n in Notification.objects.filter(recipient=world["colleague"])]
    assert any("A former member" in text for text in told)
    kept = CaseStudy.objects.filter(title="My post about pumps").first()
    if keep:
        assert kept is not None and kept.author is None and not kept.feature_consent
        assert image_storage.exists(image_name)
        page = login(world["colleague"]).get(
            reverse("showcase-case-detail", args=[org.slug, kept.code])
        )
        assert "A former member" in page.content.decode()
    else:
        assert kept is None
    # Signed out, and the account is gone: signing in again fails.
    assert client.get(reverse("programme-my-data", args=[org.slug])).status_code == 302
    assert not Client().login(email=EMAIL, password=PASSWORD)


def test_erasure_needs_a_choice_and_a_confirmation(org, person, login) -> None:
    client = login(person)
    url = reverse("programme-my-data-erase", args=[org.slug])
    response = client.post(url, {"contributions": "keep"})
    assert response.status_code == 400
    assert "Type your e-mail address to confirm" in response.content.decode()
    response = client.post(url, {"contributions": "keep", "confirm": "on"})
    assert "That is not your e-mail address" in response.content.decode()
    response = client.post(url, {"confirm": EMAIL})
    assert "Choose what happens to your case studies and comments" in response.content.decode()
    assert User.objects.filter(email=EMAIL).exists() and not ErasureRecord.objects.exists()


def test_erasure_in_one_organisation_keeps_the_account_for_the_other(
    org, other_org, person, login
) -> None:
    second = Membership.objects.create(user=person.user, organisation=other_org, role="seller")
    response = login(person).post(
        reverse("programme-my-data-erase", args=[org.slug]),
        {"contributions": "delete", "confirm": EMAIL},
    )
    assert response["Location"] == reverse("home")
    assert not Membership.objects.filter(pk=person.pk).exists()
    assert Membership.objects.filter(pk=second.pk).exists()
    assert ErasureRecord.objects.get().organisation == org


def test_an_erased_sponsor_leaves_their_announcements(org, login) -> None:
    sponsor = member(org, Role.SPONSOR)
    programme = services.programme_save(
        organisation=org, by=member(org, Role.CONSULTANT),
        data={"name": "P", "start_date": timezone.localdate()}, sponsors=[sponsor],
        consultants=[],
    )  # fmt: skip
    news = services.announcement_save(
        programme=programme, author=sponsor, title="Our news", body="b", audience="organisation"
    )
    reader = member(org, Role.SELLER)  # in the audience fixed at publication
    services.announcement_publish(announcement=news, publisher=sponsor)
    services.person_erase(by=sponsor, membership=sponsor, keep_contributions=True)
    news.refresh_from_db()
    assert news.status == "published" and news.published_by is None
    page = login(reader).get(reverse("programme-announcement-detail", args=[org.slug, news.code]))
    assert page.status_code == 200 and "Our news" in page.content.decode()


# --- An admin on a written request ----------------------------------------------------------------


def test_an_admin_erases_on_a_written_request_and_it_is_recorded(org, person, login) -> None:
    _world(org, person)
    admin = member(org, Role.ADMIN)
    client = login(admin)
    url = reverse("programme-erasure-requests", args=[org.slug])
    assert f'value="{person.pk}"' in client.get(url).content.decode()
    page = client.get(url, {"person": person.pk}).content.decode()
    assert "Erase Zephyrine Quillfeather" in page and "Case studies" in page

    # No request named: refused, nothing erased.
    response = client.post(url, {"person": person.pk, "contributions": "delete", "confirm": "on"})
    assert response.status_code == 400
    assert "Say which written request" in response.content.decode()
    # A note naming the person would outlive them: refused.
    response = client.post(
        url, {"person": person.pk, "contributions": "delete", "confirm": "on",
              "request_note": f"E-mail from {EMAIL}"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "must not name the person" in response.content.decode()
    assert User.objects.filter(email=EMAIL).exists() and not ErasureRecord.objects.exists()

    ids = _ids(person)
    response = client.post(
        url, {"person": person.pk, "contributions": "delete", "confirm": "on",
              "request_note": "Letter of 3 March, ticket 4711"},
    )  # fmt: skip
    assert response.status_code == 302
    assert _traces(ids, TEXTS) == []
    record = ErasureRecord.objects.get()
    assert record.on_request and record.erased_by == admin
    assert record.request_note == "Letter of 3 March, ticket 4711"
    listing = client.get(url).content.decode()
    assert str(record.reference) in listing and "Letter of 3 March" in listing


def test_only_admins_erase_others_and_only_in_their_organisation(
    org, other_org, person, login
) -> None:
    url = reverse("programme-erasure-requests", args=[org.slug])
    for role in (Role.SELLER, Role.CONSULTANT, Role.SPONSOR, Role.MANAGER, Role.MARKETING):
        client = login(member(org, role))
        assert client.get(url).status_code == 403
        assert client.post(url, {"person": person.pk}).status_code == 403
    stranger = member(other_org, Role.SELLER)
    admin_client = login(member(org, Role.ADMIN))
    response = admin_client.post(
        url, {"person": stranger.pk, "contributions": "delete", "confirm": "on",
              "request_note": "ticket 1"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "not one of the people you can choose" in response.content.decode()
    assert Membership.objects.filter(pk=stranger.pk).exists()
    # Another organisation's admin page answers 404.
    assert login(member(other_org, Role.ADMIN)).get(url).status_code == 404
    # The service refuses too, whoever calls it.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.person_erase(
            by=member(org, Role.CONSULTANT), membership=person, keep_contributions=True,
            request_note="ticket 2",
        )  # fmt: skip


def test_a_download_built_while_its_owner_is_erased_leaves_no_file(
    org, person, monkeypatch
) -> None:
    from django.core.files.storage import default_storage

    from programme.services import privacy as module

    export = DataExport.objects.create(organisation=org, membership=person)
    real = module.providers

    def erased_meanwhile():
        DataExport.objects.filter(pk=export.pk).delete()
        return real()

    monkeypatch.setattr(module, "providers", erased_meanwhile)
    assert module.data_export_build(export_id=export.pk) is False
    folder = f"privacy/{org.pk}"
    left = default_storage.listdir(folder)[1] if default_storage.exists(folder) else []
    assert left == []


def test_erasing_someone_without_a_profile_leaves_everyone_elses_rows(org, person) -> None:
    """Staff often have no participant profile: "their" rows must not become every row
    without a participant (imports for many people, cases of erased authors, unnamed
    emotions)."""
    from kickoff.models import EmotionSignal, KickoffSession
    from metrics.models import ActivityImport
    from showcase.models import CaseStudy

    _world(org, person)
    services.person_erase(by=person, membership=person, keep_contributions=True)
    session = KickoffSession.objects.get()
    EmotionSignal.objects.create(session=session, kind="silence", intensity=2, note="Quiet")
    staff = Membership.objects.create(user=UserFactory(), organisation=org, role=Role.SPONSOR)
    before = (
        CaseStudy.objects.filter(author=None).count(),
        ActivityImport.objects.filter(participant=None).count(),
        EmotionSignal.objects.filter(participant=None, note="Quiet").count(),
    )
    assert before == (1, 1, 1)
    services.person_erase(by=staff, membership=staff, keep_contributions=False)
    after = (
        CaseStudy.objects.filter(author=None).count(),
        ActivityImport.objects.filter(participant=None).count(),
        EmotionSignal.objects.filter(participant=None, note="Quiet").count(),
    )
    assert after == before


def test_someone_without_a_name_is_scrubbed_by_their_address(org) -> None:
    """Snowball calls a person without a name by their address's local part ("quietperson
    commented on your case"): that goes too."""
    from showcase import services as showcase_services

    user = UserFactory(email="quietperson@acme.example", first_name="", last_name="")
    nameless = Membership.objects.create(user=user, organisation=org, role=Role.SELLER)
    Participant.objects.create(organisation=org, membership=nameless)
    colleague = member(org, Role.SELLER)
    case = showcase_services.case_save(
        author=colleague.participant,
        data={"kind": "lesson", "title": "Lesson", "story": "Learnt.",
              "visibility": "organisation"},
    )  # fmt: skip
    showcase_services.comment_add(case=case, by=nameless, body="Nice")
    assert any("quietperson" in n.message for n in Notification.objects.filter(recipient=colleague))
    services.person_erase(by=nameless, membership=nameless, keep_contributions=False)
    assert not any("quietperson" in n.message.lower() for n in Notification.objects.all())
