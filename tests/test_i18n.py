"""The interface languages (docs/i18n.md): complete catalogues, prefixed pages, the switch."""

import os
import shutil
import tempfile
from io import StringIO
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import translation
from wagtail.models import Site

from practices.models import CityPage, NetworkPage, PracticePage

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
# Every interface language but English, whose strings are the msgids themselves.
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
# What `make makemessages` leaves out (Makefile), plus what is no source at all.
NOT_SCANNED = [".venv", "node_modules", "bench", "tests", "media", "static_collected"]
NOT_COPIED = [*NOT_SCANNED, ".git", "test-artifacts", "locale", "*.egg-info", "db.sqlite3*"]


def catalogue(code, base=LOCALE_DIR):
    """The django.po catalogue of language `code`."""
    return polib.pofile(str(base / code / "LC_MESSAGES" / "django.po"))


def key(entry):
    """An entry's identity: its context and its msgid."""
    return (entry.msgctxt, entry.msgid)


def untranslated(entry):
    """Whether an entry lacks a translation (an empty msgstr or plural form)."""
    if entry.msgid_plural:
        return not entry.msgstr_plural or not all(entry.msgstr_plural.values())
    return not entry.msgstr


class CatalogueTests(TestCase):
    """Every string of ours has a translation in each of the four languages."""

    def test_every_msgid_is_translated_and_none_is_fuzzy(self):
        problems = []
        for code in TRANSLATED:
            entries = [e for e in catalogue(code) if not e.obsolete]
            self.assertGreater(len(entries), 100, code)
            missing = [e.msgid for e in entries if untranslated(e)]
            fuzzy = [e.msgid for e in entries if e.fuzzy]
            if missing:
                problems.append(f"{code}: {len(missing)} untranslated, e.g. {missing[:3]}")
            if fuzzy:
                problems.append(f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}")
        self.assertEqual(problems, [])

    def test_makemessages_finds_no_string_missing_from_the_catalogues(self):
        # makemessages writes into the locale folder beside the sources it reads: it runs on a
        # scratch copy of the sources and catalogues, never on the committed ones.
        scratch = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="i18n-")))
        source = scratch / "source"
        shutil.copytree(
            settings.BASE_DIR, source, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True
        )
        shutil.copytree(LOCALE_DIR, source / "locale", ignore=shutil.ignore_patterns("*.mo"))
        cwd = os.getcwd()
        os.chdir(source)
        try:
            with override_settings(LOCALE_PATHS=[source / "locale"]):
                call_command(
                    "makemessages",
                    locale=TRANSLATED,
                    ignore_patterns=NOT_SCANNED,
                    verbosity=0,
                    stdout=StringIO(),
                )
        finally:
            os.chdir(cwd)
        problems = []
        for code in TRANSLATED:
            committed = {key(e) for e in catalogue(code) if not e.obsolete}
            found = [e for e in catalogue(code, source / "locale") if not e.obsolete]
            new = [e.msgid for e in found if key(e) not in committed]
            if new:
                problems.append(f"{code}: {len(new)} new strings, e.g. {new[:3]}")
        self.assertEqual(problems, [], "run `make makemessages` and translate them")


