"""Showcase search as a seller uses it: a button that works without JavaScript, results
while typing (htmx, the address kept in the bar), excerpts as plain text with the matched
words marked."""

from __future__ import annotations

import re

from django.urls import reverse

from programme.models import Role
from showcase import services
from tests.factories import member

MARKDOWN_STORY = (
    "I asked **20 water-utility buyers** what *their* audits miss:\n\n"
    "- 14 replied within a day\n- 3 asked for a call\n\n"
    "Read [the post](https://example.com/p) & the comments."
)


def _case(org, story=MARKDOWN_STORY, title="Asking buyers"):
    author = member(org, Role.SELLER)
    data = {"kind": "post_worked", "title": title, "story": story,
            "visibility": "organisation", "tags": ""}  # fmt: skip
    return services.case_save(author=author.participant, data=data)


def _search(client, org, words, **headers):
    url = reverse("showcase-case-search", args=[org.slug])
    return client.get(url, {"q": words}, headers=headers).content.decode()


def _results(page: str) -> str:
    return page.split('id="results"', 1)[1]


def test_excerpts_show_the_story_as_text_not_markdown(org, login):
    _case(org)
    page = _results(_search(login(member(org, Role.SELLER)), org, "replied"))
    assert "Asking buyers" in page
    assert "<mark>replied</mark>" in page
    assert "20 water-utility buyers" in page and "their audits" in page
    for markdown in ("**", "*their*", "- 14", "[the post]", "](https"):
        assert markdown not in page, markdown
    assert "&amp; the comments" in page  # an entity of the rendered story is shown once, escaped


def test_markup_in_a_story_stays_text_around_the_highlight(org, login):
    _case(org, story="Say `<b>hello</b>` and \x02 hello &lt;i&gt; to **hello** buyers")
    page = _results(_search(login(member(org, Role.SELLER)), org, "hello"))
    snippet = re.search(r'<p class="mb-0 small">(.*?)</p>', page, re.S).group(1)
    assert "<b>" not in snippet and "<i>" not in snippet
    assert "&lt;/b&gt;" in snippet and "&lt;i&gt;" in snippet  # shown as written
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0  # only the marks are tags


def test_the_feed_search_has_a_button_and_searches_while_typing(org, login):
    client = login(member(org, Role.SELLER))
    feed = client.get(reverse("showcase-case-feed", args=[org.slug])).content.decode()
    form = feed.split('role="search"', 1)[1].split("</form>", 1)[0]
    search_url = reverse("showcase-case-search", args=[org.slug])
    assert f'action="{search_url}"' in form
    assert re.search(r'<button[^>]*type="submit"[^>]*>Search</button>', form)
    assert f'hx-get="{search_url}"' in form and 'hx-push-url="true"' in form
    assert 'hx-trigger="input changed delay:300ms, search"' in form
    assert 'hx-target="#results"' in form and 'id="results"' in feed


def test_one_address_serves_the_page_and_the_live_fragment(org, login):
    _case(org)
    client = login(member(org, Role.SELLER))
    page = _search(client, org, "buyers")
    assert "<h1" in page and 'value="buyers"' in page and "Asking buyers" in page
    fragment = _search(client, org, "buyers", HX_Request="true")
    assert fragment.lstrip().startswith('<div id="results"') and "<h1" not in fragment
    assert "Asking buyers" in fragment


def test_feed_links_still_work_once_typing_moved_the_address_to_search(org, login):
    """Typing pushes /showcase/search/?q=... into the address bar while the feed stays on
    screen: its filters, tags and "Load more" must not be relative to that address."""
    author = member(org, Role.SELLER)
    for n in range(21):
        data = {"kind": "post_worked", "title": f"Case {n}", "story": "A story",
                "visibility": "organisation", "tags": "webinars"}  # fmt: skip
        services.case_save(author=author.participant, data=data)
    feed_url = reverse("showcase-case-feed", args=[org.slug])
    page = login(member(org, Role.SELLER)).get(feed_url).content.decode()
    assert f'<form method="get" action="{feed_url}"' in page
    assert f'href="{feed_url}?tag=webinars"' in page
    assert f'href="{feed_url}?page=2" hx-get="{feed_url}?page=2"' in page
    assert 'href="?' not in page and 'hx-get="?' not in page
