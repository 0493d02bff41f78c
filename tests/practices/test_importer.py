"""manage.py import_practices: the happy path, re-imports, curation drafts and bad files."""

import copy
import csv
import datetime
import io
import json
from io import StringIO

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook
from wagtail.models import Page, PageLogEntry, PageViewRestriction, Revision

from practices.models import (
    CityPage,
    FundingProgramme,
    KeyTheme,
    NetworkIndexPage,
    NetworkPage,
    OrganisationType,
    PracticePage,
    PracticeTag,
    TargetAudience,
    UnfiledPracticesPage,
)
from tests.factories import NetworkPageFactory, UserFactory

FULL_RECORD = {
    "title": "Building a sustainable online prevention P/CVE approach",
    "description": "<p>An online branch of the local approach to preventing violent extremism.</p>",
    "key_themes": ["Internet and radicalisation", "Local strategies/cities"],
    "target_audiences": ["Authorities", "Online community"],
    "cities": [{"name": "Mechelen", "country": "BE"}, {"name": "Vilvoorde", "country": "Belgium"}],
    "countries": ["BE", "Netherlands"],
    "regions": ["Flanders"],
    "networks": ["RAN"],
    "start_year": 2020,
    "end_year": None,
    "deliverables": "A white book.\n\nAn ethical framework.",
    "evidence_and_evaluation": "<p>A 2019 pilot.</p>",
    "evaluation_type": "internal",
    "peer_reviewed": True,
    "sustainability_and_transferability": "<p>Transfers to other local governments.</p>",
    "presented_at": [
        {"name": "RAN LOCAL online meeting", "date": "2021-05-27", "place": "Online", "subject": "Online P/CVE"}
    ],
    "eu_funding": "No.",
    "funding_programmes": ["ISF-Police"],
    "organisation": {"name": "City of Mechelen", "description": "A municipality.", "type": "Governmental institution"},
    "country_of_origin": "BE",
    "contact": {"name": "A. Contact", "email": "contact@example.org", "phone": "+32 15 00 00 00",
                "website": "www.example.org", "address": "Grote Markt 21", "public": False},
    "last_update_year": 2021,
    "tags": ["online outreach", "gaming"],
    "language": "en",
    "source_url": None,
}  # fmt: skip


def record(**changes):
    """A complete, valid record with some fields changed."""
    data = copy.deepcopy(FULL_RECORD)
    data.update(changes)
    return data


