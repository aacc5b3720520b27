"""Announcements in several languages (#20): who may translate a draft, what is written or
refused, which version each reader sees (switchable), which one each recipient is e-mailed,
and reach counting every version together."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme import selectors, services
from programme.models import AnnouncementRecipient, AnnouncementTranslation, Role
from programme.services.translations import (
    announcement_translation_delete,
    announcement_translation_save,
)
from tests.factories import member

FRENCH = {"title": "Nous commençons", "body": "**Pourquoi** nous le faisons <script>x</script>"}


def _speaks(membership, language: str):
    membership.user.language = language
    membership.user.save(update_fields=["language"])
    return membership


@pytest.fixture
def setting(org):
    sponsor = member(org, Role.SPONSOR)
    consultant = member(org, Role.CONSULTANT)
    programme = services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[sponsor],
        consultants=[consultant],
    )
    return {
        "programme": programme,
        "sponsor": _speaks(sponsor, "en"),
        "consultant": consultant,
        "french": _speaks(member(org, Role.SELLER), "fr"),
        "german": _speaks(member(org, Role.SELLER), "de"),
        "swede": _speaks(member(org, Role.SELLER), "sv"),  # no Swedish version: the original
    }


def _draft(setting, by="sponsor"):
    return services.announcement_save(
        programme=setting["programme"], author=setting[by], title="We start",
        body="**Why** we do this", audience="organisation",
    )  # fmt: skip


def _url(org, announcement, name="programme-announcement-detail"):
    return reverse(name, args=[org.slug, announcement.code])


# --- Who may translate, what is written or refused -------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SPONSOR, True),
        (Role.CONSULTANT, True),
        (Role.SELLER, False),
        (Role.MANAGER, False),
        (Role.MARKETING, False),
        (Role.ADMIN, False),
    ],
)
def test_only_those_who_draft_translate(org, setting, role, allowed):
    announcement = _draft(setting)
    by = member(org, role)
    if allowed:
        announcement_translation_save(announcement=announcement, by=by, language="fr", **FRENCH)
        assert announcement.translations.get().language == "fr"
    else:
        with pytest.raises(PermissionDenied):
            announcement_translation_save(announcement=announcement, by=by, language="fr", **FRENCH)
        assert not AnnouncementTranslation.objects.exists()


def test_the_body_is_sanitised_like_the_original(org, setting):
    announcement = _draft(setting)
    translation = announcement_translation_save(
        announcement=announcement, by=setting["consultant"], language="fr", **FRENCH
    )
    assert "<strong>Pourquoi</strong>" in translation.body_html
    assert "<script>" not in translation.body_html


def test_refused_translations_change_nothing(org, setting, other_org):
    announcement = _draft(setting)
    assert announcement.language == "en"  # the sponsor who drafted it writes English
    with pytest.raises(ValidationError):  # the original's own language
        announcement_translation_save(
            announcement=announcement, by=setting["sponsor"], language="en", **FRENCH
        )
    with pytest.raises(ValidationError):  # not one of the five
        announcement_translation_save(
            announcement=announcement, by=setting["sponsor"], language="xx", **FRENCH
        )
    with pytest.raises(PermissionDenied):  # a sponsor of another organisation
        announcement_translation_save(
            announcement=announcement, by=member(other_org, Role.SPONSOR), language="fr",
            **FRENCH,
        )  # fmt: skip
    services.announcement_publish(announcement=announcement, publisher=setting["sponsor"])
    with pytest.raises(ValidationError):  # published: fixed with the original
        announcement_translation_save(
            announcement=announcement, by=setting["sponsor"], language="fr", **FRENCH
        )
    assert not AnnouncementTranslation.objects.exists()


def test_one_translation_per_language_changed_then_removed(org, setting):
    announcement = _draft(setting)
    by = setting["consultant"]
    announcement_translation_save(announcement=announcement, by=by, language="fr", **FRENCH)
    announcement_translation_save(
        announcement=announcement, by=by, language="fr", title="Nous y allons", body="Voilà"
    )
    assert announcement.translations.get().title == "Nous y allons"
    assert announcement_translation_delete(announcement=announcement, by=by, language="fr")
    assert not announcement_translation_delete(announcement=announcement, by=by, language="fr")


def test_a_draft_is_drafted_in_its_authors_language(org, setting):
    _speaks(setting["consultant"], "de")
    assert _draft(setting, by="consultant").language == "de"


# --- The translation page --------------------------------------------------------------------


def test_the_draft_page_offers_translations_to_drafters_only(org, setting, login):
    announcement = _draft(setting)
    page = login(setting["consultant"]).get(_url(org, announcement)).content.decode()
    assert 'data-testid="announcement-translations"' in page
    assert "?language=fr" in page and "?language=en" not in page  # the original's language
    manager = member(org, Role.MANAGER)
    assert login(manager).get(_url(org, announcement)).status_code == 404  # a draft: not theirs


def test_translation_page_writes_and_refuses(org, setting, login):
    announcement = _draft(setting)
    client = login(setting["consultant"])
    url = _url(org, announcement, "programme-announcement-translation")
    page = client.get(url, {"language": "fr"}).content.decode()
    assert '<option value="fr" selected>Français</option>' in page
    assert '<option value="en"' not in page
    response = client.post(url, {"language": "fr", **FRENCH})
    assert response.status_code == 302
    assert response["Location"].endswith("?lang=fr")
    assert announcement.translations.get().title == FRENCH["title"]
    # Editing shows what is there; an empty title is refused with the form again.
    assert FRENCH["title"] in client.get(url, {"language": "fr"}).content.decode()
    assert client.post(url, {"language": "fr", "title": "", "body": "x"}).status_code == 400
    assert client.post(url, {"language": "en", **FRENCH}).status_code == 400
    client.post(url, {"language": "fr", "delete": "1"})
    assert not announcement.translations.exists()


@pytest.mark.parametrize("role", [Role.SELLER, Role.MARKETING, Role.MANAGER])
def test_others_cannot_open_or_post_the_translation_page(org, setting, login, role):
    announcement = _draft(setting)
    client = login(member(org, role))  # in the audience, so the announcement is theirs to read
    services.announcement_publish(announcement=announcement, publisher=setting["sponsor"])
    url = _url(org, announcement, "programme-announcement-translation")
    assert client.get(url, {"language": "fr"}).status_code == 403
    assert client.post(url, {"language": "fr", **FRENCH}).status_code == 403
    assert not AnnouncementTranslation.objects.exists()


def test_a_published_announcement_is_no_longer_translated_by_page(org, setting, login):
    announcement = _draft(setting)
    services.announcement_publish(announcement=announcement, publisher=setting["sponsor"])
    client = login(setting["sponsor"])
    url = _url(org, announcement, "programme-announcement-translation")
    assert client.post(url, {"language": "fr", **FRENCH}).status_code == 302
    assert not AnnouncementTranslation.objects.exists()


# --- Readers: their version, the others a click away; reach counts all -----------------------


@pytest.fixture
def published(setting):
    announcement = _draft(setting)
    announcement_translation_save(
        announcement=announcement, by=setting["sponsor"], language="fr", **FRENCH
    )
    announcement_translation_save(
        announcement=announcement, by=setting["sponsor"], language="de",
        title="Wir beginnen", body="**Warum** wir das tun",
    )  # fmt: skip
    services.announcement_publish(announcement=announcement, publisher=setting["sponsor"])
    return announcement


def test_each_reader_sees_their_version_and_may_switch(org, setting, published, login):
    client = login(setting["french"])
    page = client.get(_url(org, published)).content.decode()
    assert '<h1 id="announcement-title" class="h3" lang="fr">Nous commençons</h1>' in page
    assert 'data-testid="announcement-languages"' in page
    assert 'href="?lang=en"' in page and 'href="?lang=de"' in page
    page = client.get(_url(org, published), {"lang": "de"}).content.decode()
    assert "Wir beginnen" in page and "Nous commençons" not in page
    page = client.get(_url(org, published), {"lang": "cs"}).content.decode()  # none: original
    assert '<h1 id="announcement-title" class="h3" lang="en">We start</h1>' in page
    # Someone whose language has no version reads the original.
    page = login(setting["swede"]).get(_url(org, published)).content.decode()
    assert '<h1 id="announcement-title" class="h3" lang="en">We start</h1>' in page


def test_the_list_shows_titles_in_the_readers_language(org, setting, published, login):
    client = login(setting["german"])
    url = reverse("programme-announcement-list", args=[org.slug])
    page = client.get(url).content.decode()
    assert '<strong lang="de">Wir beginnen</strong>' in page


def test_reach_counts_every_version_together(org, setting, published, login):
    """Readers of the French, the German and the original are one audience: opening any
    version opens the announcement, and the reach page counts them together."""
    for reader, lang in (("french", ""), ("german", "de"), ("swede", "fr")):
        client = login(setting[reader])
        client.get(_url(org, published), {"lang": lang} if lang else {})
        client.post(_url(org, published, "programme-announcement-acknowledge"))
    reach = selectors.announcement_reach(published)["totals"]
    assert reach["opened"] == reach["acknowledged"] == 3
    assert reach["audience"] == AnnouncementRecipient.objects.filter(announcement=published).count()
    page = login(setting["sponsor"]).get(_url(org, published, "programme-announcement-reach"))
    assert page.status_code == 200


# --- E-mails in the recipient's language -----------------------------------------------------


def test_publish_mail_and_reminders_go_in_each_recipients_language(org, setting, published):
    size = services.announcement_send(announcement_id=published.pk)
    assert size == AnnouncementRecipient.objects.filter(announcement=published).count()
    by_address = {message.to[0]: message for message in mail.outbox}
    french = by_address[setting["french"].user.email]
    assert "Nous commençons" in french.subject and "**Pourquoi**" in french.body
    assert "Wir beginnen" in by_address[setting["german"].user.email].subject
    assert "We start" in by_address[setting["swede"].user.email].subject
    mail.outbox.clear()
    services.announcement_remind(announcement=published, by=setting["sponsor"])
    services.announcement_send_reminders(announcement_id=published.pk)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "Nous commençons" in by_address[setting["french"].user.email].subject


def test_the_mail_batch_reads_translations_once(org, setting, published):
    with CaptureQueriesContext(connection) as few:
        services.announcement_send(announcement_id=published.pk)
    translations = [q for q in few.captured_queries if "announcementtranslation" in q["sql"]]
    assert len(translations) == 1
