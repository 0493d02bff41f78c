"""Curator-only fields are refused on the server, not only hidden (issue 12, finding 6).

City editors could set `archived`, `last_reviewed`, networks and `source_url` in their drafts
by posting them, and approving the draft published them.
"""

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from practices.models import KeyTheme, PracticePage, TargetAudience
from practices.roles import city_editor_group, setup_roles
from practices.visibility import CURATORS_GROUP
from tests.factories import CityPageFactory, NetworkPageFactory, PracticePageFactory, UserFactory
from tests.practices.editor import practice_form

CURATION = {
    "archived": "on",
    "last_reviewed": "2020-01-01",
    "source_url": "https://evil.example/",
}


class CuratorFieldTests(TestCase):
    """What each role may set in the practice editor."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.city = CityPageFactory(title="Fieldton")
        cls.network = NetworkPageFactory(title="Field Network", short_name="FN")
        cls.themes = list(KeyTheme.objects.order_by("pk")[:2])
        cls.audience = TargetAudience.objects.order_by("pk").first()
        cls.practice = PracticePageFactory(title="Field practice", parent=cls.city)
        cls.editor = UserFactory(username="field-editor")
        cls.editor.groups.add(city_editor_group(cls.city))
        cls.curator = UserFactory(username="field-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def post_draft(self, user, title):
        """Save a draft with the curation fields set, as `user`; return the draft."""
        self.client.force_login(user)
        data = practice_form(title, themes=self.themes, audiences=[self.audience], action="x")
        data.pop("x")
        data.update(CURATION, networks=[self.network.pk])
        url = reverse("wagtailadmin_pages:edit", args=[self.practice.pk])
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, "the draft was not saved")
        return PracticePage.objects.get(pk=self.practice.pk).get_latest_revision_as_object()

    def test_a_city_editor_cannot_set_them(self):
        draft = self.post_draft(self.editor, "Edited by the editor")
        self.assertEqual(draft.title, "Edited by the editor")  # the rest was saved
        self.assertFalse(draft.archived)
        self.assertIsNone(draft.last_reviewed)
        self.assertEqual(draft.source_url, "")
        self.assertEqual(list(draft.networks.all()), [])

    def test_a_city_editor_is_not_shown_them(self):
        self.client.force_login(self.editor)
        form = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.practice.pk]))
        for name in ("archived", "last_reviewed", "source_url", "networks"):
            self.assertNotContains(form, f'name="{name}"')
        self.assertContains(form, 'name="tags"')

    def test_a_curator_can(self):
        draft = self.post_draft(self.curator, "Edited by the curator")
        self.assertTrue(draft.archived)
        self.assertEqual(str(draft.last_reviewed), "2020-01-01")
        self.assertEqual(draft.source_url, "https://evil.example/")
        self.assertEqual(list(draft.networks.all()), [self.network])


class WagtailDefaultGroupTests(TestCase):
    """Wagtail's "Editors" and "Moderators" groups hold no rights on the tree."""

    def test_they_have_no_page_or_collection_rights(self):
        from wagtail.models import GroupCollectionPermission, GroupPagePermission

        setup_roles()
        for name in ("Editors", "Moderators"):
            with self.subTest(group=name):
                group = Group.objects.filter(name=name).first()
                if group is None:
                    continue  # deleted by an administrator: nothing to hold rights
                self.assertFalse(GroupPagePermission.objects.filter(group=group).exists())
                self.assertFalse(GroupCollectionPermission.objects.filter(group=group).exists())
