"""Background work on the real queue: django-tasks-db and its worker (`manage.py db_worker`).

The rest of the suite runs tasks at once (ImmediateBackend, site/settings/test.py). These
tests switch to the database backend that production uses and check what a user of the site
would: each kind of change queues one index task naming the practices it touches, the worker
runs it and the search shows the change, a failing task is tried again and then shown as
failed in the admin's task report, a rebuild repairs what a lost task missed, and worker
processes (one killed half-way, two at once) do the work on SQLite and PostgreSQL.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from unittest import mock
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from practices.models import KeyTheme, PracticePage
from practices.roles import ensure_city_editor_group, setup_roles
from practices.visibility import CURATORS_GROUP
from search.backends import database, get_backend
from search.backends.base import SearchParams
from search.tasks import index_practices
from tests.factories import PracticePageFactory, UserFactory
from tests.leaks import LeakFixtures
from tests.practices.pdf_helpers import count_renders, pdf_text
from tests.task_queue import DATABASE_QUEUE, run_worker

from . import data
from .data import member
from .engines import (
    DatabaseEngine,
    ElasticsearchEngine,
    closed_port_url,
    elasticsearch_settings,
    rebuild_index,
)

INDEX_TASK = "search.tasks.index_practices"
BUNDLE_TASK = "practices.sheets.bundles.render_bundle_task"
BUNDLE_URL = "/sheets/bundle/"


def queued_index_tasks():
    """The practice ids of each queued index task, oldest first."""
    rows = DBTaskResult.objects.filter(task_path=INDEX_TASK, status=TaskResultStatus.READY)
    return [row.args_kwargs["args"][0] for row in rows.order_by("enqueued_at")]


def found(text):
    """The ids an anonymous visitor finds for `text`, best first."""
    return get_backend().search(SearchParams(text=text, per_page=50)).page_ids


@override_settings(TASKS=DATABASE_QUEUE, PRACTICE_SEARCH=elasticsearch_settings(closed_port_url()))
class ChangesQueueOneIndexTaskTests(TestCase):
    """Every kind of change queues one index task naming exactly the practices it touches.

    The Elasticsearch engine re-indexes nothing inside the request, so every change is queued
    (nothing here contacts the cluster: the tasks are only queued).
    """

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def queued_by(self, change):
        """The index tasks that `change()` queues once its transaction commits."""
        DBTaskResult.objects.all().delete()
        with self.captureOnCommitCallbacks(execute=True):
            change()
        return queued_index_tasks()

    def practice(self, name):
        return PracticePage.objects.get(pk=getattr(self.content, name).pk)

    def test_publishing_queues_the_practice(self):
        page = self.practice("a")
        page.title = "Youth mentoring in clubs"
        self.assertEqual(self.queued_by(lambda: page.save_revision().publish()), [[page.pk]])

    def test_unpublishing_queues_the_practice(self):
        page = self.practice("a")
        self.assertEqual(self.queued_by(page.unpublish), [[page.pk]])

    def test_moving_queues_the_practice(self):
        page = self.practice("a")
        move = lambda: page.move(self.content.oslo, pos="last-child")  # noqa: E731
        self.assertEqual(self.queued_by(move), [[page.pk]])

    def test_deleting_queues_the_practice(self):
        page = self.practice("b")
        # Wagtail unpublishes a live page before deleting it: two signals, two small tasks.
        self.assertEqual(self.queued_by(page.delete), [[page.pk], [page.pk]])

    def test_a_privacy_change_queues_every_practice_under_the_page(self):
        lisbon = self.content.lisbon
        under = sorted(PracticePage.objects.descendant_of(lisbon).values_list("pk", flat=True))
        self.assertGreater(len(under), 1)
        self.assertEqual(self.queued_by(lambda: data.members_only(lisbon)), [under])

    def test_renaming_a_term_queues_the_practices_that_carry_it(self):
        theme = KeyTheme.objects.get(slug="family-support")
        carrying = sorted(theme.practices.values_list("pk", flat=True))
        theme.label = "Support for families"
        self.assertEqual(self.queued_by(theme.save), [carrying])

    def test_publishing_a_city_queues_its_practices_in_one_task(self):
        ghent = self.content.ghent
        linked = sorted(PracticePage.objects.filter(cities=ghent).values_list("pk", flat=True))
        ghent.title = "Gent"
        self.assertEqual(self.queued_by(lambda: ghent.save_revision().publish()), [linked])

    def test_the_worker_runs_what_was_queued(self):
        page = self.practice("a")
        self.queued_by(page.unpublish)
        with self.assertLogs("practicehub.tasks", "WARNING"):  # the cluster is down here
            run_worker()
        self.assertEqual(queued_index_tasks(), [])


@override_settings(TASKS=DATABASE_QUEUE)
class DatabaseEngineQueueTests(DatabaseEngine, TestCase):
    """On the database engine a published practice is searchable at once, with no worker;
    a change touching more practices than the engine re-indexes inline waits for it."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def test_a_published_practice_is_searchable_before_any_worker_runs(self):
        page = PracticePage.objects.get(pk=self.content.d.pk)
        page.description = "<p>Podcasts answer propaganda.</p>"
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision().publish()
        self.assertEqual(found("podcasts"), [page.pk])
        self.assertEqual(queued_index_tasks(), [])

    def test_a_large_change_is_searchable_once_the_worker_has_run(self):
        theme = KeyTheme.objects.get(slug="alternative-and-counter-narratives")
        theme.label = "Xylophone narratives"
        with (
            mock.patch.object(database.Backend, "inline_limit", 0),
            self.captureOnCommitCallbacks(execute=True),
        ):
            theme.save()
        self.assertEqual(queued_index_tasks(), [[self.content.d.pk]])
        self.assertEqual(found("xylophone"), [])
        run_worker()
        self.assertEqual(found("xylophone"), [self.content.d.pk])


