"""Integrations in Chromium: the admin connects a signed webhook from the navigation, copies
its secret once, sends a test message that a local receiver gets, reads the delivery log; the
page passes axe-core at 1280 px and on a phone."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from programme.models import Role
from programme.services import integrations
from tests.browser.test_crawl import AXE_RUN, AXE_SCRIPT
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import PASSWORD, member
from tests.programme.test_integrations import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_connects_a_webhook_and_sees_its_test_message_arrive(
    browser, live_server, org, page, settings
):
    settings.INTEGRATIONS_ALLOW_LOCAL = True
    receiver = Receiver()
    try:
        admin = member(org, Role.ADMIN)
        sign_in(page, admin.user.email, PASSWORD)
        page.wait_for_url("**/o/**")
        nav_to(page, "Integrations")
        page.get_by_label("Kind").select_option("webhook")
        page.get_by_label("Name").fill("IT provisioning")
        page.get_by_label("Address (URL)").fill(receiver.url())
        page.get_by_label("Activity import finished").check()
        page.get_by_role("button", name="Connect").click()
        secret = page.get_by_label("Signing secret").input_value()
        assert len(secret) == 64

        page.get_by_role("button", name=re.compile("Send a test message.*IT provisioning")).click()
        expect(page.get_by_text("Test message queued")).to_be_visible()
        integrations.outbox_deliver()  # what the beat's run does
        assert json.loads(receiver.requests[0]["body"])["event"] == "test"
        page.reload()
        expect(page.get_by_test_id("delivery")).to_contain_text("Sent")
        expect(page.get_by_label("Signing secret")).to_have_count(0)  # shown once only

        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(AXE_SCRIPT)
            violations = page.evaluate(AXE_RUN)
            assert violations == [], f"{width} px: {violations}"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
