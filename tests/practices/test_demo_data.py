"""load_demo_data: idempotent, and the Mechelen practice shows every RAN template field."""

import re
from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from wagtail.models import Page, PageLogEntry, Revision

from practices.models import CityPage, EventPage, NetworkPage, PracticePage

RAN_HEADINGS = [
    "Building a sustainable online prevention P/CVE approach",  # 1. name
    "Description",
    "Key themes",
    "Target audience",
    "Geographical scope",
    "Start of the practice",
    "Deliverables",
    "Evidence and evaluation",
    "Sustainability and transferability",
    "Presented and discussed in a network meeting",
    "Linked to other EU initiatives or EU funding",
    "Organisation",
    "Type of organisation",
    "Country of origin",
    "Contact details",
    "Last update",
    "Peer reviewed",
]


def load():
    call_command("load_demo_data", stdout=StringIO(), stderr=StringIO())


def text_of(html):
    """The visible text of a page, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class DemoDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load()

    def test_the_seed_content_is_there(self):
        self.assertEqual(
            sorted(NetworkPage.objects.values_list("short_name", flat=True)),
            sorted(
                ["RAN", "icommit", "Peace in Our Cities", "Strong Cities Network", "Efus", "BeFUS"]
            ),
        )
        self.assertEqual(CityPage.objects.get().title, "Mechelen")
        self.assertEqual(EventPage.objects.count(), 3)
        self.assertEqual(PracticePage.objects.live().count(), 5)
        for words in ("gaming tournament", "Discord", "prison", "case conferences"):
            with self.subTest(words=words):
                self.assertTrue(
                    PracticePage.objects.filter(title__icontains=words).exists()
                    or PracticePage.objects.filter(description__icontains=words).exists()
                )

    def test_loading_twice_creates_no_duplicates_and_no_new_revisions(self):
        before = (Page.objects.count(), Revision.objects.count(), PageLogEntry.objects.count())
        load()
        after = (Page.objects.count(), Revision.objects.count(), PageLogEntry.objects.count())
        self.assertEqual(before, after)

    def test_the_mechelen_practice_shows_every_template_field_in_ran_order(self):
        page = PracticePage.objects.get(title=RAN_HEADINGS[0])
        response = self.client.get(page.url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        headings = re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html, re.S)
        headings = [text_of(h).strip() for h in headings]
        self.assertEqual([h for h in headings if h in RAN_HEADINGS], RAN_HEADINGS)
        text = text_of(html)
        for value in (
            "Internet and radicalisation", "Local strategies/cities", "First responders or practitioners",
            "Authorities", "Online community", "Mechelen", "Belgium", "Started in 2020",
            "white book", "2019 pilot", "Evidence: Not yet evaluated", "other local governments",
            "RAN LOCAL", "27 May 2021", "Online P/CVE", "No.", "City of Mechelen",
            "Governmental institution", "2021",
        ):  # fmt: skip
            with self.subTest(value=value):
                self.assertIn(value, text)
        self.assertNotIn("Not stated", text.split("Contact details")[0])

    def test_unconsented_contact_details_are_not_public(self):
        page = PracticePage.objects.get(title=RAN_HEADINGS[0])
        self.assertFalse(page.contact_consent)
        html = self.client.get(page.url).content.decode()
        self.assertNotIn("simon.huybrechts@mechelen.be", html)
        self.assertIn("has not agreed to be listed publicly", html)
