"""The public pages: what each lists, that drafts stay out, and that no internal link is broken."""

import html
import re
from urllib.parse import urljoin, urlparse

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

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
        self.assertIn("Radicalisation Awareness Network", html)
        # A network with no practice to show would lead to an empty search: not listed.
        self.assertNotIn("Strong Cities Network", html)

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
        # The crawl follows English pages. Each page links to itself in four more languages
        # (the header's switch): those are fetched once per page (without the query, which
        # the same view reads the same way in every language) but not crawled again, or the
        # crawl would be five crawls. Links are read as a browser reads them: "&amp;" is "&"
        # (read raw, every switch link echoed one more "amp;" and the crawl never ended).
        languages = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        prefixes = tuple(f"/{code}/" for code in languages)
        seen, queue, variants = set(), ["/"], set()
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
                target = urlparse(urljoin(url, html.unescape(href)))
                if target.netloc or target.scheme in ("mailto", "tel"):
                    continue
                if target.path.startswith(("/admin", "/django-admin", "/documents")):
                    continue
                if target.path.startswith(prefixes):
                    variants.add(target.path)
                    continue
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
        for url in sorted(variants):
            response = self.client.get(url)
            self.assertEqual(
                response.status_code, 200, f"{url} is linked but answers {response.status_code}"
            )
        self.assertGreater(len(seen), 15)
        # Every English page reached had its four other languages linked.
        self.assertGreater(len(variants), 4 * 15)


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
        from practices.models import OrganisationType

        def key_facts():
            html = self.client.get(self.main.url).content.decode()
            return html[html.index('class="key-facts"') : html.index("</aside>")]

        box = key_facts()
        for label in ("Key themes", "Target audience", "Peer reviewed"):
            self.assertIn(label, box)
        # What the practice does not state is left out, not listed as "Not stated".
        for label in ("Start year", "Type of organisation", "Last update", "Not stated"):
            self.assertNotIn(label, box)

        self.main.start_year, self.main.last_update_year = 2019, 2024
        self.main.organisation_type = OrganisationType.objects.first()
        self.main.save_revision().publish()
        box = key_facts()
        for value in ("Start year", "2019", "Last update", "2024", "Type of organisation"):
            self.assertIn(value, box)
        self.assertIn(str(self.main.organisation_type), box)

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


class PracticePageReadingTests(TestCase):
    """What a reader sees of a practice: its stated sections, links into the search, access."""

    @classmethod
    def setUpTestData(cls):
        from django.contrib.auth.models import Group

        from practices.models import KeyTheme
        from practices.roles import make_members_only, setup_roles
        from practices.visibility import CURATORS_GROUP, MEMBERS_GROUP
        from tests.factories import CityPageFactory, UserFactory

        setup_roles()
        cls.city = CityPageFactory(
            title="Readerton", country="NL", latitude="52.123457", longitude="4.765432"
        )
        cls.themes = list(KeyTheme.objects.order_by("pk")[:2])
        cls.sparse = PracticePageFactory(title="Sparse practice", parent=cls.city)
        cls.full = PracticePageFactory(
            title="Full practice",
            parent=cls.city,
            start_year=2018,
            last_update_year=2024,
            deliverables="<p>A handbook.</p>",
            sustainability_and_transferability="<p>Cheap to copy.</p>",
            eu_funding="<p>ESF.</p>",
            organisation_name="Readerton city hall",
            regions="Holland",
        )
        cls.full.tags.add("street work")
        cls.full.cities = [cls.city]
        cls.full.countries = ["BE"]
        cls.full.save_revision().publish()
        cls.secret = PracticePageFactory(title="Members practice", parent=cls.city)
        make_members_only(cls.secret)
        cls.member = UserFactory(username="reading-member")
        cls.member.groups.add(Group.objects.get(name=MEMBERS_GROUP))
        cls.curator = UserFactory(username="reading-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def html(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()

    def test_sections_a_practice_does_not_fill_are_left_out(self):
        html = self.html(self.sparse.url)
        self.assertNotIn("Not stated", html)
        for heading in (
            "Deliverables",
            "Start of the practice",
            "Organisation</h2>",
            "Last update",
        ):
            self.assertNotIn(heading, html)
        # Always there: what it is, the evidence, the way to reach the team, peer review.
        for heading in (
            "Description",
            "Evidence and evaluation",
            "Contact details",
            "Peer reviewed",
        ):
            self.assertIn(heading, html)
        self.assertNotIn("On this page", html)  # too short for a contents list

    def test_a_long_practice_has_a_contents_list_of_its_sections(self):
        html = self.html(self.full.url)
        contents = html[
            html.index('class="contents"') : html.index("</nav>", html.index('class="contents"'))
        ]
        for anchor in (
            "#description",
            "#deliverables",
            "#sustainability-and-transferability",
            "#start",
        ):
            self.assertIn(f'href="{anchor}"', contents)
            self.assertIn(f'id="{anchor[1:]}"', html)
        self.assertNotIn("#presented-and-discussed", contents)  # not stated, not listed

    def test_the_editors_preview_still_shows_every_section(self):
        self.client.force_login(self.curator)
        html = self.html(reverse("wagtailadmin_pages:view_draft", args=[self.sparse.pk]))
        self.assertIn("Deliverables", html)
        self.assertIn("Not stated.", html)

    def test_themes_audiences_tags_places_and_networks_link_to_the_search(self):
        html = self.html(self.full.url)
        theme = self.themes[0]
        self.assertIn(f'href="/practices/?theme={theme.slug}"', html)
        audience = self.full.target_audiences.first()
        self.assertIn(f'href="/practices/?audience={audience.slug}"', html)
        self.assertIn('href="/practices/?tag=street-work"', html)
        self.assertIn(f'href="/practices/?city={self.city.slug}"', html)
        self.assertIn('href="/practices/?country=be"', html)
        # Following a theme's link lands on the search with that theme ticked.
        search = self.html(f"/practices/?theme={theme.slug}")
        self.assertRegex(
            search, rf'id="facet-theme-{theme.slug}" name="theme" value="{theme.slug}" checked'
        )
        self.assertIn("Full practice", search)

    def test_a_members_only_practice_is_marked_on_its_page_and_its_card(self):
        self.client.force_login(self.member)
        html = self.html(self.secret.url)
        self.assertIn('class="badge badge-members">Members only<', html)
        search = self.html("/practices/?q=members")
        card = search[search.index("Members practice") :]
        self.assertIn("Members only", card[: card.index("</article>")])
        self.assertIn("members-only-marker", html)
        self.assertNotIn("members-only-marker", self.html(self.full.url))

    def test_the_city_page_says_where_it_is_in_words_not_coordinates(self):
        # The coordinates stay in the data (the JSON-LD), not in what people read.
        html = re.sub(r"<script.*?</script>", "", self.html(self.city.url), flags=re.S)
        self.assertIn("Readerton, Netherlands", html)
        self.assertIn('href="/practices/?country=nl"', html)
        self.assertNotIn("52.12", html)
        self.assertNotIn("4.765", html)
