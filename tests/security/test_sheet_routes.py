"""Sheets served by page id (/sheets/practice/<id>/, /sheets/city/<id>/): a new channel, so
the leak fixtures are tried through it; the old page routes (`<page url>pdf/`) redirect."""

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import TestCase
from django.urls import reverse

from practices.roles import make_members_only, setup_roles
from tests.factories import CityPageFactory, UserFactory
from tests.leaks import LeakFixtures
from tests.practices.pdf_helpers import count_renders, pdf_text
from tests.search.data import member


def practice_sheet_url(page):
    """The practice sheet route of `page`, built from its id alone."""
    return reverse("sheets:practice", args=[page.pk])


def city_factsheet_url(page):
    """The factsheet route of `page`, built from its id alone."""
    return reverse("sheets:city", args=[page.pk])


def everything_said(response):
    """What a reader can see of a response: its headers and its text (a PDF's text read back)."""
    headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
    body = response.getvalue()
    text = pdf_text(body) if body.startswith(b"%PDF") else body.decode()
    return f"{headers}\n{text}"


class SheetRouteLeakTests(LeakFixtures, TestCase):
    """Anonymous readers get public sheets only; nothing hidden shows in any answer."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.create_leak_fixtures()
        cls.draft_city = CityPageFactory(title="Draft city walrusburg")
        cls.draft_city.unpublish()
        cls.hidden_markers_city = ["Draft city walrusburg", cls.draft_city.slug]

    def test_a_public_practice_sheet_is_served_without_hidden_details(self):
        response = self.client.get(practice_sheet_url(self.public_practice))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        said = everything_said(response)
        self.assertIn("Openly listed practice", said)
        self.assert_nothing_leaked(said, archived_hidden=False)

    def test_a_members_only_sheet_sends_anonymous_readers_to_sign_in_without_naming_it(self):
        with count_renders() as renders:
            response = self.client.get(practice_sheet_url(self.members_only_practice))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.url.startswith(resolve_url(settings.WAGTAIL_FRONTEND_LOGIN_URL)))
        self.assertIn(f"next=/sheets/practice/{self.members_only_practice.pk}/", response.url)
        self.assert_nothing_leaked(everything_said(response))
        self.assertEqual(renders, [])

    def test_a_member_gets_the_members_only_sheet_with_its_contact(self):
        self.client.force_login(member())
        response = self.client.get(practice_sheet_url(self.members_only_practice))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Members-only practice zebra", pdf_text(response.getvalue()))

    def test_a_signed_in_non_member_gets_a_plain_404(self):
        self.client.force_login(UserFactory())
        response = self.client.get(practice_sheet_url(self.members_only_practice))
        self.assertEqual(response.status_code, 404)
        self.assert_nothing_leaked(everything_said(response))

    def test_drafts_unknown_ids_and_other_page_types_are_404_for_everyone(self):
        for reader in (None, member()):
            if reader:
                self.client.force_login(reader)
            for url in (
                practice_sheet_url(self.draft_practice),
                practice_sheet_url(self.leak_city),  # a city is not a practice
                city_factsheet_url(self.public_practice),
                city_factsheet_url(self.draft_city),
                "/sheets/practice/987654321/",
            ):
                with self.subTest(url=url, member=bool(reader)), count_renders() as renders:
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 404)
                    said = everything_said(response)
                    self.assert_nothing_leaked(said)
                    for marker in self.hidden_markers_city:
                        self.assertNotIn(marker, said)
                    self.assertEqual(renders, [])

    def test_the_city_factsheet_lists_public_practices_only_to_anonymous_readers(self):
        response = self.client.get(city_factsheet_url(self.leak_city))
        self.assertEqual(response.status_code, 200)
        said = everything_said(response)
        self.assertIn("Openly listed practice", said)
        self.assert_nothing_leaked(said, archived_hidden=False)

    def test_a_city_under_a_members_only_restriction_is_closed_with_it(self):
        city = CityPageFactory(title="Members city")
        make_members_only(city)
        response = self.client.get(city_factsheet_url(city))
        self.assertEqual(response.status_code, 302)
        self.client.force_login(member())
        self.assertEqual(self.client.get(city_factsheet_url(city)).status_code, 200)

    def test_only_get_is_answered(self):
        response = self.client.post(practice_sheet_url(self.public_practice))
        self.assertEqual(response.status_code, 405)


class FormerSheetAddressTests(LeakFixtures, TestCase):
    """Links already shared (`<page url>pdf/`) keep working, with Wagtail's checks first."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.create_leak_fixtures()

    def test_the_page_route_redirects_permanently_to_the_sheet_route(self):
        response = self.client.get(f"{self.public_practice.url}pdf/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response.url, practice_sheet_url(self.public_practice))
        response = self.client.get(f"{self.leak_city.url}pdf/")
        self.assertEqual(response.url, city_factsheet_url(self.leak_city))

    def test_a_members_only_page_route_still_asks_anonymous_readers_to_sign_in(self):
        response = self.client.get(f"{self.members_only_practice.url}pdf/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.url.startswith(resolve_url(settings.WAGTAIL_FRONTEND_LOGIN_URL)))

    def test_the_pages_link_to_the_sheet_routes(self):
        html = self.client.get(self.public_practice.url).content.decode()
        self.assertIn(f'href="{practice_sheet_url(self.public_practice)}"', html)
        html = self.client.get(self.leak_city.url).content.decode()
        self.assertIn(f'href="{city_factsheet_url(self.leak_city)}"', html)