def db_state():
    """Everything an import may change, to prove a failed import changed nothing."""
    return {
        "pages": sorted(Page.objects.values_list("id", "title", "live", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "log": PageLogEntry.objects.count(),
        "terms": [m.objects.count() for m in (KeyTheme, TargetAudience, OrganisationType, FundingProgramme)],
        "tags": PracticeTag.objects.count(),
    }  # fmt: skip


class ImporterTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ran = NetworkPageFactory(title="Radicalisation Awareness Network", short_name="RAN")

    def write(self, content, name="practices.json"):
        path = self.tmp / name
        path.write_text(
            content if isinstance(content, str) else json.dumps(content), encoding="utf-8"
        )
        return str(path)

    def setUp(self):
        import tempfile
        from pathlib import Path

        self._dir = tempfile.TemporaryDirectory()
        self.tmp = Path(self._dir.name)

    def tearDown(self):
        self._dir.cleanup()

    def run_import(self, path, *args):
        """Run the command; return (stdout, stderr)."""
        out, err = StringIO(), StringIO()
        call_command("import_practices", path, *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def assert_rejected(self, content, *expected_lines, options=()):
        """The import fails, says each expected line, and leaves the database as it was."""
        path = self.write(content)
        before = db_state()
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("import_practices", path, *options, stdout=StringIO(), stderr=err)
        for line in expected_lines:
            # Whole lines start with the file name; field-only fragments are matched anywhere.
            starts_line = line.startswith(("record ", "is not valid", "must hold", "holds "))
            self.assertIn(f"{path}: {line}" if starts_line else line, err.getvalue())
        self.assertIn("nothing changed", err.getvalue())
        self.assertEqual(db_state(), before)
        return err.getvalue()


class HappyPathTests(ImporterTestCase):
    def test_a_complete_record_becomes_a_live_practice_with_every_field(self):
        out, _ = self.run_import(self.write([record()]))
        self.assertIn("1 created, 0 updated, 0 unchanged", out)
        self.assertIn("new city: Mechelen (BE)", out)
        page = PracticePage.objects.get()
        self.assertTrue(page.live)
        self.assertEqual(page.get_parent().specific, CityPage.objects.get(title="Mechelen"))
        self.assertEqual(
            sorted(page.key_themes.values_list("label", flat=True)),
            ["Internet and radicalisation", "Local strategies/cities"],
        )
        self.assertEqual(
            sorted(page.target_audiences.values_list("label", flat=True)),
            ["Authorities", "Online community"],
        )
        self.assertEqual(
            sorted(page.cities.values_list("title", flat=True)), ["Mechelen", "Vilvoorde"]
        )
        self.assertEqual(CityPage.objects.get(title="Vilvoorde").country.code, "BE")
        self.assertEqual([c.code for c in page.countries], ["BE", "NL"])
        self.assertEqual(page.regions, "Flanders")
        self.assertEqual(page.start_year, 2020)
        self.assertEqual(page.deliverables, "<p>A white book.</p><p>An ethical framework.</p>")
        self.assertEqual(page.evaluation_type, "internal")
        self.assertTrue(page.peer_reviewed)
        meeting = page.presented_at.get()
        self.assertEqual(
            (meeting.name, str(meeting.date), meeting.place),
            ("RAN LOCAL online meeting", "2021-05-27", "Online"),
        )
        self.assertEqual(page.eu_funding, "<p>No.</p>")
        self.assertEqual(
            list(page.funding_programmes.values_list("label", flat=True)), ["ISF-Police"]
        )
        self.assertEqual(page.organisation_name, "City of Mechelen")
        self.assertEqual(page.organisation_type.label, "Governmental institution")
        self.assertEqual(page.country_of_origin.code, "BE")
        self.assertEqual(page.contact_email, "contact@example.org")
        self.assertEqual(page.contact_website, "https://www.example.org")
        self.assertFalse(page.contact_consent)
        self.assertEqual(page.last_update_year, 2021)
        self.assertEqual(sorted(page.tags.names()), ["gaming", "online outreach"])
        self.assertEqual(list(page.networks.all()), [self.ran])
        self.assertTrue(PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists())

    def test_an_empty_evaluation_stays_unknown_and_none_is_kept(self):
        self.run_import(
            self.write(
                [
                    record(title="Unknown", evaluation_type=None),
                    record(title="Blank", evaluation_type="  "),
                    record(title="Not evaluated", evaluation_type="none"),
                ]
            )
        )
        evaluations = dict(PracticePage.objects.values_list("title", "evaluation_type"))
        self.assertEqual(evaluations, {"Unknown": "", "Blank": "", "Not evaluated": "none"})

    def test_a_record_without_a_city_is_filed_under_its_first_network(self):
        self.run_import(self.write([record(cities=[], title="Family counselling")]))
        page = PracticePage.objects.get(title="Family counselling")
        self.assertEqual(page.get_parent().specific, self.ran)
        self.assertIsNone(page.owning_city)

    def test_a_record_with_neither_city_nor_network_uses_the_default_network(self):
        other = NetworkPageFactory(short_name="Efus")
        self.run_import(self.write([record(cities=[], networks=[])]), "--default-network", "Efus")
        self.assertEqual(PracticePage.objects.get().get_parent().specific, other)

    def test_countries_may_be_english_names(self):
        self.run_import(
            self.write([record(countries=["Germany", "fr"], country_of_origin="Belgium")])
        )
        page = PracticePage.objects.get()
        self.assertEqual([c.code for c in page.countries], ["DE", "FR"])
        self.assertEqual(page.country_of_origin.code, "BE")

    def test_html_is_sanitised_to_the_editor_features(self):
        dirty = (
            '<p onclick="steal()">Safe <script>alert(1)</script><strong>bold</strong>'
            '<a href="javascript:alert(1)">bad link</a> <a href="https://ok.example">good</a></p>'
            "<h1>Heading</h1><img src=x onerror=alert(1)><style>p{}</style>"
        )
        self.run_import(self.write([record(description=dirty)]))
        stored = PracticePage.objects.get().description
        for forbidden in (
            "script",
            "alert",
            "onclick",
            "javascript",
            "<img",
            "<h1",
            "style",
            "p{}",
        ):
            self.assertNotIn(forbidden, stored)
        self.assertIn("<b>bold</b>", stored)
        self.assertIn('<a href="https://ok.example">good</a>', stored)
        self.assertIn("Heading", stored)

    def test_presentations_link_to_the_event_page_of_the_same_name_and_date(self):
        from tests.factories import EventPageFactory

        event = EventPageFactory(
            title="RAN LOCAL online meeting", date="2021-05-27", parent=self.ran
        )
        self.run_import(self.write([record()]))
        self.assertEqual(PracticePage.objects.get().presented_at.get().event, event)

    def test_progress_is_shown_for_files_with_many_records(self):
        records = [record(title=f"Practice number {n}") for n in range(25)]
        _, err = self.run_import(self.write(records))
        self.assertIn("25/25", err)
        self.assertEqual(PracticePage.objects.count(), 25)


class ReimportTests(ImporterTestCase):
    def test_importing_the_same_file_twice_changes_nothing_the_second_time(self):
        path = self.write([record(), record(title="Second practice", cities=[])])
        self.run_import(path)
        before = db_state()
        out, _ = self.run_import(path)
        self.assertIn("0 created, 0 updated, 2 unchanged", out)
        self.assertEqual(db_state(), before)

    def test_a_changed_record_updates_the_same_page(self):
        self.run_import(self.write([record()]))
        page_id = PracticePage.objects.get().pk
        out, _ = self.run_import(
            self.write([record(description="<p>Rewritten.</p>", tags=["new"])])
        )
        self.assertIn("0 created, 1 updated", out)
        page = PracticePage.objects.get()
        self.assertEqual(page.pk, page_id)
        self.assertEqual(page.description, "<p>Rewritten.</p>")
        self.assertEqual(list(page.tags.names()), ["new"])

    def test_a_record_with_a_source_url_matches_on_it_even_when_renamed(self):
        url = "https://home-affairs.ec.europa.eu/practice/42"
        self.run_import(self.write([record(source_url=url)]))
        self.run_import(self.write([record(source_url=url, title="A new name")]))
        self.assertEqual(PracticePage.objects.get().title, "A new name")

    def test_same_title_in_another_city_is_another_practice(self):
        self.run_import(self.write([record()]))
        self.run_import(self.write([record(cities=[{"name": "Ghent", "country": "BE"}])]))
        self.assertEqual(PracticePage.objects.count(), 2)


class CurationTests(ImporterTestCase):
    def test_an_incomplete_record_is_imported_as_a_draft_and_listed(self):
        out, _ = self.run_import(self.write([record(key_themes=["Formers"], target_audiences=[])]))
        self.assertIn(
            "needs curation: Choose exactly 2 key themes (1 chosen).; Choose at least one target audience.",
            out,
        )
        page = PracticePage.objects.get()
        self.assertFalse(page.live)
        self.assertEqual(self.client.get(f"/cities/mechelen/{page.slug}/").status_code, 404)

    def test_drafts_option_imports_everything_as_drafts(self):
        out, _ = self.run_import(self.write([record()]), "--drafts")
        self.assertIn("needs curation: imported with --drafts", out)
        self.assertFalse(PracticePage.objects.get().live)

    def test_add_missing_terms_creates_them_with_the_record_network_as_source(self):
        out, _ = self.run_import(
            self.write(
                [record(key_themes=["Urban security", "Formers"], funding_programmes=["Interreg"])]
            ),
            "--add-missing-terms",
        )
        self.assertIn('new vocabulary term: key theme "Urban security"', out)
        theme = KeyTheme.objects.get(label="Urban security")
        self.assertEqual(theme.source_network.specific, self.ran)
        self.assertEqual(theme.slug, "urban-security")
        self.assertTrue(FundingProgramme.objects.filter(label="Interreg").exists())
        self.assertTrue(PracticePage.objects.get().live)


class BadFileTests(ImporterTestCase):
    def test_malformed_json(self):
        self.assert_rejected(
            '[{"title": "Broken",}]',
            "is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 21.",
        )

    def test_a_file_that_is_not_a_list_of_records(self):
        self.assert_rejected('"just text"', "must hold a JSON list of practice objects.")
        self.assert_rejected("[]", "holds no records.")
        self.assert_rejected("[42]", "record 1: record: must be a JSON object, not int.")

    def test_missing_required_field(self):
        bad = record()
        del bad["title"]
        self.assert_rejected([record(title="Fine"), bad], "record 2: title: is required.")

    def test_unknown_theme(self):
        self.assert_rejected(
            [record(key_themes=["Astrology", "Formers"])],
            f'record 1 ("{FULL_RECORD["title"]}"): key_themes: unknown key theme "Astrology". '
            "Add it to the vocabulary first, or import with --add-missing-terms.",
        )

    def test_bad_year(self):
        self.assert_rejected(
            [record(start_year="twenty twenty")],
            f"record 1 (\"{FULL_RECORD['title']}\"): start_year: must be a year such as 2021, not 'twenty twenty'.",
        )
        self.assert_rejected(
            [record(start_year=2020, end_year=2019)],
            f'record 1 ("{FULL_RECORD["title"]}"): end_year: 2019 is before the start year 2020.',
        )

    def test_years_have_the_editors_bounds_1950_to_next_year(self):
        next_year = datetime.date.today().year + 1
        self.assert_rejected(
            [record(last_update_year=1066)],
            f"last_update_year: 1066 is not a year from 1950 to {next_year}.",
        )
        self.assert_rejected(
            [record(start_year=1949)],
            f"start_year: 1949 is not a year from 1950 to {next_year}.",
        )
        self.assert_rejected(
            [record(end_year=next_year + 1)],
            f"end_year: {next_year + 1} is not a year from 1950 to {next_year}.",
        )
        self.run_import(self.write([record(start_year=1950, end_year=next_year)]))
        page = PracticePage.objects.get()
        self.assertEqual((page.start_year, page.end_year), (1950, next_year))

    def test_unknown_country(self):
        self.assert_rejected(
            [record(countries=["BE", "Atlantis"])],
            f"record 1 (\"{FULL_RECORD['title']}\"): countries[2]: 'Atlantis' is not an ISO 3166 country code or English country name.",
        )

    def test_a_record_that_fails_halfway_through_the_file_leaves_nothing_behind(self):
        good = [
            record(title=f"Good {n}", cities=[{"name": f"New city {n}", "country": "NL"}])
            for n in range(2)
        ]
        err = self.assert_rejected(
            [
                *good,
                record(title="Bad", organisation={"name": "X", "type": "Secret society"}),
                record(title="Good 3"),
            ],
            'record 3 ("Bad"): organisation.type: unknown organisation type "Secret society".',
        )
        self.assertFalse(CityPage.objects.filter(title__startswith="New city").exists())
        self.assertNotIn("record 1", err)

    def test_every_problem_is_reported_at_once(self):
        self.assert_rejected(
            [
                record(title="One", contact={"email": "not-an-email"}),
                record(title="Two", evaluation_type="peer"),
            ],
            "record 1 (\"One\"): contact.email: 'not-an-email' is not a valid email address.",
            'record 2 ("Two"): evaluation_type: must be one of none, internal, external or empty '
            "(not known yet), not 'peer'.",
        )

    def test_a_misspelt_field_is_an_error_not_silently_dropped(self):
        self.assert_rejected(
            [record(key_theme=["Formers"])],
            "key_theme: is not a field of the interchange format (a typo?).",
        )

    def test_unknown_network_and_no_place_to_file_the_record(self):
        self.assert_rejected(
            [record(networks=["Nope"])],
            'networks: unknown network "Nope". Create its page first, or import with '
            "--add-missing-terms (it is then created as a draft).",
        )
        self.assert_rejected(
            [record(cities=[], networks=[])],
            "cities: a record needs an owning city or a network to be filed under (import with "
            "--default-network, or without --strict to file it under Unfiled practices).",
            options=["--strict"],
        )

    def test_a_new_city_needs_a_country(self):
        self.assert_rejected(
            [record(cities=[{"name": "Atlantis"}])],
            'cities[1].country: is needed to create the new city "Atlantis".',
        )

    def test_the_same_practice_twice_in_one_file(self):
        self.assert_rejected([record(), record()], "duplicates record 1 of this file.")

    def test_a_missing_file(self):
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "import_practices", "/nonexistent/file.json", stdout=StringIO(), stderr=err
            )
        self.assertIn("/nonexistent/file.json: the file does not exist.", err.getvalue())

    def test_a_good_file_still_imports_when_another_fails(self):
        good, bad = self.write([record()], "good.json"), self.write("{", "bad.json")
        err = StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command("import_practices", good, bad, stdout=StringIO(), stderr=err)
        self.assertIn("1 of 2 file(s) not imported", str(raised.exception))
        self.assertEqual(PracticePage.objects.count(), 1)
        self.assertEqual(NetworkPage.objects.count(), 1)


class NewHomesTests(ImporterTestCase):
    """A collection moves in whole: networks the hub does not know become draft network
    pages, and records with no city or network wait in Unfiled practices."""

    def collection(self):
        """Two records of a network the hub does not know (one with no city), one with
        neither a city nor a network, and one of a known network."""
        return [
            record(title="Anti-rumour strategy", networks=["Intercultural Cities"],
                   cities=[{"name": "Barcelona", "country": "ES"}]),
            record(title="Rumour-busting agents training", networks=["Intercultural Cities"],
                   cities=[]),
            record(title="Extreme Dialogue", networks=[], cities=[]),
            record(title="Family counselling", cities=[]),
        ]  # fmt: skip

    def test_a_collection_with_unknown_networks_and_homeless_records_imports_in_one_go(self):
        out, err = self.run_import(self.write(self.collection()), "--add-missing-terms")
        self.assertEqual(err, "")
        self.assertIn("4 created, 0 updated, 0 unchanged.", out)
        self.assertEqual(out.count("new network: Intercultural Cities (draft, needs curation)"), 1)
        self.assertIn(
            '"Extreme Dialogue" saved as a draft, needs curation: no owning city or network', out
        )
        network = NetworkPage.objects.get(title="Intercultural Cities")
        self.assertFalse(network.live)
        self.assertEqual(network.get_parent().specific_class, NetworkIndexPage)
        # Practices may be filed under the draft network and are published as usual.
        filed = PracticePage.objects.get(title="Rumour-busting agents training")
        self.assertEqual((filed.get_parent().specific, filed.live), (network, True))
        self.assertEqual(
            list(PracticePage.objects.get(title="Anti-rumour strategy").networks.all()), [network]
        )
        homeless = PracticePage.objects.get(title="Extreme Dialogue")
        unfiled = homeless.get_parent().specific
        self.assertIsInstance(unfiled, UnfiledPracticesPage)
        self.assertFalse(homeless.live)
        self.assertFalse(unfiled.live)
        restriction = PageViewRestriction.objects.get(page=unfiled)
        self.assertEqual([g.name for g in restriction.groups.all()], ["Curators"])

        again, _err = self.run_import(self.write(self.collection()), "--add-missing-terms")
        self.assertIn("0 created, 0 updated, 4 unchanged.", again)
        self.assertNotIn("new network", again)
        self.assertEqual(NetworkPage.objects.filter(title="Intercultural Cities").count(), 1)

    def test_a_curator_moves_an_unfiled_practice_and_a_reimport_leaves_it_there(self):
        path = self.write([record(title="Extreme Dialogue", networks=[], cities=[])])
        self.run_import(path)
        practice = PracticePage.objects.get(title="Extreme Dialogue")
        practice.move(self.ran, pos="last-child")
        out, _err = self.run_import(path)
        self.assertIn("0 created, 0 updated, 1 unchanged.", out)
        practice.refresh_from_db()
        self.assertEqual(practice.get_parent().specific, self.ran)
        self.assertEqual(PracticePage.objects.count(), 1)

    def test_dry_run_reports_what_an_import_would_do_and_writes_nothing(self):
        before = db_state()
        networks = NetworkPage.objects.count()
        out, err = self.run_import(
            self.write(self.collection()), "--add-missing-terms", "--dry-run"
        )
        self.assertEqual(err, "")
        self.assertIn("dry run, nothing written; would be 4 created, 0 updated, 0 unchanged.", out)
        self.assertIn("new network: Intercultural Cities (draft, needs curation)", out)
        self.assertIn("new city: Barcelona (ES)", out)
        self.assertIn("needs curation: no owning city or network", out)
        self.assertEqual(db_state(), before)
        self.assertEqual(NetworkPage.objects.count(), networks)
        self.assertFalse(UnfiledPracticesPage.objects.exists())
        self.assertFalse(CityPage.objects.filter(title="Barcelona").exists())

    def test_a_dry_run_of_a_bad_file_lists_its_problems_and_fails(self):
        self.assert_rejected(
            [record(networks=["Nope"])], 'unknown network "Nope"', options=["--dry-run"]
        )

    def test_the_example_collection_goes_in_with_one_command_and_again_unchanged(self):
        for name in ("collection.json", "collection.csv"):
            with self.subTest(name=name):
                sid = transaction.savepoint()
                self.import_example(str(settings.BASE_DIR / "fixtures" / "import" / name))
                transaction.savepoint_rollback(sid)

    def import_example(self, path):
        """The example collection imports in one go, then again unchanged."""
        out, err = self.run_import(path, "--add-missing-terms")
        self.assertEqual(err, "")
        self.assertIn("6 created, 0 updated, 0 unchanged.", out)
        self.assertIn("new network: Council of Europe Intercultural Cities (draft", out)
        self.assertEqual(out.count("needs curation: no owning city or network"), 2)
        again, err = self.run_import(path, "--add-missing-terms")
        self.assertEqual(
            (err, again.splitlines()[0]), ("", f"{path}: 0 created, 0 updated, 6 unchanged.")
        )


class SpreadsheetTests(ImporterTestCase):
    """CSV and XLSX in the documented layout: the same checks, row numbers, and a round trip
    through the curation listing's export."""

    HEADINGS = ["title", "description", "key_themes", "target_audiences", "cities", "networks",
                "country_of_origin", "peer_reviewed", "contact.email", "contact.public",
                "presented_at", "start_year"]  # fmt: skip

    def row(self, **changes):
        """A complete row (by heading) with some cells changed."""
        row = {
            "title": "Building a sustainable online prevention P/CVE approach",
            "description": "An online branch of the local approach.",
            "key_themes": "Internet and radicalisation | Local strategies/cities",
            "target_audiences": "Authorities",
            "cities": "Mechelen (BE) | Vilvoorde (BE)",
            "networks": "RAN",
            "country_of_origin": "BE",
            "peer_reviewed": "yes",
            "contact.email": "contact@example.org",
            "contact.public": "no",
            "presented_at": "RAN LOCAL online meeting; 2021-05-27; Online; Online P/CVE",
            "start_year": "2020",
        }
        row.update(changes)
        return row

    def write_csv(self, rows, headings=None, name="practices.csv"):
        headings = headings or self.HEADINGS
        path = self.tmp / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headings)
            for row in rows:
                writer.writerow([row.get(heading, "") for heading in headings])
        return str(path)

    def write_xlsx(self, rows, name="practices.xlsx"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(self.HEADINGS)
        for row in rows:
            sheet.append([row.get(heading) for heading in self.HEADINGS])
        path = self.tmp / name
        workbook.save(path)
        return str(path)

    def test_a_csv_row_becomes_a_practice_with_every_column_read(self):
        out, _err = self.run_import(self.write_csv([self.row()]))
        self.assertIn("1 created", out)
        page = PracticePage.objects.get()
        self.assertTrue(page.live)
        self.assertEqual(
            sorted(t.label for t in page.key_themes.all()),
            ["Internet and radicalisation", "Local strategies/cities"],
        )
        self.assertEqual([c.title for c in page.cities.all()], ["Mechelen", "Vilvoorde"])
        self.assertEqual(page.get_parent().title, "Mechelen")
        self.assertTrue(page.peer_reviewed)
        self.assertFalse(page.contact_consent)
        self.assertEqual(page.start_year, 2020)
        presentation = page.presented_at.get()
        self.assertEqual(
            (presentation.name, presentation.date.isoformat(), presentation.place),
            ("RAN LOCAL online meeting", "2021-05-27", "Online"),
        )

    def test_an_empty_evaluation_cell_stays_unknown(self):
        headings = [*self.HEADINGS, "evaluation_type"]
        self.run_import(
            self.write_csv(
                [
                    self.row(evaluation_type=""),
                    self.row(title="Evaluated", evaluation_type="external"),
                ],
                headings=headings,
            )
        )
        evaluations = dict(PracticePage.objects.values_list("title", "evaluation_type"))
        self.assertEqual(evaluations[self.row()["title"]], "")
        self.assertEqual(evaluations["Evaluated"], "external")

    def test_a_year_outside_the_editors_bounds_names_the_row(self):
        path = self.write_csv([self.row(), self.row(title="Old", start_year="1900")])
        self.assert_rejected_file(
            path,
            f'{path}: row 3 ("Old"): start_year: 1900 is not a year from 1950 to '
            f"{datetime.date.today().year + 1}.",
        )

    def test_an_xlsx_sheet_imports_alike_numbers_and_all(self):
        out, _err = self.run_import(
            self.write_xlsx([self.row(start_year=2020, peer_reviewed=True)])
        )
        self.assertIn("1 created", out)
        page = PracticePage.objects.get()
        self.assertEqual((page.start_year, page.peer_reviewed), (2020, True))

    def test_problems_name_the_row_as_a_spreadsheet_program_numbers_it(self):
        path = self.write_csv([self.row(), self.row(title="Second", key_themes="Astrology")])
        self.assert_rejected_file(
            path,
            f'{path}: row 3 ("Second"): key_themes: unknown key theme "Astrology".',
        )
        path = self.write_csv([self.row(peer_reviewed="perhaps")])
        self.assert_rejected_file(
            path, f"{path}: row 2 (\"Building a sustainable online prevention P/CVE approach\"): "
            "peer_reviewed: must be true or false, not 'perhaps'."
        )  # fmt: skip

    def test_a_sheet_that_is_not_in_the_layout_changes_nothing(self):
        cases = [
            (self.write_csv([self.row()], headings=["title", "key_theme"], name="typo.csv"),
             "column 'key_theme' is not in the spreadsheet layout (a typo?)"),
            (self.write_csv([self.row()], headings=["name"], name="untitled.csv"),
             "column 'name' is not in the spreadsheet layout"),
            (self.write_csv([], name="empty.csv"), "holds no records"),
            (self.write("not a zip", name="broken.xlsx"), "is not a readable XLSX workbook"),
        ]  # fmt: skip
        for path, message in cases:
            with self.subTest(path=path):
                self.assert_rejected_file(path, message)

    def assert_rejected_file(self, path, message):
        """Importing `path` fails, says `message` and changes nothing."""
        before = db_state()
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("import_practices", path, stdout=StringIO(), stderr=err)
        self.assertIn(message, err.getvalue())
        self.assertEqual(db_state(), before)

    def export(self, export_format):
        """The curation listing's export, as a curator downloads it."""
        curator = UserFactory(username=f"curator-{export_format}")
        curator.groups.set([Group.objects.get(name="Curators")])
        self.client.force_login(curator)
        response = self.client.get(reverse("curation:index"), {"export": export_format})
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content)

    def test_an_export_edited_in_a_spreadsheet_updates_the_same_pages(self):
        self.run_import(self.write([record(), record(title='=HYPERLINK("http://x")', cities=[])]))
        first = PracticePage.objects.get(title=FULL_RECORD["title"])
        exported = self.export("csv").decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(exported)))
        self.assertIn(rows[0]["status"], ("live", "stale", "never reviewed"))
        by_title = {row["title"]: row for row in rows}
        # A formula-like title is quoted for spreadsheet programs, and read back without.
        self.assertIn('\'=HYPERLINK("http://x")', by_title)
        edited = by_title[FULL_RECORD["title"]]
        edited["deliverables"] = "A white book.\n\nAn ethical framework.\n\nA toolkit."
        path = self.tmp / "edited.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        out, err = self.run_import(str(path))
        self.assertEqual(err, "")
        self.assertIn("0 created", out)
        page = PracticePage.objects.get(pk=first.pk)
        self.assertIn("A toolkit.", page.deliverables)
        self.assertEqual(sorted(c.title for c in page.cities.all()), ["Mechelen", "Vilvoorde"])
        self.assertEqual(page.get_parent().pk, first.get_parent().pk)
        self.assertEqual(PracticePage.objects.count(), 2)
        self.assertTrue(PracticePage.objects.filter(title='=HYPERLINK("http://x")').exists())
        # The XLSX export imports back onto the same pages too, and a second time unchanged.
        xlsx = self.tmp / "export.xlsx"
        xlsx.write_bytes(self.export("xlsx"))
        self.run_import(str(xlsx))
        again, _err = self.run_import(str(xlsx))
        self.assertIn("0 created, 0 updated, 2 unchanged.", again)
        self.assertEqual(PracticePage.objects.count(), 2)


