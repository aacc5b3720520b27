"""Every role, on the demo data, opens every page its navigation reaches and the links one level
below, in Chromium at 1280 px and on a 390 px phone; each page must answer below 500, fit the
window, keep the navigation visible and clickable, pass axe-core (no serious or critical
violation) and log no JavaScript error. A second test fails when a registered page is reached by
no role at all.

The navigation's menus are opened and every item checked on the home page; on every other page
its top-level controls (at 1280 px) or its toggler (at 390 px) must be visible and uncovered.
The suite's other tests drive chosen journeys on data built for them; this one reads the app as
its users do. All findings are collected and reported together (page, role, width, problem).
"""

from __future__ import annotations

import html
import html.parser
import io
import os
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

pytestmark = [pytest.mark.browser]

ORG = "acme"
PASSWORD = "snowball-demo"
ROLES = {
    "sponsor": "claire.martin@acme.example",
    "consultant": "mia.novak@acme.example",
    "manager": "lena.koch@acme.example",
    "seller": "anna.andersen@acme.example",
    "marketing": "nora.lind@acme.example",
    "admin": "admin@acme.example",
}
# CRAWL_ROLES=seller,marketing crawls only these (while fixing a page); the suite crawls all.
ROLES = {
    role: email
    for role, email in ROLES.items()
    if role in os.environ.get("CRAWL_ROLES", ",".join(ROLES)).split(",")
}
WIDTHS = (1280, 390)
LARGE = 992  # Bootstrap's lg breakpoint: below it the navigation folds into the toggler.

# Links the crawl does not follow: they end the session, download a file or leave the app.
NOT_FOLLOWED = ("/accounts/logout", "export=", ".csv", "/download", "/admin/", "/api/")
# Query parameters that page or sort a list: the same page, not another one.
SAME_PAGE_PARAMS = {"page", "order", "sort", "q", "next"}

# Pages (GET routes under o/<org>/) that no navigation reaches, and why that is right.
EXCUSED = {
    "metrics-dashboard": "redirects to the role's own dashboard, which the navigation links",
    "metrics-import-detail": "an upload's progress page, opened after an upload (none in the demo)",
    "programme-roster-detail": "a roster import's page, opened after an upload (none in the demo)",
    "showcase-case-edit": "Edit shows on the author's own cases; one case per route is opened",
    "programme-notifications-badge": "htmx fragment: the unread count inside the navigation",
    "kickoff-projector": "the projector is opened by the consultant from a kick-off in the room",
    "kickoff-join": "reached by typing the code at /join/ (Join a kick-off) or by an e-mail link",
    "showcase-case-search": "htmx fragment: the feed's search results",
    "showcase-image": "an image file shown inside a case, not a page",
    "programme-my-data-download": "a ZIP linked on My data once it is ready (none in the demo)",
    "showcase-pick-preview": "htmx fragment: a pick's preview while it is being fetched",
    "showcase-pick-preview-image": "a pick preview's thumbnail, an image inside the picks list",
    "kickoff-session-export": "a CSV download linked on the kick-off board, not a page",
    "kickoff-session-theme-follow-up": "opened from a theme chosen on the kick-off board",
    "goals-objective-close": "the Close and grade form, opened from an ended objective's page",
    "goals-objective-copy-forward": (
        "the Copy forward form, opened from a closed objective's page (the demo's closed "
        "objectives are already copied)"
    ),
}

# axe-core as shipped by axe-playwright-python, loaded into every page of the crawl's contexts.
AXE_SCRIPT = Axe().axe_script
# Only serious and critical violations travel back (the full result of a big page is large);
# no stylesheet preloading (only the orientation-lock rule needs it, and it costs a fetch).
AXE_RUN = """axe.run(document, {resultTypes: ["violations"], preload: false}).then(r =>
  r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
    [v.id, v.impact, v.nodes.length,
     v.nodes.slice(0, 3).map(n => String(n.target[0])).join(", ")]))"""
