"""City editors see of other cities only what the public sees (issue 12, finding 4): in the
page chooser, the workflow preview, the page types usage report and the tag autocomplete."""

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from practices.models import PracticePage
from practices.roles import city_editor_group, make_members_only, setup_roles
from practices.visibility import CURATORS_GROUP
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory

SECRET_TITLES = ("Other draft kiwi", "Other members-only okapi", "Other draft city yak")


class AdminScopingTests(TestCase):
    """An editor of Ghent and what they can learn about Lisbon."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.ghent = CityPageFactory(title="Ghent", slug="ghent")
        cls.lisbon = CityPageFactory(title="Lisbon", slug="lisbon")
        cls.hidden_city = CityPageFactory(title="Other draft city yak", slug="yak")
        cls.hidden_city.unpublish()
        cls.own_draft = PracticePageFactory(title="Own draft heron", parent=cls.ghent)
        cls.own_draft.unpublish()
        cls.public = PracticePageFactory(title="Lisbon public practice", parent=cls.lisbon)
        cls.public.tags.add("open-tag")
        cls.public.save()
        cls.draft = PracticePageFactory(title="Other draft kiwi", parent=cls.lisbon)
        cls.draft.tags.add("secret-draft-tag")
        cls.draft.save()
        cls.draft.unpublish()
        cls.members_only = PracticePageFactory(title="Other members-only okapi", parent=cls.lisbon)
        cls.members_only.tags.add("secret-members-tag")
        cls.members_only.save()
        make_members_only(cls.members_only)
        cls.own_draft.tags.add("own-draft-tag")
        cls.own_draft.save()
        cls.editor = UserFactory(username="ghent-editor")
        cls.editor.groups.add(city_editor_group(cls.ghent))
        cls.curator = UserFactory(username="scoping-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def assert_no_secret(self, response):
        content = response.content.decode()
        for title in SECRET_TITLES:
            self.assertNotIn(title, content)

    def test_the_page_chooser_lists_public_pages_and_the_editors_own(self):
        self.client.force_login(self.editor)
        cities = self.client.get(
            reverse("wagtailadmin_choose_page_child", args=[self.ghent.get_parent().pk])
        )
        self.assertContains(cities, "Lisbon")
        self.assert_no_secret(cities)
        lisbon = self.client.get(reverse("wagtailadmin_choose_page_child", args=[self.lisbon.pk]))
        self.assertContains(lisbon, "Lisbon public practice")
        self.assert_no_secret(lisbon)
        ghent = self.client.get(reverse("wagtailadmin_choose_page_child", args=[self.ghent.pk]))
        self.assertContains(ghent, "Own draft heron")
        for word in ("kiwi", "okapi", "yak"):
            found = self.client.get(reverse("wagtailadmin_choose_page_search"), {"q": word})
            self.assert_no_secret(found)

    def test_curators_still_see_everything_in_the_chooser(self):
        self.client.force_login(self.curator)
        lisbon = self.client.get(reverse("wagtailadmin_choose_page_child", args=[self.lisbon.pk]))
        self.assertContains(lisbon, "Other draft kiwi")
        self.assertContains(lisbon, "Other members-only okapi")

    def test_the_workflow_preview_names_no_page_the_editor_cannot_edit(self):
        page = PracticePage.objects.get(pk=self.draft.pk)
        task = page.get_workflow().tasks.first()
        self.client.force_login(self.editor)
        url = reverse("wagtailadmin_pages:workflow_preview", args=[page.pk, task.pk])
        response = self.client.get(url, follow=True)
        self.assert_no_secret(response)
        # The editor's own page is still explained.
        own = reverse("wagtailadmin_pages:workflow_preview", args=[self.own_draft.pk, task.pk])
        self.assertContains(self.client.get(own, follow=True), "Own draft heron")

    def test_the_page_types_usage_report_is_for_curators(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("wagtailadmin_reports:page_types_usage"), follow=True)
        self.assert_no_secret(response)
        self.assertNotContains(
            self.client.get(reverse("wagtailadmin_home")),
            reverse("wagtailadmin_reports:page_types_usage"),
        )
        self.client.force_login(self.curator)
        report = self.client.get(reverse("wagtailadmin_reports:page_types_usage"))
        self.assertEqual(report.status_code, 200)

    def test_tag_autocomplete_offers_only_tags_the_editor_could_find(self):
        self.client.force_login(self.editor)
        url = reverse("wagtailadmin_tag_model_autocomplete", args=["practices", "practicetag"])
        offered = set()
        for term in ("open", "secret", "own"):
            offered |= set(self.client.get(url, {"term": term}).json())
        self.assertEqual(offered, {"open-tag", "own-draft-tag"})
        self.client.force_login(self.curator)
        self.assertEqual(
            set(self.client.get(url, {"term": "secret"}).json()),
            {"secret-draft-tag", "secret-members-tag"},
        )
