"""The database engine keeps the search contract (on SQLite, and on PostgreSQL in CI)."""

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from practices.models import CityPage, KeyTheme, PracticePage
from search.backends import get_backend
from search.backends.base import SearchParams
from search.backends.database import PostgresWordMatch, SQLiteWordMatch, WordMatch, word_match
from search.models import IndexGeneration

from . import data
from .contract import EngineContract
from .engines import DatabaseEngine
from .semantic import SemanticContract, VectorStoreContract


class DatabaseEngineContractTests(DatabaseEngine, EngineContract, TestCase):
    """The shared contract on the database engine."""


class WordMatchTests(TestCase):
    """The fast SQLite reading of Wagtail's index finds and orders what Wagtail's search does."""

    TEXTS = [
        "mentoring",
        "counselling",
        "online",
        "street",
        "mentoring counselling",
        "sport",
        "zebra",
    ]

    @classmethod
    def setUpTestData(cls):
        data.build()

    def test_each_database_reads_wagtails_index_directly(self):
        expected = {"sqlite": SQLiteWordMatch, "postgresql": PostgresWordMatch}
        self.assertIs(type(word_match("mentoring")), expected[connection.vendor])

    def test_the_match_used_here_agrees_with_wagtails_own_queries(self):
        for text in self.TEXTS:
            for ranked in (False, True):
                with self.subTest(text=text, ranked=ranked):
                    used, wagtail = word_match(text, ranked), WordMatch(text)
                    self.assertEqual(used.ids, wagtail.ids)
                    self.assertEqual(used.in_title, wagtail.in_title)
                    self.assertEqual(set(used.relevance), set(wagtail.relevance))
                    for pk, score in wagtail.relevance.items():
                        self.assertAlmostEqual(used.relevance[pk], score, places=6)
                    # Scoring only some matches (the hits left by filters) gives their scores.
                    some = sorted(wagtail.ids)[::2]
                    fresh = word_match(text, ranked)
                    self.assertEqual(set(fresh.relevance_of(some)), set(some))
                    for pk, score in fresh.relevance_of(some).items():
                        self.assertAlmostEqual(score, wagtail.relevance[pk], places=6)
        self.assertGreater(len(word_match("mentoring").ids), 2)
        self.assertTrue(word_match("street").in_title)


class FacetColumnsTests(DatabaseEngine, TestCase):
    """The cached facet columns follow every change at once, inside its transaction."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def search(self, text="", **selected):
        """An anonymous visitor's search."""
        params = SearchParams(text=text, selected={k: frozenset(v) for k, v in selected.items()})
        return get_backend().search(params)

    def test_the_next_search_sees_a_change_without_waiting_for_the_index_sync(self):
        self.assertEqual(self.search("mentoring").total, 2)
        # No commit callbacks run here: the token changes in the transaction itself.
        PracticePage.objects.get(pk=self.content.a.pk).unpublish()
        self.assertEqual(self.search("mentoring").page_ids, [self.content.b.pk])
        city = CityPage.objects.get(pk=self.content.lisbon.pk)
        city.title = "Lisboa"
        city.save_revision().publish()
        labels = {o.slug: o.label for o in self.search().facets["city"]}
        self.assertEqual(labels["lisbon"], "Lisboa")

    def test_searches_share_the_columns_until_something_changes(self):
        self.search()
        with CaptureQueriesContext(connection) as first:
            self.search(theme=["family-support"])
        with CaptureQueriesContext(connection) as second:
            self.search(theme=["family-support"])
        self.assertEqual(len(first), len(second))
        # The token, the view restrictions and their groups, and the snippets: no facet query.
        self.assertLessEqual(len(second), 4)
        practice = PracticePage.objects.get(pk=self.content.e.pk)
        practice.key_themes.add(KeyTheme.objects.get(slug="family-support"))
        practice.save_revision().publish()
        with CaptureQueriesContext(connection) as after:
            result = self.search(theme=["family-support"])
        self.assertGreater(len(after), len(second))
        self.assertEqual(result.total, 3)

    def test_a_rolled_back_change_leaves_no_columns_behind(self):
        before = self.search("mentoring").page_ids
        try:
            with transaction.atomic():
                PracticePage.objects.filter(pk=self.content.a.pk).update(archived=True)
                PracticePage.objects.get(pk=self.content.a.pk).save()
                self.assertEqual(self.search("mentoring").page_ids, [self.content.b.pk])
                raise RuntimeError("the editor's request failed")
        except RuntimeError:
            pass
        self.assertEqual(self.search("mentoring").page_ids, before)
        # The next change may get the rolled-back change's row id (SQLite reuses it); it must
        # still not find the columns cached for the rolled-back state.
        PracticePage.objects.filter(pk=self.content.b.pk).update(archived=True)
        PracticePage.objects.get(pk=self.content.b.pk).save()
        self.assertEqual(self.search("mentoring").page_ids, [self.content.a.pk])

    def test_every_change_adds_a_generation_row_and_changes_the_state(self):
        states = {IndexGeneration.current()}
        for _ in range(3):
            IndexGeneration.advance()
            states.add(IndexGeneration.current())
        self.assertEqual(len(states), 4)
        # Rows are only ever added (never updated), so editors never wait on a shared row.
        tokens = list(IndexGeneration.objects.values_list("token", flat=True))
        self.assertEqual(len(tokens), len(set(tokens)))


class DatabaseEngineSemanticTests(DatabaseEngine, SemanticContract, TestCase):
    """Finding by meaning on the database engine."""


class VectorStoreTests(VectorStoreContract, TestCase):
    """Stored vectors: reused, replaced, removed."""