OVERFLOW_JS = """() => {
  const wide = document.documentElement.scrollWidth, window_ = window.innerWidth;
  if (wide <= window_) return [wide, window_, ""];
  const over = [...document.querySelectorAll("main *")]
    .filter(e => e.getBoundingClientRect().right > window_ + 1).pop();
  return [wide, window_, over ? over.tagName.toLowerCase() + "." + over.className : ""];
}"""
# The CSS selector of every control of the navigation the crawl checks.
NAV_CONTROLS = "#main-nav .navbar-nav > li > .nav-link, #main-nav .navbar-nav > li > form > button"
CLICKABLE_JS = """el => {
  el.scrollIntoView({block: "nearest", inline: "nearest"});
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden")
    return "not visible";
  if (box.left < -0.5 || box.right > window.innerWidth + 0.5)
    return `outside the window (${Math.round(box.left)}-${Math.round(box.right)} px)`;
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (!hit || !(hit === el || el.contains(hit)))
    return "covered by " + (hit ? hit.outerHTML.slice(0, 80) : "nothing");
  return "";
}"""


@dataclass
class Crawl:
    findings: list[str] = field(default_factory=list)
    reached: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    visited: dict[str, int] = field(default_factory=dict)  # role -> pages opened per width
    pages: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # language -> "page [role]: text" still in English where a translation exists.
    untranslated: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def problem(self, role: str, width: int, page: str, text: str) -> None:
        self.findings.append(f"{page} [{role}, {width} px]: {text}")


