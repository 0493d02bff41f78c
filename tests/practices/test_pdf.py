"""PDF sheets, factsheets and bundles, read back with pdftotext/pypdf (docs/pdf.md)."""

import io
import re
import threading
from html import unescape
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from pathlib import Path

import wagtail_factories
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import Page, PageViewRestriction

from practices.models import (
    CityPage,
    KeyTheme,
    PracticePage,
    PracticePresentation,
    PracticeTag,
)
from practices.sheets import render
from practices.sheets.fetcher import StorageFetcher
from practices.sheets.render import SHEET_TEMPLATES
from practices.sheets.views import bundle_response
from tests.factories import (
    NetworkPageFactory,
    PracticePageFactory,
    UserFactory,
)

from .pdf_helpers import assert_in_order, count_renders, outline, page_texts, pdf_text
from .test_demo_data import RAN_HEADINGS, load

MECHELEN_PRACTICE = RAN_HEADINGS[0]
HIDDEN_EMAIL = "hidden.contact@example.org"
BUNDLE_URL = "/sheets/bundle/"


def publish(page, **changes):
    """Apply `changes` to `page` and publish them as a new revision, as an editor would."""
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def members_group():
    """The Members group (setup_roles creates it after migrate; make sure either way)."""
    group, _created = Group.objects.get_or_create(name="Members")
    return group


def restrict_to_members(page):
    """Make `page` members-only with a Wagtail page view restriction."""
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(members_group())


def member():
    """A signed-in practitioner in the Members group."""
    user = UserFactory()
    user.groups.add(members_group())
    return user


def sheet_url(page):
    """The URL of a practice's sheet or a city's factsheet, as its page links to it."""
    page = page.specific
    return page.factsheet_url if isinstance(page, CityPage) else page.sheet_url


