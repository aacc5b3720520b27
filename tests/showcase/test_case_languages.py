"""A case carries the language it was written in: chosen on the form (its author's language
by default), shown on the card, a filter of the feed, and the configuration its words are
searched with (real PostgreSQL: stemming per language, Czech folded)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from programme.models import Membership, Role
from programme.viewer import Viewer
from showcase import selectors, services
from showcase.languages import FOLD_FROM, FOLD_TO, fold, search_query
from showcase.models import CaseStudy, MarketingPick
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


def _case(author, title, story, language=None, **extra):
    data = {"kind": "post_worked", "title": title, "story": story,
            "visibility": "organisation", "tags": "", **extra}  # fmt: skip
    if language:
        data["language"] = language
    return services.case_save(author=author.participant, data=data)


def _found(viewer_membership, words) -> list[str]:
    return [case.title for case in selectors.search(Viewer(viewer_membership), words)]


@pytest.fixture
def cases(org):
    author = member(org, Role.SELLER)
    return {
        "en": _case(author, "Meetings booked", "I booked three meetings after commenting.", "en"),
        "de": _case(author, "Kundengespräche", "Ich habe drei Kunden angeschrieben.", "de"),
        "fr": _case(author, "Rendez-vous", "J'ai obtenu des rendez-vous avec les acheteurs.", "fr"),
        "sv": _case(author, "Möten", "Jag bokade möten med kunderna efter inläggen.", "sv"),
        "cs": _case(author, "Obchodník", "Obchodníci získali schůzky se zákazníky.", "cs"),
    }


def test_each_case_is_searched_in_its_own_language(org, cases):
    reader = member(org, Role.SELLER)
    # German inflection: "Kunden" (plural) and "Kunde" share the german stem; the Swedish
    # case's "kunderna" has the same stem in Swedish, but is not read in German.
    assert _found(reader, "Kunde") == ["Kundengespräche"]
    # English: "booking" stems to "book", as does "booked".
    assert _found(reader, "booking") == ["Meetings booked"]
    # French: "acheteur" finds "acheteurs".
    assert _found(reader, "acheteur") == ["Rendez-vous"]
    # Swedish: "inlägg" (posts) finds "inläggen" (the posts), "boka" finds "bokade".
    assert _found(reader, "inlägg") == ["Möten"]
    assert _found(reader, "boka") == ["Möten"]
    # Czech: with or without diacritics, lower or upper case.
    assert _found(reader, "obchodník") == ["Obchodník"]
    assert _found(reader, "OBCHODNIK") == ["Obchodník"]
    assert _found(reader, "zakazniky") == ["Obchodník"]


def test_a_first_case_in_a_new_language_is_found_at_once(org):
    """Words are parsed only in the languages the organisation writes in (cached): a case in
    a new language makes the next search parse in it too."""
    author = member(org, Role.SELLER)
    _case(author, "Meetings booked", "I booked three meetings.", "en")
    assert _found(author, "Kunden") == []
    _case(author, "Kundengespräche", "Ich habe drei Kunden angeschrieben.", "de")
    assert _found(author, "Kunde") == ["Kundengespräche"]


def test_the_vector_uses_the_configuration_of_the_case_language(org, cases):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search::text FROM showcase_casestudy WHERE id = %s",
                       [cases["de"].pk])  # fmt: skip
        german = cursor.fetchone()[0]
        cursor.execute("SELECT search::text FROM showcase_casestudy WHERE id = %s",
                       [cases["cs"].pk])  # fmt: skip
        czech = cursor.fetchone()[0]
    assert "'kund'" in german  # stemmed by the german configuration
    assert "'obchodnik'" in czech and "'schuzky'" in czech  # folded, not stemmed


def test_python_and_sql_fold_alike(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT translate(lower(%s), %s, %s)",
                       [FOLD_FROM.upper() + " Žluťoučký kůň", FOLD_FROM, FOLD_TO])  # fmt: skip
        folded = cursor.fetchone()[0]
    assert folded == fold(FOLD_FROM.upper() + " Žluťoučký kůň")
    assert folded.endswith("zlutoucky kun")


def test_the_search_uses_the_gin_index(org, cases):
    # Enough rows that a sequential scan is not simply cheaper, then the plan of the match.
    CaseStudy.objects.bulk_create(
        [CaseStudy(organisation=org, kind="lesson", title=f"Filler {i}", story="nothing here",
                   story_html="<p>nothing here</p>", language="en") for i in range(300)]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE showcase_casestudy")
        sql, params = (
            CaseStudy.objects.filter(search=search_query("Kunden")).values("id").query
        ).sql_with_params()
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "case_search_gin" in plan


def test_a_new_case_defaults_to_its_authors_language(org):
    author = member(org, Role.SELLER)
    author.user.language = "fr"
    author.user.save()
    case = _case(author, "Un titre", "Une histoire.")
    assert case.language == "fr"
    # Changed on the form, kept when the form does not say.
    case = services.case_save(author=author.participant, data={"language": "de"}, case=case)
    assert case.language == "de"
    case = services.case_save(author=author.participant, data={"title": "Neu"}, case=case)
    assert CaseStudy.objects.get(pk=case.pk).language == "de"


def test_a_language_outside_the_five_is_refused(org):
    from django.core.exceptions import ValidationError

    author = member(org, Role.SELLER)
    with pytest.raises(ValidationError):
        _case(author, "Title", "Story", "xx")
    assert not CaseStudy.objects.exists()


def test_the_form_offers_the_language_preselected_and_saves_it(org, login):
    author = member(org, Role.SELLER)
    author.user.language = "de"
    author.user.save()
    client = login(author)
    url = reverse("showcase-case-create", args=[org.slug])
    page = client.get(url).content.decode()
    assert '<option value="de" selected>Deutsch</option>' in page
    form = {"kind": "post_worked", "title": "Möte", "story": "Jag bokade ett möte.",
            "visibility": "organisation"}  # fmt: skip
    response = client.post(url, {**form, "language": "sv"})
    assert response.status_code == 302
    assert CaseStudy.objects.get().language == "sv"
    response = client.post(url, {**form, "language": "klingon"})
    assert response.status_code == 400
    assert CaseStudy.objects.count() == 1


def test_the_card_shows_the_language_and_the_feed_filters_by_it(org, cases, login):
    client = login(member(org, Role.SELLER))
    url = reverse("showcase-case-feed", args=[org.slug])
    page = client.get(url).content.decode()
    assert '<span lang="fr">Français</span>' in page and '<span lang="cs">Čeština</span>' in page
    page = client.get(url, {"language": "fr"}).content.decode()
    assert "Rendez-vous" in page and "Kundengespräche" not in page
    assert '<option value="fr" selected>Français</option>' in page


def test_the_feed_filter_adds_no_query(org, cases, login, django_assert_max_num_queries):
    client = login(member(org, Role.SELLER))
    url = reverse("showcase-case-feed", args=[org.slug])
    client.get(url)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        client.get(url)
    with CaptureQueriesContext(connection) as filtered:
        client.get(url, {"language": "de"})
    assert len(filtered) == len(plain)


def test_case_of_another_organisation_is_not_found_by_language(org, other_org, cases):
    outsider = member(other_org, Role.SELLER)
    assert _found(outsider, "Kunde") == []


# --- Picks in several languages ----------------------------------------------------------------

PICK_URL = "https://www.linkedin.com/feed/update/urn:li:activity:7001/"


@pytest.fixture
def pick(org):
    marketing = member(org, Role.MARKETING)
    return services.pick_post(
        by=marketing, url=PICK_URL, title="Cold-chain study", note="Our study is out",
        angle="Ask which finding surprised them",
    )  # fmt: skip


def _speaks(membership, language):
    membership.user.language = language
    membership.user.save(update_fields=["language"])
    return membership


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.MARKETING, True), (Role.SELLER, False), (Role.SPONSOR, False), (Role.CONSULTANT, False)],
)
def test_only_marketing_translates_a_pick(org, pick, login, role, allowed):
    client = login(member(org, role))
    url = reverse("showcase-pick-translation", args=[org.slug, pick.code])
    data = {"language": "fr", "title": "Étude", "note": "Notre étude est parue", "angle": ""}
    response = client.post(url, data)
    assert response.status_code == (302 if allowed else 403)
    assert pick.translations.exists() is allowed


def test_pick_translation_is_written_refused_and_removed(org, pick, login):
    from django.core.exceptions import PermissionDenied, ValidationError

    from programme.models import BlockedWord
    from showcase.pick_translations import pick_translation_save

    marketing = pick.posted_by
    client = login(marketing)
    url = reverse("showcase-pick-translation", args=[org.slug, pick.code])
    assert '<option value="en"' not in client.get(url, {"language": "de"}).content.decode()
    assert client.post(url, {"language": "de", "note": ""}).status_code == 400  # no description
    assert client.post(url, {"language": "en", "note": "x"}).status_code == 400  # the original
    BlockedWord.objects.create(organisation=org, word="garantiert", key="garantiert")
    response = client.post(url, {"language": "de", "note": "Garantiert neu"})
    assert response.status_code == 400 and "garantiert" in response.content.decode().lower()
    assert not pick.translations.exists()
    assert client.post(url, {"language": "de", "note": "Unsere Studie ist da"}).status_code == 302
    assert pick.translations.get().note == "Unsere Studie ist da"
    with pytest.raises(PermissionDenied):  # marketing of another organisation
        pick_translation_save(pick=pick, by=member(OrganisationFactory(), Role.MARKETING),
                              language="fr", title="", note="x")  # fmt: skip
    with pytest.raises(ValidationError):
        pick_translation_save(pick=pick, by=marketing, language="xx", title="", note="x")
    client.post(url, {"language": "de", "delete": "1"})
    assert not pick.translations.exists()


def test_sellers_read_the_pick_in_their_language(org, pick, login):
    from showcase.pick_translations import pick_translation_save

    pick_translation_save(
        pick=pick, by=pick.posted_by, language="fr", title="Étude chaîne du froid",
        note="Notre étude est parue", angle="Demandez ce qui les a surpris",
    )  # fmt: skip
    french = _speaks(member(org, Role.SELLER), "fr")
    czech = _speaks(member(org, Role.SELLER), "cs")
    url = reverse("showcase-pick-list", args=[org.slug])
    page = login(french).get(url).content.decode()
    assert "Étude chaîne du froid" in page and "Demandez ce qui les a surpris" in page
    assert '<p class="mb-1" lang="fr">Notre étude est parue</p>' in page
    share = reverse("showcase-pick-share", args=[org.slug, pick.code])
    assert "Demandez ce qui les a surpris" in login(french).get(share).content.decode()
    page = login(czech).get(url).content.decode()  # no Czech version: the original
    assert "Cold-chain study" in page and "Étude" not in page
    # Marketing sees which translations exist and may add the others.
    page = login(pick.posted_by).get(url).content.decode()
    assert "?language=fr" in page and "?language=cs" in page and "?language=en" not in page


def test_uptake_counts_the_pick_whatever_version_was_read(org, pick):
    from showcase.pick_translations import pick_translation_save

    pick_translation_save(pick=pick, by=pick.posted_by, language="de", title="", note="Neu")
    german = _speaks(member(org, Role.SELLER), "de")
    english = member(org, Role.SELLER)
    for seller in (german, english):
        services.uptake_toggle(pick=pick, by=seller, action="shared")
    assert pick.uptakes.count() == 2


def test_the_demo_speaks_french_and_german(db):
    from django.core.management import call_command

    from programme.models import Announcement, Organisation

    call_command("seed_demo", stdout=__import__("io").StringIO())
    acme = Organisation.objects.get(slug="acme")
    cases = CaseStudy.objects.filter(organisation=acme)
    assert set(cases.filter(author__team__name="France").values_list("language", flat=True)) == {
        "fr"
    }
    assert set(cases.filter(author__team__name="DACH").values_list("language", flat=True)) == {"de"}
    assert set(cases.filter(author__team__name="Nordics").values_list("language", flat=True)) == {
        "en"
    }
    everyone = Announcement.objects.get(organisation=acme, title__startswith="What changes")
    assert set(everyone.translations.values_list("language", flat=True)) == {"fr", "de"}
    pick = acme_pick = MarketingPick.objects.get(organisation=acme, url__endswith="7101")
    assert set(pick.translations.values_list("language", flat=True)) == {"fr", "de"}
    reader = Membership.objects.filter(organisation=acme, role=Role.SELLER).first()
    assert any(title.startswith("Eine Frage an") for title in _found(reader, "Einkäufern"))
    assert _found(reader, "acheteur")  # the French cases, by a French word
    before = list(cases.order_by("pk").values_list("pk", "title", "language", "updated_at"))
    call_command("seed_demo", stdout=__import__("io").StringIO())  # idempotent
    assert list(cases.order_by("pk").values_list("pk", "title", "language", "updated_at")) == before
    assert acme_pick.translations.count() == 2