def _route(url: str) -> tuple[str, tuple[str, ...]] | None:
    """The URL name and the query keys that make it another page, or None outside the app."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if not match.url_name:
        return None
    keys = sorted({key for key, _ in parse_qsl(parts.query)} - SAME_PAGE_PARAMS)
    return match.url_name, tuple(keys)


def _followable(href: str | None, base: str) -> str | None:
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    if href.startswith(base):
        href = href[len(base) :]
    if not href.startswith("/") or href.startswith("//"):
        return None  # another site
    if any(part in href for part in NOT_FOLLOWED):
        return None
    if href.startswith("/o/") and not href.startswith(f"/o/{ORG}/"):
        return None  # another organisation of the same person (the switcher is checked apart)
    return href.split("#")[0]


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [url for href in hrefs if (url := _followable(href, base))]


def _check_navigation(page, role: str, width: int, crawl: Crawl) -> list[str]:
    """Open the toggler and every menu; every item must be visible, in the window and the
    topmost element at its centre. Returns the navigation's links (the crawl's first level)."""
    where = f"/o/{ORG}/ navigation"
    if width < LARGE:
        toggler = page.locator(".navbar-toggler")
        if not toggler.is_visible():
            crawl.problem(role, width, where, "the navigation toggler is not visible")
            return []
        toggler.click()
        page.locator("#main-nav.show").wait_for()
    controls = page.locator(NAV_CONTROLS)
    for i in range(controls.count()):
        control = controls.nth(i)
        if problem := control.evaluate(CLICKABLE_JS):
            crawl.problem(role, width, where, f"{control.inner_text().strip()!r} is {problem}")
    for menu in page.locator("[data-nav-menu]").all():
        name = menu.inner_text().strip()
        menu.click()
        key = menu.get_attribute("data-nav-menu")
        items = page.locator(f"[data-nav-items='{key}'] a, [data-nav-items='{key}'] button")
        items.first.wait_for(state="visible")
        for j in range(items.count()):
            item = items.nth(j)
            if problem := item.evaluate(CLICKABLE_JS):
                crawl.problem(
                    role, width, where, f"{name} > {item.inner_text().strip()!r} is {problem}"
                )
        # axe skips what is hidden: check each menu's contrast and names while it is open.
        for rule, impact, count, targets in page.evaluate(
            AXE_RUN.replace("document", "'#main-nav'", 1)
        ):
            crawl.problem(
                role, width, where, f"{name} open: axe {rule} ({impact}, {count} nodes: {targets})"
            )
        menu.click()  # closes it again
    for what, selector in (("organisation switcher", "[data-nav=org-switcher]"),
                           ("Sign out", "[data-nav=sign-out]")):  # fmt: skip
        if page.locator(selector).count() == 0:
            crawl.problem(role, width, where, f"no {what}")
    return [
        url
        for href in page.eval_on_selector_all(
            "#main-nav a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        if (url := _followable(href, ""))
    ]


def _check_page(page, url: str, role: str, width: int, crawl: Crawl, errors: list[str]) -> bool:
    """Open `url` and check it; True when it is an HTML page whose links may be followed."""
    errors.clear()
    t0 = time.monotonic()
    response = page.goto(url)
    if response is None:
        crawl.problem(role, width, url, "no response")
        return False
    if response.status >= 500:
        crawl.problem(role, width, url, f"answered {response.status}")
        return False
    if response.status >= 400:
        crawl.problem(role, width, url, f"answered {response.status} to a link this role sees")
        return False
    if "text/html" not in (response.headers.get("content-type") or ""):
        return False
    # Not "networkidle" (half a second of silence per page): wait for htmx's own requests.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    t1 = time.monotonic()
    crawl.timings["load"] += t1 - t0
    wide, window, culprit = page.evaluate(OVERFLOW_JS)
    if wide > window:
        crawl.problem(role, width, url, f"{wide} px wide in a {window} px window ({culprit})")
    selector = NAV_CONTROLS if width >= LARGE else ".navbar-toggler"
    script = f"els => els.map(el => [el.innerText.trim(), ({CLICKABLE_JS})(el)])"
    for name, problem in page.eval_on_selector_all(selector, script):
        if problem:
            crawl.problem(role, width, url, f"navigation {name!r} is {problem}")
    t2 = time.monotonic()
    crawl.timings["checks"] += t2 - t1
    violations = page.evaluate(AXE_RUN)
    crawl.timings["axe"] += time.monotonic() - t2
    for rule, impact, count, targets in violations:
        crawl.problem(role, width, url, f"axe {rule} ({impact}, {count} nodes: {targets})")
    for error in errors:
        crawl.problem(role, width, url, f"JavaScript console: {error[:200]}")
    return True


def _crawl_role(browser, base: str, role: str, email: str, crawl: Crawl) -> None:
    plan: list[str] = []  # the pages to open, decided at the first width, opened at every width
    for width in WIDTHS:
        context = browser.new_context(
            base_url=base, viewport={"width": width, "height": 900}, bypass_csp=True
        )
        context.set_default_timeout(15_000)
        context.add_init_script(AXE_SCRIPT)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
        page.on(
            "response",
            lambda r, w=width: (
                crawl.problem(role, w, r.url, f"answered {r.status}")
                if r.status >= 500 and r.request.resource_type in {"xhr", "fetch"}
                else None
            ),
        )
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(email)
        page.locator("form.login-form button[type=submit]").click()  # the e-mail first (#18)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form.login-form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(f"/o/{ORG}/")  # people of several organisations land on the chooser first
        first_level = _check_navigation(page, role, width, crawl)
        if not plan:
            plan = _plan_and_check(page, base, role, width, first_level, crawl, errors)
            crawl.visited[role] = len(plan)
            crawl.pages[role] = plan
        else:
            for url in plan:
                _check_page(page, url, role, width, crawl, errors)
        context.close()


def _plan_and_check(page, base, role, width, first_level, crawl, errors) -> list[str]:
    """Open the navigation's pages, then one page per route linked from them; note every route
    linked from any of these pages as reached. Returns the pages opened, in order."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    first: list[str] = []
    for url in first_level:
        if (key := _route(url)) and key not in seen:
            seen.add(key)
            first.append(url)
            crawl.reached[key[0]].add(role)
    plan: list[str] = []
    below: list[str] = []
    for url in first:
        if not _check_page(page, url, role, width, crawl, errors):
            continue
        plan.append(url)
        for link in _links(page, base):
            if (key := _route(link)) is None:
                continue
            crawl.reached[key[0]].add(role)
            if key not in seen:
                seen.add(key)
                below.append(link)
    for url in below:
        if _check_page(page, url, role, width, crawl, errors):
            plan.append(url)
            for link in _links(page, base):
                if key := _route(link):
                    crawl.reached[key[0]].add(role)
                    crawl.links[role].append(link)
    return plan