class MechelenSheetTests(TestCase):
    """The demo practice's sheet: every RAN field in order, header, footer, metadata."""

    @classmethod
    def setUpTestData(cls):
        load()
        cls.page = PracticePage.objects.get(title=MECHELEN_PRACTICE)

    def setUp(self):
        self.response = self.client.get(sheet_url(self.page))
        self.pdf = self.response.getvalue()

    def test_the_sheet_is_a_pdf_download_named_after_the_slug(self):
        self.assertEqual(self.response.status_code, 200)
        self.assertEqual(self.response["Content-Type"], "application/pdf")
        self.assertTrue(self.pdf.startswith(b"%PDF-"))
        self.assertEqual(
            self.response["Content-Disposition"],
            'attachment; filename="building-a-sustainable-online-prevention-pcve-approach.pdf"',
        )

    def test_the_page_links_to_its_sheet(self):
        html = self.client.get(self.page.url).content.decode()
        self.assertIn(f'href="{sheet_url(self.page)}"', html)
        self.assertIn("Download practice sheet (PDF)", html)

    def test_the_bookmarks_are_the_ran_headings_of_the_html_page_in_order(self):
        html = self.client.get(self.page.url).content.decode()
        article = html.split('<article class="practice"', 1)[1].split("</article>", 1)[0]
        # The page's key-facts box repeats fields in short; the sheet has it on page one
        # without a bookmark, so only the RAN sections are compared.
        html_headings = [
            re.sub(r"\s+", " ", heading).strip()
            for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", article, re.S)
            if "Key facts" not in heading
        ]
        entries = outline(self.pdf)
        self.assertEqual(entries[0], (1, MECHELEN_PRACTICE))
        sections = [title for level, title in entries if level == 2]
        self.assertEqual(sections, RAN_HEADINGS[1:])
        self.assertEqual(sections, html_headings)

    def test_every_heading_and_its_text_appear_in_ran_order(self):
        assert_in_order(
            self,
            pdf_text(self.pdf),
            [
                MECHELEN_PRACTICE,
                "Description", "online branch of its local approach", "New tools",
                "Key themes", "Internet and radicalisation", "Local strategies/cities",
                "Target audience", "Authorities", "First responders or practitioners",
                "Online community",
                "Geographical scope", "Mechelen", "Belgium",
                "Start of the practice", "Started in 2020.",
                "Deliverables", "white book",
                "Evidence and evaluation", "2019 pilot", "Evidence: Not yet evaluated",
                "The evidence badge repeats what the practice's own team reported",
                "Sustainability and transferability", "other local governments",
                "Presented and discussed in a network meeting", "RAN LOCAL", "27 May 2021",
                "Subject: Online P/CVE",
                "Linked to other EU initiatives or EU funding", "No.",
                "Organisation", "City of Mechelen", "is a local government",
                "Type of organisation", "Governmental institution",
                "Country of origin", "Belgium",
                "Contact details", "has not agreed to be listed publicly",
                "Last update", "2021",
                "Peer reviewed", "No",
                "Listed by: RAN",
            ],
        )  # fmt: skip

    def test_key_facts_are_in_a_box_on_page_one(self):
        first = page_texts(self.pdf)[0]
        assert_in_order(
            self,
            first,
            [
                "KEY FACTS", "Cities Mechelen", "Countries Belgium",
                "Key themes Internet and radicalisation, Local strategies/cities",
                "Target audience Authorities, First responders or practitioners, Online community",
                "Start year 2020", "Organisation City of Mechelen (Governmental institution)",
                "Peer reviewed No", "Last update 2021", "Description",
            ],
        )  # fmt: skip

    def test_every_page_has_the_header_footer_and_page_x_of_y(self):
        pages = page_texts(self.pdf)
        self.assertGreaterEqual(len(pages), 2)
        # The sheet gives the date in the site's time zone (Europe/Brussels), as readers see it.
        published = timezone.localtime(self.page.last_published_at)
        for number, text in enumerate(pages, start=1):
            with self.subTest(page=number):
                self.assertIn(f"Page {number} of {len(pages)}", text)
                self.assertIn("Radicalisation Awareness Network", text)
                self.assertIn(MECHELEN_PRACTICE, text)
                self.assertIn("Listed for inspiration, not an endorsement.", text)
                # "Last update" means one thing: the year the practice states (2021 here).
                self.assertIn("Last update 2021.", text)
                self.assertNotIn(f"{published:%-d %B %Y}", text)

    def test_a4_tagged_pdf_ua_with_title_author_and_language(self):
        reader = PdfReader(io.BytesIO(self.pdf))
        self.assertEqual(reader.metadata.title, MECHELEN_PRACTICE)
        self.assertEqual(reader.metadata.author, "City of Mechelen")
        root = reader.trailer["/Root"]
        self.assertEqual(root["/Lang"], "en")
        self.assertTrue(root["/MarkInfo"]["/Marked"])
        self.assertIn("/StructTreeRoot", root)
        xmp = root["/Metadata"].get_object().get_data()
        self.assertIn(b"pdfuaid:part", xmp)
        for page in reader.pages:
            self.assertAlmostEqual(float(page.mediabox.width), 595.28, delta=1)
            self.assertAlmostEqual(float(page.mediabox.height), 841.89, delta=1)


class MechelenFactsheetTests(TestCase):
    """The demo city's factsheet: the profile in the page's order and the city's practices."""

    @classmethod
    def setUpTestData(cls):
        load()
        cls.city = CityPage.objects.get(title="Mechelen")

    def test_the_factsheet_has_the_profile_and_the_practices_in_the_pages_order(self):
        response = self.client.get(sheet_url(self.city))
        pdf = response.getvalue()  # a streamed response can be read once
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="mechelen-factsheet.pdf"'
        )
        html = self.client.get(self.city.url).content.decode()
        self.assertIn("Download city factsheet (PDF)", html)
        profile_headings = [h.strip() for h in re.findall(r"<h3>(.*?)</h3>", html)]
        self.assertGreaterEqual(len(profile_headings), 8)
        listed = [
            unescape(title.strip())
            for title in re.findall(r'<h3 class="card-title"><a [^>]*>(.*?)</a>', html)
        ]
        self.assertGreaterEqual(len(listed), 2)
        text = pdf_text(pdf)
        assert_in_order(
            self, text, ["MECHELEN", "City profile", *profile_headings, "Practices", *listed]
        )
        self.assertIn("case conferences", text)
        pages = page_texts(pdf)
        for number, page_text in enumerate(pages, start=1):
            self.assertIn(f"Page {number} of {len(pages)}", page_text)
            self.assertIn("Listed for inspiration, not an endorsement.", page_text)