class PossibleDuplicateTests(ImporterTestCase):
    """A practice another source already listed is imported and flagged, never merged."""

    @staticmethod
    def real(title):
        """A real practice of the relevance set, as an interchange record."""
        practices = json.loads((settings.BASE_DIR / "bench/relevance/practices.json").read_text())
        return next(p for p in practices if p["title"] == title)

    def test_a_second_listing_of_a_practice_is_flagged_for_curators(self):
        self.run_import(self.write([self.real("EXIT-Deutschland"),
                                    self.real("EXIT Sweden (Fryshuset)")]))  # fmt: skip
        original = PracticePage.objects.get(title="EXIT-Deutschland")
        listings = json.loads((settings.BASE_DIR / "bench/duplicates/listings.json").read_text())
        listing = next(item for item in listings if item["of"] == "EXIT-Deutschland")
        second = {
            **self.real("EXIT-Deutschland"),
            "title": listing["title"],
            "description": listing["description"],
            "networks": ["RAN"],
            "cities": [],
        }
        path = self.write([second], name="second.json")
        out, err = self.run_import(path)
        self.assertEqual(err, "")
        self.assertIn(
            f'"{listing["title"]}" is a possible duplicate of "EXIT-Deutschland" '
            f"(page {original.pk}): imported and flagged for curators, not merged",
            out,
        )
        flagged = PracticePage.objects.get(title=listing["title"])
        self.assertEqual(flagged.possible_duplicate_of, original)
        self.assertEqual(PracticePage.objects.count(), 3)  # nothing merged
        # The other EXIT programme, alike in name and theme, is not a duplicate.
        self.assertIsNone(
            PracticePage.objects.get(title="EXIT Sweden (Fryshuset)").possible_duplicate_of
        )
        self.assertIsNone(original.possible_duplicate_of)
        # A re-import is the same practice, not a duplicate of itself.
        again, _err = self.run_import(path)
        self.assertIn("1 unchanged", again)
        self.assertNotIn("possible duplicate", again)
        # Curators see it in the curation listing.
        curator = UserFactory(username="curator")
        curator.groups.set([Group.objects.get(name="Curators")])
        self.client.force_login(curator)
        listing_page = self.client.get(reverse("curation:index")).content.decode()
        self.assertIn("Possible duplicate of", listing_page)
        row = listing_page[listing_page.index(listing["title"]) :]
        self.assertIn("EXIT-Deutschland", row[: row.index("</tr>")])
