"""Members-only practices, drafts, unconsented contacts and archived practices never leak."""

import csv
import io

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse
from wagtail.models import PageLogEntry

from practices.models import PracticePage
from practices.roles import unfiled_practices_page
from tests.factories import PracticePageFactory, UserFactory
from tests.leaks import SECRET_CONTACT, LeakFixtures

PUBLIC_CHANNELS = (
    "/",
    "/practices/",
    "/sitemap.xml",
    "/feeds/practices.rss",
    "/feeds/practices.atom",
)


class AnonymousLeakTests(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()

    def channels(self):
        return [*PUBLIC_CHANNELS, self.leak_city.url, self.public_practice.url, "/cities/"]

    def test_no_channel_shows_hidden_content_to_anonymous_visitors(self):
        for url in self.channels():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_nothing_leaked(response.content)

    def test_spelling_suggestions_never_come_from_hidden_practices(self):
        # Misspelt words of the members-only, draft and archived titles.
        for typo in ("zebrq", "walrsu", "narwhak"):
            with self.subTest(typo=typo):
                response = self.client.get("/practices/", {"q": typo})
                self.assertEqual(response.status_code, 200)
                self.assert_nothing_leaked(response.content)
                self.assertNotContains(response, "Did you mean")
        # The public practice's words are suggested.
        self.assertContains(self.client.get("/practices/", {"q": "opnly"}), "Did you mean")

    def test_the_public_practice_is_in_every_listing_channel(self):
        for url in (*PUBLIC_CHANNELS, self.leak_city.url):
            with self.subTest(url=url):
                # The sitemap lists addresses; the other channels list titles.
                marker = (
                    self.public_practice.slug if url == "/sitemap.xml" else "Openly listed practice"
                )
                self.assertIn(marker, self.client.get(url).content.decode())

    def test_members_only_practice_redirects_to_the_login_page(self):
        response = self.client.get(self.members_only_practice.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/?next="))

    def test_archived_practice_answers_by_url_with_a_banner(self):
        response = self.client.get(self.archived_practice.url)
        self.assertContains(response, "Archived practice.")
        self.assertContains(response, "Archived practice narwhal")


class MemberVisibilityTests(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.member = UserFactory(username="member")
        cls.member.groups.set([Group.objects.get(name="Members")])

    def test_a_member_sees_members_only_practices_and_contacts_but_not_drafts(self):
        self.client.force_login(self.member)
        self.assertEqual(self.client.get(self.members_only_practice.url).status_code, 200)
        city = self.client.get(self.leak_city.url).content.decode()
        self.assertIn("Members-only practice zebra", city)
        self.assertNotIn("Draft practice walrus", city)
        self.assertNotIn("Archived practice narwhal", city)
        self.assertIn(SECRET_CONTACT, self.client.get(self.public_practice.url).content.decode())

    def test_feeds_and_sitemap_stay_public_even_for_members(self):
        self.client.force_login(self.member)
        for url in ("/sitemap.xml", "/feeds/practices.rss"):
            with self.subTest(url=url):
                self.assert_nothing_leaked(self.client.get(url).content)

    def test_members_sign_in_on_the_public_site(self):
        self.member.set_password("correct horse")
        self.member.save()
        response = self.client.post(
            "/accounts/login/",
            {
                "username": "member",
                "password": "correct horse",
                "next": self.members_only_practice.url,
            },
        )
        self.assertRedirects(
            response, self.members_only_practice.url, fetch_redirect_response=False
        )
        bad = self.client.post("/accounts/login/", {"username": "member", "password": "wrong"})
        self.assertContains(bad, "did not match")


class UnfiledPracticesLeakTests(LeakFixtures, TestCase):
    """Unfiled practices (where the importer puts practices with no city or network) is for
    curators in every channel, even if a curator published it and a practice in it."""

    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.unfiled = unfiled_practices_page()
        cls.unfiled.save_revision().publish()
        cls.waiting = PracticePageFactory(title="Unfiled practice okapi", parent=cls.unfiled)
        cls.member = UserFactory(username="member")
        cls.member.groups.set([Group.objects.get(name="Members")])
        cls.curator = UserFactory(username="curator")
        cls.curator.groups.set([Group.objects.get(name="Curators")])

    def test_no_channel_shows_it_to_visitors_or_members(self):
        channels = (*PUBLIC_CHANNELS, "/practices/?q=okapi", self.waiting.url, self.unfiled.url)
        for user in (None, self.member):
            if user:
                self.client.force_login(user)
            for url in channels:
                with self.subTest(url=url, user=user):
                    response = self.client.get(url)
                    self.assertIn(response.status_code, (200, 302))
                    content = response.content.decode()
                    for marker in (
                        "Unfiled practice okapi",
                        self.waiting.slug,
                        "Unfiled practices",
                    ):
                        self.assertNotIn(marker, content)
                    if user is None:
                        self.assert_nothing_leaked(content)

    def test_curators_see_it(self):
        self.client.force_login(self.curator)
        self.assertContains(self.client.get(self.waiting.url), "Unfiled practice okapi")
        self.assertContains(
            self.client.get("/practices/", {"q": "okapi"}), "Unfiled practice okapi"
        )


class CurationToolTests(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.curator = UserFactory(username="curator")
        cls.curator.groups.set([Group.objects.get(name="Curators")])
        cls.editor = UserFactory(username="editor")
        cls.editor.groups.set([Group.objects.get(name="City editors: Leakton")])

    def test_archiving_removes_a_practice_from_listings_but_keeps_its_url(self):
        self.client.force_login(self.curator)
        url = reverse("practices_archive", args=[self.public_practice.pk])
        self.assertContains(self.client.get(url), "Archive this practice?")
        self.client.post(url, {"reason": "The project ended."})
        page = PracticePage.objects.get(pk=self.public_practice.pk)
        self.assertTrue(page.archived)
        self.assertTrue(page.live)
        self.assertTrue(PageLogEntry.objects.filter(page=page, action="practices.archive").exists())
        self.client.logout()
        for listing in (self.leak_city.url, "/practices/", "/sitemap.xml", "/feeds/practices.rss"):
            with self.subTest(listing=listing):
                content = self.client.get(listing).content.decode()
                self.assertNotIn("Openly listed practice", content)
                self.assertNotIn(page.slug, content)
        self.assertContains(self.client.get(page.url), "Archived practice.")

    def test_restoring_brings_it_back(self):
        self.client.force_login(self.curator)
        url = reverse("practices_archive", args=[self.archived_practice.pk])
        self.assertContains(self.client.get(url), "Restore this practice")
        self.client.post(url)
        self.client.logout()
        self.assertIn(
            "Archived practice narwhal", self.client.get(self.leak_city.url).content.decode()
        )

    def test_a_city_editor_cannot_archive(self):
        self.client.force_login(self.editor)
        response = self.client.post(reverse("practices_archive", args=[self.public_practice.pk]))
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(PracticePage.objects.get(pk=self.public_practice.pk).archived)

    def test_the_curation_listing_filters_by_status_and_exports_csv(self):
        self.client.force_login(self.curator)
        url = reverse("curation:index")
        archived = self.client.get(url, {"status": "archived"}).content.decode()
        self.assertIn("Archived practice narwhal", archived)
        self.assertNotIn("Openly listed practice", archived)
        drafts = self.client.get(url, {"status": "draft"}).content.decode()
        self.assertIn("Draft practice walrus", drafts)
        self.assertNotIn("Openly listed practice", drafts)
        never = self.client.get(url, {"status": "never_reviewed"}).content.decode()
        self.assertIn("Openly listed practice", never)

        export = self.client.get(url, {"export": "csv", "city": self.leak_city.pk})
        content = b"".join(export.streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(content)))
        self.assertEqual(
            {row["title"] for row in rows},
            {
                "Openly listed practice",
                "Members-only practice zebra",
                "Draft practice walrus",
                "Archived practice narwhal",
            },
        )
        statuses = {row["title"]: row["status"] for row in rows}
        self.assertEqual(statuses["Draft practice walrus"], "draft")
        self.assertEqual(statuses["Archived practice narwhal"], "archived")
        self.assertEqual(statuses["Openly listed practice"], "never reviewed")
        xlsx = self.client.get(url, {"export": "xlsx"})
        self.assertEqual(xlsx.status_code, 200)
        self.assertTrue(b"".join(xlsx.streaming_content).startswith(b"PK"))  # a zip: .xlsx

    def test_the_curation_listing_is_for_curators_only(self):
        self.client.force_login(self.editor)
        self.assertNotEqual(self.client.get(reverse("curation:index")).status_code, 200)

    def test_the_full_record_export_is_for_curators_only(self):
        # The export holds whole records: drafts' texts and unconsented contacts.
        member = UserFactory(username="export-member")
        member.groups.set([Group.objects.get(name="Members")])
        for user in (None, member, self.editor):
            for export_format in ("csv", "xlsx"):
                with self.subTest(user=user, export_format=export_format):
                    self.client.logout()
                    if user:
                        self.client.force_login(user)
                    response = self.client.get(reverse("curation:index"), {"export": export_format})
                    self.assertNotEqual(response.status_code, 200)
                    content = b"".join(getattr(response, "streaming_content", [response.content]))
                    self.assert_nothing_leaked(content)

    def test_the_curation_menu_item_is_shown_to_curators_only(self):
        self.client.force_login(self.editor)
        self.assertNotContains(
            self.client.get(reverse("wagtailadmin_home")), reverse("curation:index")
        )
        self.client.force_login(self.curator)
        self.assertContains(
            self.client.get(reverse("wagtailadmin_home")), reverse("curation:index")
        )


class HomePageCountsTests(LeakFixtures, TestCase):
    """The home page's numbers are what its links find, for each reader; its cached list of
    cities follows publishing and privacy."""

    @classmethod
    def setUpTestData(cls):
        from practices.roles import setup_roles

        setup_roles()
        cls.create_leak_fixtures()

    def theme_counts(self, html):
        """{theme slug: the count shown beside its link} on the home page."""
        import re

        return {
            slug: int(count)
            for slug, count in re.findall(
                r'href="/practices/\?theme=([\w-]+)"><span>[^<]*</span> '
                r'<span class="count">(\d+)</span>',
                html,
            )
        }

    def search_total(self, query):
        """The number of results the search page announces for `query`."""
        import re

        html = self.client.get("/practices/", query).content.decode()
        return int(re.search(r'id="results-heading"[^>]*>\s*(\d+)', html).group(1))

    def test_each_theme_count_is_what_its_search_link_finds_for_each_reader(self):
        from tests.search.data import member

        for reader in (None, member()):
            if reader:
                self.client.force_login(reader)
            counts = self.theme_counts(self.client.get("/").content.decode())
            with self.subTest(member=bool(reader)):
                self.assertTrue(counts)
                for slug, count in counts.items():
                    self.assertEqual(count, self.search_total({"theme": slug}), slug)

    def test_members_count_the_members_only_practice_and_the_public_does_not(self):
        from tests.search.data import member

        public = sum(self.theme_counts(self.client.get("/").content.decode()).values())
        self.client.force_login(member())
        members = sum(self.theme_counts(self.client.get("/").content.decode()).values())
        themes = self.members_only_practice.key_themes.count()
        self.assertEqual(members - public, themes)

    def test_the_cached_city_list_shows_a_new_city_and_hides_one_made_members_only(self):
        from practices.roles import make_members_only
        from tests.factories import CityPageFactory

        self.assertIn("Leakton", self.client.get("/").content.decode())
        CityPageFactory(title="Newcastle upon Tyne")
        self.assertIn("Newcastle upon Tyne", self.client.get("/").content.decode())
        make_members_only(self.leak_city)
        self.assertNotIn("Leakton", self.client.get("/").content.decode())
