"""The search page at /practices/: a GET form that works without JavaScript and never errors."""

import re
from html import unescape
from unittest import mock
from urllib.parse import urlencode

from django.test import TestCase, override_settings

from practices.models import PracticeIndexPage
from search.forms import MAX_QUERY_LENGTH
from tests.factories import CityPageFactory, PracticePageFactory
from tests.practices.pdf_helpers import pdf_text

from . import data
from .engines import ElasticsearchEngine, closed_port_url, elasticsearch_settings, rebuild_index

PUBLIC_TITLES = {
    "Youth mentoring",
    "Family support line",
    "Street mediation",
    "Online counter narratives",
    "after-school theatre",
}
HIDDEN_TITLES = {
    "Mentoring in prisons",
    "Mentoring archive",
    "Mentoring for members",
    "Harbour mentoring",
}


def result_titles(html):
    """The titles of the result cards, in order."""
    return [
        unescape(t) for t in re.findall(r'<h3 class="card-title"><a href="[^"]*">([^<]*)</a>', html)
    ]


class SearchPageTests(TestCase):
    """The page on the default (database) engine."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()

    def get(self, query=""):
        response = self.client.get(f"/practices/{query}")
        self.assertEqual(response.status_code, 200, query[:80])
        return response.content.decode()

    def test_the_practices_page_is_the_search_page(self):
        response = self.client.get("/practices/")
        self.assertTemplateUsed(response, "search/practice_search.html")
        html = response.content.decode()
        self.assertEqual(set(result_titles(html)), PUBLIC_TITLES)
        self.assertEqual(len(result_titles(html)), 6)
        self.assertIn("6 practices", html)
        for title in HIDDEN_TITLES:
            self.assertNotIn(title, html)

    def test_the_results_can_be_downloaded_as_one_pdf(self):
        html = self.get("?q=mentoring")
        link = re.search(r'<p class="bundle-link"><a href="([^"]+)">([^<]+)</a>', html)
        self.assertIsNotNone(link, "no PDF link above the results")
        self.assertEqual(link.group(2), "Download these 2 practices as one PDF")
        response = self.client.get(unescape(link.group(1)))  # tasks run at once in the tests
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.getvalue())
        self.assertIn("Search results", text)
        self.assertIn("Youth mentoring", text)
        self.assertIn("Family support line", text)
        for title in HIDDEN_TITLES:
            self.assertNotIn(title, text)
        self.assertNotIn('class="bundle-link"', self.get("?q=zebra"))

    def test_the_form_is_a_labelled_get_form(self):
        html = self.get()
        self.assertRegex(
            html, r'<form class="search-form" method="get" action="/practices/" role="search"'
        )
        self.assertIn('<label for="id_q">Search practices</label>', html)
        self.assertIn('<label for="id_sort">Sort by</label>', html)
        checkboxes = re.findall(r'<input type="checkbox" id="([^"]+)"', html)
        self.assertGreater(len(checkboxes), 30)
        for checkbox_id in checkboxes:
            self.assertIn(f'<label for="{checkbox_id}">', html)

    def test_facets_show_counts_and_fold_long_lists(self):
        html = self.get()
        self.assertIn("<legend>City</legend>", html)
        self.assertRegex(
            html,
            r'name="city" value="ghent">\s*<label for="facet-city-ghent">Ghent <span class="count">\(3',
        )
        self.assertIn("<summary>1 more</summary>", html)  # nine key themes, eight shown

    def test_only_the_commonest_options_are_listed_but_a_ticked_one_always_is(self):
        with mock.patch("search.views.FACET_OPTIONS_LISTED", 2):
            html = self.get("?theme=multi-agency-cooperation")
        themes = re.findall(r'name="theme" value="([^"]+)"', html)
        self.assertEqual(len(themes), 3)
        self.assertEqual(themes[-1], "multi-agency-cooperation")
        self.assertRegex(html, r'name="theme" value="multi-agency-cooperation" checked')
        self.assertIn("6 less common values are not listed; add words to narrow the results.", html)

    def test_ticking_filters_narrows_the_results_and_shows_removable_chips(self):
        html = self.get("?city=ghent&network=peer-network")
        self.assertEqual(result_titles(html), ["Youth mentoring"])
        self.assertRegex(html, r'name="city" value="ghent" checked')
        self.assertIn('href="?network=peer-network" aria-label="Remove filter City: Ghent"', html)
        self.assertIn('href="?city=ghent" aria-label="Remove filter Network: Peer Network"', html)
        self.assertIn('<a class="clear-all" href="/practices/">Clear all</a>', html)

    def test_words_are_highlighted_and_can_be_removed(self):
        html = self.get("?q=counselling")
        self.assertEqual(result_titles(html), ["Family support line"])
        self.assertIn("<mark>counselling</mark>", html)
        self.assertIn('value="counselling"', html)
        self.assertIn('aria-label="Remove filter Words: counselling"', html)

    def test_sorting_is_kept_in_shareable_links(self):
        html = self.get("?sort=title&city=ghent")
        self.assertEqual(
            result_titles(html), ["after-school theatre", "Street mediation", "Youth mentoring"]
        )
        self.assertIn('<option value="title" selected>', html)
        self.assertIn('href="?sort=title"', html)  # removing the city keeps the order

    def test_a_member_sees_members_only_practices(self):
        self.client.force_login(self.content.member)
        titles = result_titles(self.get("?q=mentoring"))
        self.assertEqual(
            set(titles),
            {
                "Youth mentoring",
                "Family support line",
                "Mentoring for members",
                "Harbour mentoring",
            },
        )

    def test_a_restricted_practices_page_stays_restricted(self):
        data.members_only(PracticeIndexPage.objects.get())
        response = self.client.get("/practices/?q=mentoring")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.client.force_login(self.content.member)
        self.assertEqual(self.client.get("/practices/?q=mentoring").status_code, 200)

    # --- bad input never errors

    def test_query_syntax_is_treated_as_plain_words(self):
        for query in (
            '"mentoring" AND (counselling*) OR -phone ~2 : ^ \\ / [',
            "{{mentoring}} <script>",
            "%00mentoring'; DROP",
        ):
            with self.subTest(query=query):
                html = self.get("?" + urlencode({"q": query}))
                self.assertNotIn("<script>", html.split("<main")[1])
        self.assertEqual(
            result_titles(
                self.get("?" + urlencode({"q": '"mentoring" AND (counselling*) OR -phone'}))
            ),
            ["Family support line"],
        )

    def test_a_ten_thousand_character_query_is_shortened_with_a_notice(self):
        html = self.get("?" + urlencode({"q": "mentoring " * 1000}))
        self.assertIn(
            f"Your search was shortened to its first {MAX_QUERY_LENGTH} characters.", html
        )
        self.assertEqual(result_titles(html), ["Youth mentoring", "Family support line"])
        self.get("?" + urlencode({"q": "x" * 10_000}))

    def test_an_empty_result_offers_the_filters_to_drop_with_their_counts_and_the_themes(self):
        html = self.get("?q=counselling&city=ghent&network=peer-network")
        self.assertEqual(result_titles(html), [])
        self.assertIn("No practice matches this search.", html)
        ways = html.split('<div class="ways-out">', 1)[1].split("</div>", 1)[0]
        # Each way out is the page's own link without one filter, with what it would find.
        self.assertIn(
            '<a href="?network=peer-network&amp;city=ghent">Without “Words: counselling”: '
            "1 practice</a>",
            ways,
        )
        widened = self.get("?city=ghent&network=peer-network")
        self.assertEqual(len(result_titles(widened)), 1)
        self.assertIn("Or browse a key theme", ways)
        self.assertIn('href="/practices/?theme=family-support"', ways)
        for title in HIDDEN_TITLES:
            self.assertNotIn(title, html)

    def test_a_thin_result_offers_ways_out_and_a_full_one_does_not(self):
        self.assertIn("Without “Words: mentoring”: 6 practices", self.get("?q=mentoring"))
        self.assertNotIn('class="ways-out"', self.get(""))

    def test_only_common_words_list_everything_with_a_notice(self):
        html = self.get("?q=the+and+of")
        self.assertIn("only very common words", html)
        self.assertEqual(len(result_titles(html)), 6)

    def test_unknown_filter_values_are_ignored_with_a_notice(self):
        html = self.get(
            "?city=atlantis&theme=nonsense&updated=3000&start=sometime&country=zz&city=ghent"
        )
        self.assertIn("Some filters in the link do not exist any more and were ignored.", html)
        self.assertEqual(len(result_titles(html)), 3)
        self.assertNotIn("atlantis", html)

    def test_out_of_range_pages_show_the_last_page_with_a_notice(self):
        html = self.get("?page=999")
        self.assertIn("There is no page 999; this is the last page, 1.", html)
        self.assertEqual(len(result_titles(html)), 6)
        self.assertIn("is not a number", self.get("?page=abc"))
        self.assertEqual(len(result_titles(self.get("?page=-4"))), 6)
        self.assertIn(
            "There is no page 99999999999999999999; this is the last page, 1.",
            self.get("?page=99999999999999999999"),
        )

    def test_unknown_sort_orders_and_odd_characters_are_survived(self):
        self.assertIn("That sort order is unknown", self.get("?sort=bogus"))
        self.get("?q=%00&city=%00&sort=%00&page=%00")
        self.get("?q=" + "%F0%9F%92%A5" * 50 + "&city=" + "x" * 5000)
        self.assertEqual(result_titles(self.get("?q=zebra")), [])
        self.assertIn("No practice matches this search.", self.get("?q=zebra"))

    def test_the_header_search_box_sends_words_to_the_search_page(self):
        html = self.client.get("/cities/").content.decode()
        self.assertRegex(
            html, r'<form class="site-search" method="get" action="/practices/" role="search"'
        )
        self.assertIn('<label class="visually-hidden" for="site-search-q">', html)
        # On the search page itself the page's own box is the only one.
        html = self.get()
        self.assertNotIn('class="site-search"', html)
        self.assertEqual(html.count('type="search"'), 1)


class PaginationTests(TestCase):
    """More practices than one page holds."""

    @classmethod
    def setUpTestData(cls):
        city = CityPageFactory(title="Turku", slug="turku", country="FI")
        cls.titles = [f"Kayak club {n:02d}" for n in range(21)]
        for title in cls.titles:
            PracticePageFactory(title=title, parent=city)

    def test_pages_carry_the_whole_search(self):
        html = self.client.get("/practices/?q=kayak&sort=title&page=2").content.decode()
        self.assertEqual(result_titles(html), self.titles[20:])
        self.assertIn('rel="prev" href="?q=kayak&amp;sort=title"', html)
        self.assertIn(
            '<span aria-current="page"><span class="visually-hidden">Page </span>2</span>', html
        )
        first = self.client.get("/practices/?q=kayak&sort=title").content.decode()
        self.assertEqual(result_titles(first), self.titles[:20])
        self.assertIn('rel="next" href="?q=kayak&amp;sort=title&amp;page=2"', first)
        self.assertIn("21 practices", first)


class ElasticsearchSearchPageTests(ElasticsearchEngine, TestCase):
    """The page on the Elasticsearch engine, and its fallback."""

    @classmethod
    def setUpTestData(cls):
        cls.content = data.build()
        rebuild_index()

    def test_the_page_shows_close_matches_for_a_misspelling(self):
        html = self.client.get("/practices/?q=mentorng").content.decode()
        self.assertIn("No exact matches; 2 practices with similar words", html)
        self.assertEqual(result_titles(html), ["Youth mentoring", "Family support line"])

    def test_the_page_answers_from_the_database_when_the_cluster_is_down(self):
        with (
            override_settings(PRACTICE_SEARCH=elasticsearch_settings(closed_port_url(), TIMEOUT=1)),
            self.assertLogs("search.backends.elasticsearch", "WARNING"),
        ):
            response = self.client.get("/practices/?q=mentoring&city=ghent")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("The full search service is unavailable at the moment", html)
        self.assertEqual(result_titles(html), ["Youth mentoring"])
