"""The curators' import screen: upload, dry run on the worker, confirm, import, kept reports."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from practices.imports import ProgressWriter
from practices.models import CityPage, NetworkPage, PracticeImport, PracticePage
from tests.factories import CityPageFactory, NetworkPageFactory, UserFactory
from tests.leaks import SECRET_CONTACT, LeakFixtures
from tests.practices.test_importer import db_state, record
from tests.task_queue import DATABASE_QUEUE, run_worker

COLLECTION = settings.BASE_DIR / "fixtures" / "import" / "collection.csv"


def upload(path_or_name, content=None):
    """A file as the browser would send it."""
    if content is None:
        content = path_or_name.read_bytes()
        path_or_name = path_or_name.name
    return SimpleUploadedFile(path_or_name, content)


class ImportScreenTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ran = NetworkPageFactory(title="Radicalisation Awareness Network", short_name="RAN")
        cls.curator = UserFactory(username="curator")
        cls.curator.groups.set([Group.objects.get(name="Curators")])
        cls.city = CityPageFactory(title="Mechelen")
        cls.editor = UserFactory(username="mechelen-editor")
        cls.editor.groups.set([Group.objects.get(name="City editors: Mechelen")])

    def setUp(self):
        caches["progress"].clear()
        self.client.force_login(self.curator)

    def send(self, file, **options):
        """Post the upload form as a curator; return the response after the redirect."""
        data = {"add_missing_terms": "on", "file": file, **options}
        return self.client.post(reverse("practices_imports:upload"), data, follow=True)

    def latest(self):
        return PracticeImport.objects.latest("pk")


class DryRunAndConfirmTests(ImportScreenTestCase):
    def test_a_curator_reads_the_dry_run_confirms_and_the_report_is_kept(self):
        before = db_state()
        networks = NetworkPage.objects.count()
        response = self.send(upload(COLLECTION))
        run = self.latest()
        self.assertRedirects(response, run.get_admin_url())
        self.assertEqual(run.status, PracticeImport.Status.READY)
        # The dry run, row by row, with what would be created around the practices.
        self.assertContains(response, "Dry run: what an import would do")
        self.assertContains(response, "6 created, 0 updated, 0 unchanged, 0 with errors")
        self.assertContains(response, "Would be created", count=6)
        self.assertContains(
            response, "New network: Council of Europe Intercultural Cities (draft, needs curation)"
        )
        self.assertContains(response, "no owning city or network", count=2)
        self.assertContains(response, "Import these 6 practices")
        # Nothing was written.
        self.assertEqual(db_state(), before)
        self.assertEqual(NetworkPage.objects.count(), networks)

        response = self.client.post(
            reverse("practices_imports:confirm", args=[run.pk]), follow=True
        )
        run.refresh_from_db()
        self.assertEqual(run.status, PracticeImport.Status.IMPORTED)
        self.assertEqual(run.confirmed_by, self.curator)
        self.assertContains(response, "What the import did")
        self.assertContains(response, "Created", count=None)
        self.assertEqual(PracticePage.objects.count(), 6)
        extreme = PracticePage.objects.get(title="Extreme Dialogue")
        # The report links each practice it wrote to its edit view.
        self.assertContains(response, reverse("wagtailadmin_pages:edit", args=[extreme.pk]))
        self.assertTrue(NetworkPage.objects.filter(title__contains="Intercultural").exists())
        self.assertEqual(bytes(run.content), b"")  # the file is not kept once imported
        # Revisions are the confirming curator's.
        self.assertEqual(extreme.latest_revision.user, self.curator)

        # The listing keeps it, with what it did; the report opens again.
        listing = self.client.get(reverse("practices_imports:index"))
        self.assertContains(listing, "collection.csv")
        self.assertContains(listing, "6 created, 0 updated, 0 unchanged, 0 errors")
        self.assertContains(self.client.get(run.get_admin_url()), "What the import did")

        # Confirming again does nothing and says why.
        again = self.client.post(reverse("practices_imports:confirm", args=[run.pk]), follow=True)
        self.assertContains(again, "cannot be imported now: it is imported")
        self.assertEqual(PracticePage.objects.count(), 6)

        # The same file again: all unchanged in the dry run.
        response = self.send(upload(COLLECTION))
        self.assertContains(response, "0 created, 0 updated, 6 unchanged, 0 with errors")
        self.assertEqual(self.latest().status, PracticeImport.Status.UNCHANGED)
        self.assertContains(response, "there is nothing to import")
        self.assertNotContains(response, "Import these")

    def test_an_edited_export_of_the_curation_listing_updates_the_same_practices(self):
        self.send(upload(COLLECTION))
        self.client.post(reverse("practices_imports:confirm", args=[self.latest().pk]))
        export = self.client.get(reverse("curation:index"), {"export": "xlsx"})
        workbook = b"".join(export.streaming_content)
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(workbook))
        sheet = book.active
        headings = [cell.value for cell in sheet[1]]
        title = headings.index("title") + 1
        row = next(
            r
            for r in range(2, sheet.max_row + 1)
            if sheet.cell(r, title).value == "The Aarhus model"
        )
        sheet.cell(row, headings.index("start_year") + 1).value = 2008
        edited = BytesIO()
        book.save(edited)
        response = self.send(upload("practices.xlsx", edited.getvalue()))
        self.assertContains(response, "0 created, 1 updated, 5 unchanged, 0 with errors")
        self.assertContains(response, "Would be updated", count=1)
        self.client.post(reverse("practices_imports:confirm", args=[self.latest().pk]))
        aarhus = PracticePage.objects.get(title="The Aarhus model")
        self.assertEqual(aarhus.get_latest_revision_as_object().start_year, 2008)
        self.assertEqual(PracticePage.objects.count(), 6)

    def test_a_file_with_errors_lists_each_with_row_and_field_and_cannot_be_confirmed(self):
        rows = COLLECTION.read_text(encoding="utf-8-sig").splitlines()
        # Row 3 names a key theme the hub does not have and an impossible start year.
        header, first, second = rows[0], rows[1], rows[2]
        columns = header.split(",")
        import csv
        import io

        records = list(csv.DictReader(io.StringIO("\n".join(rows))))
        records[1]["start_year"] = "20x9"
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(records)
        before = db_state()
        response = self.send(upload("broken.csv", out.getvalue().encode()))
        run = self.latest()
        self.assertEqual(run.status, PracticeImport.Status.REJECTED)
        self.assertContains(response, "This file cannot be imported as it is")
        self.assertContains(response, "<code>start_year</code>")
        self.assertContains(response, "1 with errors")
        # The other rows show what they would have done.
        self.assertContains(response, "Would be created", count=5)
        self.assertNotContains(response, "Import these")
        self.assertEqual(bytes(run.content), b"")
        self.assertEqual(db_state(), before)
        confirm = self.client.post(reverse("practices_imports:confirm", args=[run.pk]), follow=True)
        self.assertContains(confirm, "cannot be imported now")
        self.assertEqual(db_state(), before)
        del first, second

    def test_a_file_that_is_not_json_says_where_it_breaks(self):
        response = self.send(upload("practices.json", b'[{"title": "x",'))
        self.assertEqual(self.latest().status, PracticeImport.Status.REJECTED)
        self.assertContains(response, "practices.json: is not valid JSON")
        self.assertContains(response, "cannot be imported as it is")

    def test_a_json_upload_with_unknown_terms_is_rejected_without_the_option(self):
        data = json.dumps([record(key_themes=["Nonexistent theme"], cities=[])]).encode()
        response = self.client.post(
            reverse("practices_imports:upload"),
            {"file": upload("one.json", data)},  # "create what the hub does not know" unticked
            follow=True,
        )
        self.assertContains(response, '<th scope="col">Record</th>')
        self.assertContains(response, "<code>key_themes</code>: unknown key theme")
        self.assertEqual(self.latest().status, PracticeImport.Status.REJECTED)

    def test_records_with_no_home_go_under_the_chosen_network(self):
        data = json.dumps([record(title="Homeless", networks=[], cities=[])]).encode()
        self.send(upload("one.json", data), default_network=self.ran.pk)
        self.client.post(reverse("practices_imports:confirm", args=[self.latest().pk]))
        self.assertEqual(PracticePage.objects.get(title="Homeless").get_parent().pk, self.ran.pk)


class UploadCheckTests(ImportScreenTestCase):
    @override_settings(PRACTICE_IMPORT_MAX_UPLOAD_MB=1)
    def test_too_large_an_upload_is_refused_with_the_limit(self):
        response = self.send(upload("big.json", b" " * 1_100_000))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "“big.json” is 1.1 MB; the most one upload takes is 1 MB.")
        self.assertFalse(PracticeImport.objects.exists())

    def test_other_kinds_of_file_and_empty_files_are_refused(self):
        for name, content, message in (
            ("notes.txt", b"hello", "is not a JSON, CSV or XLSX file"),
            ("empty.csv", b"", "The submitted file is empty."),
        ):
            with self.subTest(name=name):
                response = self.send(upload(name, content))
                self.assertContains(response, message)
        self.assertFalse(PracticeImport.objects.exists())

    def test_a_default_network_and_strict_together_are_refused(self):
        response = self.send(upload(COLLECTION), default_network=self.ran.pk, strict="on")
        self.assertContains(response, "not both")
        self.assertFalse(PracticeImport.objects.exists())


class WorkerTests(ImportScreenTestCase):
    def test_the_page_shows_the_worker_progress_and_the_real_worker_runs_both_steps(self):
        with self.settings(TASKS=DATABASE_QUEUE):
            response = self.send(upload(COLLECTION))
            run = self.latest()
            self.assertEqual(run.status, PracticeImport.Status.CHECKING)
            self.assertContains(response, "Waiting for the task worker to start")
            self.assertContains(response, 'data-import-progress="')
            status = self.client.get(reverse("practices_imports:status", args=[run.pk])).json()
            self.assertEqual((status["status"], status["running"]), ("checking", True))
            # What the worker writes as it goes is what the page and its script read.
            ProgressWriter(run.pk)("checking", 3, 6)
            self.assertContains(self.client.get(run.get_admin_url()), "Checking 3 of 6 records")
            status = self.client.get(reverse("practices_imports:status", args=[run.pk])).json()
            self.assertEqual((status["done"], status["total"]), (3, 6))

            run_worker()
            run.refresh_from_db()
            self.assertEqual(run.status, PracticeImport.Status.READY)
            status = self.client.get(reverse("practices_imports:status", args=[run.pk])).json()
            self.assertFalse(status["running"])

            self.client.post(reverse("practices_imports:confirm", args=[run.pk]))
            run.refresh_from_db()
            self.assertEqual(run.status, PracticeImport.Status.IMPORTING)
            self.assertContains(
                self.client.get(run.get_admin_url()), "Waiting for the task worker to start"
            )
            self.assertEqual(PracticePage.objects.count(), 0)
            run_worker()
            run.refresh_from_db()
            self.assertEqual(run.status, PracticeImport.Status.IMPORTED)
            self.assertEqual(PracticePage.objects.count(), 6)
            self.assertEqual(CityPage.objects.filter(title="Barcelona").count(), 1)

    def test_the_worker_reports_progress_of_both_stages(self):
        seen = []
        original = ProgressWriter.__call__

        def note(writer, stage, done, total):
            seen.append((stage, done, total))
            original(writer, stage, done, total)

        from unittest import mock

        with mock.patch.object(ProgressWriter, "__call__", note):
            self.send(upload(COLLECTION))
        self.assertIn(("checking", 6, 6), seen)
        self.assertIn(("writing", 6, 6), seen)
        self.assertEqual(caches["progress"].get(f"practices-import-{self.latest().pk}")["done"], 6)

    def test_an_unexpected_error_in_the_task_is_recorded_on_the_import(self):
        from unittest import mock

        with (
            mock.patch("practices.imports._run", side_effect=RuntimeError("disk full")),
            self.assertLogs("practices.imports", "ERROR"),
        ):
            response = self.send(upload(COLLECTION))
        run = self.latest()
        self.assertEqual(run.status, PracticeImport.Status.FAILED)
        self.assertContains(response, "stopped with an unexpected error; nothing was imported")
        self.assertNotContains(response, "disk full")  # the trace is for administrators


class ImportScreenLeakTests(LeakFixtures, ImportScreenTestCase):
    """The screen shows drafts' titles and the file's contact details: curators only."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_leak_fixtures()
        cls.member = UserFactory(username="member")
        cls.member.groups.set([Group.objects.get(name="Members")])
        leaky = [record(title="Draft practice walrus", contact={"email": SECRET_CONTACT})]
        cls.leaky_import = PracticeImport.objects.create(
            file_name="leaky.json",
            content=json.dumps(leaky).encode(),
            size=10,
            uploaded_by=cls.curator,
            status=PracticeImport.Status.READY,
            check_report={
                "counts": {"created": 1, "updated": 0, "unchanged": 0, "error": 0, "drafts": 1},
                "records": [
                    {
                        "number": 1,
                        "title": "Draft practice walrus",
                        "outcome": "created",
                        "reasons": ["Members-only practice zebra"],
                        "problems": [],
                        "duplicate": None,
                        "page_id": None,
                    }
                ],
            },
        )

    def test_visitors_members_and_city_editors_get_nothing_from_any_of_its_urls(self):
        urls = [
            ("get", reverse("practices_imports:index")),
            ("get", reverse("practices_imports:index_results")),
            ("get", reverse("practices_imports:upload")),
            ("get", reverse("practices_imports:detail", args=[self.leaky_import.pk])),
            ("get", reverse("practices_imports:status", args=[self.leaky_import.pk])),
            ("post", reverse("practices_imports:confirm", args=[self.leaky_import.pk])),
            ("post", reverse("practices_imports:upload")),
        ]
        for user in (None, self.member, self.editor):
            for method, url in urls:
                with self.subTest(user=user, url=url, method=method):
                    self.client.logout()
                    if user:
                        self.client.force_login(user)
                    response = getattr(self.client, method)(url)
                    # Sent to sign in, or (signed in) refused: Wagtail sends them home.
                    self.assertEqual(response.status_code, 302)
                    self.assertNotIn("/imports/", urlsplit(response["Location"]).path)
                    followed = self.client.get(response["Location"])
                    for content in (response.content, followed.content):
                        self.assertNotIn(b"leaky.json", content)
                        self.assert_nothing_leaked(content)
        self.leaky_import.refresh_from_db()
        self.assertEqual(self.leaky_import.status, PracticeImport.Status.READY)  # not confirmed
        self.assertEqual(PracticeImport.objects.count(), 1)  # no upload accepted
        self.assertEqual(PracticePage.objects.filter(title="Draft practice walrus").count(), 1)

    def test_the_menu_item_is_shown_to_curators_only(self):
        url = reverse("practices_imports:index")
        self.client.force_login(self.editor)
        self.assertNotContains(self.client.get(reverse("wagtailadmin_home")), url)
        self.client.force_login(self.curator)
        self.assertContains(self.client.get(reverse("wagtailadmin_home")), url)
        self.assertContains(self.client.get(url), "leaky.json")
