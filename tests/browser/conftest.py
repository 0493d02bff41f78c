"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against
pytest-django's live server. Screenshots of each page type land in test-artifacts/."""

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests
# make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "demo-password-for-tests"  # noqa: S105 - test accounts only


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    """One headless Chromium for the whole session."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    # Django keeps connections per context (asgiref Local). Once Playwright's event loop is
    # running, tests get a new connection object that lacks the snapshot of the migrated
    # database which serialized_rollback restores after each live-server test; hand it on.
    snapshot = getattr(connections["default"], "_test_serialized_contents", None)
    with sync_playwright() as playwright:
        if snapshot is not None:
            connections["default"]._test_serialized_contents = snapshot
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies: one per person).

    Every page reports what the Content-Security-Policy refused (the public site's or the
    admin's, site/csp.py); a test fails at its end if anything was, since that is a feature
    broken for real users.
    """
    contexts = []
    refused = []

    def note_refusal(message):
        if "Content Security Policy" in message.text:
            refused.append(f"{message.location.get('url')}: {message.text}")

    def open_page(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", note_refusal)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert refused == [], "The Content-Security-Policy refused:\n" + "\n".join(refused)


@pytest.fixture
def demo_site(live_server, monkeypatch):
    """The demo content and accounts, served by the live server; returns its base URL."""
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("DEMO_USER_PASSWORD", DEMO_PASSWORD)
    call_command("load_demo_data", "--accounts", stdout=StringIO(), stderr=StringIO())
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    host, port = live_server.url.rsplit("//", 1)[1].split(":")
    site.hostname, site.port = host, int(port)
    site.save()
    return live_server.url


def screenshot(page, name):
    """Save a full-page screenshot for people to look at (not compared automatically)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def sign_in(page, base_url, username, *, admin=False):
    """Sign in through the admin login or the members' login form."""
    page.goto(f"{base_url}{'/admin/login/' if admin else '/accounts/login/'}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def submit_new_page_for_review(page):
    """Submit a page being created for review, once Wagtail's autosave has created its draft.

    Wagtail 8 autosaves a new page half a second after a change: the autosave creates the page
    and moves the form to the page's edit URL. A submit sent while that autosave is in flight
    posts to the create URL a second time, and the two requests race to create the same slug.
    A person sees the address change to the edit page; the test waits for the same sign.
    """
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    page.click("footer button[name=action-submit]")  # the main button: "Submit for review"
    page.wait_for_load_state("networkidle")
