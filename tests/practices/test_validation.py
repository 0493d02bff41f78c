"""The RAN rules in the real page editor: key themes, audiences, and soft word limits."""

from django.contrib.messages import get_messages
from django.test import TestCase, override_settings
from django.urls import reverse
from wagtail.test.utils import WagtailTestUtils

from practices.models import KeyTheme, PracticePage, TargetAudience
from tests.factories import CityPageFactory, PracticePageFactory
from tests.practices.editor import practice_form


def words(n):
    """A paragraph of exactly n words."""
    return " ".join(["prevention"] * n)


class PracticeEditorTests(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Ghent")
        cls.themes = list(KeyTheme.objects.order_by("pk")[:3])
        cls.audience = TargetAudience.objects.first()

    def setUp(self):
        self.client.force_login(self.create_superuser("admin"))
        self.add_url = reverse(
            "wagtailadmin_pages:add", args=("practices", "practicepage", self.city.pk)
        )

    def post(
        self,
        *,
        themes=2,
        audiences=True,
        description="Prevents radicalisation.",
        action="action-publish",
        title="Youth mentoring",
    ):
        data = practice_form(
            title,
            themes=self.themes[:themes],
            audiences=[self.audience] if audiences else [],
            action=action,
            description=description,
        )
        return self.client.post(self.add_url, data, follow=True)

    def test_publishing_with_one_key_theme_is_refused_with_a_clear_message(self):
        response = self.post(themes=1)
        self.assertContains(response, "Choose exactly 2 key themes (1 chosen).")
        self.assertFalse(PracticePage.objects.filter(title="Youth mentoring").exists())

    def test_publishing_with_three_key_themes_is_refused(self):
        response = self.post(themes=3)
        self.assertContains(response, "Choose exactly 2 key themes (3 chosen).")
        self.assertFalse(PracticePage.objects.filter(title="Youth mentoring").exists())

    def test_publishing_without_a_target_audience_is_refused(self):
        response = self.post(audiences=False)
        self.assertContains(response, "Choose at least one target audience.")
        self.assertFalse(PracticePage.objects.filter(title="Youth mentoring").exists())

    def test_submitting_for_review_applies_the_same_rules(self):
        response = self.post(themes=1, action="action-submit")
        self.assertContains(response, "Choose exactly 2 key themes (1 chosen).")
        self.assertFalse(PracticePage.objects.filter(title="Youth mentoring").exists())

    def test_a_draft_may_be_incomplete(self):
        response = self.post(themes=1, audiences=False, description="", action="action-draft")
        self.assertEqual(response.status_code, 200)
        page = PracticePage.objects.get(title="Youth mentoring")
        self.assertFalse(page.live)

    def test_a_complete_practice_is_published(self):
        self.post()
        page = PracticePage.objects.get(title="Youth mentoring")
        self.assertTrue(page.live)
        self.assertEqual(page.key_themes.count(), 2)
        self.assertEqual(page.get_parent().specific, self.city)

    @override_settings(PRACTICE_KEY_THEMES_REQUIRED=3)
    def test_the_number_of_key_themes_is_a_setting(self):
        self.assertContains(self.post(themes=2), "Choose exactly 3 key themes (2 chosen).")
        self.post(themes=3)
        self.assertTrue(PracticePage.objects.get(title="Youth mentoring").live)

    def test_an_overlong_description_publishes_with_a_word_limit_warning(self):
        response = self.post(description=words(301))
        self.assertTrue(PracticePage.objects.get(title="Youth mentoring").live)
        shown = [str(m) for m in get_messages(response.wsgi_request)] + [response.content.decode()]
        self.assertTrue(
            any("Description has 301 words; the template asks for at most 300." in s for s in shown)
        )

    def test_the_editor_loads_the_live_word_counter_with_the_limits(self):
        response = self.client.get(self.add_url)
        self.assertContains(response, 'id="practice-word-limits"')
        self.assertContains(response, '"sustainability_and_transferability": 200')
        self.assertContains(response, "practices/word_count.js")


class WordLimitTests(TestCase):
    def test_each_soft_limit_warns_only_past_its_limit(self):
        practice = PracticePageFactory(
            description=f"<p>{words(300)}</p>",
            sustainability_and_transferability=f"<p>{words(201)}</p>",
            eu_funding=f"<p>{words(100)}</p>",
            organisation_description=f"<p>{words(50)}</p><p>{words(51)}</p>",
        )
        self.assertEqual(
            practice.word_limit_warnings(),
            [
                "Sustainability and transferability has 201 words; the template asks for at most 200.",
                "About the organisation has 101 words; the template asks for at most 100.",
            ],
        )

    @override_settings(PRACTICE_WORD_LIMITS={"description": 5})
    def test_limits_are_settings(self):
        practice = PracticePageFactory(description="<p>one two three four five six</p>")
        self.assertEqual(
            practice.word_limit_warnings(),
            ["Description has 6 words; the template asks for at most 5."],
        )
