"""The practice editor explains itself (issue 15, "Forms that explain themselves")."""

from datetime import date

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from practices.models import KeyTheme, PracticePage, TargetAudience
from practices.roles import city_editor_group, setup_roles
from practices.visibility import CURATORS_GROUP
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory
from tests.practices.editor import practice_form


class EditorFormTests(TestCase):
    """What a city editor and a curator see in the practice form."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.city = CityPageFactory(title="Formton", country="NL")
        cls.practice = PracticePageFactory(title="Form practice", parent=cls.city)
        cls.editor = UserFactory(username="form-editor")
        cls.editor.groups.add(city_editor_group(cls.city))
        cls.curator = UserFactory(username="form-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))
        cls.theme = KeyTheme.objects.order_by("pk").first()
        cls.audience = TargetAudience.objects.order_by("pk").first()

    def add_form(self, user):
        """The add-practice form under the city, as `user`."""
        self.client.force_login(user)
        url = reverse("wagtailadmin_pages:add", args=["practices", "practicepage", self.city.pk])
        return self.client.get(url)

    def test_rules_are_stated_up_front(self):
        form = self.add_form(self.editor)
        self.assertContains(form, "Choose exactly 2 key themes. Required to submit for review.")
        self.assertContains(form, "Choose at least one. Required to submit for review.")
        self.assertContains(form, "At most 300 words")
        self.assertContains(form, "The practice&#x27;s name as its team uses it")

    def test_short_vocabularies_are_radios_and_long_ones_type_ahead(self):
        form = self.add_form(self.editor)
        self.assertContains(form, 'type="radio" name="organisation_type"')
        self.assertContains(form, 'type="radio" name="evaluation_type"')
        self.assertContains(form, "Not stated yet")
        self.assertContains(form, 'name="cities" data-typeahead')
        self.assertContains(form, 'name="countries" data-typeahead')
        self.assertContains(form, "practices/typeahead.js")

    def test_country_of_origin_defaults_to_the_city_country(self):
        form = self.add_form(self.editor)
        self.assertContains(form, '<option value="NL" selected>')

    def test_years_are_bounded_numbers(self):
        form = self.add_form(self.editor)
        self.assertContains(
            form, f'type="number" name="start_year" min="1950" max="{date.today().year + 1}"'
        )

    def test_an_editor_sees_no_promote_tab_and_a_curator_does(self):
        self.client.force_login(self.editor)
        url = reverse("wagtailadmin_pages:edit", args=[self.practice.pk])
        form = self.client.get(url)
        self.assertNotContains(form, 'id="tab-label-promote"')
        self.assertNotContains(form, 'name="slug"')
        self.assertNotContains(form, 'name="seo_title"')
        self.client.force_login(self.curator)
        form = self.client.get(url)
        self.assertContains(form, 'id="tab-label-promote"')
        self.assertContains(form, 'name="slug"')

    def test_the_error_summary_lists_every_error_with_a_link(self):
        self.client.force_login(self.editor)
        data = practice_form("", themes=[self.theme], audiences=[], action="action-submit")
        data["start_year"] = "1800"
        url = reverse("wagtailadmin_pages:edit", args=[self.practice.pk])
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "data-practice-error-summary")
        self.assertContains(response, 'href="#id_start_year"')
        self.assertContains(response, "Enter a year from 1950 to")
        self.assertContains(response, 'href="#id_key_themes"')
        self.assertContains(response, "Choose exactly 2 key themes (1 chosen).")
        self.assertContains(response, 'href="#id_target_audiences"')
        self.assertContains(response, 'href="#id_title"')
        self.assertContains(response, "practices/error_summary.js")

    def test_an_editors_new_practice_gets_a_slug_from_its_title(self):
        self.client.force_login(self.editor)
        data = practice_form("Fresh start", themes=[self.theme], audiences=[], action="x")
        data.pop("x")
        data.pop("slug")
        url = reverse("wagtailadmin_pages:add", args=["practices", "practicepage", self.city.pk])
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(PracticePage.objects.get(title="Fresh start").slug, "fresh-start")

    def test_an_unchosen_evaluation_reads_not_yet_evaluated(self):
        practice = PracticePageFactory(title="Unknown evaluation", parent=self.city)
        self.assertEqual(practice.evaluation_type, "")
        self.assertEqual(practice.evidence_badge, "Not yet evaluated")

    def test_a_refused_submit_reads_as_one_message_the_summary(self):
        self.client.force_login(self.editor)
        data = practice_form("", themes=[self.theme], audiences=[], action="action-submit")
        url = reverse("wagtailadmin_pages:edit", args=[self.practice.pk])
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Not submitted for review: 3 problems to fix")
        self.assertNotContains(response, "could not be saved due to validation errors")
        self.assertNotContains(response, "Go to the first error")
        self.assertEqual(list(response.context["messages"]), [])

    def test_a_refused_draft_save_and_a_refused_create_say_not_saved(self):
        self.client.force_login(self.editor)
        data = practice_form("Old practice", themes=[self.theme], audiences=[], action="x")
        data["start_year"] = "1800"
        edit_url = reverse("wagtailadmin_pages:edit", args=[self.practice.pk])
        response = self.client.post(edit_url, data)
        self.assertContains(response, "Not saved: 1 problem to fix")
        self.assertNotContains(response, "Go to the first error")
        add_url = reverse(
            "wagtailadmin_pages:add", args=["practices", "practicepage", self.city.pk]
        )
        response = self.client.post(add_url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Not saved: 1 problem to fix")
        self.assertNotContains(response, "could not be created due to validation errors")
        self.assertFalse(PracticePage.objects.filter(title="Old practice").exists())
        self.assertEqual(PracticePage.objects.get(pk=self.practice.pk).start_year, None)

    def test_a_refused_autosave_points_at_the_summary(self):
        self.client.force_login(self.editor)
        data = practice_form("Form practice", themes=[self.theme], audiences=[], action="x")
        data["start_year"] = "1800"
        url = reverse("wagtailadmin_pages:edit", args=[self.practice.pk])
        response = self.client.post(url, data, HTTP_ACCEPT="application/json")
        self.assertEqual(response.status_code, 400)
        answer = response.json()
        self.assertEqual(answer["error_code"], "validation_error")
        self.assertIn("Not saved automatically: some fields need fixing", answer["error_message"])
        self.assertNotIn("highlight", answer["error_message"])

    def test_other_pages_keep_wagtails_message(self):
        self.client.force_login(self.curator)
        url = reverse("wagtailadmin_pages:edit", args=[self.city.pk])
        response = self.client.post(url, {"title": "", "slug": "formton"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "could not be saved due to validation errors")


class CityEditorDashboardTests(TestCase):
    """The dashboard a city editor lands on: where to start, then their practices' states."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.city = CityPageFactory(title="Dashton", country="BE")
        cls.editor = UserFactory(username="dash-editor")
        cls.editor.groups.add(city_editor_group(cls.city))
        cls.curator = UserFactory(username="dash-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def dashboard(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertEqual(response.status_code, 200)
        return response

    def test_a_first_time_editor_is_offered_add_a_practice_under_their_city(self):
        response = self.dashboard(self.editor)
        add_url = reverse(
            "wagtailadmin_pages:add", args=["practices", "practicepage", self.city.pk]
        )
        self.assertContains(response, "Your city: Dashton")
        self.assertContains(response, f'href="{add_url}"')
        self.assertContains(response, "Add a practice")
        edit_url = reverse("wagtailadmin_pages:edit", args=[self.city.pk])
        self.assertContains(response, f'href="{edit_url}"')
        self.assertContains(response, "Edit your city's profile")
        self.assertContains(response, "Welcome! Share a good practice from Dashton")
        # The link works for them: the add form opens.
        self.assertEqual(self.client.get(add_url).status_code, 200)

    def test_their_practices_are_listed_with_their_state(self):
        PracticePageFactory(title="Published one", parent=self.city)
        draft = PracticePageFactory(title="Draft one", parent=self.city)
        draft.unpublish()
        other_city = CityPageFactory(title="Elsewhere", country="NL")
        PracticePageFactory(title="Not theirs", parent=other_city)
        response = self.dashboard(self.editor)
        content = response.content.decode()
        self.assertNotContains(response, "Welcome!")
        self.assertContains(response, "Published one")
        self.assertContains(response, "Draft one")
        self.assertNotContains(response, "Not theirs")
        published_row = content[content.index("Published one") :][:400]
        self.assertIn(">Published<", published_row.replace("\n", "").replace("  ", ""))
        self.assertContains(response, "Draft: not submitted for review yet")

    def test_a_practice_in_review_reads_in_review(self):
        from wagtail.models import Workflow

        practice = PracticePageFactory(title="Waiting one", parent=self.city)
        practice.save_revision(user=self.editor)  # a task reviews a revision
        Workflow.objects.get(name="Network review").start(practice, self.editor)
        response = self.dashboard(self.editor)
        self.assertContains(response, "In review by the curators")
        self.assertNotContains(response, "Draft: not submitted")

    def test_curators_see_no_city_editor_panel(self):
        response = self.dashboard(self.curator)
        self.assertNotContains(response, "Add a practice")
        self.assertNotContains(response, "Your city:")
