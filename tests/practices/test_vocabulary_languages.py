"""Vocabulary terms in the reader's language (issue 18, item 3): pages, cards, facets and PDF
sheets show a term's French, Dutch, German or Spanish label, falling back to English, while
the machine channels (API, OAI, JSON-LD, spreadsheets) and the search index stay English.

Pages are read through the test client under /fr/ (the language prefix of i18n_patterns);
the facet and sheet parts also call the code directly under translation.override("fr"), so
that they do not depend on how the language reaches the request.
"""

import importlib
import json
import re

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import TestCase
from django.utils import translation
from lxml import etree

from practices.interchange import record_for
from practices.jsonld import describe
from practices.models import (
    FundingProgramme,
    KeyTheme,
    OrganisationType,
    PracticePage,
    TargetAudience,
)
from practices.oai import identifier_of
from practices.sheets.cache import SheetKey, practice_sheet_pdf
from practices.sheets.render import practice_related_digest
from search.backends import get_backend
from search.backends.base import SearchParams
from search.documents import practice_to_document
from search.facets import FACETS_BY_NAME
from tests.factories import CityPageFactory, PracticePageFactory

from .pdf_helpers import count_renders, pdf_text

MULTI_AGENCY = "Multi-agency cooperation"
PREVENTION = "(Early) prevention"
FAMILIES = "Families"
DC_SUBJECT = "{http://purl.org/dc/elements/1.1/}subject"


def without_json_ld(html):
    """`html` without its schema.org script: a machine channel, English on every page."""
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)


def url_in(language, page):
    """The page's address as a reader of `language` follows it (/fr/... for French)."""
    with translation.override(language):
        return page.get_url()


def french_facet_labels(name, user=None):
    """{slug: label} of the facet `name` on an empty search, read under French."""
    with translation.override("fr"):
        result = get_backend().search(
            SearchParams(user=user or AnonymousUser(), counted=frozenset({name}))
        )
    return {option.slug: option.label for option in result.facets[name]}


class LanguagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Mechelen", slug="mechelen", country="BE")
        cls.multi_agency = KeyTheme.objects.get(label=MULTI_AGENCY)
        cls.prevention = KeyTheme.objects.get(label=PREVENTION)
        cls.families = TargetAudience.objects.get(label=FAMILIES)
        cls.practice = PracticePageFactory(
            title="Mechelen case table",
            parent=cls.city,
            key_themes=[cls.multi_agency, cls.prevention],
            target_audiences=[cls.families],
        )
        cls.practice.save_revision().publish()
        cls.practice.refresh_from_db()


class SeededLabelTests(LanguagesTestCase):
    """Migration 0022 gives the RAN terms their names in the four languages."""

    def test_the_ran_terms_have_their_names_in_each_language(self):
        theme = KeyTheme.objects.get(label=MULTI_AGENCY)
        self.assertEqual(theme.label_fr, "Coopération multi-agences")
        self.assertEqual(theme.label_de, "Multi-Agency-Zusammenarbeit")
        self.assertEqual(KeyTheme.objects.get(label=PREVENTION).label_fr, "Prévention (précoce)")
        self.assertEqual(
            KeyTheme.objects.get(label="Foreign Terrorist Fighters and their families").label_nl,
            "Buitenlandse terroristische strijders en hun families",
        )
        self.assertEqual(TargetAudience.objects.get(label="Authorities").label_de, "Behörden")
        self.assertEqual(OrganisationType.objects.get(label="NGO").label_es, "ONG")
        # Every seeded theme and audience has all four; the slug stays the English one.
        for model in (KeyTheme, TargetAudience, OrganisationType):
            for term in model.objects.all():
                for code in ("fr", "nl", "de", "es"):
                    self.assertTrue(getattr(term, f"label_{code}"), f"{term.label} {code}")
        self.assertEqual(theme.slug, "multi-agency-cooperation")

    def test_names_that_do_not_change_are_left_to_the_english_label(self):
        erasmus = FundingProgramme.objects.get(label="Erasmus+")
        self.assertEqual(erasmus.label_fr, "")
        with translation.override("fr"):
            self.assertEqual(str(erasmus), "Erasmus+")
            self.assertEqual(str(FundingProgramme.objects.get(label="ISF-Police")), "FSI-Police")

    def test_a_term_prints_in_the_active_language_and_falls_back_to_english(self):
        theme = KeyTheme.objects.get(label=MULTI_AGENCY)
        self.assertEqual(str(theme), MULTI_AGENCY)
        with translation.override("fr"):
            self.assertEqual(str(theme), "Coopération multi-agences")
        with translation.override("es"):
            self.assertEqual(theme.localized_label, "Cooperación multiagencia")
        theme.label_nl = ""
        with translation.override("nl"):
            self.assertEqual(str(theme), MULTI_AGENCY)
        # A regional variant reads its language's label.
        self.assertEqual(theme.label_in("fr-be"), "Coopération multi-agences")

    def test_the_edit_form_shows_the_translations_to_curators(self):
        from django.contrib.auth.models import Group

        from tests.factories import UserFactory

        curator = UserFactory(username="curator")
        curator.groups.set([Group.objects.get(name="Curators")])
        self.client.force_login(curator)
        response = self.client.get(
            f"/admin/snippets/practices/keytheme/edit/{self.multi_agency.pk}/"
        )
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("Translations", html)
        for code in ("fr", "nl", "de", "es"):
            self.assertIn(f'name="label_{code}"', html)
        self.assertIn('value="Coopération multi-agences"', html)

    def test_the_migration_fills_only_empty_labels_and_undoes_only_its_own(self):
        migration = importlib.import_module("practices.migrations.0022_vocabulary_labels")
        KeyTheme.objects.filter(label=MULTI_AGENCY).update(label_fr="Travail en réseau")
        KeyTheme.objects.filter(label=PREVENTION).update(label_nl="")
        migration.fill_labels(apps, None)
        theme = KeyTheme.objects.get(label=MULTI_AGENCY)
        self.assertEqual(theme.label_fr, "Travail en réseau")  # the curator's, kept
        self.assertEqual(
            KeyTheme.objects.get(label=PREVENTION).label_nl, "(Vroegtijdige) preventie"
        )
        migration.clear_labels(apps, None)
        self.assertEqual(KeyTheme.objects.get(label=MULTI_AGENCY).label_fr, "Travail en réseau")
        self.assertEqual(KeyTheme.objects.get(label=MULTI_AGENCY).label_de, "")
        self.assertFalse(TargetAudience.objects.exclude(label_fr="").exists())