@override_settings(
    TASKS=DATABASE_QUEUE,
    PRACTICE_SEARCH=elasticsearch_settings(closed_port_url(), TIMEOUT=1),
    PRACTICE_TASK_MAX_ATTEMPTS=3,
)
class FailingTaskTests(TestCase):
    """A task that keeps failing is tried again, then shown as failed with its error."""

    REPORT = "/admin/reports/background-tasks/"

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()
        setup_roles()
        cls.curator = UserFactory(username="task-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))
        cls.editor = UserFactory(username="task-city-editor")
        cls.editor.groups.add(ensure_city_editor_group(cls.content.ghent))

    def test_it_is_tried_three_times_then_listed_as_failed(self):
        index_practices.enqueue([self.content.a.pk])
        with self.assertLogs("practicehub.tasks", "WARNING") as logs:
            run_worker()
        attempts = [
            (row.args_kwargs["kwargs"].get("attempt", 1), row.status)
            for row in DBTaskResult.objects.filter(task_path=INDEX_TASK).order_by("enqueued_at")
        ]
        self.assertEqual(
            attempts,
            [
                (1, TaskResultStatus.FAILED),
                (2, TaskResultStatus.FAILED),
                (3, TaskResultStatus.FAILED),
            ],
        )
        self.assertIn("failed for the last time (attempt 3)", logs.output[-1])

        self.client.force_login(self.curator)
        response = self.client.get(self.REPORT, {"status": "FAILED"})
        self.assertContains(response, "Update the search index for 1 practice", count=3)
        self.assertContains(response, "elastic_transport.ConnectionError: ", count=3)
        self.assertContains(response, "Tried again", count=2)
        self.assertContains(response, "Gave up", count=1)

    def test_only_curators_and_administrators_see_the_report(self):
        index_practices.enqueue([self.content.a.pk])
        self.client.force_login(self.editor)
        response = self.client.get(self.REPORT)
        self.assertIn(response.status_code, (302, 403))
        self.assertNotContains(
            response, "Update the search index", status_code=response.status_code
        )
        self.client.logout()
        response = self.client.get(self.REPORT)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class LostTasksContract:
    """A rebuild repairs what index tasks that never ran left behind, on every engine."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def setUp(self):
        rebuild_index()  # the Elasticsearch index outlives each test's transaction

    def test_a_rebuild_repairs_what_lost_tasks_left_behind(self):
        edited = PracticePage.objects.get(pk=self.content.d.pk)
        edited.description = "<p>Podcasts answer propaganda.</p>"
        withdrawn = PracticePage.objects.get(pk=self.content.c.pk)
        engine = type(get_backend())
        with (
            mock.patch.object(engine, "inline_limit", 0),  # everything waits for the worker
            self.captureOnCommitCallbacks(execute=True),
        ):
            edited.save_revision().publish()
            withdrawn.unpublish()
        self.assertNotEqual(queued_index_tasks(), [])
        DBTaskResult.objects.all().delete()  # lost: no worker will run them
        self.assertEqual(found("podcasts"), [])  # the index is stale

        call_command("rebuild_practice_index", verbosity=0)

        self.assertEqual(found("podcasts"), [edited.pk])
        self.assertEqual(found("videos"), [])
        self.assertNotIn(withdrawn.pk, found("mediators"))
        self.assertIn(self.content.f.pk, found("mediators"))


@override_settings(TASKS=DATABASE_QUEUE)
class DatabaseEngineLostTasksTests(DatabaseEngine, LostTasksContract, TestCase):
    """Lost tasks on the database engine (Wagtail's index entries go stale)."""


@override_settings(TASKS=DATABASE_QUEUE)
class ElasticsearchEngineLostTasksTests(ElasticsearchEngine, LostTasksContract, TestCase):
    """Lost tasks on the Elasticsearch engine (documents go stale)."""


def worker_environment():
    """The environment of a worker process that uses this test run's database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        credentials = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}"
        url = f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "practicehub.settings.test",
        "PRACTICE_TEST_TASKS": "database",
    }


@contextmanager
def worker_process(worker_id):
    """A `manage.py db_worker` process on this run's database, killed when the block ends."""
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval=0.05",
            "--no-startup-delay",
            "--no-reload",
            f"--worker-id={worker_id}",
            "--verbosity=0",
        ],
        cwd=settings.BASE_DIR,
        env=worker_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def wait_until(condition, seconds=60):
    """Poll `condition` until it is true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Still not done after {seconds} s.")
        time.sleep(0.02)


def count(status):
    """How many index tasks have this status."""
    return DBTaskResult.objects.filter(task_path=INDEX_TASK, status=status).count()


@override_settings(PRACTICE_SEARCH={"BACKEND": "search.backends.database"})
class WorkerProcessTests(TransactionTestCase):
    """Real worker processes on this run's database (SQLite or PostgreSQL)."""

    serialized_rollback = True  # the vocabularies come from a data migration

    def setUp(self):
        self.content = data.build()
        self.public = sorted(found(""))
        # Change the texts behind the index's back (no signals): only index tasks or a
        # rebuild can bring the index up to date.
        PracticePage.objects.filter(pk__in=self.public).update(
            description="<p>A quokka project.</p>"
        )

    def enqueue(self, page_ids):
        """Queue one index task per id on the database queue."""
        with override_settings(TASKS=DATABASE_QUEUE):
            for page_id in page_ids:
                index_practices.enqueue([page_id])

    def test_a_worker_process_runs_the_queued_tasks(self):
        self.enqueue(self.public)
        with worker_process("worker-a"):
            wait_until(lambda: count(TaskResultStatus.SUCCESSFUL) == len(self.public))
        self.assertEqual(sorted(found("quokka")), self.public)
        self.assertEqual(found("teenagers"), [])  # the old description of A

    def test_a_killed_worker_leaves_work_that_a_rebuild_repairs(self):
        self.enqueue(self.public * 50)
        with worker_process("worker-killed") as process:
            wait_until(lambda: count(TaskResultStatus.SUCCESSFUL) >= 10)
            process.send_signal(signal.SIGKILL)
            process.wait()
        self.assertGreater(count(TaskResultStatus.READY), 0, "killed after the queue was done")

        call_command("rebuild_practice_index", verbosity=0)

        self.assertEqual(sorted(found("quokka")), self.public)
        self.assertEqual(found("teenagers"), [])  # the old description of A

    def test_two_workers_never_run_the_same_task(self):
        with worker_process("worker-1"), worker_process("worker-2"):
            time.sleep(3)  # both are polling before the work arrives
            self.enqueue(self.public * 20)
            total = len(self.public) * 20
            wait_until(lambda: count(TaskResultStatus.SUCCESSFUL) == total)
        claims = [row.worker_ids for row in DBTaskResult.objects.filter(task_path=INDEX_TASK)]
        self.assertTrue(all(len(ids) == 1 for ids in claims), "a task was claimed twice")
        self.assertEqual({ids[0] for ids in claims}, {"worker-1", "worker-2"})


@override_settings(TASKS=DATABASE_QUEUE)
class BundlesOnTheWorkerTests(LeakFixtures, TestCase):
    """A bundle is rendered by the worker while the reader sees a page that reloads itself."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        cls.create_leak_fixtures()
        cls.second = PracticePageFactory(title="Second open practice", parent=cls.leak_city)
        cls.curator = UserFactory(username="bundle-curator")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def setUp(self):
        cache.clear()  # which task renders which bundle is remembered in the cache

    def bundle(self, *pages):
        return self.client.get(BUNDLE_URL, {"ids": ",".join(str(page.pk) for page in pages)})

    def test_the_web_process_queues_the_render_and_the_worker_makes_it(self):
        with count_renders() as renders:
            waiting = self.bundle(self.public_practice, self.second)
            again = self.bundle(self.public_practice, self.second)
        self.assertEqual(renders, [])  # nothing rendered in the web process
        for response in (waiting, again):
            self.assertContains(response, "Your PDF is being prepared", status_code=202)
            self.assertContains(
                response,
                '<noscript><meta http-equiv="refresh" content="2"></noscript>',
                status_code=202,
            )
            self.assertContains(response, "js/bundle-wait.js", status_code=202)
            self.assertEqual(response["Retry-After"], "2")
        queued = DBTaskResult.objects.filter(task_path=BUNDLE_TASK)
        self.assertEqual(queued.count(), 1)  # the second request shares the first one's task

        self.client.force_login(self.curator)
        report = self.client.get("/admin/reports/background-tasks/")
        self.assertContains(report, "Render a PDF bundle of 2 practices")
        self.client.logout()

        with count_renders() as renders:
            run_worker()
        self.assertEqual(len(renders), 1)
        ready = self.bundle(self.public_practice, self.second)
        self.assertEqual(ready.status_code, 200)
        self.assertEqual(ready["Content-Type"], "application/pdf")
        text = pdf_text(ready.getvalue())
        self.assertIn("Openly listed practice", text)
        self.assertIn("Second open practice", text)

    def ask_state(self, *pages):
        """What the waiting page's script is told: (status, JSON body)."""
        response = self.client.get(
            BUNDLE_URL,
            {"ids": ",".join(str(page.pk) for page in pages)},
            headers={"Accept": "application/json"},
        )
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("no-store", response["Cache-Control"])
        return response.status_code, response.json()

    def test_the_script_is_told_queued_then_ready_and_the_page_then_downloads(self):
        self.assertEqual(self.bundle(self.public_practice).status_code, 202)
        self.assertEqual(self.ask_state(self.public_practice), (202, {"state": "queued"}))
        self.assertEqual(DBTaskResult.objects.filter(task_path=BUNDLE_TASK).count(), 1)
        run_worker()
        self.assertEqual(self.ask_state(self.public_practice), (200, {"state": "ready"}))
        ready = self.bundle(self.public_practice)
        self.assertEqual(ready["Content-Type"], "application/pdf")
        self.assertIn("Accept", ready["Vary"])

    def test_the_script_is_told_why_a_bundle_will_not_come_without_queueing_it_again(self):
        self.bundle(self.public_practice)
        with mock.patch("practices.sheets.bundles.render_bundle", side_effect=OSError("disk full")):
            run_worker()
        status, answer = self.ask_state(self.public_practice)
        self.assertEqual((status, answer["state"]), (503, "failed"))
        self.assertIn("The PDF could not be made this time.", answer["message"])
        self.assertFalse(
            DBTaskResult.objects.filter(task_path=BUNDLE_TASK, status=TaskResultStatus.READY)
        )
        status, answer = self.ask_state(self.draft_practice)
        self.assertEqual((status, answer["state"]), (404, "empty"))
        self.assert_nothing_leaked(answer["message"])

    def test_a_bundle_made_by_the_worker_leaks_nothing(self):
        hidden = (self.members_only_practice, self.draft_practice, self.archived_practice)
        self.assertEqual(self.bundle(self.public_practice, *hidden).status_code, 202)
        waiting = self.bundle(self.public_practice, *hidden)
        self.assert_nothing_leaked(waiting.content)
        run_worker()
        ready = self.bundle(self.public_practice, *hidden)
        self.assertEqual(ready.status_code, 200)
        text = pdf_text(ready.getvalue())
        self.assertIn("Openly listed practice", text)
        self.assert_nothing_leaked(text)
        self.assertIn("3 requested practices do not exist or are not available to you", text)

    def test_a_member_gets_their_own_bundle_not_the_public_one(self):
        self.bundle(self.public_practice, self.members_only_practice)
        run_worker()
        public = pdf_text(self.bundle(self.public_practice, self.members_only_practice).getvalue())
        self.assertNotIn("Members-only practice zebra", public)
        self.client.force_login(member())
        self.assertEqual(
            self.bundle(self.public_practice, self.members_only_practice).status_code, 202
        )
        run_worker()
        mine = pdf_text(self.bundle(self.public_practice, self.members_only_practice).getvalue())
        self.assertIn("Members-only practice zebra", mine)

    def test_a_failed_render_says_so_and_the_next_request_tries_again(self):
        self.bundle(self.public_practice)
        with mock.patch("practices.sheets.bundles.render_bundle", side_effect=OSError("disk full")):
            run_worker()
        self.assertTrue(
            DBTaskResult.objects.filter(task_path=BUNDLE_TASK, status=TaskResultStatus.FAILED)
            .filter(traceback__contains="OSError: disk full")
            .exists()
        )
        self.client.force_login(self.curator)
        report = self.client.get("/admin/reports/background-tasks/", {"status": "FAILED"})
        self.assertContains(report, "Render a PDF bundle of 1 practice")
        self.assertContains(report, "Gave up")  # bundles are queued again by a reload instead
        self.assertNotContains(report, "Tried again")
        self.client.logout()
        failed = self.bundle(self.public_practice)
        self.assertContains(failed, "The PDF could not be made this time.", status_code=503)
        self.assertContains(self.bundle(self.public_practice), "being prepared", status_code=202)
        self.assertEqual(
            DBTaskResult.objects.filter(
                task_path=BUNDLE_TASK, status=TaskResultStatus.READY
            ).count(),
            1,
        )