class CachingTests(TestCase):
    """One render per published revision, vocabulary and audience; served from storage after."""

    def setUp(self):
        self.page = publish(PracticePageFactory(title="Youth mentoring in Ghent"))

    def test_a_second_download_does_not_render_again(self):
        with count_renders() as renders:
            first = self.client.get(sheet_url(self.page))
            second = self.client.get(sheet_url(self.page))
        self.assertEqual(len(renders), 1)
        self.assertEqual(renders[0]["kind"], "practice")
        self.assertEqual(first.getvalue(), second.getvalue())
        self.assertEqual(second["Content-Type"], "application/pdf")

    def test_a_new_revision_renders_again_and_drops_the_old_file(self):
        with count_renders() as renders:
            self.client.get(sheet_url(self.page))
            publish(self.page, title="Youth mentoring in Ghent and Lisbon")
            response = self.client.get(sheet_url(self.page))
        self.assertEqual(len(renders), 2)
        self.assertIn("Youth mentoring in Ghent and Lisbon", pdf_text(response.getvalue()))
        folder = f"{settings.PRACTICE_SHEET_CACHE_DIR}/practice/{self.page.pk}"
        _folders, files = default_storage.listdir(folder)
        self.assertEqual(len(files), 1)
        self.assertTrue(files[0].startswith(f"r{self.page.live_revision_id}-"))

    def test_unpublishing_or_deleting_a_page_deletes_its_stored_sheets(self):
        folder = f"{settings.PRACTICE_SHEET_CACHE_DIR}/practice/{self.page.pk}"
        self.client.get(sheet_url(self.page))
        self.assertEqual(len(default_storage.listdir(folder)[1]), 1)
        self.page.unpublish()
        self.assertEqual(default_storage.listdir(folder)[1], [])
        other = publish(PracticePageFactory(title="Another practice"))
        self.client.get(sheet_url(other))
        other_folder = f"{settings.PRACTICE_SHEET_CACHE_DIR}/practice/{other.pk}"
        other.delete()
        self.assertEqual(default_storage.listdir(other_folder)[1], [])

    def test_a_draft_does_not_change_the_sheet(self):
        with count_renders() as renders:
            self.client.get(sheet_url(self.page))
            self.page.title = "A draft title"
            self.page.save_revision()
            response = self.client.get(sheet_url(self.page))
        self.assertEqual(len(renders), 1)
        self.assertNotIn("A draft title", pdf_text(response.getvalue()))

    def test_renaming_a_vocabulary_label_renders_again(self):
        theme = self.page.key_themes.first()
        with count_renders() as renders:
            self.client.get(sheet_url(self.page))
            KeyTheme.objects.filter(pk=theme.pk).update(label="Renamed theme label")
            response = self.client.get(sheet_url(self.page))
        self.assertEqual(len(renders), 2)
        self.assertIn("Renamed theme label", pdf_text(response.getvalue()))

    def test_renaming_a_city_a_network_or_a_tag_renders_again(self):
        network = NetworkPageFactory(title="Old network name", short_name="OLDNET")
        self.page.networks.set([network])
        self.page.tags.add("mentoring")
        publish(self.page)
        city = self.page.get_parent()
        renames = [
            # The owning city is in the kicker, which is set in capitals.
            ("RENAMED CITY", lambda: Page.objects.filter(pk=city.pk).update(title="Renamed city")),
            (
                "Renamed network",
                lambda: Page.objects.filter(pk=network.pk).update(title="Renamed network"),
            ),
            (
                "Tags: renamed tag",
                lambda: PracticeTag.objects.filter(name="mentoring").update(name="renamed tag"),
            ),
        ]
        self.client.get(sheet_url(self.page)).getvalue()
        for expected, rename in renames:
            with self.subTest(expected), count_renders() as renders:
                rename()
                response = self.client.get(sheet_url(self.page))
                self.assertEqual(len(renders), 1)
                self.assertIn(expected, pdf_text(response.getvalue()))

    def test_a_page_saved_without_revisions_is_keyed_on_its_row_and_inline_rows(self):
        page = PracticePageFactory(title="Practice saved by a script")
        self.assertIsNone(page.live_revision_id)
        with count_renders() as renders:
            self.client.get(sheet_url(page)).getvalue()
            self.client.get(sheet_url(page)).getvalue()
            self.assertEqual(len(renders), 1)
            PracticePage.objects.filter(pk=page.pk).update(organisation_name="Scripted org")
            self.assertIn("Scripted org", pdf_text(self.client.get(sheet_url(page)).getvalue()))
            self.assertEqual(len(renders), 2)
            PracticePresentation.objects.create(page=page, name="RAN YOUNG meeting")
            text = pdf_text(self.client.get(sheet_url(page)).getvalue())
            self.assertIn("RAN YOUNG meeting", text)
            self.assertEqual(len(renders), 3)
            page.save_revision()  # a draft changes nothing that is live
            self.client.get(sheet_url(page)).getvalue()
            self.assertEqual(len(renders), 3)

    def test_a_stored_sheet_is_streamed_with_three_queries_and_no_page_routing(self):
        url = sheet_url(self.page)
        stored = self.client.get(url).getvalue()
        with CaptureQueriesContext(connection) as serving, count_renders() as renders:
            response = self.client.get(url)
            pdf = b"".join(response.streaming_content)
        self.assertEqual(renders, [])
        self.assertEqual(pdf, stored)
        self.assertEqual(response["Content-Length"], str(len(pdf)))
        # The page row, the view restrictions and the related digest; Wagtail's routing walked
        # the tree with ten.
        self.assertEqual(len(serving), 3, [query["sql"][:120] for query in serving])

    def test_a_partly_written_file_is_never_served(self):
        url = sheet_url(self.page)
        self.client.get(url).getvalue()
        folder = f"{settings.PRACTICE_SHEET_CACHE_DIR}/practice/{self.page.pk}"
        name = f"{folder}/{default_storage.listdir(folder)[1][0]}"
        default_storage.delete(name)
        default_storage.save(name, ContentFile(b"%PDF-1.7\n% the rest was never written"))
        with count_renders() as renders:
            pdf = self.client.get(url).getvalue()
        self.assertEqual(len(renders), 1)
        self.assertIn(b"%%EOF", pdf[-1024:])
        self.assertIn("Youth mentoring in Ghent", pdf_text(pdf))

    def test_every_project_template_a_sheet_draws_counts_in_the_template_version(self):
        project_templates = Path(settings.BASE_DIR, "templates")
        for page in (self.page, self.page.get_parent().specific):
            with self.subTest(page=page.title):
                response = self.client.get(sheet_url(page))
                drawn = {
                    template.name
                    for template in response.templates
                    if Path(template.origin.name).is_relative_to(project_templates)
                }
                self.assertIn("practices/pdf/base.html", drawn)
                self.assertLessEqual(drawn, set(SHEET_TEMPLATES))

    def test_render_sheets_prerenders_every_live_sheet_once(self):
        stdout, stderr = StringIO(), StringIO()
        live_pages = PracticePage.objects.live().count() + CityPage.objects.live().count()
        with count_renders() as renders:
            call_command("render_sheets", stdout=stdout, stderr=stderr)
            self.assertEqual(len(renders), live_pages)
            self.client.get(sheet_url(self.page))
            self.client.get(sheet_url(self.page.get_parent()))
            call_command("render_sheets", stdout=stdout, stderr=stderr)
        self.assertEqual(len(renders), live_pages)
        self.assertIn(
            f"0 sheets rendered, {live_pages} already stored, 0 failed.", stdout.getvalue()
        )

    def test_render_sheets_reports_a_broken_page_and_renders_the_others(self):
        broken = publish(
            PracticePageFactory(
                title="Broken practice",
                description='<p>See <a linktype="page" id="not-a-number">this</a>.</p>',
            )
        )
        stderr = StringIO()
        with self.assertRaisesMessage(CommandError, "1 failed."), count_renders() as renders:
            call_command("render_sheets", "--only", "practices", stdout=StringIO(), stderr=stderr)
        self.assertIn(f'"Broken practice" (page {broken.pk})', stderr.getvalue())
        self.assertEqual([r["page"].pk for r in renders], [self.page.pk])
        with count_renders() as renders:
            self.client.get(sheet_url(self.page))
        self.assertEqual(renders, [])


