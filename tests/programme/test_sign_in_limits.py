"""Sign-in limits that hold in production: per-address limits see the client behind the TLS
proxy, a locked account offers the reset, and unknown addresses get no e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, OrganisationFactory, member

pytestmark = pytest.mark.django_db

PER_ADDRESS = 10  # allauth's login_failed limit per client address and minute


def _fail(client: Client, email: str, **headers) -> str:
    return client.post(
        reverse("account_login"), {"login": email, "password": "wrong"}, headers=headers
    ).content.decode()


def _signs_in(email: str, remote: str = "10.0.0.2", **headers) -> bool:
    client = Client(REMOTE_ADDR=remote)
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD}, headers=headers)
    return "_auth_user_id" in client.session


def test_behind_one_proxy_each_client_has_its_own_limit(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    organisation = OrganisationFactory()
    people = [member(organisation) for _ in range(PER_ADDRESS + 1)]
    typist = Client(REMOTE_ADDR="10.0.0.2")  # the proxy's address, for everyone
    for person in people[:PER_ADDRESS]:  # one typo on each of ten accounts, from one laptop
        _fail(typist, person.user.email, x_forwarded_for="203.0.113.7")
    assert "Too many" in _fail(typist, people[-1].user.email, x_forwarded_for="203.0.113.7")
    # Someone else, through the same proxy, is not locked out by that laptop.
    assert _signs_in(people[-1].user.email, x_forwarded_for="198.51.100.9")


def test_facing_clients_directly_the_connection_address_counts(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    organisation = OrganisationFactory()
    people = [member(organisation) for _ in range(PER_ADDRESS + 1)]
    typist = Client(REMOTE_ADDR="203.0.113.7")
    for person in people[:PER_ADDRESS]:
        # A forged header changes nothing when no proxy is trusted.
        _fail(typist, person.user.email, x_forwarded_for=f"198.51.100.{person.pk % 200}")
    assert "Too many" in _fail(typist, people[-1].user.email, x_forwarded_for="192.0.2.1")
    assert not _signs_in(people[-1].user.email, remote="203.0.113.7", x_forwarded_for="192.0.2.9")


def test_a_request_that_bypassed_the_proxies_is_counted_not_refused(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    organisation = OrganisationFactory()
    person = member(organisation)
    # One X-Forwarded-For entry where two proxies are trusted, or none at all: no error page.
    assert _signs_in(person.user.email, x_forwarded_for="203.0.113.7")
    assert _signs_in(person.user.email)


def test_a_locked_account_offers_the_reset_which_works(settings) -> None:
    organisation = OrganisationFactory()
    person = member(organisation)
    client = Client()
    for _ in range(5):
        _fail(client, person.user.email)
    page = _fail(client, person.user.email)
    assert "it is locked for five minutes" in page
    assert reverse("account_reset_password") in page
    mail.outbox.clear()
    answer = client.post(reverse("account_reset_password"), {"email": person.user.email})
    assert answer.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.user.email]


def test_a_reset_for_an_unknown_address_mails_nobody_and_says_the_same() -> None:
    organisation = OrganisationFactory()
    person = member(organisation)
    known = Client().post(reverse("account_reset_password"), {"email": person.user.email})
    mail.outbox.clear()
    unknown = Client().post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    assert mail.outbox == []
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
