"""The weekly e-mail shows its chart as an inline PNG (most mail clients show no SVG): an
image/png part with a Content-ID that the HTML's <img src="cid:..."> names, with alt text; the
plain-text part keeps the numbers."""

from __future__ import annotations

import os
import struct
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes

import pytest
from django.core import mail

from metrics import charts, rollups, summaries
from metrics.models import ParticipantWeek
from programme.models import Role
from tests.factories import member

try:  # cairosvg loads the cairo system library when imported
    import cairosvg  # noqa: F401

    CAIRO = ""
except OSError as error:  # a machine with only Python: say so loudly, fail in CI
    CAIRO = f"libcairo2 is missing ({error}): apt-get install libcairo2"
    if os.environ.get("CI") == "true":
        raise
needs_cairo = pytest.mark.skipif(bool(CAIRO), reason=CAIRO or "cairo present")

MONDAY_8 = datetime(2026, 11, 23, 8, tzinfo=UTC)
LAST_WEEK = date(2026, 11, 16)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.fixture
def active(org):
    org.time_zone = "UTC"
    org.save()
    seller = member(org, Role.SELLER)
    for ago in range(5):
        ParticipantWeek.objects.create(
            organisation=org, participant=seller.participant,
            week=LAST_WEEK - timedelta(weeks=ago), posts=2, comments_made=1,
            reactions_received=3 + ago, interactions_tracked=True,
        )  # fmt: skip
    quiet = member(org, Role.SELLER)
    rollups.refresh_indicators(organisation_id=org.pk, today=MONDAY_8.date())
    return seller, quiet


@needs_cairo
def test_chart_renders_to_a_png_of_the_stated_size() -> None:
    weeks = [ParticipantWeek(week=LAST_WEEK - timedelta(weeks=i), posts=i) for i in range(12)]
    png = charts.seller_email_png(list(reversed(weeks)))
    assert _png_size(png) == (
        charts.EMAIL_CHART_WIDTH * charts.EMAIL_CHART_SCALE,
        charts.EMAIL_CHART_HEIGHT * charts.EMAIL_CHART_SCALE,
    )
    # Nothing happened: no empty grid.
    assert charts.seller_email_png([ParticipantWeek(week=LAST_WEEK)]) == b""


@needs_cairo
def test_weekly_email_carries_the_chart_inline(org, active) -> None:
    seller, quiet = active
    summaries.weekly_summaries_send(organisation_id=org.pk, now=MONDAY_8)
    by_to = {m.to[0]: m for m in mail.outbox}
    message = by_to[seller.user.email]
    parsed = message_from_bytes(message.message().as_bytes())
    assert parsed.get_content_type() == "multipart/related"
    images = [part for part in parsed.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1
    image = images[0]
    cid = image["Content-ID"].strip("<>")
    assert cid.startswith("weekly-chart-") and "@" in cid
    assert image.get_content_disposition() == "inline"
    width, height = _png_size(image.get_payload(decode=True))
    assert (width, height) == (1120, 600)
    html = next(p for p in parsed.walk() if p.get_content_type() == "text/html")
    html = html.get_payload(decode=True).decode()
    assert f'src="cid:{cid}"' in html
    assert 'alt="Bar chart of your last 12 weeks: 15 actions of yours, 25 interactions' in html
    # Text and HTML stay alternatives of each other, inside the related part.
    alternative = next(p for p in parsed.walk() if p.get_content_type() == "multipart/alternative")
    kinds = [part.get_content_type() for part in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html"]
    # The plain text keeps the numbers the chart shows.
    assert "Your last 12 weeks (your actions / interactions received):" in message.body
    assert "- 16 Nov: 3 / 3" in message.body and "- 19 Oct: 3 / 7" in message.body
    # Someone with nothing to chart gets no image and no empty grid.
    quiet_message = by_to[quiet.user.email]
    assert "cid:" not in quiet_message.alternatives[0][0]
    assert not quiet_message.attachments
    assert "Your last 12 weeks" not in quiet_message.body


@needs_cairo
def test_the_chart_shows_only_the_recipient_own_weeks(org, other_org, active) -> None:
    seller, _quiet = active
    outsider = member(other_org, Role.SELLER)
    ParticipantWeek.objects.create(
        organisation=other_org, participant=outsider.participant, week=LAST_WEEK, posts=50
    )
    summaries.weekly_summaries_send(organisation_id=org.pk, now=MONDAY_8)
    message = next(m for m in mail.outbox if m.to == [seller.user.email])
    assert "50" not in message.body.split("interactions received):")[1].split("Next step")[0]


def test_the_image_and_ci_install_the_cairo_library() -> None:
    """cairosvg loads libcairo2 at run time: without it the chart is left out of every e-mail."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "libcairo2" in (root / "Dockerfile").read_text()
    assert "libcairo2" in (root / ".ci" / "run").read_text()
