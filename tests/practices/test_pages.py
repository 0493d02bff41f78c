"""The public pages: what each lists, that drafts stay out, and that no internal link is broken."""

import re
from urllib.parse import urljoin, urlparse

from django.core.management import call_command
from django.test import TestCase

from practices.models import CityPage, EventPage, NetworkPage, PracticePage
from tests.factories import PracticePageFactory


class PublicPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from io import StringIO

        call_command("load_demo_data", stdout=StringIO())
        cls.mechelen = CityPage.objects.get(title="Mechelen")
        cls.ran = NetworkPage.objects.get(short_name="RAN")
        cls.practice = PracticePage.objects.get(title__startswith="Building a sustainable")
        cls.draft = PracticePageFactory(title="Secret draft practice", parent=cls.mechelen)
        cls.draft.networks.set([cls.ran])
        cls.draft.save()
        cls.draft.unpublish()

    def get(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()

    def test_home_lists_latest_practices_cities_and_networks(self):
        html = self.get("/")
        self.assertIn(self.practice.title, html)
        self.assertIn("Mechelen", html)
        self.assertIn("Strong Cities Network", html)

    def test_city_page_shows_its_profile_and_lists_its_practices(self):
        html = self.get(self.mechelen.url)
        self.assertIn("Risk landscape", html)
        self.assertIn("Advice for other cities", html)
        self.assertIn(self.practice.title, html)

    def test_network_page_lists_its_events_and_practices(self):
        html = self.get(self.ran.url)
        self.assertIn("RAN LOCAL", html)
        self.assertIn(self.practice.title, html)

    def test_event_page_lists_the_practices_presented_there(self):
        event = EventPage.objects.get(title__startswith="RAN LOCAL")
        html = self.get(event.url)
        self.assertIn(self.practice.title, html)
        self.assertIn("Online P/CVE", html)

    def test_practice_page_links_back_to_the_event(self):
        event = EventPage.objects.get(title__startswith="RAN LOCAL")
        self.assertIn(f'href="{event.url}"', self.get(self.practice.url))

    def test_a_draft_appears_nowhere_public(self):
        self.assertEqual(self.client.get(f"{self.mechelen.url}{self.draft.slug}/").status_code, 404)
        for url in ("/", "/practices/", self.mechelen.url, self.ran.url, "/sitemap.xml"):
            with self.subTest(url=url):
                html = self.get(url)
                self.assertNotIn("Secret draft practice", html)
                self.assertNotIn(self.draft.slug, html)

    def test_out_of_range_page_numbers_show_the_last_page(self):
        html = self.get("/practices/?page=999")
        self.assertIn(self.practice.title, html)
        self.get("/practices/?page=abc")

    def test_sitemap_lists_live_pages(self):
        xml = self.get("/sitemap.xml")
        self.assertIn(self.practice.slug, xml)
        self.assertIn(self.mechelen.slug, xml)

    def test_no_internal_link_is_broken(self):
        seen, queue = set(), ["/"]
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            response = self.client.get(url)
            self.assertEqual(
                response.status_code, 200, f"{url} is linked but answers {response.status_code}"
            )
            if "text/html" not in response["Content-Type"]:
                continue
            for href in re.findall(r'href="([^"#]+)', response.content.decode()):
                target = urlparse(urljoin(url, href))
                if target.netloc or target.scheme in ("mailto", "tel"):
                    continue
                if target.path.startswith(("/admin", "/django-admin", "/documents")):
                    continue
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
        self.assertGreater(len(seen), 15)
