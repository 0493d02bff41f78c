"""Previews: editors and curators see what they are about to publish, for every page type.

A preview, "View draft", a revision and the curators' workflow preview all render a page rebuilt
from a revision by modelcluster, whose relations are in-memory lists; a page that only works with
querysets fails there (issue 12, finding 1: every practice preview was a server error).
"""

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse
from wagtail.models import Page

from practices.models import KeyTheme, PracticePage, TargetAudience
from practices.roles import city_editor_group, setup_roles
from practices.visibility import CURATORS_GROUP
from tests.factories import (
    CityPageFactory,
    EventPageFactory,
    NetworkPageFactory,
    PracticePageFactory,
    UserFactory,
)
from tests.practices.editor import practice_form


class PreviewTests(TestCase):
    """Every page type previews for the people who edit it."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.themes = list(KeyTheme.objects.order_by("pk")[:2])
        cls.audience = TargetAudience.objects.order_by("pk").first()
        cls.network = NetworkPageFactory(title="Preview Network", short_name="PN")
        cls.city = CityPageFactory(title="Previewton", country="BE")
        cls.event = EventPageFactory(title="Preview meeting", parent=cls.network)
        cls.practice = PracticePageFactory(
            title="City practice", parent=cls.city, key_themes=cls.themes,
            target_audiences=[cls.audience],
        )  # fmt: skip
        cls.network_practice = PracticePageFactory(
            title="Network practice", parent=cls.network, key_themes=cls.themes,
            target_audiences=[cls.audience],
        )  # fmt: skip
        # Another practice sharing the themes, so "related practices" has something to show.
        PracticePageFactory(
            title="A related practice", parent=cls.city, key_themes=cls.themes,
            target_audiences=[cls.audience],
        )  # fmt: skip
        cls.curator = UserFactory(username="preview-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))
        cls.editor = UserFactory(username="preview-editor")
        cls.editor.groups.add(city_editor_group(cls.city))
        cls.pages = [
            Page.objects.get(depth=2).specific,  # the home page
            cls.city,
            cls.network,
            cls.event,
            cls.practice,
            cls.network_practice,
        ]
        for page in cls.pages:
            page = page.specific_class.objects.get(pk=page.pk)
            page.title = f"{page.title} (draft)"
            page.save_revision(user=cls.curator)

    def assert_previews(self, url, title):
        """The URL renders the draft (200) with its title."""
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertContains(response, title)

    def test_a_curator_views_the_draft_and_the_revision_of_every_page_type(self):
        self.client.force_login(self.curator)
        for page in self.pages[1:]:  # the home page is the administrators' (below)
            with self.subTest(page=type(page).__name__):
                revision = page.specific_class.objects.get(pk=page.pk).latest_revision
                title = f"{page.title} (draft)"
                self.assert_previews(
                    reverse("wagtailadmin_pages:view_draft", args=[page.pk]), title
                )
                self.assert_previews(
                    reverse("wagtailadmin_pages:revisions_view", args=[page.pk, revision.pk]), title
                )

    def test_an_administrator_views_the_draft_of_the_home_page(self):
        self.client.force_login(UserFactory(username="preview-admin", is_superuser=True))
        home = self.pages[0]
        # The home page shows its own heading, not its title.
        self.assert_previews(
            reverse("wagtailadmin_pages:view_draft", args=[home.pk]), "Latest practices"
        )

    def test_a_city_editor_views_the_draft_of_their_practice(self):
        self.client.force_login(self.editor)
        self.assert_previews(
            reverse("wagtailadmin_pages:view_draft", args=[self.practice.pk]),
            "City practice (draft)",
        )

    def test_the_live_preview_panel_renders_unsaved_edits(self):
        self.client.force_login(self.editor)
        url = reverse("wagtailadmin_pages:preview_on_edit", args=[self.practice.pk])
        data = practice_form(
            "Previewed practice", themes=self.themes, audiences=[self.audience], action="x"
        )
        posted = self.client.post(url, data)
        self.assertEqual(posted.status_code, 200)
        self.assertEqual(posted.json()["is_valid"], True)
        self.assert_previews(url, "Previewed practice")

    def test_the_preview_of_a_new_practice_renders(self):
        self.client.force_login(self.editor)
        url = reverse(
            "wagtailadmin_pages:preview_on_add", args=("practices", "practicepage", self.city.pk)
        )
        data = practice_form(
            "A practice not saved yet", themes=self.themes, audiences=[self.audience], action="x"
        )
        self.assertEqual(self.client.post(url, data).json()["is_valid"], True)
        self.assert_previews(url, "A practice not saved yet")

    def test_a_curator_previews_a_practice_in_review(self):
        page = PracticePage.objects.get(pk=self.practice.pk)
        workflow_state = page.get_workflow().start(page, self.editor)
        task = workflow_state.current_task_state.task
        self.client.force_login(self.curator)
        self.assert_previews(
            reverse("wagtailadmin_pages:workflow_preview", args=[page.pk, task.pk]),
            "City practice (draft)",
        )