@pytest.fixture(scope="module")
def crawl(browser, live_server, django_db_setup, django_db_blocker) -> Iterator[Crawl]:
    # Module-scoped: the demo data is built once, committed so the live server sees it, and
    # removed afterwards so the following tests start from an empty database.
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        result = Crawl()
        started = time.monotonic()
        try:
            for role, email in ROLES.items():
                _crawl_role(browser, live_server.url, role, email, result)
            _follow_deeper(result)
            for language in LANGUAGE_CRAWL:
                _read_in(language, result)
        finally:
            result.seconds = time.monotonic() - started
            print(f"\nCrawl: {result.visited} pages per role and width, {result.seconds:.0f} s")
            print({name: round(seconds) for name, seconds in result.timings.items()})
            if os.environ.get("CRAWL_ROLES"):
                print(result.pages)
            call_command("flush", interactive=False, verbosity=0)
    yield result


def _follow_deeper(crawl: Crawl) -> None:
    """Complete the crawl graph beyond the pages the browser opened: follow, over plain HTTP,
    the links of every page a role reaches, however deep (a kick-off's report lies under the
    kick-off, under the programme), so a page counts as reachable when some path leads to it."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    for role, email in ROLES.items():
        client = Client()
        client.force_login(get_user_model().objects.get(email=email))
        opened = {_route(url) for url in crawl.pages.get(role, [])}
        queue = [url for url in crawl.links.get(role, []) if _route(url) not in opened]
        seen = opened | {_route(url) for url in queue}
        while queue:
            url = queue.pop(0)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            for href in re.findall(r'href="([^"]+)"', response.content.decode()):
                link = _followable(html.unescape(href), "")
                if link and (key := _route(link)):
                    crawl.reached[key[0]].add(role)
                    if key not in seen:
                        seen.add(key)
                        queue.append(link)


def test_every_page_of_every_role_works_at_both_widths(crawl: Crawl) -> None:
    assert all(crawl.visited.get(role, 0) > 5 for role in ROLES), crawl.visited
    assert not crawl.findings, f"{len(crawl.findings)} problems:\n" + "\n".join(
        sorted(set(crawl.findings))
    )


def _get_routes() -> Iterator[str]:
    """The names of the routes under o/<org>/ that answer GET."""

    def walk(patterns, prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    for route, pattern in walk(get_resolver().url_patterns, ""):
        if route.startswith("o/<slug:org>/") and pattern.name:
            methods = _allowed_methods(pattern.callback)
            if methods is None or "GET" in methods:
                yield pattern.name


def _allowed_methods(view) -> set[str] | None:
    """What require_http_methods (require_GET, require_POST...) lets through, None if any."""
    fn = view
    while fn is not None:
        code = getattr(fn, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = fn.__closure__[code.co_freevars.index("request_method_list")]
            return set(cell.cell_contents)
        fn = getattr(fn, "__wrapped__", None)
    return None


def test_every_registered_page_is_reached_by_some_role(crawl: Crawl) -> None:
    routes = set(_get_routes())
    assert not set(EXCUSED) - routes, "excused pages that are no longer GET routes"
    unreached = sorted(routes - set(crawl.reached) - set(EXCUSED))
    assert not unreached, (
        "Pages no role's navigation (or a page one level below it) links to; link them, or "
        f"excuse them in EXCUSED with a reason: {unreached}"
    )


# --- The same pages read in German and Czech: no text a translation exists for stays English ---

LANGUAGE_CRAWL = ("de", "cs")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]")
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def _english_of(language: str) -> tuple[set[str], list[re.Pattern]]:
    """The English messages whose translation into `language` differs from them, as exact
    texts and (for messages with placeholders and enough English around them) as patterns.
    A text that is also a translation in `language` ("Programme" is German for "Programmes")
    or that some message keeps as it is ("Snowball") does not count."""
    import polib
    from django.conf import settings

    path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = polib.pofile(str(path)).translated_entries()
    shown_in_language: set[str] = set()
    for entry in entries:
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        shown_in_language |= {" ".join(text.split()) for text in translations}
    exact: set[str] = set()
    patterns: list[re.Pattern] = []
    for entry in entries:
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            text = " ".join(english.split())
            if text in shown_in_language:
                continue
            literal = PLACEHOLDER.sub("", text)
            if PLACEHOLDER.search(text):
                if len(re.findall(r"[A-Za-z]", literal)) < 8:
                    continue  # "%(count)s week": the values would make any text match
                parts = PLACEHOLDER.split(text)[::2]
                patterns.append(re.compile(".+?".join(re.escape(part) for part in parts)))
            elif re.search(r"[A-Za-z]{2}", literal):
                exact.add(text)
    return exact, patterns


# Names that are the same in every language.
BRANDS = {"Snowball", "LinkedIn", "SSI"}


def _content_strings() -> list[str]:
    """What people wrote (the demo's titles, names, concerns, units...): shown as written,
    whatever the reader's language. Longest first, for removal from shown texts."""
    from django.apps import apps
    from django.db import models

    found: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"programme", "kickoff", "showcase", "goals", "metrics"}:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            for value in row:
                for line in str(value or "").splitlines():
                    for part in line.split(" — "):
                        part = " ".join(part.split())
                        if len(part) >= 3:
                            found.add(part)
    # A kick-off's themes are single words taken from its concerns ("wave" from "Wave 1 had
    # training hours"), as the room wrote them: content too (a theme "wave" on a page read in
    # German once matched the English message "wave", an objective's level).
    from kickoff.models import KickoffSession
    from kickoff.selectors import concern_themes

    for session in KickoffSession.objects.select_related("organisation"):
        found |= {theme.label for theme in concern_themes(session, session.organisation)}
    return sorted(found, key=len, reverse=True)


