"""My data in Chromium: a seller sees what is kept, downloads it and erases themselves; an admin
erases someone on a written request."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import expect

from programme.models import ErasureRecord, Role, User
from showcase import services as showcase_services
from tests.browser.test_journeys import nav_to, sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_seller_downloads_their_data_and_erases_themselves(page, org, celery_worker) -> None:
    seller = member(org, Role.SELLER)
    showcase_services.case_save(
        author=seller.participant,
        data={"kind": "post_worked", "title": "My post that worked", "story": "It did.",
              "visibility": "organisation"},
    )  # fmt: skip
    sign_in(page, seller.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    nav_to(page, "My data")
    expect(page.get_by_role("heading", name="My data", exact=True)).to_be_visible()
    expect(page.get_by_text("Anonymous concerns: they store no author")).to_be_visible()

    page.get_by_role("button", name="Prepare my download").click()
    link = page.get_by_test_id("download-link")
    expect(link).to_be_visible(timeout=30_000)  # the worker builds it; htmx polls
    with page.expect_download() as downloading:
        link.click()
    archive = zipfile.ZipFile(downloading.value.path())
    data = json.loads(archive.read("data.json"))
    assert data["showcase"]["cases"][0]["title"] == "My post that worked"
    assert "csv/programme/account.csv" in archive.namelist()

    page.get_by_role("link", name="See what erasure does, and erase me").click()
    expect(page.get_by_test_id("consequences")).to_contain_text("cannot be undone")
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_text("Type your e-mail address to confirm")).to_be_visible()
    page.get_by_label("Leave them to the others, without my name").check()
    page.get_by_label("To confirm, type your e-mail address").fill(seller.user.email)
    page.get_by_role("button", name="Erase my data").click()
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_text("Reference of the erasure")).to_be_visible()
    assert not User.objects.filter(pk=seller.user_id).exists()
    sign_in(page, seller.user.email, PASSWORD)
    expect(page.get_by_text("not correct")).to_be_visible()


def test_an_admin_erases_someone_on_a_written_request(page, org) -> None:
    admin = member(org, Role.ADMIN)
    seller = member(org, Role.SELLER)
    name = seller.user.get_full_name()
    sign_in(page, admin.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    nav_to(page, "Erasure requests")
    picker = page.locator("#id_person-ts-control")  # the people picker's search box
    picker.click()
    picker.press_sequentially(seller.user.email.split("@")[0])
    expect(page.locator("#id_person-ts-dropdown .option")).to_have_count(1)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="See what would be erased").click()
    expect(page.get_by_role("heading", name=f"Erase {name}")).to_be_visible()
    page.get_by_label("Which written request").fill("Letter of 3 March, ticket 4711")
    page.get_by_label("Delete them, as the request asks").check()
    page.get_by_label("I have checked the request comes from this person").check()
    page.get_by_role("button", name=f"Erase {name}").click()
    expect(page.get_by_text("Erased. Quote the reference")).to_be_visible()
    record = ErasureRecord.objects.get()
    expect(page.get_by_test_id("erasure-record")).to_contain_text(str(record.reference))
    assert record.on_request and record.erased_by == admin
    assert not User.objects.filter(pk=seller.user_id).exists()