class PrivacyTests(TestCase):
    """The sheet shows what the page shows to the same reader, cached copies included."""

    def setUp(self):
        self.page = publish(
            PracticePageFactory(
                title="Family support lines",
                contact_name="Hidden Person",
                contact_email=HIDDEN_EMAIL,
                contact_consent=False,
            )
        )

    def test_a_members_only_practice_sends_anonymous_readers_to_the_login_page(self):
        restrict_to_members(self.page)
        with count_renders() as renders:
            response = self.client.get(sheet_url(self.page))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.url.startswith("/accounts/login/?next="))
        self.assertIn("next=", response.url)
        self.assertEqual(renders, [])
        self.client.force_login(member())
        response = self.client.get(sheet_url(self.page))
        self.assertEqual(response.status_code, 200)
        self.assertIn(HIDDEN_EMAIL, pdf_text(response.getvalue()))

    def test_a_signed_in_non_member_is_not_served_a_members_only_sheet(self):
        restrict_to_members(self.page)
        self.client.force_login(UserFactory())
        response = self.client.get(sheet_url(self.page))
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(response.getvalue().startswith(b"%PDF"))

    def test_unconsented_contact_details_only_reach_members_and_copies_never_cross(self):
        with count_renders() as renders:
            public = pdf_text(self.client.get(sheet_url(self.page)).getvalue())
            self.client.force_login(member())
            members_response = self.client.get(sheet_url(self.page))
            members = pdf_text(members_response.getvalue())
            members_again = pdf_text(self.client.get(sheet_url(self.page)).getvalue())
            self.client.logout()
            public_again = pdf_text(self.client.get(sheet_url(self.page)).getvalue())
        self.assertNotIn(HIDDEN_EMAIL, public)
        self.assertNotIn("Hidden Person", public)
        self.assertIn("has not agreed to be listed publicly", public)
        self.assertIn(HIDDEN_EMAIL, members)
        self.assertIn("Hidden Person", members)
        self.assertIn(HIDDEN_EMAIL, members_again)
        self.assertNotIn(HIDDEN_EMAIL, public_again)
        self.assertEqual([r["audience"] for r in renders], ["public", "members"])
        self.assertIn("private", members_response["Cache-Control"])
        self.assertIn("Cookie", members_response["Vary"])

    def test_a_member_served_first_does_not_leak_into_the_public_copy(self):
        self.client.force_login(member())
        self.assertIn(HIDDEN_EMAIL, pdf_text(self.client.get(sheet_url(self.page)).getvalue()))
        self.client.logout()
        self.assertNotIn(HIDDEN_EMAIL, pdf_text(self.client.get(sheet_url(self.page)).getvalue()))

    def test_consented_contact_details_are_public_and_members_share_the_public_copy(self):
        publish(self.page, contact_consent=True)
        with count_renders() as renders:
            public = pdf_text(self.client.get(sheet_url(self.page)).getvalue())
            self.client.force_login(member())
            members = pdf_text(self.client.get(sheet_url(self.page)).getvalue())
        self.assertIn(HIDDEN_EMAIL, public)
        self.assertEqual(public, members)
        self.assertEqual(len(renders), 1)

    def test_the_factsheet_lists_members_only_practices_to_members_only(self):
        city = self.page.get_parent().specific
        hidden = publish(PracticePageFactory(title="Members-only exit programme", parent=city))
        restrict_to_members(hidden)
        with count_renders() as renders:
            public = pdf_text(self.client.get(sheet_url(city)).getvalue())
            self.client.force_login(member())
            members = pdf_text(self.client.get(sheet_url(city)).getvalue())
        self.assertIn("Family support lines", public)
        self.assertNotIn("Members-only exit programme", public)
        self.assertIn("Members-only exit programme", members)
        self.assertEqual([r["audience"] for r in renders], ["public", "members"])


