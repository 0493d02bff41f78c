"""Index sync: after publish, unpublish, delete, archive, move, privacy change or a vocabulary
rename, the next search reflects it, on both engines.

Index updates run after the transaction commits, so each change happens inside
captureOnCommitCallbacks(execute=True), which runs them as a real commit would.
"""

from django.test import TestCase, override_settings

from practices.models import KeyTheme, PracticePage
from search.backends import get_backend
from search.backends.base import SearchParams

from . import data
from .engines import (
    DatabaseEngine,
    ElasticsearchEngine,
    closed_port_url,
    elasticsearch_settings,
    rebuild_index,
)


class IndexSyncContract:
    """What every engine's index shows after each kind of change."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def setUp(self):
        # The index outlives each test's rolled-back transaction: start from the database.
        rebuild_index()

    def found(self, text="", **selected):
        """The ids an anonymous visitor finds."""
        params = SearchParams(
            text=text, selected={name: frozenset(v) for name, v in selected.items()}, per_page=50
        )
        return get_backend().search(params).page_ids

    def test_publishing_a_new_practice_makes_it_findable(self):
        page = data.practice(
            "Harbour kayak club",
            self.content.ghent,
            "Kayaking together.",
            cities=[self.content.ghent],
        )
        page.unpublish()
        rebuild_index()
        self.assertEqual(self.found("kayak"), [])
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision().publish()
        self.assertEqual(self.found("kayak"), [page.pk])

    def test_a_published_edit_is_searchable(self):
        practice = PracticePage.objects.get(pk=self.content.d.pk)
        practice.description = "<p>Podcasts answer propaganda.</p>"
        with self.captureOnCommitCallbacks(execute=True):
            practice.save_revision().publish()
        self.assertEqual(self.found("podcasts"), [practice.pk])
        self.assertEqual(self.found("videos"), [])

    def test_unpublishing_removes_a_practice(self):
        with self.captureOnCommitCallbacks(execute=True):
            PracticePage.objects.get(pk=self.content.a.pk).unpublish()
        self.assertEqual(self.found("mentoring"), [self.content.b.pk])

    def test_deleting_removes_a_practice(self):
        with self.captureOnCommitCallbacks(execute=True):
            PracticePage.objects.get(pk=self.content.b.pk).delete()
        self.assertEqual(self.found("mentoring"), [self.content.a.pk])

    def test_archiving_removes_a_practice(self):
        practice = PracticePage.objects.get(pk=self.content.a.pk)
        practice.archived = True
        with self.captureOnCommitCallbacks(execute=True):
            practice.save_revision().publish()
        self.assertEqual(self.found("mentoring"), [self.content.b.pk])

    def test_making_a_practice_members_only_hides_it_and_lifting_it_shows_it(self):
        with self.captureOnCommitCallbacks(execute=True):
            restriction = data.members_only(PracticePage.objects.get(pk=self.content.a.pk))
        self.assertEqual(self.found("mentoring"), [self.content.b.pk])
        with self.captureOnCommitCallbacks(execute=True):
            restriction.delete()
        self.assertEqual(self.found("mentoring"), [self.content.a.pk, self.content.b.pk])

    def test_restricting_a_city_hides_the_practices_under_it(self):
        with self.captureOnCommitCallbacks(execute=True):
            data.members_only(self.content.lisbon)
        self.assertNotIn(self.content.b.pk, self.found())
        self.assertNotIn(self.content.f.pk, self.found())

    def test_moving_a_practice_under_a_restricted_city_hides_it(self):
        with self.captureOnCommitCallbacks(execute=True):
            PracticePage.objects.get(pk=self.content.a.pk).move(self.content.oslo, pos="last-child")
        self.assertEqual(self.found("mentoring"), [self.content.b.pk])

    def test_renaming_a_theme_changes_what_its_words_find(self):
        theme = KeyTheme.objects.get(slug="alternative-and-counter-narratives")
        self.assertEqual(self.found("xylophone"), [])
        theme.label = "Xylophone narratives"
        with self.captureOnCommitCallbacks(execute=True):
            theme.save()
        self.assertEqual(self.found("xylophone"), [self.content.d.pk])

    def test_a_new_theme_slug_is_what_the_facet_filters_on(self):
        theme = KeyTheme.objects.get(slug="family-support")
        theme.slug = "families-first"
        with self.captureOnCommitCallbacks(execute=True):
            theme.save()
        self.assertEqual(
            sorted(self.found(theme=["families-first"])),
            sorted([self.content.a.pk, self.content.b.pk]),
        )
        options = get_backend().search(SearchParams()).facets["theme"]
        self.assertIn(
            ("families-first", "Family support", 2), [(o.slug, o.label, o.count) for o in options]
        )

    def test_a_deleted_theme_leaves_the_facet(self):
        theme = KeyTheme.objects.get(slug="multi-agency-cooperation")
        with self.captureOnCommitCallbacks(execute=True):
            theme.delete()
        options = get_backend().search(SearchParams()).facets["theme"]
        self.assertNotIn("multi-agency-cooperation", [o.slug for o in options])


class DatabaseEngineIndexSyncTests(DatabaseEngine, IndexSyncContract, TestCase):
    """Index sync on the database engine (Wagtail's index holds theme labels and tags)."""


class ElasticsearchEngineIndexSyncTests(ElasticsearchEngine, IndexSyncContract, TestCase):
    """Index sync on the Elasticsearch engine."""


class ClusterDownWhilePublishingTests(TestCase):
    """Publishing never fails because the cluster is down; the index task is tried again and
    its last failure logged."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def test_publishing_with_the_cluster_down_succeeds_and_logs_a_warning(self):
        practice = PracticePage.objects.get(pk=self.content.a.pk)
        practice.title = "Youth mentoring in clubs"
        down = elasticsearch_settings(closed_port_url(), TIMEOUT=1)
        with (
            override_settings(PRACTICE_SEARCH=down),
            self.assertLogs("practicehub.tasks", "WARNING") as logs,
            self.captureOnCommitCallbacks(execute=True),
        ):
            practice.save_revision().publish()
        self.assertIn("index_practices failed (attempt 1", logs.output[0])
        self.assertIn("index_practices failed for the last time (attempt 3)", logs.output[-1])
        self.assertEqual(PracticePage.objects.get(pk=practice.pk).title, "Youth mentoring in clubs")
