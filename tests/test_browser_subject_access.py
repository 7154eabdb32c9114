"""A careers leader exports everything held about a pupil, in headless Chromium: from the
pupil's page to the downloads, the status polled with htmx while a real worker builds it."""

import os
import time

import pytest
from celery import current_app
from playwright.sync_api import expect

from access.roles import Role

from .test_browser import axe_violations, sign_in
from .workers import celery_worker

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def queue_for_test():
    name = f"sar-browser-{os.getpid()}-{time.monotonic_ns()}"
    before = current_app.conf.task_default_queue
    current_app.conf.task_default_queue = name
    yield name
    current_app.conf.task_default_queue = before


def test_a_careers_leader_asks_for_an_export_and_downloads_it_when_it_is_built(
    page, live_server, world, queue_for_test
):
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/pupils/{world.a.pupil.pk}/")
    page.get_by_role("link", name="Export everything we hold (subject access request)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Export everything we hold about Amelia PupilA"
    )
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/sar_request_page.png", full_page=True)
    with celery_worker(queue=queue_for_test):
        page.get_by_role("button", name="Export everything we hold").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Subject access export: Amelia PupilA"
        )
        # htmx polls the status and reloads the page once the worker has built it.
        expect(page.get_by_role("link", name="Download the ZIP")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Export ready")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/sar_ready_page.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(f"{live_server.url}/privacy/pupils/{world.a.pupil.pk}/subject-access/")
    expect(page.get_by_role("cell", name="Done")).to_be_visible()