class SheetWordingTests(TestCase):
    """What a sheet says about its own dates and access, and how its last page ends."""

    def test_without_a_stated_year_last_update_is_the_publish_date_labelled_as_such(self):
        page = publish(PracticePageFactory(title="Undated outreach"))
        published = timezone.localtime(page.last_published_at)
        text = " ".join(pdf_text(self.client.get(sheet_url(page)).getvalue()).split())
        self.assertIn(f"Last update not stated; published here {published:%-d %B %Y}.", text)
        self.assertIn(f"Last update Not stated; published here {published:%-d %B %Y}", text)

    def test_a_members_only_sheet_says_so_and_a_restriction_renders_it_again(self):
        page = publish(PracticePageFactory(title="Case conferences"))
        self.client.force_login(member())
        self.assertNotIn("Members only", pdf_text(self.client.get(sheet_url(page)).getvalue()))
        restrict_to_members(page)  # no new revision: the sheet must still be drawn again
        pages = page_texts(self.client.get(sheet_url(page)).getvalue())
        self.assertIn("Members only", pages[0].split("Description")[0])
        for text in pages:
            self.assertIn("Members only: do not share outside the network.", text)

    def test_the_last_two_fields_never_fill_the_last_page_alone(self):
        load()
        self.client.force_login(member())  # the demo's members-only practices too
        for page in PracticePage.objects.live():
            pages = page_texts(self.client.get(sheet_url(page)).getvalue())
            last = pages[-1]
            body = last.split("Contact details")[-1] if "Contact details" in last else last
            with self.subTest(practice=page.title, pages=len(pages)):
                self.assertIn("Contact details", last)
                self.assertIn("Peer reviewed", body)


