"""Activity imports: an admin's "Whose file" choice says in words what leaving it empty means."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programme.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_whose_file_offers_words_not_dashes(org, login):
    client = login(member(org, Role.ADMIN))
    html = client.get(reverse("metrics-import-upload", args=[org.slug])).content.decode()
    assert "Whose file" in html
    assert "My own file" in html
    assert "---------" not in html
