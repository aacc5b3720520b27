"""Every form, fuzzed. The forms are found the way a person finds them: each role opens every
page of its organisation (the URL resolver's patterns, so a new form is covered without anyone
listing it) and every POST form on those pages is submitted with hostile values in each field:
XSS, template and SQL injection, formula injection, impossible numbers and dates, wrong choices,
NUL bytes, very long text. Never a server error; a refusal (4xx) writes nothing; no page shows
a payload unescaped. The ingestion API gets hostile JSON the same way."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import services as metrics_services
from programme.models import Role
from tests.factories import member
from tests.programme.test_tenancy import foreign_objects, tenant_patterns, url_for
from tests.security.hostile import PAYLOADS, hostile_text
from tests.security.test_fuzz_uploads import assert_escaped, changed, table_counts
from tests.security.test_probe import FILLED, ROLES

pytestmark = pytest.mark.django_db

NUMBERS = st.sampled_from(["-1", "0", "1e309", "NaN", "99999999999999999999", "3.5", "١٢", ""])
DATES = st.sampled_from(["2024-02-30", "0001-01-01", "9999-12-31", "yesterday", "", "2024-13-01"])


class Forms(HTMLParser):
    """POST forms of a page: action -> {field name: (kind, options, value)}."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: dict[str, dict[str, tuple[str, list[str], str]]] = {}
        self.current: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.current = None
            if a.get("method", "get").lower() == "post":
                action = urlsplit(a.get("action") or self.page_url).path
                self.current = self.forms.setdefault(action, {})
            return
        if self.current is None or not a.get("name") or a["name"] == "csrfmiddlewaretoken":
            return
        name = a["name"]
        if tag == "input" and a.get("type", "text") not in ("submit", "button", "file"):
            kind = a.get("type", "text")
            old = self.current.get(name, (kind, [], ""))
            options = old[1] + [a.get("value", "on")] if kind in ("radio", "checkbox") else []
            self.current[name] = (kind, options, a.get("value", ""))
        elif tag == "textarea":
            self.current[name] = ("textarea", [], "")
        elif tag == "select":
            self.select = name
            self.current[name] = ("select", [], "")
        elif tag == "option" and self.select:
            kind, options, value = self.current[self.select]
            self.current[self.select] = (kind, [*options, a.get("value", "")], value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def value_for(kind: str, options: list[str], original: str) -> st.SearchStrategy:
    if kind in ("number", "range"):
        return NUMBERS
    if kind in ("date", "datetime-local", "time"):
        return DATES
    if kind in ("select", "radio", "checkbox") and options:
        return st.one_of(st.sampled_from(options), hostile_text)
    if kind == "hidden":
        return st.one_of(st.just(original), hostile_text)
    return hostile_text


def discover(client: Client, org, objects) -> dict[str, dict]:
    """Every POST form on every page the client can open."""
    found: dict[str, dict] = {}
    for name, params in tenant_patterns():
        if set(params) - FILLED:
            continue
        url = url_for(name, params, org.slug, objects)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = Forms(url)
        parser.feed(response.content.decode())
        for action, fields in parser.forms.items():
            if action.startswith("/o/") and fields:
                found.setdefault(action, {}).update(fields)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_form_takes_hostile_values_without_harm(org, login, role) -> None:
    objects = foreign_objects(org)
    client = login(member(org, role))
    client.raise_request_exception = False
    forms = discover(client, org, objects)
    assert forms, "no form found: the discovery is broken"
    failures: list[str] = []

    def fuzz(action: str, fields: dict) -> None:
        @settings(max_examples=min(50, max(3, settings.default.max_examples // 8)))
        @given(data=st.fixed_dictionaries({n: value_for(*spec) for n, spec in fields.items()}))
        def submit(data: dict[str, str]) -> None:
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                # Per request: the plain POST may add what the htmx one then refuses as taken
                # (a blocked word, a wave name); that refusal itself must write nothing.
                before = table_counts()
                response = client.post(action, data, **headers)
                if response.status_code >= 500:
                    failures.append(f"POST {action} {data!r}: {response.status_code}")
                    return
                assert_escaped(response.content.decode(errors="replace"))
                if response.status_code >= 400:
                    assert changed(before, table_counts()) == {}, f"{action} refused but wrote"

        submit()

    for action, fields in sorted(forms.items()):
        fuzz(action, fields)
    assert failures == []


# --- The ingestion API ---

EVENT = st.fixed_dictionaries(
    {},
    optional={
        "external_id": st.one_of(hostile_text, st.integers(), st.none()),
        "email": st.sampled_from(["api@acme.example", "nobody@acme.example", "", PAYLOADS[7]]),
        "kind": st.sampled_from(["post_published", "meeting_booked", "deal_won", "bribe", ""]),
        "occurred_at": st.one_of(DATES, st.sampled_from(["2024-03-04T08:00:00Z", "now"])),
        "quantity": st.one_of(st.integers(-(2**70), 2**70), NUMBERS, st.floats()),
        "value": st.one_of(NUMBERS, st.floats(), st.none()),
        "url": hostile_text,
        "via_linkedin": st.one_of(st.booleans(), hostile_text, st.none()),
        "details": st.one_of(st.dictionaries(hostile_text, hostile_text, max_size=3), hostile_text),
    },
)
JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture
def api_secret(org) -> str:
    seller = member(org, Role.SELLER)
    seller.user.email = "api@acme.example"
    seller.user.save(update_fields=["email"])
    _token, secret = metrics_services.api_token_create(
        organisation=org, name="fuzz", by=member(org, Role.ADMIN)
    )
    return secret


@given(
    body=st.one_of(
        st.fixed_dictionaries({"events": st.lists(st.one_of(EVENT, JSON), max_size=5)}).map(
            json.dumps
        ),
        JSON.map(json.dumps),
        st.binary(max_size=200),
    )
)
def test_the_ingestion_api_answers_hostile_json_with_a_reason(api_secret, body) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/events", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_secret}",
    )  # fmt: skip
    assert response.status_code in (200, 400, 422), response.status_code
    payload = response.json()
    if response.status_code != 200:
        assert payload.get("detail"), payload
        return
    for result in payload["results"]:
        assert result["status"] in ("created", "duplicate", "rejected")
        if result["status"] == "rejected":
            assert result["reason"].strip()