class ArchivedSheetTests(TestCase):
    """An archived practice keeps its page and its sheet, both saying it is archived."""

    def test_the_sheet_of_an_archived_practice_says_so(self):
        page = publish(PracticePageFactory(title="Old street outreach", archived=True))
        response = self.client.get(sheet_url(page))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Archived practice.", pdf_text(response.getvalue()))


class ResourceTests(TestCase):
    """Images come from storage as renditions; nothing is fetched over HTTP."""

    def test_the_network_logo_is_drawn_from_a_rendition_in_storage(self):
        logo = wagtail_factories.ImageFactory(title="RAN logo")
        network = NetworkPageFactory(title="Logo Network", logo=logo, logo_alt="The RAN logo.")
        page = PracticePageFactory(title="Practice with a logo")
        page.networks.set([network])
        publish(page)
        pdf = self.client.get(sheet_url(page)).getvalue()
        first_page = PdfReader(io.BytesIO(pdf)).pages[0]
        self.assertEqual(len(first_page.images), 1)
        self.assertIn("Logo Network", page_texts(pdf)[0])
        rendition = logo.renditions.get()
        self.assertTrue(default_storage.exists(rendition.file.name))

    def test_no_resource_is_fetched_over_http(self):
        requests = []

        class Recorder(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Recorder)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            image_url = f"http://127.0.0.1:{server.server_port}/tracker.png"
            page = publish(
                PracticePageFactory(
                    title="Practice with a remote image",
                    description=f'<p>Prevents radicalisation.</p><p><img src="{image_url}"></p>',
                )
            )
            response = self.client.get(sheet_url(page))
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(requests, [])

    def test_the_fetcher_refuses_unregistered_urls(self):
        fetcher = StorageFetcher()
        for url in ("http://example.org/logo.png", "file:///etc/passwd", "sheet-file:99"):
            with self.subTest(url=url), self.assertRaises(ValueError):
                fetcher.fetch(url)


class WeasyPrintStateTests(TestCase):
    """Fonts and the parsed stylesheet are set up once per thread, never per PDF."""

    def test_each_thread_sets_up_fonts_and_the_stylesheet_once(self):
        self.assertGreater(render.warm_up(), 0)
        config, sheet_css = render.font_config(), render.stylesheets()[0]
        page = publish(PracticePageFactory(title="Practice drawn after the warm-up"))
        self.assertIn(
            "Practice drawn after the warm-up",
            pdf_text(self.client.get(sheet_url(page)).getvalue()),
        )
        self.assertIs(render.font_config(), config)
        self.assertIs(render.stylesheets()[0], sheet_css)
        other = {}
        thread = threading.Thread(target=lambda: other.update(config=render.font_config()))
        thread.start()
        thread.join()
        self.assertIsNot(other["config"], config)  # Pango objects stay in their thread


