"""Accounts (allauth, e-mail login) and invitations."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from programme import services
from programme.models import Membership, Role
from tests.factories import PASSWORD, MembershipFactory, ParticipantFactory, UserFactory, member


def invited(org, email: str = "new.seller@example.com") -> Membership:
    user = UserFactory(email=email, password=False)
    EmailAddress.objects.filter(user=user).delete()
    membership = MembershipFactory(user=user, organisation=org, role=Role.SELLER, joined_at=None)
    ParticipantFactory(membership=membership)
    return membership


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).split("://", 1)[1].split("/", 1)[1]


def test_invitation_is_sent_once_and_accepting_sets_password(org) -> None:
    membership = invited(org)
    assert services.invitations_send(organisation_id=org.pk) == 1
    assert services.invitations_send(organisation_id=org.pk) == 0  # never twice
    [message] = mail.outbox
    assert message.to == ["new.seller@example.com"]
    assert "Acme" in message.subject
    url = "/" + link_in(message)

    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    weak = client.post(url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    membership.user.refresh_from_db()
    assert not membership.user.has_usable_password()

    response = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response["Location"] == reverse("programme-organisation-home", args=[org.slug])
    membership.refresh_from_db()
    assert membership.joined_at is not None
    assert EmailAddress.objects.get(user=membership.user).verified
    assert client.get(response["Location"]).status_code == 200

    # The link is spent: it cannot be used to set the password again.
    assert Client().get(url).status_code == 400


def test_forged_or_garbled_tokens_are_refused(org) -> None:
    invited(org)
    services.invitations_send(organisation_id=org.pk)
    url = "/" + link_in(mail.outbox[0])
    for bad in (url[:-3] + "abc/", "/invitations/not-a-token/", "/invitations/%00%ff/"):
        response = Client().get(bad)
        assert response.status_code in (400, 404)
        if response.status_code == 400:
            assert "This invitation link cannot be used" in response.content.decode()


def test_existing_account_gets_a_sign_in_link_not_a_password_form(org, other_org) -> None:
    consultant = member(other_org, Role.CONSULTANT)
    membership = MembershipFactory(user=consultant.user, organisation=org, joined_at=None)
    services.invitations_send(organisation_id=org.pk)
    [message] = mail.outbox
    assert "already have a Snowball account" in message.body
    assert f"/o/{org.slug}/" in message.body
    assert "/invitations/" not in message.body
    membership.refresh_from_db()
    assert membership.invitation_sent_at is not None


def test_resend_invitation(org, consultant, login, django_capture_on_commit_callbacks) -> None:
    membership = invited(org)
    services.invitations_send(organisation_id=org.pk)
    url = reverse("programme-participant-invite", args=[org.slug, membership.participant.code])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = login(consultant).post(url)
    assert response.status_code == 302 and len(callbacks) == 1
    membership.refresh_from_db()
    assert membership.invitation_sent_at is None
    services.invitations_send(organisation_id=org.pk, membership_ids=[membership.pk])
    assert len(mail.outbox) == 2
    # A seller may not trigger invitations.
    seller = member(org, Role.SELLER)
    assert login(seller).post(url).status_code == 403


def test_login_by_email_and_no_open_signup(org, seller) -> None:
    client = Client()
    page = client.get(reverse("account_login")).content.decode()
    assert 'name="login"' in page and 'type="email"' in page and "username" not in page.lower()
    response = client.post(
        reverse("account_login"), {"login": seller.user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/")["Location"] == reverse("programme-organisation-home", args=[org.slug])
    signup = Client().get(reverse("account_signup"))
    assert "Sign Up Closed" in signup.content.decode()


def test_unverified_email_cannot_sign_in(org, seller) -> None:
    EmailAddress.objects.filter(user=seller.user).update(verified=False)
    client = Client()
    client.post(reverse("account_login"), {"login": seller.user.email, "password": PASSWORD})
    response = client.get(reverse("programme-organisation-home", args=[org.slug]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_failed_logins_are_rate_limited(org, seller) -> None:
    client = Client()
    for _ in range(5):
        page = client.post(
            reverse("account_login"), {"login": seller.user.email, "password": "wrong"}
        ).content.decode()
        assert "Too many wrong passwords" not in page
    page = client.post(
        reverse("account_login"), {"login": seller.user.email, "password": "wrong"}
    ).content.decode()
    assert "Too many wrong passwords for this account: it is locked for five minutes" in page
    assert 'data-testid="locked-reset"' in page  # not a dead end: the reset is offered
    # Even the right password is refused while the limit holds.
    response = client.post(
        reverse("account_login"), {"login": seller.user.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many wrong passwords" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_mail(org, seller) -> None:
    response = Client().post(reverse("account_reset_password"), {"email": seller.user.email})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [seller.user.email]


def test_user_without_organisation_sees_an_explanation(db) -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert "not part of a programme yet" in client.get("/").content.decode()
