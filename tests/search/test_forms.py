"""SearchForm: GET parameters in, a validated SearchParams out, and never an error."""

from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.test import TestCase

from search.backends.base import SearchParams, SortOrder
from search.facets import MAX_SELECTED_PER_FACET
from search.forms import MAX_QUERY_LENGTH, MAX_WORDS, SearchForm
from tests.factories import CityPageFactory


def form(query_string, user=None):
    """A SearchForm bound to a query string."""
    return SearchForm(QueryDict(query_string), user=user)


class SearchFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        CityPageFactory(title="Ghent", slug="ghent")
        CityPageFactory(title="Lisbon", slug="lisbon")

    def test_an_empty_request_is_the_default_search(self):
        search = form("")
        self.assertEqual(search.params, SearchParams())
        self.assertIsInstance(search.params.user, AnonymousUser)
        self.assertEqual(search.notices, [])

    def test_words_are_plain_lower_case_and_free_of_syntax_and_stop_words(self):
        params = form("q=%22Mentoring%22+AND+(the+Counselling*)+OR+-phone~+mentoring").params
        self.assertEqual(params.text, "mentoring counselling phone")

    def test_long_text_is_shortened_and_words_are_capped(self):
        search = form("q=" + "+".join(f"w{n}" for n in range(2000)))
        params = search.params
        self.assertLessEqual(len(search.cleaned_data["q"]), MAX_QUERY_LENGTH)
        self.assertEqual(len(params.text.split()), MAX_WORDS)
        self.assertIn(
            f"Your search was shortened to its first {MAX_QUERY_LENGTH} characters.", search.notices
        )

    def test_nul_characters_are_dropped_not_rejected(self):
        search = form("q=ment%00oring&city=gh%00ent&sort=%00&page=%00")
        self.assertEqual(search.params.text, "mentoring")
        self.assertTrue(search.is_valid())

    def test_unknown_sort_falls_back_to_relevance_with_a_notice(self):
        search = form("sort=cheapest")
        self.assertEqual(search.params.sort, SortOrder.RELEVANCE)
        self.assertEqual(len(search.notices), 1)
        self.assertEqual(form("sort=title").params.sort, SortOrder.TITLE)

    def test_page_numbers_are_clamped(self):
        self.assertEqual(form("page=3").params.page, 3)
        self.assertEqual(form("page=0").params.page, 1)
        self.assertEqual(form("page=-2").params.page, 1)
        self.assertEqual(form("page=2.5").params.page, 1)
        huge = form("page=123456789")
        self.assertEqual(huge.params.page, SearchParams().max_page)
        self.assertEqual(huge.requested_page, 123456789)

    def test_relevance_needs_words(self):
        self.assertEqual(form("").params.effective_sort, SortOrder.NEWEST)
        self.assertEqual(form("q=mentoring").params.effective_sort, SortOrder.RELEVANCE)

    def test_known_facet_values_are_kept_and_unknown_ones_dropped_with_a_notice(self):
        search = form(
            "theme=family-support&theme=nope&country=BE&country=xx&start=2015-2019&start=soon"
            "&updated=2021&updated=21&peer_reviewed=yes&peer_reviewed=maybe&language=en&language=klingon"
            "&evaluation=external&city=atlantis"
        )
        self.assertEqual(
            dict(search.params.selected),
            {
                "theme": frozenset({"family-support"}),
                "country": frozenset({"be"}),
                "start": frozenset({"2015-2019"}),
                "updated": frozenset({"2021"}),
                "peer_reviewed": frozenset({"yes"}),
                "language": frozenset({"en"}),
                "evaluation": frozenset({"external"}),
            },
        )
        self.assertEqual(
            search.notices, ["Some filters in the link do not exist any more and were ignored."]
        )

    def test_a_facet_keeps_at_most_fifty_values(self):
        years = "&".join(f"updated={year}" for year in range(1950, 2030))
        self.assertEqual(len(form(years).params.selected["updated"]), MAX_SELECTED_PER_FACET)

    def test_the_query_string_is_canonical_and_can_drop_one_value(self):
        search = form("page=2&sort=title&city=ghent&q=youth+work&theme=family-support&city=lisbon")
        self.assertEqual(
            search.querystring(),
            "q=youth+work&city=ghent&city=lisbon&theme=family-support&sort=title",
        )
        self.assertEqual(
            search.querystring(remove=("city", "ghent"), page=3),
            "q=youth+work&city=lisbon&theme=family-support&sort=title&page=3",
        )
        self.assertEqual(
            search.querystring(remove=("q", None)),
            "city=ghent&city=lisbon&theme=family-support&sort=title",
        )
        self.assertEqual(search.querystring(keep_text=False, keep_filters=False), "sort=title")
