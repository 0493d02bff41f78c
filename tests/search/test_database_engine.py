"""The database engine keeps the search contract (on SQLite, and on PostgreSQL in CI)."""

from django.db import connection
from django.test import TestCase

from practices.models import PracticePage
from search.backends.database import SQLiteWordMatch, WordMatch, word_match

from . import data
from .contract import EngineContract
from .engines import DatabaseEngine


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

    def test_sqlite_reads_the_index_directly_and_other_databases_use_wagtails_queries(self):
        expected = SQLiteWordMatch if connection.vendor == "sqlite" else WordMatch
        self.assertIs(type(word_match("mentoring")), expected)

    def test_the_match_used_here_agrees_with_wagtails_own_queries(self):
        everything = PracticePage.objects.all()
        for text in self.TEXTS:
            with self.subTest(text=text):
                used, wagtail = word_match(text), WordMatch(text)
                self.assertEqual(
                    set(used.restrict(everything).values_list("pk", flat=True)),
                    set(wagtail.restrict(everything).values_list("pk", flat=True)),
                )
                ranked, expected = (
                    used.ranked(everything, slice(0, 50)),
                    wagtail.ranked(everything, slice(0, 50)),
                )
                self.assertEqual([pk for pk, _ in ranked], [pk for pk, _ in expected])
                for (_pk, score), (_same, expected_score) in zip(ranked, expected, strict=True):
                    self.assertAlmostEqual(score, expected_score, places=6)
        self.assertGreater(len(word_match("mentoring").ranked(everything, slice(0, 50))), 2)

    def test_very_many_matches_are_matched_by_subquery_instead_of_a_list(self):
        everything = PracticePage.objects.all()
        for match_class in (
            WordMatch,
            SQLiteWordMatch if connection.vendor == "sqlite" else WordMatch,
        ):
            unlisted = type("Unlisted", (match_class,), {"MAX_LISTED": 1})("mentoring")
            self.assertIsNone(unlisted.listed_ids)
            self.assertEqual(
                set(unlisted.restrict(everything).values_list("pk", flat=True)),
                set(word_match("mentoring").listed_ids),
            )
