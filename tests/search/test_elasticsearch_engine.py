"""The Elasticsearch engine, against osmem-server: the contract, and what only it does."""

from itertools import combinations

from django.contrib.auth.models import AnonymousUser
from django.test import TestCase, override_settings
from elasticsearch import Elasticsearch

from practices.models import PracticePage
from search.backends import database, get_backend
from search.backends.base import SearchParams, SortOrder
from search.backends.elasticsearch import PracticeDocument, practice_index
from search.documents import TEXT_FIELDS
from search.facets import FACETS

from . import data
from .contract import ALL_FACETS, EngineContract
from .engines import (
    TEST_ALIAS,
    ElasticsearchEngine,
    closed_port_url,
    elasticsearch_settings,
    rebuild_index,
)
from .semantic import SPORT, SemanticContract
from .transport import PlainJsonNode


class ElasticsearchEngineContractTests(ElasticsearchEngine, EngineContract, TestCase):
    """The shared contract on the Elasticsearch engine."""


class SameAnswersAsTheDatabaseEngineTests(ElasticsearchEngine, TestCase):
    """Both engines, same data, many requests: identical hits, order, totals and counts."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()
        rebuild_index()

    # Words whose relevance order is unambiguous: a title match above body matches. Practices
    # tied on title and differing only in text length ("street": two "Street mediation")
    # are ranked by each engine's own scoring, so for those only the set is compared.
    RANKED_TEXTS = ["mentoring", "online", "counselling", "mentoring counselling", "zebra"]
    UNRANKED_TEXTS = ["street", "volunteers", "sport"]

    def requests(self):
        """Every single facet value, every pair of facets, words, sorts, pages, both users."""
        singles = [
            {name: [slug]} for name, options in ALL_FACETS.items() for slug, _n, _s in options
        ]
        firsts = {name: options[0][0] for name, options in ALL_FACETS.items()}
        pairs = [
            {a: [firsts[a]], b: [firsts[b]]}
            for a, b in combinations(firsts, 2)
            if {a, b} & {"city", "theme", "start"}
        ]
        for selected in [{}, *singles, *pairs]:
            yield SearchParams(selected={k: frozenset(v) for k, v in selected.items()})
        for text in self.RANKED_TEXTS + self.UNRANKED_TEXTS:
            yield SearchParams(text=text)
            yield SearchParams(text=text, selected={"city": frozenset({"ghent", "lisbon"})})
            yield SearchParams(text=text, sort=SortOrder.TITLE)
        for sort in SortOrder.values:
            for page in (1, 2, 3, 4):
                yield SearchParams(sort=sort, page=page, per_page=2)
        for user in (AnonymousUser(), self.content.member):
            yield SearchParams(user=user, per_page=50)
            yield SearchParams(text="mentoring", user=user, sort=SortOrder.TITLE)

    def test_both_engines_answer_every_request_identically(self):
        elasticsearch, db = get_backend(), database.Backend()
        checked = 0
        for params in self.requests():
            with self.subTest(params=params):
                expected, actual = db.search(params), elasticsearch.search(params)
                if params.text in self.UNRANKED_TEXTS and params.sort == SortOrder.RELEVANCE:
                    self.assertEqual(sorted(actual.page_ids), sorted(expected.page_ids))
                else:
                    self.assertEqual(actual.page_ids, expected.page_ids)
                self.assertEqual(actual.total, expected.total)
                self.assertEqual(actual.facets, expected.facets)
                checked += 1
        self.assertGreater(checked, 100)


class ElasticsearchOnlyTests(ElasticsearchEngine, TestCase):
    """Fuzzy matching, the mapping, rebuilds with an alias swap, and single writes."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def setUp(self):
        rebuild_index()
        self.engine = get_backend()
        self.client = Elasticsearch(self.cluster_clone.url, node_class=PlainJsonNode)

    def test_a_misspelt_word_finds_close_matches_and_says_so(self):
        result = self.engine.search(SearchParams(text="mentorng"))
        self.assertEqual(result.page_ids, [self.content.a.pk, self.content.b.pk])
        self.assertTrue(result.close_matches)
        # The same suggestion as the database engine, from the same vocabulary.
        self.assertEqual(result.suggestion, "mentoring")
        fallback = database.Backend().search(SearchParams(text="mentorng"))
        self.assertEqual(
            (set(fallback.page_ids), fallback.suggestion), (set(result.page_ids), "mentoring")
        )
        exact = self.engine.search(SearchParams(text="mentoring"))
        self.assertEqual((exact.close_matches, exact.suggestion), (False, ""))

    def test_texts_are_english_with_a_language_neutral_subfield(self):
        mapping = PracticeDocument._doc_type.mapping.to_dict()["properties"]
        for name in TEXT_FIELDS:
            with self.subTest(field=name):
                self.assertEqual(mapping[name]["analyzer"], "english")
                self.assertEqual(mapping[name]["fields"]["plain"]["analyzer"], "standard")
                self.assertEqual(mapping[name]["copy_to"], "all_text")
        for facet in FACETS:
            self.assertIn(mapping[facet.name]["type"], {"keyword", "integer"}, facet.name)
        english = self.client.indices.analyze(
            index=TEST_ALIAS, field="title", text="Mentoring youths"
        )
        self.assertEqual([t["token"] for t in english["tokens"]], ["mentor", "youth"])

    def test_rebuild_fills_a_new_index_and_moves_the_alias_to_it_in_one_step(self):
        before = set(self.client.indices.get_alias(name=TEST_ALIAS))
        seen = {}

        def progress(iterable, total):
            seen["total"] = total
            for item in iterable:
                seen["items"] = seen.get("items", 0) + 1
                yield item

        summary = self.engine.rebuild(progress=progress)
        after = set(self.client.indices.get_alias(name=TEST_ALIAS))
        self.assertEqual(len(after), 1)
        self.assertNotEqual(after, before)
        (name,) = after
        self.assertRegex(name, rf"^{TEST_ALIAS}-\d{{20}}$")
        self.assertIn(name, summary)
        self.assertFalse(self.client.indices.exists(index=",".join(before)))
        # Six public practices and two members-only ones; no draft, nothing archived.
        self.assertEqual(seen, {"total": 8, "items": 8})
        self.assertEqual(self.client.count(index=TEST_ALIAS)["count"], 8)

    def test_the_index_stores_which_restricted_pages_guard_a_practice(self):
        for practice, guard in (
            (self.content.restricted, self.content.restricted),
            (self.content.under_restricted_city, self.content.oslo),
        ):
            source = self.client.get(index=TEST_ALIAS, id=str(practice.pk))["_source"]
            self.assertEqual(source["restricted_by"], [guard.pk])
        source = self.client.get(index=TEST_ALIAS, id=str(self.content.a.pk))["_source"]
        self.assertEqual(source["restricted_by"], [])

    def test_a_new_index_loads_without_refreshing_then_gets_the_usual_settings(self):
        keys = ["index.refresh_interval", "index.number_of_replicas"]

        def settings(index):
            """Index name -> the two settings, as set on each index matching `index`."""
            found = self.client.indices.get_settings(index=index, name=keys, flat_settings=True)
            return {name: value["settings"] for name, value in found.items()}

        while_loading = {}

        def progress(iterable, total):
            for item in iterable:
                if not while_loading:
                    searched = set(self.client.indices.get_alias(name=TEST_ALIAS))
                    loading = settings(f"{TEST_ALIAS}-*")
                    while_loading.update(
                        {name: value for name, value in loading.items() if name not in searched}
                    )
                yield item

        self.engine.rebuild(progress=progress)
        self.assertEqual(
            list(while_loading.values()),
            [{"index.refresh_interval": "-1", "index.number_of_replicas": "0"}],
        )
        practice_index("fresh").create(using=self.client)
        (rebuilt,) = settings(TEST_ALIAS).values()
        self.assertEqual(rebuilt, settings("fresh")["fresh"])
        self.assertEqual(self.client.count(index=TEST_ALIAS)["count"], 8)

    def test_a_practice_published_during_a_rebuild_is_in_the_new_index(self):
        draft = self.content.draft

        def progress(iterable, total):
            # The first bulk request has been answered, so its documents were read before.
            for number, item in enumerate(iterable):
                if number == 0:
                    PracticePage.objects.get(pk=draft.pk).save_revision().publish()
                yield item

        self.engine.rebuild(progress=progress)
        self.assertTrue(PracticePage.objects.get(pk=draft.pk).live)
        self.assertEqual(self.client.count(index=TEST_ALIAS)["count"], 9)
        result = self.engine.search(SearchParams(text="prisons"))
        self.assertEqual(result.page_ids, [draft.pk])

    def test_rebuild_refuses_an_index_standing_where_the_alias_should_be(self):
        with override_settings(
            PRACTICE_SEARCH=elasticsearch_settings(self.cluster_clone.url, INDEX="taken")
        ):
            self.client.indices.create(index="taken")
            with self.assertRaisesMessage(RuntimeError, "An index called taken exists"):
                get_backend().rebuild()

    def test_a_write_before_the_first_rebuild_creates_no_stray_index(self):
        with override_settings(
            PRACTICE_SEARCH=elasticsearch_settings(self.cluster_clone.url, INDEX="unbuilt")
        ):
            with self.assertLogs("search.backends.elasticsearch", "WARNING") as logs:
                get_backend().index(self.content.a)
            self.assertIn("rebuild_practice_index", logs.output[0])
            self.assertFalse(self.client.indices.exists(index="unbuilt"))
            get_backend().remove(self.content.a.pk)  # nothing to remove: no error either

    def test_an_unreachable_cluster_falls_back_to_the_database_engine(self):
        with (
            override_settings(PRACTICE_SEARCH=elasticsearch_settings(closed_port_url(), TIMEOUT=1)),
            self.assertLogs("search.backends.elasticsearch", "WARNING") as logs,
        ):
            result = get_backend().search(SearchParams(text="mentoring"))
        self.assertEqual(result.page_ids, [self.content.a.pk, self.content.b.pk])
        self.assertIn("unavailable", result.notice)
        self.assertIn("answering from the database engine", logs.output[0])

    def test_a_cluster_error_falls_back_to_the_database_engine(self):
        # The alias does not exist, so the cluster answers 404 index_not_found_exception.
        with (
            override_settings(
                PRACTICE_SEARCH=elasticsearch_settings(self.cluster_clone.url, INDEX="missing")
            ),
            self.assertLogs("search.backends.elasticsearch", "WARNING") as logs,
        ):
            result = get_backend().search(SearchParams(text="mentoring"))
        self.assertEqual(result.page_ids, [self.content.a.pk, self.content.b.pk])
        self.assertIn("unavailable", result.notice)
        self.assertIn("index_not_found", logs.output[0])


class ElasticsearchEngineSemanticTests(ElasticsearchEngine, SemanticContract, TestCase):
    """Finding by meaning on the Elasticsearch engine."""

    def test_a_misspelling_still_gets_close_spellings_beside_the_meaning(self):
        # Practices close in meaning are found, but none holds the mistyped word: the engine
        # searches again for close spellings, as it does when nothing at all is found.
        result = self.search("footbal trainng")
        self.assertTrue(result.close_matches)
        self.assertEqual(self.titles(result)[0], SPORT)
        self.assertFalse(result.hits[0].related_in_meaning)