class ReaderLanguageTests(LanguagesTestCase):
    """A French reader sees French theme and audience names; a missing one is English."""

    def test_the_french_practice_page_shows_french_theme_and_audience_names(self):
        response = self.client.get(url_in("fr", self.practice))
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        html = without_json_ld(page)
        # The chips, their screen-reader names and the key facts box.
        self.assertIn(">Coopération multi-agences</a>", html)
        self.assertIn('aria-label="Pratiques sur le thème Coopération multi-agences"', html)
        self.assertIn("<dd>Prévention (précoce), Coopération multi-agences</dd>", html)
        self.assertIn(">Familles</a>", html)
        self.assertNotIn(MULTI_AGENCY, html)
        self.assertNotIn(FAMILIES, html)
        # The page's JSON-LD is for machines: English.
        self.assertIn(f'"name": "{MULTI_AGENCY}"', page)
        english = self.client.get(url_in("en", self.practice)).content.decode()
        self.assertIn(MULTI_AGENCY, english)
        self.assertNotIn("Coopération multi-agences", english)

    def test_the_french_search_page_shows_french_names_on_cards_and_facets(self):
        html = without_json_ld(self.client.get("/fr/practices/").content.decode())
        self.assertIn("Mechelen case table", html)
        # The card's chips and the facet's options.
        self.assertGreaterEqual(html.count("Coopération multi-agences"), 2)
        self.assertIn("Familles", html)
        self.assertNotIn(MULTI_AGENCY, html)

    def test_facet_options_are_labelled_in_the_readers_language(self):
        labels = french_facet_labels("theme")
        self.assertEqual(labels[self.multi_agency.slug], "Coopération multi-agences")
        self.assertEqual(labels[self.prevention.slug], "Prévention (précoce)")
        self.assertEqual(french_facet_labels("audience")[self.families.slug], "Familles")
        # The whole-vocabulary read (many slugs) is in French too.
        everything = FACETS_BY_NAME["theme"]
        with translation.override("de"):
            self.assertEqual(
                everything.all_labels()[self.multi_agency.slug], "Multi-Agency-Zusammenarbeit"
            )
        # English readers, and cities (no translated label), are unchanged.
        with translation.override("en"):
            self.assertEqual(everything.labels([self.multi_agency.slug]), {
                self.multi_agency.slug: MULTI_AGENCY
            })  # fmt: skip
        with translation.override("fr"):
            self.assertEqual(FACETS_BY_NAME["city"].labels(["mechelen"]), {"mechelen": "Mechelen"})

    def test_a_label_left_empty_falls_back_to_english(self):
        KeyTheme.objects.filter(pk=self.prevention.pk).update(label_fr="")
        self.assertEqual(french_facet_labels("theme")[self.prevention.slug], PREVENTION)
        html = without_json_ld(self.client.get(url_in("fr", self.practice)).content.decode())
        self.assertIn(PREVENTION, html)
        self.assertIn("Coopération multi-agences", html)

    def test_a_new_translation_shows_at_once_without_a_reindex(self):
        # A bulk update sends no signal: the index is not written, yet the facet reads it.
        KeyTheme.objects.filter(pk=self.prevention.pk).update(label_fr="Prévention précoce")
        self.assertEqual(french_facet_labels("theme")[self.prevention.slug], "Prévention précoce")


