"""A pick's preview: the title, description and image its page announces in Open Graph tags,
fetched by the server from the pick's own link (which marketing entered), and nowhere else.

Careful because the server fetches an address a person typed (SSRF): only http and https,
only the default ports or those the link names, every address the host resolves to must be
public (no loopback, private, link-local, multicast or reserved address) unless the setting
`PICK_PREVIEW_ALLOW_PRIVATE_ADDRESSES` says otherwise (tests, which serve pages on 127.0.0.1),
the connection goes to the very address that was checked (no second DNS answer in between),
redirects are followed at most `MAX_REDIRECTS` times and each target is checked again, a
strict time limit, a size cap read in chunks, and only the content types expected.

The standard library's `http.client` rather than requests or httpx: neither is a dependency
of the project, and pinning the checked address needs a connection class of our own anyway.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

TIMEOUT = 3.0  # seconds for the whole fetch of one resource, redirects included
MAX_PAGE_BYTES = 1_000_000
MAX_IMAGE_BYTES = 2_000_000
MAX_REDIRECTS = 3
MAX_PIXELS = 40_000_000
THUMBNAIL_BOX = (600, 600)
USER_AGENT = "SnowballPreview/1.0 (+link preview of a marketing pick)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


class PreviewError(Exception):
    """Why there is no preview, in words marketing understands."""


@dataclass
class Thumbnail:
    content: bytes
    width: int
    height: int


@dataclass
class Preview:
    title: str = ""
    description: str = ""
    image_url: str = ""
    image: Thumbnail | None = None


def address_allowed(address: str) -> bool:
    """Only public addresses, unless the deployment (or a test) allows private ones."""
    if getattr(settings, "PICK_PREVIEW_ALLOW_PRIVATE_ADDRESSES", False):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _checked_address(host: str, port: int) -> str:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        message = gettext("The address %(host)s could not be found.") % {"host": host}
        raise PreviewError(message) from None
    addresses = [answer[4][0] for answer in answers]
    # Every answer must be public: a host answering with one public and one private address
    # is refused, whichever the connection would have used.
    if not addresses or not all(address_allowed(address) for address in addresses):
        raise PreviewError(
            gettext("%(host)s is not a public address: Snowball does not fetch it.")
            % {"host": host}
        )
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch(url: str, *, accept: tuple[str, ...], max_bytes: int) -> tuple[str, str, bytes]:
    """GET `url` under every rule above; returns (final url, content type, body)."""
    deadline = time.monotonic() + TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PreviewError(gettext("Only http and https links are fetched."))
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise PreviewError(gettext("The link's port is not a number.")) from None
        address = _checked_address(parts.hostname, port)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PreviewError(_too_slow())
        kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = kind(parts.hostname, port, address, remaining)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", target, headers={
                "User-Agent": USER_AGENT, "Accept": ", ".join(accept),
                "Accept-Encoding": "identity",
            })  # fmt: skip
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise PreviewError(gettext("The page redirected to nowhere."))
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise PreviewError(
                    gettext("The page answered with status %(status)s.")
                    % {"status": response.status}
                )
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
            if content_type.lower() not in accept:
                raise PreviewError(
                    gettext("The link leads to %(type)s, not to what a preview needs.")
                    % {"type": content_type or gettext("an unnamed content type")}
                )
            body = _read_capped(response, max_bytes, deadline)
            return url, content_type.lower(), body
        except TimeoutError:
            raise PreviewError(_too_slow()) from None
        except (OSError, http.client.HTTPException, ssl.SSLError) as error:
            raise PreviewError(
                gettext("The page could not be reached (%(error)s).")
                % {"error": type(error).__name__}
            ) from None
        finally:
            connection.close()
    raise PreviewError(gettext("The page redirected too many times."))


def _too_slow() -> str:
    return gettext("The page did not answer within %(seconds)s seconds.") % {
        "seconds": int(TIMEOUT)
    }


def _read_capped(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise PreviewError(_too_large(max_bytes))
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise PreviewError(_too_slow())
        chunk = response.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise PreviewError(_too_large(max_bytes))
        chunks.append(chunk)


def _too_large(max_bytes: int) -> str:
    return gettext("The page is larger than %(size)s MB: Snowball reads no more.") % {
        "size": max_bytes // 1_000_000
    }


class _OpenGraph(HTMLParser):
    """The first value of each tag a preview needs; stops caring after </head>."""

    WANTED = {
        "og:title": "title", "twitter:title": "title",
        "og:description": "description", "twitter:description": "description",
        "description": "description",
        "og:image": "image", "og:image:url": "image", "og:image:secure_url": "image",
        "twitter:image": "image",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self._in_title = False
        self._title_text = ""
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = {name: value or "" for name, value in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            field = self.WANTED.get(key)
            content = " ".join(values.get("content", "").split())
            if field and content and field not in self.found:
                self.found[field] = content
        elif tag == "body":
            self._done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self._done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and not self._done:
            self._title_text += data

    @property
    def page_title(self) -> str:
        return " ".join(self._title_text.split())


def open_graph(html: str, base_url: str) -> Preview:
    """Title, description and image address (absolute) a page announces."""
    parser = _OpenGraph()
    parser.feed(html)
    parser.close()
    found = parser.found
    image = urljoin(base_url, found["image"]) if found.get("image") else ""
    return Preview(
        title=(found.get("title") or parser.page_title)[:200],
        description=found.get("description", "")[:500],
        image_url=image if urlsplit(image).scheme in ("http", "https") else "",
    )


def _decode(body: bytes, content_type_header: str = "") -> str:
    # A page that does not say its encoding is read as UTF-8, its errors replaced.
    return body.decode("utf-8", errors="replace")


def thumbnail(body: bytes) -> Thumbnail:
    """A small JPEG copy of the image: re-encoded (no metadata), at most 600 x 600."""
    try:
        with Image.open(io.BytesIO(body)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise PreviewError(gettext("The preview image has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(body)) as image:
            image.load()
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail(THUMBNAIL_BOX)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
    except PreviewError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PreviewError(gettext("The preview image could not be read.")) from None
    return Thumbnail(out.getvalue(), image.width, image.height)


def preview_fetch(url: str) -> tuple[Preview, str]:
    """The preview of the page at `url`, and a message when part of it failed (the image)."""
    final_url, _, body = fetch(url, accept=HTML_TYPES, max_bytes=MAX_PAGE_BYTES)
    preview = open_graph(_decode(body), final_url)
    if not (preview.title or preview.description or preview.image_url):
        raise PreviewError(gettext("The page announces no title, description or image."))
    message = ""
    if preview.image_url:
        try:
            _, _, image = fetch(preview.image_url, accept=IMAGE_TYPES, max_bytes=MAX_IMAGE_BYTES)
            preview.image = thumbnail(image)
        except PreviewError as error:
            message = gettext("No image: %(reason)s") % {"reason": error}
    return preview, message
