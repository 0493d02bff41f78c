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


class PracticePageExtrasTests(TestCase):
    """Key facts, related practices, the city directory filter and the home page counts."""

    @classmethod
    def setUpTestData(cls):
        from practices.models import KeyTheme, TargetAudience
        from tests.factories import CityPageFactory

        themes = list(KeyTheme.objects.order_by("pk")[:4])
        audiences = list(TargetAudience.objects.order_by("pk")[:2])
        cls.ghent = CityPageFactory(title="Ghent", country="BE")
        cls.porto = CityPageFactory(title="Porto", country="PT")
        cls.main = PracticePageFactory(
            title="Main practice",
            parent=cls.ghent,
            key_themes=themes[:2],
            target_audiences=audiences[:1],
        )
        cls.same_city = PracticePageFactory(
            title="Also in Ghent",
            parent=cls.ghent,
            key_themes=themes[:2],
            target_audiences=audiences[:1],
        )
        cls.other_city = PracticePageFactory(
            title="Porto shares one theme",
            parent=cls.porto,
            key_themes=[themes[0], themes[3]],
            target_audiences=audiences[1:],
        )
        cls.unrelated = PracticePageFactory(
            title="Nothing in common",
            parent=cls.porto,
            key_themes=themes[2:4],
            target_audiences=audiences[1:],
        )

    def test_related_practices_share_a_theme_or_audience_other_cities_first(self):
        from django.contrib.auth.models import AnonymousUser

        related = self.main.related_practices(AnonymousUser())
        self.assertEqual([p.title for p in related], ["Porto shares one theme", "Also in Ghent"])
        html = self.client.get(self.main.url).content.decode()
        self.assertIn("Related practices", html)
        self.assertLess(
            html.index("Porto shares one theme"),
            html.index("Also in Ghent", html.index("Related practices")),
        )
        self.assertNotIn("Nothing in common", html)

    def test_the_key_facts_box_summarises_the_practice(self):
        html = self.client.get(self.main.url).content.decode()
        box = html[html.index('class="key-facts"') : html.index("</aside>")]
        for label in (
            "Key themes",
            "Target audience",
            "Start year",
            "Type of organisation",
            "Peer reviewed",
            "Last update",
        ):
            self.assertIn(label, box)

    def test_the_cities_directory_filters_by_country(self):
        html = self.client.get("/cities/", {"country": "PT"}).content.decode()
        self.assertIn("Porto", html)
        self.assertNotIn(">Ghent<", html)
        unknown = self.client.get("/cities/", {"country": "ZZ<script>"})
        self.assertContains(unknown, "There are no cities for that country code")
        self.assertContains(unknown, "Ghent")
        self.assertNotContains(unknown, "<script>")

    def test_home_counts_practices_by_theme_and_links_into_the_search(self):
        from practices.models import KeyTheme

        theme = KeyTheme.objects.order_by("pk").first()
        html = self.client.get("/").content.decode()
        self.assertIn(f'href="/practices/?theme={theme.slug}"', html)
        link = html.index(f'href="/practices/?theme={theme.slug}"')
        self.assertIn('<span class="count">3</span>', html[link : link + 300])