class MachineChannelTests(LanguagesTestCase):
    """API, OAI, JSON-LD, the spreadsheet record and the index stay English under French."""

    def test_the_api_answers_in_english_to_a_french_reader(self):
        headers = {"HTTP_ACCEPT_LANGUAGE": "fr"}
        self.client.cookies["django_language"] = "fr"
        detail = self.client.get(f"/api/practices/{self.practice.pk}/", **headers).json()
        self.assertIn(MULTI_AGENCY, json.dumps(detail))
        self.assertNotIn("Coopération", json.dumps(detail, ensure_ascii=False))
        listing = self.client.get("/api/practices/", **headers).json()
        self.assertIn(MULTI_AGENCY, listing["results"][0]["key_themes"])

    def test_the_oai_record_is_english_to_a_french_reader(self):
        self.client.cookies["django_language"] = "fr"
        response = self.client.get(
            "/oai/",
            {
                "verb": "GetRecord",
                "identifier": identifier_of(self.practice.pk),
                "metadataPrefix": "oai_dc",
            },
            HTTP_ACCEPT_LANGUAGE="fr",
        )
        self.assertEqual(response.status_code, 200)
        subjects = [element.text for element in etree.fromstring(response.content).iter(DC_SUBJECT)]
        self.assertIn(MULTI_AGENCY, subjects)
        self.assertNotIn("Coopération multi-agences", response.content.decode())

    def test_records_json_ld_and_index_documents_are_english_under_french(self):
        with translation.override("fr"):
            record = record_for(self.practice, AnonymousUser())
            data = json.dumps(
                describe(self.practice, AnonymousUser()), ensure_ascii=False, default=str
            )
            document = practice_to_document(self.practice)
        self.assertIn(MULTI_AGENCY, record["key_themes"])
        self.assertIn(FAMILIES, record["target_audiences"])
        self.assertIn(MULTI_AGENCY, data)
        self.assertNotIn("Coopération", data)
        self.assertIn(MULTI_AGENCY, document["key_theme_labels"])
        self.assertNotIn("Familles", json.dumps(document, ensure_ascii=False))


class SheetLanguageTests(LanguagesTestCase):
    """A sheet is drawn in the reader's language and stored once per language."""

    def test_a_french_sheet_has_french_theme_names_and_is_stored_apart(self):
        with count_renders() as renders:
            english, _rendered = practice_sheet_pdf(self.practice, AnonymousUser())
            with translation.override("fr"):
                french, _rendered = practice_sheet_pdf(self.practice, AnonymousUser())
                again, rendered_again = practice_sheet_pdf(self.practice, AnonymousUser())
        self.assertEqual(len(renders), 2)  # one per language; the second French one is stored
        self.assertFalse(rendered_again)
        self.assertEqual(french, again)
        english_text, french_text = pdf_text(english), pdf_text(french)
        self.assertIn(MULTI_AGENCY, english_text)
        self.assertIn("Coopération multi-agences", french_text)
        self.assertIn("Familles", french_text)
        self.assertNotIn(MULTI_AGENCY, french_text)

    def test_the_cache_key_differs_per_language(self):
        related = practice_related_digest(self.practice)
        keys = {}
        for code in ("en", "fr", "de"):
            with translation.override(code):
                key = SheetKey.for_page("practice", self.practice, related=related, audience="p")
                keys[code] = key.storage_name
        self.assertEqual(len(set(keys.values())), 3)

    def test_a_new_translation_renders_the_stored_sheet_again(self):
        with translation.override("fr"), count_renders() as renders:
            practice_sheet_pdf(self.practice, AnonymousUser())
            KeyTheme.objects.filter(pk=self.multi_agency.pk).update(
                label_fr="Coopération entre services"
            )
            # As the next request reads it: the page and its terms loaded again.
            page = PracticePage.objects.get(pk=self.practice.pk)
            french, rendered = practice_sheet_pdf(page, AnonymousUser())
        self.assertTrue(rendered)
        self.assertEqual(len(renders), 2)
        self.assertIn("Coopération entre services", pdf_text(french))

    def test_the_french_sheet_is_marked_french_and_its_text_keeps_its_language(self):
        from practices.sheets import render

        captured = {}
        original = render.render_to_string

        def capture(template, context, *args, **kwargs):
            html = original(template, context, *args, **kwargs)
            captured["html"] = html
            return html

        render.render_to_string = capture
        try:
            with translation.override("fr"):
                render.render_practice_sheet(self.practice, show_contact=False)
        finally:
            render.render_to_string = original
        self.assertIn('<html lang="fr">', captured["html"])
        self.assertIn(f'lang="{self.practice.language}"', captured["html"])
