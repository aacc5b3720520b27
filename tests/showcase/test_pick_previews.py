"""A pick's preview: fetched server-side from the pick's own page (Open Graph tags), against a
local HTTP server; a timeout, a huge page, a non-HTML answer or a private address leave the
bare link and a message for marketing."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from PIL import Image

from programme.models import Role
from showcase import previews, services
from showcase.models import PickPreview, PreviewStatus
from tests.factories import member

PAGE = b"""<!doctype html><html><head><title>Fallback title</title>
<meta property="og:title" content="Cold-chain study 2026">
<meta property="og:description" content="What 200 logistics leads told us.">
<meta property="og:image" content="/banner.png">
</head><body><p>Hello</p></body></html>"""


def _png(width: int = 1200, height: int = 630) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 102, 194)).save(out, "PNG")
    return out.getvalue()


class Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes, float]] = {}
    seen: list[str] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        status, headers, body, delay = self.routes.get(self.path, (404, {}, b"", 0))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site():
    Handler.routes = {
        "/post": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE, 0),
        "/banner.png": (200, {"Content-Type": "image/png"}, _png(), 0),
    }
    Handler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_allowed(settings):
    settings.PICK_PREVIEW_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def marketing(org):
    return member(org, Role.MARKETING)


def _post(marketing, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pick = services.pick_post(by=marketing, url=url, note="Our study is out")
    assert PickPreview.objects.get(pick=pick).status == PreviewStatus.PENDING
    assert callbacks, "the fetch is enqueued once the pick commits"
    return pick


def test_preview_is_fetched_and_shown_with_a_stored_thumbnail(
    org, marketing, login, site, local_allowed, django_capture_on_commit_callbacks
):
    pick = _post(marketing, site + "/post", django_capture_on_commit_callbacks)
    seller = member(org, Role.SELLER)
    page = login(seller).get(reverse("showcase-pick-list", args=[org.slug])).content.decode()
    assert "Fetching the preview" in page

    assert services.pick_preview_fetch(pick_id=pick.pk) == PreviewStatus.READY
    preview = PickPreview.objects.get(pick=pick)
    assert preview.title == "Cold-chain study 2026"
    assert preview.description == "What 200 logistics leads told us."
    assert preview.image_url == site + "/banner.png"
    assert preview.image_width <= 600 and preview.image_height <= 600

    client = login(seller)
    page = client.get(reverse("showcase-pick-list", args=[org.slug])).content.decode()
    assert "Cold-chain study 2026" in page and "What 200 logistics leads told us." in page
    image_url = reverse("showcase-pick-preview-image", args=[org.slug, pick.code])
    # Readers' browsers contact only Snowball: the image is the stored copy.
    assert image_url in page and f'src="{site}' not in page
    image = client.get(image_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    # Run twice (a retried task): nothing fetched again.
    Handler.seen.clear()
    assert services.pick_preview_fetch(pick_id=pick.pk) == PreviewStatus.READY
    assert Handler.seen == []


def _failed_message(marketing, url, callbacks) -> str:
    pick = _post(marketing, url, callbacks)
    assert services.pick_preview_fetch(pick_id=pick.pk) == PreviewStatus.FAILED
    return PickPreview.objects.get(pick=pick).message


def test_timeout_degrades_to_the_bare_link_with_a_message(
    org, marketing, login, site, local_allowed, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(previews, "TIMEOUT", 0.5)
    Handler.routes["/slow"] = (200, {"Content-Type": "text/html"}, PAGE, 1.5)
    message = _failed_message(marketing, site + "/slow", django_capture_on_commit_callbacks)
    assert "did not answer within" in message
    page = login(marketing).get(reverse("showcase-pick-list", args=[org.slug])).content.decode()
    assert "No preview:" in page and "Sellers see the bare link" in page
    seller_page = login(member(org, Role.SELLER)).get(
        reverse("showcase-pick-list", args=[org.slug])
    )
    assert "No preview:" not in seller_page.content.decode()  # the message is marketing's


def test_huge_page_is_not_read(site, local_allowed, marketing, django_capture_on_commit_callbacks):
    body = b"<html><head>" + b"<!-- padding -->" * 70_000 + b"</head></html>"
    Handler.routes["/huge"] = (200, {"Content-Type": "text/html"}, body, 0)
    message = _failed_message(marketing, site + "/huge", django_capture_on_commit_callbacks)
    assert "larger than 1 MB" in message


def test_non_html_answer_is_refused(
    site, local_allowed, marketing, django_capture_on_commit_callbacks
):
    Handler.routes["/file.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4", 0)
    message = _failed_message(marketing, site + "/file.pdf", django_capture_on_commit_callbacks)
    assert "application/pdf" in message


def test_loopback_is_refused_without_the_test_setting(
    site, marketing, django_capture_on_commit_callbacks
):
    message = _failed_message(marketing, site + "/post", django_capture_on_commit_callbacks)
    assert "not a public address" in message
    assert Handler.seen == []  # not a byte sent


def test_a_redirect_to_a_private_address_is_checked_again(site, monkeypatch):
    for address in ("127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fe80::1", "192.168.1.1",
                    "::ffff:127.0.0.1", "0.0.0.0"):  # noqa: S104 # fmt: skip
        assert not previews.address_allowed(address), address
    assert previews.address_allowed("93.184.215.14")
    # The test server (loopback) is let through once; the redirect's target is resolved and
    # checked again, and the cloud metadata address is refused.
    Handler.routes["/hop"] = (302, {"Location": "http://169.254.169.254/latest/"}, b"", 0)
    real, checked = previews.address_allowed, []

    def first_hop_only(address: str) -> bool:
        checked.append(address)
        return len(checked) == 1 or real(address)

    monkeypatch.setattr(previews, "address_allowed", first_hop_only)
    with pytest.raises(previews.PreviewError, match="not a public address"):
        previews.fetch(site + "/hop", accept=previews.HTML_TYPES, max_bytes=1000)
    assert checked == ["127.0.0.1", "169.254.169.254"]
    assert Handler.seen == ["/hop"]


def test_too_many_redirects_stop(site, local_allowed):
    Handler.routes["/loop"] = (302, {"Location": "/loop"}, b"", 0)
    with pytest.raises(previews.PreviewError, match="redirected too many times"):
        previews.fetch(site + "/loop", accept=previews.HTML_TYPES, max_bytes=1000)
    assert len(Handler.seen) == previews.MAX_REDIRECTS + 1


def test_marketing_entry_made_meanwhile_wins_over_the_fetch(
    site, local_allowed, marketing, django_capture_on_commit_callbacks
):
    pick = _post(marketing, site + "/post", django_capture_on_commit_callbacks)
    services.pick_preview_store(
        pick=pick, preview=previews.Preview(title="Entered by hand"), status=PreviewStatus.MANUAL
    )
    assert services.pick_preview_fetch(pick_id=pick.pk) == PreviewStatus.MANUAL
    assert PickPreview.objects.get(pick=pick).title == "Entered by hand"
    assert Handler.seen == []


def test_open_graph_parsing_falls_back_to_the_title_and_makes_the_image_absolute():
    found = previews.open_graph(
        '<html><head><title> Plain  page </title><meta name="description" content="Desc">'
        '<meta property="og:image" content="img/a.png"></head></html>',
        "https://example.com/news/post",
    )
    assert found.title == "Plain page" and found.description == "Desc"
    assert found.image_url == "https://example.com/news/img/a.png"
    assert previews.open_graph('<meta property="og:image" content="javascript:x">', "https://e.x/")
    assert previews.open_graph('<meta property="og:image" content="javascript:x">',
                               "https://e.x/").image_url == ""  # fmt: skip
