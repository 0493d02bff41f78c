"""The database engine keeps the search contract (on SQLite, and on PostgreSQL in CI), on
an index the project owns (search/index.py)."""

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.search.models import IndexEntry

from practices.models import CityPage, KeyTheme, PracticePage
from search import index
from search.backends import get_backend
from search.backends.base import SearchParams
from search.models import FacetCount, PracticeDocument, PracticeFacetValue, SearchTerm

from . import data
from .contract import EngineContract
from .engines import DatabaseEngine
from .semantic import SemanticContract, VectorStoreContract


class DatabaseEngineContractTests(DatabaseEngine, EngineContract, TestCase):
    """The shared contract on the database engine."""


class OwnedIndexTests(DatabaseEngine, TestCase):
    """The index tables follow every change at once, inside its transaction, and a rebuild
    writes what the changes wrote."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def search(self, text="", **selected):
        """An anonymous visitor's search."""
        params = SearchParams(text=text, selected={k: frozenset(v) for k, v in selected.items()})
        return get_backend().search(params)

    def snapshot(self):
        """Everything the index holds, comparable."""
        documents = sorted(
            PracticeDocument.objects.values_list("pk", "document", "path", "words", "start")
        )
        values = sorted(PracticeFacetValue.objects.values_list("document_id", "facet", "value"))
        terms = sorted(SearchTerm.objects.values_list("term", "documents"))
        counts = sorted(FacetCount.objects.values_list("guards", "facet", "value", "count"))
        return documents, values, terms, counts

    def test_the_next_search_sees_a_change_without_waiting_for_the_worker(self):
        self.assertEqual(self.search("mentoring").total, 2)
        # No commit callbacks run here: the rows change in the transaction itself.
        PracticePage.objects.get(pk=self.content.a.pk).unpublish()
        self.assertEqual(self.search("mentoring").page_ids, [self.content.b.pk])
        city = CityPage.objects.get(pk=self.content.lisbon.pk)
        city.title = "Lisboa"
        city.save_revision().publish()
        labels = {o.slug: o.label for o in self.search().facets["city"]}
        self.assertEqual(labels["lisbon"], "Lisboa")
        # The practices of the renamed city are found by its new name.
        self.assertEqual(
            set(self.search("lisboa").page_ids), {self.content.b.pk, self.content.f.pk}
        )

    def test_a_rolled_back_change_leaves_the_index_as_it_was(self):
        before = self.snapshot()
        try:
            with transaction.atomic():
                practice = PracticePage.objects.get(pk=self.content.a.pk)
                practice.archived = True
                practice.save_revision().publish()
                self.assertEqual(self.search("mentoring").page_ids, [self.content.b.pk])
                raise RuntimeError("the editor's request failed")
        except RuntimeError:
            pass
        self.assertEqual(self.snapshot(), before)

    def test_changes_write_what_a_rebuild_writes(self):
        practice = PracticePage.objects.get(pk=self.content.e.pk)
        practice.key_themes.add(KeyTheme.objects.get(slug="family-support"))
        practice.title = "After-school theatre and puppetry"
        practice.save_revision().publish()
        PracticePage.objects.get(pk=self.content.c.pk).unpublish()
        KeyTheme.objects.filter(slug="early-prevention").get().delete()
        index.write(PracticePage.objects.values_list("pk", flat=True))  # as the worker would
        incremental = self.snapshot()
        index.rebuild()
        self.assertEqual(self.snapshot(), incremental)
        self.assertIn(("puppetry", 1), incremental[2])
        self.assertIn(("", "theme", "family-support", 3), incremental[3])  # a, b and now e
        self.assertEqual(self.search("puppetry").page_ids, [self.content.e.pk])

    def test_a_deleted_practice_leaves_every_table(self):
        pk = self.content.d.pk
        PracticePage.objects.get(pk=pk).delete()
        self.assertFalse(PracticeDocument.objects.filter(pk=pk).exists())
        self.assertFalse(PracticeFacetValue.objects.filter(document_id=pk).exists())
        self.assertFalse(SearchTerm.objects.filter(term="propaganda").exists())
        self.assertEqual(self.search("propaganda").total, 0)

    def test_wagtails_own_search_index_is_not_read(self):
        IndexEntry.objects.all().delete()
        self.assertEqual(self.search("mentoring").total, 2)
        self.assertEqual(self.search(theme=["family-support"]).total, 2)

    def test_words_are_stemmed_and_stop_words_dropped(self):
        # "coach" in the text, "coaching" in the query; "the" and "of" are not searched.
        self.assertEqual(self.search("coaching").page_ids, [self.content.a.pk])
        self.assertEqual(self.search("the coaching of teenager").page_ids, [self.content.a.pk])
        result = self.search("the of and")
        self.assertEqual((result.total, result.some_words), (0, False))

    def test_every_field_a_reader_expects_is_searched(self):
        # A target audience, a city, a tag and the evidence text each find their practice.
        self.assertIn(self.content.b.pk, self.search("families").page_ids)
        self.assertIn(self.content.c.pk, self.search("malmö").page_ids)
        self.assertEqual(self.search("helpline").page_ids, [self.content.b.pk])
        practice = PracticePage.objects.get(pk=self.content.f.pk)
        practice.evidence_and_evaluation = "<p>An ombudsman evaluated the disputes settled.</p>"
        practice.save_revision().publish()
        self.assertEqual(self.search("ombudsman").page_ids, [self.content.f.pk])

    def test_a_misspelt_word_is_corrected_from_the_vocabulary(self):
        result = self.search("mentorign")
        self.assertTrue(result.close_matches)
        self.assertEqual(result.suggestion, "mentoring")
        self.assertEqual(len(result.page_ids), 2)
        # The snippets mark the corrected word.
        self.assertTrue(any("<mark>mentoring</mark>" in hit.highlight for hit in result.hits))
        # A word the collection holds is never "corrected".
        self.assertEqual(self.search("mentoring").suggestion, "")

    def test_the_kept_columns_follow_changes_however_late_they_commit(self):
        # Loaded into this process's table (search/table.py).
        self.assertEqual(self.search("volunteers", theme=["family-support"]).total, 1)
        practice = PracticePage.objects.get(pk=self.content.e.pk)
        practice.key_themes.add(KeyTheme.objects.get(slug="family-support"))
        practice.save_revision().publish()
        # As if the transaction that wrote it had committed long after stamping the row:
        # reading the rows written since the last look would miss it.
        PracticeDocument.objects.filter(pk=practice.pk).update(written_at="2001-01-01T00:00Z")
        result = self.search("volunteers", theme=["family-support"])
        self.assertEqual(set(result.page_ids), {self.content.a.pk, self.content.e.pk})
        self.assertIn(("family-support", 2, True), [
            (o.slug, o.count, o.selected) for o in result.facets["theme"]
        ])  # fmt: skip
        # A dropped document leaves the table too.
        PracticePage.objects.get(pk=self.content.a.pk).unpublish()
        result = self.search("volunteers", theme=["family-support"])
        self.assertEqual(result.page_ids, [self.content.e.pk])

    def test_a_search_costs_the_same_few_queries_at_any_size(self):
        self.search("street")
        with CaptureQueriesContext(connection) as first:
            self.search("street", theme=["family-support"])
        for number in range(5):
            data.practice(f"Street work {number}", self.content.ghent, "Outreach in the street.")
        with CaptureQueriesContext(connection) as after_writes:
            self.search("street", theme=["family-support"])
        # The first search after a change also reads the documents written since.
        self.assertEqual(len(after_writes), len(first) + 1)
        with CaptureQueriesContext(connection) as more:
            self.search("street", theme=["family-support"])
        self.assertEqual(len(more), len(first))


class DatabaseEngineSemanticTests(DatabaseEngine, SemanticContract, TestCase):
    """Finding by meaning on the database engine."""


class VectorStoreTests(VectorStoreContract, TestCase):
    """Stored vectors: reused, replaced, removed."""
