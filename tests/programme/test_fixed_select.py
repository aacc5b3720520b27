"""The lookups every request runs, read through selects built once (programme.fixed_select):
the same instances the ORM gives, and the same answers when nothing matches."""

from __future__ import annotations

import pytest
from django.http import Http404

from kickoff import selectors as kickoff_selectors
from programme.models import Role, User
from tests.factories import member, open_kickoff


def _values(instance):
    return {field.attname: getattr(instance, field.attname)
            for field in type(instance)._meta.concrete_fields}  # fmt: skip


@pytest.mark.django_db
def test_the_signed_in_user_is_read_as_the_orm_reads_it(org):
    user = member(org, Role.SELLER).user
    user.language, user.time_zone, user.first_name = "de", "Europe/Berlin", "Jürgen"
    user.save()
    fast = User.objects.get(pk=str(user.pk))  # the session stores the key as text
    orm = User.objects.filter(pk=user.pk).get()
    assert _values(fast) == _values(orm)
    assert fast._state.adding is False and fast._state.db == "default"
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk + 10_000)
    with pytest.raises((ValueError, User.DoesNotExist)):
        User.objects.get(pk="not-a-number")  # the ORM's own answer to a malformed key


@pytest.mark.django_db
def test_a_signed_in_page_uses_the_user_read_by_the_fixed_select(client, org):
    membership = member(org, Role.SELLER)
    client.force_login(membership.user)
    assert client.get(f"/o/{org.slug}/").status_code == 200
    User.objects.filter(pk=membership.user.pk).update(is_active=False)
    # The authentication backend still refuses an inactive person on their next request.
    assert client.get(f"/o/{org.slug}/").status_code == 302


@pytest.mark.django_db
def test_a_join_code_is_found_only_in_its_organisation(org, other_org):
    session = open_kickoff(org)
    found = kickoff_selectors.kickoff_by_join_code(org, f" {session.join_code.lower()} ")
    assert _values(found) == _values(type(session).objects.get(pk=session.pk))
    assert found.programme.pk == session.programme_id  # read with it, no further query
    with pytest.raises(Http404):
        kickoff_selectors.kickoff_by_join_code(other_org, session.join_code)