class _ShownText(html.parser.HTMLParser):
    """The texts a page shows: text nodes outside scripts and styles, and the attributes a
    person reads or hears (title, placeholder, aria-label, alt)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.texts.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)


def _english_left(text: str, exact: set[str], patterns: list, content: list[str]) -> bool:
    """Whether `text` is still an English message, once what people wrote is set aside."""
    if text in BRANDS or not (text in exact or any(p.fullmatch(text) for p in patterns)):
        return False
    rest = text
    for written in content:
        if written in rest:
            rest = rest.replace(written, " ")
    rest = " ".join(rest.split())
    if rest != text and not re.search(r"[A-Za-z]{3}", rest):
        return False  # only what people wrote, with numbers and punctuation around it
    return rest == text or rest in exact or any(p.fullmatch(rest) for p in patterns)


def _read_in(language: str, crawl: Crawl) -> None:
    """Every page each role opened (and the pages one link below them), fetched with the role's
    person reading in `language`: a shown text equal to an English message that has a
    different translation is a finding."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    exact, patterns = _english_of(language)
    content = _content_strings()
    users = get_user_model().objects
    for role, email in ROLES.items():
        users.filter(email=email).update(language=language)
        client = Client()
        client.force_login(users.get(email=email))
        seen = set()
        for url in [*crawl.pages.get(role, []), *crawl.links.get(role, [])]:
            key = _route(url)
            if key in seen:
                continue
            seen.add(key)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            parser = _ShownText()
            parser.feed(response.content.decode())
            for text in dict.fromkeys(parser.texts):
                if _english_left(text, exact, patterns, content):
                    crawl.untranslated[language].append(f"{url} [{role}]: {text!r}")
        users.filter(email=email).update(language="en-gb")


@pytest.mark.parametrize("language", LANGUAGE_CRAWL)
def test_pages_read_in_german_and_czech_show_no_english_left(crawl: Crawl, language) -> None:
    found = sorted(set(crawl.untranslated[language]))
    assert not found, f"{len(found)} English texts on pages read in {language}:\n" + "\n".join(
        found[:200]
    )
