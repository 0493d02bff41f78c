"""Every public page type passes axe-core's WCAG 2.1 A/AA rules in Chromium, at 1280 and 360 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from practices.demo import CITY_IMAGE_ALT, NETWORK_LOGO_ALT, PRACTICE_IMAGE_ALT
from practices.models import CityPage, EventPage, NetworkPage, PracticePage

from .conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# The page types the demo gives an image (practices/demo.py, load_media), with its alt text:
# checked to be there, so that axe checks the pages with their media.
MEDIA_ALT = {"practice": PRACTICE_IMAGE_ALT, "city": CITY_IMAGE_ALT, "network": NETWORK_LOGO_ALT}


def page_types():
    """One URL per page type, from the demo content."""
    practice = PracticePage.objects.get(title__startswith="Building a sustainable")
    return {
        "home": "/",
        "practices": "/practices/",
        "practices-filtered": "/practices/?q=online&country=be&sort=title",
        "cities": "/cities/",
        "city": CityPage.objects.get(title="Mechelen").url,
        "networks": "/networks/",
        "network": NetworkPage.objects.get(short_name="RAN").url,
        "event": EventPage.objects.get(title__startswith="RAN LOCAL").url,
        "practice": practice.url,
        "contact": practice.url + "contact/",
        "login": "/accounts/login/",
        "request-access": "/accounts/request-access/",
        "shortlist": "/shortlist/",
        "not-found": "/no-such-page/",
    }


def test_every_page_type_has_no_wcag_violations(demo_site, new_page):
    axe = Axe()
    problems = []
    for width in (1280, 360):
        page = new_page(width=width)
        for name, url in page_types().items():
            page.goto(f"{demo_site}{url}")
            screenshot(page, name)
            if name in MEDIA_ALT:
                assert page.locator("main img").first.get_attribute("alt") == MEDIA_ALT[name]
            result = axe.run(page, options=WCAG_AA)
            for violation in result.response["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(
                    f"{name} @ {width}px: {violation['id']}: {violation['help']} {targets}"
                )
    assert problems == []


def test_keyboard_users_can_skip_to_the_content(demo_site, new_page):
    page = new_page()
    page.goto(demo_site)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    # The browser reports a same-page navigation a moment after the key press (a PostgreSQL
    # CI run read the address before it changed): wait for it, up to the usual timeout.
    page.wait_for_url(lambda url: url.endswith("#main"))


def test_the_language_is_set(demo_site, new_page):
    page = new_page()
    page.goto(demo_site)
    assert page.locator("html").get_attribute("lang") == "en"


# --- Languages (docs/i18n.md): the same pages under /fr/, /nl/, /de/, /es/.
OTHER_LANGUAGES = ("fr", "nl", "de", "es")


def test_every_page_type_sets_its_language_in_each_language(demo_site, new_page):
    page = new_page()
    wrong = []
    for code in OTHER_LANGUAGES:
        for name, url in page_types().items():
            page.goto(f"{demo_site}/{code}{url}")
            lang = page.locator("html").get_attribute("lang")
            if lang != code:
                wrong.append(f"{name} /{code}{url}: lang={lang}")
    assert wrong == []


def test_french_pages_have_no_wcag_violations(demo_site, new_page):
    axe = Axe()
    problems = []
    for width in (1280, 360):
        page = new_page(width=width)
        for name, url in page_types().items():
            page.goto(f"{demo_site}/fr{url}")
            if name in ("home", "practices-filtered", "practice"):
                screenshot(page, f"fr-{name}")
            result = axe.run(page, options=WCAG_AA)
            for violation in result.response["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(
                    f"fr {name} @ {width}px: {violation['id']}: {violation['help']} {targets}"
                )
    assert problems == []


def test_the_switch_keeps_the_page_and_filters_on_a_phone(demo_site, new_page):
    page = new_page(width=390, height=844)
    query = "q=online&country=be&sort=title"
    page.goto(f"{demo_site}/practices/?{query}")
    switch = page.get_by_role("navigation", name="Language")
    # On a phone the switch shows two-letter codes, so the header stays short.
    assert switch.get_by_text("FR", exact=True).is_visible()
    # (the names stay for screen readers, in a 1 px clipped box)
    assert switch.get_by_text("Français", exact=True).bounding_box()["width"] <= 1
    assert switch.bounding_box()["height"] < 40
    switch.get_by_role("link", name="Français").click()
    page.wait_for_url(f"{demo_site}/fr/practices/?{query}")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("main input[name=q]").first.input_value() == "online"
    current = page.locator('.language-switch a[aria-current="true"]')
    assert current.get_attribute("hreflang") == "fr"
    # The first result is still on the first screen.
    first = page.locator("main .result-list .card").first
    assert first.bounding_box()["y"] < 844
    screenshot(page, "fr-switch")
    # And back to English, the same search.
    page.locator('.language-switch a[hreflang="en"]').click()
    page.wait_for_url(f"{demo_site}/practices/?{query}")
    assert page.locator("html").get_attribute("lang") == "en"
