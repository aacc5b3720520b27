"""Blocked words: the organisation's list (admins and consultants edit it on its own page,
reachable from their navigation) and the matching every app shares: case- and accent-
insensitive, whole words only, one organisation's list never another's."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programme import services
from programme.blocked_words import blocked_words_in, word_key
from programme.models import BlockedWord, Role
from tests.factories import member

ROLES = [Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.SELLER, Role.MARKETING, Role.ADMIN]
EDITORS = {Role.CONSULTANT, Role.ADMIN}


def _add(org, *words):
    admin = member(org, Role.ADMIN)
    for word in words:
        services.blocked_word_add(by=admin, word=word)


# --- Matching ---


def test_words_match_whatever_their_case_and_accents(org) -> None:
    _add(org, "idiot", "Müll")
    assert blocked_words_in(org, "What an IDIÓT plan") == ["idiot"]
    assert blocked_words_in(org, "this is mull") == ["Müll"]
    assert blocked_words_in(org, "Das ist MÜLL!") == ["Müll"]


def test_only_whole_words_match(org) -> None:
    _add(org, "ass", "idiot")
    assert blocked_words_in(org, "Our class is about idiotic assumptions") == []
    assert blocked_words_in(org, "ass.") == ["ass"]
    assert blocked_words_in(org, "(idiot)") == ["idiot"]


def test_a_phrase_matches_across_any_spacing_but_not_across_two_texts(org) -> None:
    _add(org, "waste of time")
    assert blocked_words_in(org, "This is a Waste   of\ntime") == ["waste of time"]
    assert blocked_words_in(org, "A waste of", "time") == []


def test_every_text_is_searched_and_each_word_reported_once(org) -> None:
    _add(org, "idiot", "scam")
    found = blocked_words_in(org, "No idiot here", "", "a scam, an idiot scam")
    assert found == ["idiot", "scam"]


def test_another_organisations_list_does_not_apply(org, other_org) -> None:
    _add(other_org, "idiot")
    assert blocked_words_in(org, "idiot") == []
    assert blocked_words_in(other_org, "idiot") == ["idiot"]


def test_an_empty_list_or_empty_texts_find_nothing(org) -> None:
    assert blocked_words_in(org, "anything at all") == []
    _add(org, "idiot")
    assert blocked_words_in(org) == []
    assert blocked_words_in(org, "", "") == []


def test_regex_characters_in_a_word_are_plain_text(org) -> None:
    _add(org, "c++", "a.b")
    assert blocked_words_in(org, "axb and c") == []
    assert blocked_words_in(org, "I hate a.b") == ["a.b"]


def test_word_key_folds_case_accents_and_spaces() -> None:
    assert word_key("  Idiót  Plan ") == "idiot plan"
    assert word_key("STRASSE") == word_key("straße")


# --- The list: adding and removing, with clear refusals that change nothing ---


def test_a_word_already_there_in_another_spelling_is_refused(org) -> None:
    _add(org, "Idiot")
    with pytest.raises(ValidationError, match="on the list already"):
        _add(org, "idiót")
    assert BlockedWord.objects.filter(organisation=org).count() == 1


@pytest.mark.parametrize(
    ("word", "message"),
    [("   ", "Type a word"), ("!!!", "at least one letter"), ("x" * 61, "at most 60")],
)
def test_bad_words_are_refused_with_a_reason(org, word, message) -> None:
    with pytest.raises(ValidationError, match=message):
        _add(org, word)
    assert not BlockedWord.objects.exists()


def test_the_list_is_kept_short(org, monkeypatch) -> None:
    from programme.services import moderation

    monkeypatch.setattr(moderation, "BLOCKED_WORDS_MAX", 2)
    _add(org, "one", "two")
    with pytest.raises(ValidationError, match="at most 2 words"):
        _add(org, "three")
    assert BlockedWord.objects.count() == 2


# --- The page ---


def test_the_page_adds_lists_and_removes_words(org, login) -> None:
    consultant = member(org, Role.CONSULTANT)
    client = login(consultant)
    url = reverse("programme-blocked-words", args=[org.slug])
    response = client.post(url, {"word": "  Idiot "}, follow=True)
    assert "“Idiot” added" in response.content.decode()
    word = BlockedWord.objects.get(organisation=org)
    assert (word.word, word.key, word.added_by) == ("Idiot", "idiot", consultant)
    page = client.get(url).content.decode()
    assert "Idiot" in page and "added by" in page
    response = client.post(url, {"remove": str(word.code)}, follow=True)
    assert "“Idiot” removed" in response.content.decode()
    assert not BlockedWord.objects.exists()


def test_the_page_shows_a_refusal_next_to_the_field_and_keeps_the_list(org, login) -> None:
    _add(org, "idiot")
    client = login(member(org, Role.CONSULTANT))
    response = client.post(reverse("programme-blocked-words", args=[org.slug]), {"word": "IDIOT"})
    assert response.status_code == 400
    assert "on the list already" in response.content.decode()
    assert BlockedWord.objects.count() == 1


def test_removing_another_organisations_word_changes_nothing(org, other_org, login) -> None:
    _add(other_org, "idiot")
    theirs = BlockedWord.objects.get()
    client = login(member(org, Role.ADMIN))
    url = reverse("programme-blocked-words", args=[org.slug])
    for code in (str(theirs.code), "not-a-code"):
        response = client.post(url, {"remove": code}, follow=True)
        assert response.status_code == 200
        assert "not on the list" in response.content.decode()
    assert BlockedWord.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_the_list(org, login, role) -> None:
    actor = member(org, role)
    url = reverse("programme-blocked-words", args=[org.slug])
    client = login(actor)
    assert client.get(url).status_code == (200 if role in EDITORS else 403)
    response = client.post(url, {"word": "idiot"})
    assert response.status_code == (302 if role in EDITORS else 403)
    assert BlockedWord.objects.filter(organisation=org).exists() == (role in EDITORS)
    if role not in EDITORS:
        with pytest.raises(PermissionDenied):
            services.blocked_word_add(by=actor, word="scam")
        _add(org, "scam")
        with pytest.raises(PermissionDenied):
            services.blocked_word_remove(by=actor, word=BlockedWord.objects.get(word="scam"))
        assert BlockedWord.objects.filter(word="scam").exists()


def test_another_organisations_editor_cannot_remove_a_word(org, other_org) -> None:
    _add(org, "idiot")
    with pytest.raises(PermissionDenied):
        services.blocked_word_remove(
            by=member(other_org, Role.ADMIN), word=BlockedWord.objects.get()
        )
    assert BlockedWord.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_page_is_in_the_navigation_of_those_who_edit_it(org, login, role) -> None:
    html = login(member(org, role)).get(f"/o/{org.slug}/").content.decode()
    linked = re.search(r'data-nav="programme-blocked-words"', html) is not None
    assert linked == (role in EDITORS)
