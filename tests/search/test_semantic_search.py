"""Semantic search end to end: the worker embeds what is published, the search page shows
hits found by meaning, and hostile queries never break it (with the real model)."""

from django.test import TestCase, override_settings
from django_tasks_db.models import DBTaskResult

from search.models import PracticeVector
from search.semantic import embed_practices
from tests.factories import CityPageFactory
from tests.task_queue import DATABASE_QUEUE, run_worker

from .data import practice
from .semantic import ARCHIVED_PRISON, DRAFT_PRISON, EMBEDDER, HIDDEN_PRISON, PRISON, build

EMBED_TASK = "search.tasks.embed_practice_vectors"


@override_settings(PRACTICE_EMBEDDER=EMBEDDER, TASKS=DATABASE_QUEUE)
class EmbeddingOnTheWorkerTests(TestCase):
    """A published practice is searchable by words at once and by meaning after the worker."""

    def test_publishing_queues_the_embedding_and_the_worker_makes_the_practice_findable(self):
        city = CityPageFactory(title="Workerville")
        page = practice(
            "Apprenticeships for young people leaving juvenile detention",
            city,
            "Young offenders are offered a paid apprenticeship with a local employer and a "
            "coach in their last months of detention.",
            themes=["early-prevention"],
        )
        page.unpublish()
        DBTaskResult.objects.all().delete()
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision().publish()
        queued = DBTaskResult.objects.filter(task_path=EMBED_TASK)
        self.assertEqual([row.args_kwargs["args"][0] for row in queued], [[page.pk]])
        self.assertFalse(PracticeVector.objects.filter(page=page).exists())  # not in the request
        words = self.client.get("/practices/", {"q": "apprenticeship"})
        self.assertContains(words, "Apprenticeships for young people")  # words: at once
        meaning = {"q": "jeugdgevangenis en werk na vrijlating"}  # Dutch: no shared word
        self.assertNotContains(self.client.get("/practices/", meaning), "Apprenticeships for")
        run_worker()
        self.assertTrue(PracticeVector.objects.filter(page=page).exists())
        response = self.client.get("/practices/", meaning)
        self.assertContains(response, "Apprenticeships for young people")
        self.assertContains(response, "Related in meaning")


@override_settings(PRACTICE_EMBEDDER=EMBEDDER)
class SearchPageByMeaningTests(TestCase):
    """The search page with semantic search on."""

    @classmethod
    def setUpTestData(cls):
        build()
        embed_practices()

    def test_a_dutch_question_lists_the_english_practice_and_says_why(self):
        response = self.client.get("/practices/", {"q": "deradicalisering in de gevangenis"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(PRISON, html)
        self.assertIn("Related in meaning", html)
        for hidden in (HIDDEN_PRISON, DRAFT_PRISON, ARCHIVED_PRISON):
            self.assertNotIn(hidden, html)

    def test_hostile_queries_answer_with_a_page(self):
        for query in (
            "x" * 10_000,
            "the and of in",
            "🙂🔥 radicalisation 🙂",
            "prison\x00mentoring",
            "\u202e\u200bprison",
            "' OR 1=1 --",
        ):
            with self.subTest(query=query[:20]):
                response = self.client.get("/practices/", {"q": query})
                self.assertEqual(response.status_code, 200)