class LanguagePagesTests(TestCase):
    """Each page type answers in each language, with its lang, switch and alternates."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo_data", stdout=StringIO())
        cls.practice = PracticePage.objects.get(title__startswith="Building a sustainable")

    def tearDown(self):
        # A request to /fr/ leaves French active in this thread; the next test starts afresh.
        translation.activate(settings.LANGUAGE_CODE)

    def english_urls(self):
        """One English (unprefixed) address per page type."""
        with translation.override("en"):
            return {
                "home": "/",
                "search": "/practices/",
                "practice": self.practice.url,
                "city": CityPage.objects.get(title="Mechelen").url,
                "network": NetworkPage.objects.get(short_name="RAN").url,
                "cities": "/cities/",
                "login": "/accounts/login/",
                "shortlist": "/shortlist/",
            }

    def test_every_page_type_answers_in_every_language_with_its_lang(self):
        problems = []
        for name, url in self.english_urls().items():
            for code, _name in settings.LANGUAGES:
                address = url if code == "en" else f"/{code}{url}"
                response = self.client.get(address)
                if response.status_code != 200:
                    problems.append(f"{name} {address}: {response.status_code}")
                elif f'<html lang="{code}">' not in response.content.decode():
                    problems.append(f"{name} {address}: no <html lang={code}>")
        self.assertEqual(problems, [])

    def test_section_pages_are_named_in_the_readers_language(self):
        html = self.client.get("/de/practices/").content.decode()
        self.assertIn("<h1>Praxisbeispiele</h1>", html)
        self.assertIn('<li aria-current="page">Praxisbeispiele</li>', html)
        self.assertIn("<title>Praxisbeispiele · Practice Hub</title>", html)
        with translation.override("en"):
            practice_url = self.practice.url
        html = self.client.get(f"/fr{practice_url}").content.decode()
        self.assertIn(">Villes</a></li>", html)  # the breadcrumb's section
        self.assertIn(f"<h1>{self.practice.title}</h1>", html)  # content keeps its title

    def test_page_links_carry_the_language_prefix(self):
        english = self.english_urls()
        html = self.client.get("/fr/").content.decode()
        self.assertIn(f'href="/fr{english["practice"]}"', html)
        self.assertIn('href="/fr/practices/"', html)
        self.assertIn('href="/fr/accounts/login/?next=/fr/"', html)

    def test_a_members_only_page_asks_to_sign_in_in_the_readers_language(self):
        from practices.roles import make_members_only

        make_members_only(self.practice)
        url = self.english_urls()["practice"]
        response = self.client.get(f"/nl{url}")
        self.assertRedirects(
            response, f"/nl/accounts/login/?next=/nl{url}", fetch_redirect_response=False
        )
        self.assertContains(self.client.get(response["Location"]), '<html lang="nl">')

    def test_signing_in_without_a_page_to_return_to_lands_on_the_readers_home_page(self):
        from tests.factories import UserFactory

        UserFactory(username="lecteur")
        form = self.client.get("/de/accounts/login/").content.decode()
        self.assertIn('name="next" value="/de/"', form)
        response = self.client.post(
            "/de/accounts/login/",
            {"username": "lecteur", "password": "password", "next": "/de/"},
        )
        self.assertRedirects(response, "/de/", fetch_redirect_response=False)
        form = self.client.get("/es/accounts/login/?next=/es/practices/").content.decode()
        self.assertIn('name="next" value="/es/practices/"', form)

    def test_dates_are_written_as_each_language_writes_them(self):
        import datetime

        PracticePage.objects.filter(pk=self.practice.pk).update(
            peer_reviewed=True, peer_review_date=datetime.date(2026, 11, 21)
        )
        url = self.english_urls()["practice"]
        expected = {
            "": "21 November 2026",
            "/de": "21. November 2026",
            "/fr": "21 novembre 2026",
            "/es": "21 de noviembre de 2026",
        }
        for prefix, written in expected.items():
            with self.subTest(prefix=prefix or "/"):
                self.assertContains(self.client.get(f"{prefix}{url}"), f"({written})")

    def test_the_switch_keeps_the_page_and_the_query(self):
        query = "q=online&country=be&sort=title"
        response = self.client.get(f"/fr/practices/?{query}")
        html = response.content.decode()
        escaped = query.replace("&", "&amp;")
        for code, name in settings.LANGUAGES:
            prefix = "" if code == "en" else f"/{code}"
            link = f'<a href="{prefix}/practices/?{escaped}" lang="{code}" hreflang="{code}"'
            self.assertIn(link, html)
            self.assertIn(name, html)
        # The reader's own language is marked as the current one.
        self.assertIn('hreflang="fr" aria-current="true"', html)
        self.assertEqual(html.count('aria-current="true"'), 1)

    def test_hreflang_alternates_name_every_language_and_a_default(self):
        root = Site.objects.get(is_default_site=True).root_url
        english = self.english_urls()["practice"]
        html = self.client.get(f"/de{english}").content.decode()
        for code, _name in settings.LANGUAGES:
            prefix = "" if code == "en" else f"/{code}"
            self.assertIn(
                f'<link rel="alternate" hreflang="{code}" href="{root}{prefix}{english}">', html
            )
        self.assertIn(f'<link rel="alternate" hreflang="x-default" href="{root}{english}">', html)

    def test_machine_channels_keep_one_unprefixed_address(self):
        for url in (
            "/api/practices/",
            "/oai/?verb=Identify",
            "/feeds/practices.rss",
            "/sitemap.xml",
            "/catalog.ttl",
        ):
            self.assertEqual(self.client.get(url).status_code, 200, url)
            self.assertEqual(self.client.get(f"/fr{url}").status_code, 404, f"/fr{url}")
        # In English, whatever language the client asks for.
        feed = self.client.get("/feeds/practices.rss", HTTP_ACCEPT_LANGUAGE="fr")
        self.assertEqual(feed.headers.get("Content-Language", "en"), "en")

    def test_the_practice_says_in_which_language_it_is_described(self):
        url = self.english_urls()["practice"]
        # An English practice read in English: no note; read in French: its language named
        # in French (Django's own name for it), outside the content marked lang="en".
        self.assertNotContains(self.client.get(url), 'class="content-language"')
        html = self.client.get(f"/fr{url}").content.decode()
        self.assertIn('<p class="content-language">', html)
        note = html.split('<p class="content-language">', 1)[1].split("</p>", 1)[0]
        self.assertEqual(note.strip(), "Cette pratique est décrite en anglais.")
        # German writes the name capitalised, Spanish in lower case mid-sentence.
        self.assertContains(self.client.get(f"/de{url}"), "auf Englisch beschrieben")
        self.assertContains(self.client.get(f"/es{url}"), "descrita en inglés.")
        self.assertIn('<article class="practice" lang="en">', html)
        # A practice written in French, read in English.
        PracticePage.objects.filter(pk=self.practice.pk).update(language="fr")
        translation.activate("en")
        response = self.client.get(url)
        self.assertContains(response, "This practice is described in French.")
        self.assertContains(response, '<article class="practice" lang="fr">')
        self.assertNotContains(self.client.get(f"/fr{url}"), 'class="content-language"')
