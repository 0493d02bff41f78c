"""Adaptation reports: another city's account of a practice, shown with the original."""

from django.contrib.auth.models import Group
from django.test import TestCase

from practices.models import AdaptationPage
from practices.roles import make_members_only
from tests.factories import (
    AdaptationPageFactory,
    CityPageFactory,
    PracticePageFactory,
    UserFactory,
)
from tests.leaks import SECRET_CONTACT, LeakFixtures
from tests.practices.pdf_helpers import pdf_text


class AdaptationTestCase(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        cls.ghent = CityPageFactory(title="Ghent")
        cls.original = PracticePageFactory(title="Theatre for belonging", parent=cls.leak_city)

    def adapt(self, original=None, parent=None, **fields):
        return AdaptationPageFactory(
            parent=parent or self.ghent, original=original or self.original, **fields
        )


class AdaptationTests(AdaptationTestCase):
    def test_the_original_shows_where_it_was_adapted_and_the_city_lists_it(self):
        report = self.adapt()
        page = self.client.get(self.original.url)
        self.assertContains(page, "Adapted in one city:")
        self.assertContains(page, f'<a href="{report.url}">Ghent</a>')
        city = self.client.get(self.ghent.url)
        self.assertContains(city, "Practices adapted here")
        self.assertContains(city, "an adaptation of “Theatre for belonging”")
        own = self.client.get(report.url)
        self.assertContains(own, "What was adapted and why")
        self.assertContains(own, "shortened them to six weeks")
        self.assertContains(own, f'An adaptation of <a href="{self.original.url}">')
        second = self.adapt(parent=CityPageFactory(title="Aarhus"), title="Aarhus version")
        page = self.client.get(self.original.url)
        self.assertContains(page, "Adapted in 2 cities:")
        self.assertContains(page, f'<a href="{second.url}">Aarhus</a>')

    def test_search_filters_practices_adapted_elsewhere(self):
        self.adapt()
        adapted = self.client.get("/practices/", {"adapted": "yes"}).content.decode()
        self.assertIn("Theatre for belonging", adapted)
        self.assertNotIn("Openly listed practice", adapted)
        self.assertIn("Adapted in another city", adapted)
        not_adapted = self.client.get("/practices/", {"adapted": "no"}).content.decode()
        self.assertIn("Openly listed practice", not_adapted)
        self.assertNotIn("Theatre for belonging</a>", not_adapted)

    def test_withdrawing_the_report_takes_it_off_the_original_and_out_of_the_filter(self):
        report = self.adapt()
        report.unpublish()
        self.assertNotContains(self.client.get(self.original.url), "Adapted in")
        adapted = self.client.get("/practices/", {"adapted": "yes"}).content.decode()
        self.assertNotIn("Theatre for belonging</a>", adapted)

    def test_the_sheet_lists_the_adaptations_and_follows_them(self):
        def sheet():
            response = self.client.get(self.original.sheet_url)
            return pdf_text(b"".join(response.streaming_content))

        self.assertNotIn("Adapted in", sheet())
        self.adapt()
        self.assertIn("Adapted in Ghent", sheet())

    def test_a_city_editor_may_write_reports_for_their_city_only(self):
        editor = UserFactory(username="ghent-editor")
        editor.groups.set([self.ghent.editor_group_link.group])
        self.assertTrue(self.ghent.permissions_for_user(editor).can_add_subpage())
        self.assertFalse(self.leak_city.permissions_for_user(editor).can_add_subpage())
        self.assertIn(AdaptationPage, self.ghent.specific_class.allowed_subpage_models())
        report = self.adapt()
        self.assertEqual(report.get_workflow().name, "Network review")


class AdaptationLeakTests(AdaptationTestCase):
    def test_drafts_and_members_only_reports_stay_hidden(self):
        draft = self.adapt(title="Draft adaptation walrus")
        draft.unpublish()
        members_city = CityPageFactory(title="Closed city")
        make_members_only(members_city)
        self.adapt(parent=members_city, title="Members-only adaptation zebra")
        for url in (self.original.url, self.ghent.url, members_city.url, "/practices/"):
            with self.subTest(url=url):
                content = self.client.get(url).content.decode()
                self.assertNotIn("Draft adaptation walrus", content)
                self.assertNotIn("Members-only adaptation zebra", content)
        self.assertEqual(self.client.get(draft.url).status_code, 404)
        # Members-only reports do not make a practice "adapted" for everyone.
        adapted = self.client.get("/practices/", {"adapted": "yes"}).content.decode()
        self.assertNotIn("Theatre for belonging</a>", adapted)
        member = UserFactory(username="member")
        member.groups.set([Group.objects.get(name="Members")])
        self.client.force_login(member)
        self.assertContains(self.client.get(self.original.url), "Adapted in one city:")

    def test_a_report_of_a_hidden_practice_does_not_reveal_it(self):
        report = self.adapt(original=self.members_only_practice, title="Our zebra-free version")
        for url in (report.url, self.ghent.url):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assert_nothing_leaked(response.content)
        self.assertContains(
            self.client.get(report.url), "An adaptation of a practice that is not public."
        )

    def test_an_unconsented_contact_is_for_members_only(self):
        report = self.adapt(contact_name="Secret Person", contact_email=SECRET_CONTACT)
        response = self.client.get(report.url)
        self.assert_nothing_leaked(response.content)
        self.assertContains(response, "has not agreed to be listed publicly")