class BundleTests(TestCase):
    """Several practices in one PDF: cover, contents with page numbers, each sheet."""

    @classmethod
    def setUpTestData(cls):
        long_text = "".join(
            f"<p>Paragraph {n}: mentors meet young people weekly to prevent radicalisation, "
            "talk about school, work and family, and help them find their way.</p>"
            for n in range(60)
        )
        cls.first = PracticePageFactory(title="Youth mentoring in Ghent", description=long_text)
        cls.second = PracticePageFactory(
            title="Family support lines", contact_email=HIDDEN_EMAIL, contact_consent=False
        )
        cls.third = PracticePageFactory(title="Prison exit programme")
        cls.restricted = PracticePageFactory(title="Members-only exit programme")
        restrict_to_members(cls.restricted)

    def get(self, ids, **params):
        return self.client.get(BUNDLE_URL, {"ids": ids, **params})

    def test_the_contents_page_lists_each_title_with_its_page_number(self):
        order = [self.third, self.first, self.second]
        response = self.get(",".join(str(p.pk) for p in order), title="Ideas for Lisbon")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("attachment;", response["Content-Disposition"])
        pdf = response.getvalue()  # a streamed response can be read once
        pages = page_texts(pdf)
        self.assertIn("Ideas for Lisbon", pages[0])
        # The cover's named page overrides the page counter of every other page.
        self.assertNotIn("Page 1 of", pages[0])
        self.assertIn("3 practice sheets, made on", pages[0])
        self.assertIn("Selection 3 practices, chosen one by one", pages[0])
        contents = pages[1]
        self.assertTrue(contents.startswith("Contents"))
        numbers = []
        for practice in order:
            match = re.search(re.escape(practice.title) + r"[\s.]*(\d+)", contents)
            self.assertIsNotNone(match, practice.title)
            number = int(match.group(1))
            first_page = next(
                index for index, text in enumerate(pages[2:], start=3) if practice.title in text
            )
            self.assertEqual(number, first_page, practice.title)
            numbers.append(number)
        self.assertEqual(numbers, sorted(numbers))
        # The long practice takes more than one page, so the numbers are not consecutive.
        self.assertGreater(numbers[2] - numbers[1], 1)
        self.assertIn(f"Page {len(pages)} of {len(pages)}", pages[-1])
        titles = [title for level, title in outline(pdf) if level == 1]
        self.assertEqual(
            [t for t in titles if t in {p.title for p in order}], [p.title for p in order]
        )

    def test_the_contact_rule_applies_to_each_practice(self):
        ids = f"{self.first.pk},{self.second.pk}"
        public = pdf_text(self.get(ids).getvalue())
        self.assertNotIn(HIDDEN_EMAIL, public)
        self.client.force_login(member())
        self.assertIn(HIDDEN_EMAIL, pdf_text(self.get(ids).getvalue()))

    def test_invisible_practices_are_left_out_without_naming_them(self):
        response = self.get(f"{self.third.pk},{self.restricted.pk}")
        self.assertEqual(response.status_code, 200)
        text = pdf_text(response.getvalue())
        self.assertIn("Prison exit programme", text)
        self.assertNotIn("Members-only exit programme", text)
        self.assertIn("1 requested practice does not exist or is not available to you", text)
        self.client.force_login(member())
        self.assertIn("Members-only exit programme", pdf_text(self.get(
            f"{self.third.pk},{self.restricted.pk}"
        ).getvalue()))  # fmt: skip

    def test_only_invisible_or_unknown_ids_give_a_404_with_a_message(self):
        for ids in (str(self.restricted.pk), "987654"):
            with self.subTest(ids=ids):
                response = self.get(ids)
                self.assertEqual(response.status_code, 404)
                self.assertContains(
                    response,
                    "None of the requested practices exists or is available to you.",
                    status_code=404,
                )

    def test_malformed_ids_give_a_400_with_a_message(self):
        for ids in ("abc", "1,,x", "-3", "", "١٢"):
            with self.subTest(ids=ids):
                response = self.get(ids)
                self.assertEqual(response.status_code, 400)
                self.assertIn(b"No bundle could be made", response.content)
        response = self.client.get(BUNDLE_URL)
        self.assertContains(response, "Choose at least one practice", status_code=400)

    @override_settings(PRACTICE_BUNDLE_MAX=2)
    def test_more_practices_than_the_cap_give_a_clear_message(self):
        ids = f"{self.first.pk},{self.second.pk},{self.third.pk}"
        with count_renders() as renders:
            response = self.get(ids)
        self.assertContains(
            response,
            "A bundle holds at most 2 practices and this selection has 3.",
            status_code=400,
        )
        self.assertEqual(renders, [])

    def test_other_views_can_pass_a_result_and_its_filters(self):
        request = RequestFactory().get("/practices/?q=mentoring")
        request.user = AnonymousUser()
        response = bundle_response(
            request,
            [self.first.pk, self.third.pk],
            title="Search results",
            criteria=[("Search", "mentoring"), ("Country", "Belgium")],
        )
        self.assertEqual(response.status_code, 200)
        cover = page_texts(response.getvalue())[0]
        assert_in_order(self, cover, ["Search results", "Search mentoring", "Country Belgium"])
