"""A person's language and time zone: guessed, chosen, switched, followed by pages and mail."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.i18n import for_recipient, language_of, zone_of
from programme.models import Role, Session, User
from tests.factories import PASSWORD, OrganisationFactory, foreign_world, member

pytestmark = pytest.mark.django_db


def _sign_in(client, membership, **headers) -> object:
    return client.post(
        reverse("account_login"),
        {"login": membership.user.email, "password": PASSWORD},
        headers=headers,
    )


def test_the_sign_in_page_follows_the_browser_and_offers_a_switcher(client) -> None:
    page = client.get(reverse("account_login"), headers={"accept-language": "sv-SE,sv;q=0.9"})
    assert page["Content-Language"] == "sv"
    assert b'<html lang="sv">' in page.content
    assert b'data-testid="language-switcher"' in page.content
    # A browser asking for none of ours gets the default.
    page = client.get(reverse("account_login"), headers={"accept-language": "ja"})
    assert page["Content-Language"] == "en-gb"


def test_the_switcher_wins_over_the_browser(client) -> None:
    answer = client.post(reverse("set_language"), {"language": "cs", "next": "/accounts/login/"})
    assert answer.status_code == 302
    page = client.get(reverse("account_login"), headers={"accept-language": "de"})
    assert page["Content-Language"] == "cs"
    # A language we do not have changes nothing.
    client.post(reverse("set_language"), {"language": "xx", "next": "/accounts/login/"})
    assert client.get(reverse("account_login"))["Content-Language"] == "cs"


def test_the_first_sign_in_remembers_the_browser_language(client) -> None:
    organisation = OrganisationFactory(language="de")
    seller = member(organisation)
    _sign_in(client, seller, accept_language="fr-FR,fr;q=0.8")
    seller.user.refresh_from_db()
    assert seller.user.language == "fr"
    # Later visits follow the stored choice, not the browser.
    home = client.get(reverse("programme-organisation-home", args=[organisation.slug]),
                      headers={"accept-language": "sv"})  # fmt: skip
    assert home["Content-Language"] == "fr"


def test_without_a_browser_language_the_organisation_decides(client) -> None:
    organisation = OrganisationFactory(language="de")
    seller = member(organisation)
    _sign_in(client, seller, accept_language="ja")
    seller.user.refresh_from_db()
    assert seller.user.language == "de"


def test_a_chosen_language_is_kept_at_sign_in(client) -> None:
    organisation = OrganisationFactory()
    seller = member(organisation)
    User.objects.filter(pk=seller.user.pk).update(language="cs")
    _sign_in(client, seller, accept_language="fr")
    seller.user.refresh_from_db()
    assert seller.user.language == "cs"


def test_a_person_chooses_language_and_time_zone(client) -> None:
    organisation = OrganisationFactory(time_zone="Europe/Paris")
    seller = member(organisation)
    client.force_login(seller.user)
    url = reverse("programme-language-settings", args=[organisation.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "The organisation&#x27;s (Europe/Paris)" in page.content.decode()
    answer = client.post(url, {"language": "sv", "time_zone": "Europe/Stockholm"})
    assert answer.status_code == 302
    seller.user.refresh_from_db()
    assert (seller.user.language, seller.user.time_zone) == ("sv", "Europe/Stockholm")
    assert client.get(url)["Content-Language"] == "sv"
    # Back to the organisation's zone.
    client.post(url, {"language": "sv", "time_zone": ""})
    seller.user.refresh_from_db()
    assert seller.user.time_zone == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"language": "xx", "time_zone": ""}, "language"),
        ({"language": "de", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "Europe/Paris"}, "language"),
    ],
)
def test_a_bad_choice_is_refused_and_changes_nothing(client, data, field) -> None:
    organisation = OrganisationFactory()
    seller = member(organisation)
    User.objects.filter(pk=seller.user.pk).update(language="fr", time_zone="Europe/Lisbon")
    seller.user.refresh_from_db()
    client.force_login(seller.user)
    answer = client.post(reverse("programme-language-settings", args=[organisation.slug]), data)
    assert answer.status_code == 400
    assert answer.context["form"].errors[field]
    seller.user.refresh_from_db()
    assert (seller.user.language, seller.user.time_zone) == ("fr", "Europe/Lisbon")


def test_a_time_is_shown_in_each_persons_own_zone(client) -> None:
    organisation = OrganisationFactory(time_zone="Europe/Paris")
    world = foreign_world(organisation)
    session = Session.objects.get(organisation=organisation, title="Their training")
    starts = datetime.datetime(2027, 3, 3, 9, 30, tzinfo=datetime.UTC)
    Session.objects.filter(pk=session.pk).update(starts_at=starts)
    stockholm = member(organisation, Role.CONSULTANT)
    lisbon = member(organisation, Role.CONSULTANT)
    User.objects.filter(pk=stockholm.user.pk).update(time_zone="Europe/Stockholm")
    User.objects.filter(pk=lisbon.user.pk).update(time_zone="Europe/Lisbon")
    url = reverse("programme-session-detail", args=[organisation.slug, session.code])
    seen = {}
    for person in (stockholm, lisbon, world["sponsor"]):
        client.force_login(person.user)
        seen[person.pk] = client.get(url).content.decode()
    assert "10:30" in seen[stockholm.pk] and "09:30" not in seen[stockholm.pk]
    assert "09:30" in seen[lisbon.pk] and "10:30" not in seen[lisbon.pk]
    assert "10:30" in seen[world["sponsor"].pk]  # no zone of their own: the organisation's


def test_e_mails_are_built_in_the_recipients_language_and_zone() -> None:
    organisation = OrganisationFactory(time_zone="Europe/Paris", language="de")
    seller = member(organisation)
    assert language_of(seller.user, organisation) == "de"
    User.objects.filter(pk=seller.user.pk).update(language="sv", time_zone="Europe/Lisbon")
    seller.user.refresh_from_db()
    with for_recipient(seller.user, organisation):
        from django.utils import translation

        assert translation.get_language() == "sv"
        assert timezone.get_current_timezone() == ZoneInfo("Europe/Lisbon")
    assert zone_of(None, organisation) == ZoneInfo("Europe/Paris")


def test_a_french_seller_reads_an_english_sponsors_announcement_e_mail_in_french() -> None:
    """The sponsor writes in English (their language); the e-mail's own words reach the French
    seller in French, the English one in English, and the in-app notification too."""
    from django.core import mail
    from django.utils import translation

    from programme import services
    from programme.models import Notification

    organisation = OrganisationFactory()
    sponsor, consultant = member(organisation, Role.SPONSOR), member(organisation, Role.CONSULTANT)
    french, english = member(organisation), member(organisation)
    User.objects.filter(pk=sponsor.user.pk).update(language="en-gb")
    User.objects.filter(pk=french.user.pk).update(language="fr")
    User.objects.filter(pk=english.user.pk).update(language="en-gb")
    programme = services.programme_save(
        by=consultant, organisation=organisation, sponsors=[sponsor], consultants=[consultant],
        data={"name": "Social selling", "start_date": timezone.localdate()},
    )  # fmt: skip
    announcement = services.announcement_save(
        programme=programme, author=sponsor, title="Why we do this", body="Because.",
        audience="organisation",
    )  # fmt: skip
    with translation.override("en-gb"):  # the sponsor's request
        services.announcement_publish(announcement=announcement, publisher=sponsor)
        services.announcement_send(announcement_id=announcement.pk)
    to = {message.to[0]: message for message in mail.outbox}
    english_line = "Read it, ask a question"
    with translation.override("fr"):
        french_line = translation.gettext(
            "Read it, ask a question (anonymously if you prefer) and confirm you have read it here:"
        )
    assert not french_line.startswith(english_line), "no French for the e-mail's words"
    assert french_line in to[french.user.email].body
    assert english_line in to[english.user.email].body
    assert "Why we do this" in to[french.user.email].body  # the sponsor's own words, as written

    notification = Notification.objects.get(recipient=french)
    with translation.override("fr"):
        shown = notification.message
    assert "Why we do this" in shown and not shown.startswith("New announcement")


def test_an_admin_sets_the_organisations_default_language(client) -> None:
    organisation = OrganisationFactory()
    admin = member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    url = reverse("programme-organisation-settings", args=[organisation.slug])
    answer = client.post(url, {"language": "cs", "disclosure_line": ""})
    assert answer.status_code == 302
    organisation.refresh_from_db()
    assert organisation.language == "cs"
    refused = client.post(url, {"language": "tlh", "disclosure_line": ""})
    assert refused.status_code == 400 and refused.context["form"].errors["language"]
    organisation.refresh_from_db()
    assert organisation.language == "cs"
    # A newcomer whose browser asks for none of ours reads the organisation's language.
    newcomer = member(organisation)
    client.logout()
    _sign_in(client, newcomer, accept_language="ja")
    newcomer.user.refresh_from_db()
    assert newcomer.user.language == "cs"


def test_a_notification_with_a_count_reads_in_each_readers_language_and_plural() -> None:
    from django.utils import translation

    from programme import services
    from programme.i18n import deferred
    from programme.models import EmailKind

    organisation = OrganisationFactory()
    owner = member(organisation)
    english_few = "2 key results of yours wait for this week's check-in"
    shown = {}
    for count in (1, 2, 5):
        with translation.override("en-gb"):  # whoever's action, in whatever language
            text, params = deferred.ngettext(
                "%(count)s key result of yours waits for this week's check-in: "
                "value, confidence, a word on why.",
                "%(count)s key results of yours wait for this week's check-in: "
                "value, confidence, a word on why.",
                count,
            )
            notification = services.notify(
                recipient=owner, kind=EmailKind.OKRI, text=text, params=params
            )
        for language in ("en-gb", "cs", "de"):
            with translation.override(language):
                shown[language, count] = notification.message
    assert shown["en-gb", 2].startswith(english_few)
    assert shown["en-gb", 1].startswith("1 key result of yours waits")
    for language in ("cs", "de"):
        assert not shown[language, 2].startswith(english_few)
        assert str(2) in shown[language, 2] and str(5) in shown[language, 5]
    # Czech has a form for 2-4 and another for 5 and more.
    assert shown["cs", 2].replace("2", "5") != shown["cs", 5]
