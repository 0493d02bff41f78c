"""The edge of the search: GET parameters in, a validated SearchParams out (habit 10).

Bad input never raises. Over-long text is shortened, query syntax is reduced to plain words,
unknown facet values and sort orders are dropped, and page numbers are clamped. Each of these
adds a sentence to `notices` where telling the visitor helps.
"""

import re
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .backends.base import SearchParams, SortOrder
from .facets import FACETS, MAX_SELECTED_PER_FACET

MAX_QUERY_LENGTH = 200  # characters kept from the search box
MAX_WORDS = 32  # words passed to the engines
RESULTS_PER_PAGE = 20
_WORD = re.compile(r"\w+")
# Lucene's English stop words (Elasticsearch's `_english_`). Elasticsearch's and PostgreSQL's
# English analysers ignore them but SQLite's FTS5 requires them, so they are dropped here for
# every engine: "the family" then finds the same practices everywhere.
STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into",
        "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then",
        "there", "these", "they", "this", "to", "was", "will", "with",
    }
)  # fmt: skip


class TidyCharField(forms.CharField):
    """Text in which NUL characters are dropped instead of failing validation."""

    def to_python(self, value):
        """The text without NUL characters, stripped."""
        return super().to_python((value or "").replace("\x00", ""))


class SlugListField(forms.Field):
    """Every value of a repeated GET parameter (?city=ghent&city=lisbon), tidied."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        """Lower-cased, stripped, de-duplicated values, in the order given."""
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        tidy = (str(item).replace("\x00", "").strip().lower()[:100] for item in values)
        return list(dict.fromkeys(item for item in tidy if item))


class SearchForm(forms.Form):
    """The practice search form: words, one field per facet, sort order and page."""

    q = TidyCharField(required=False, label=_("Search practices"))
    sort = TidyCharField(required=False)
    page = TidyCharField(required=False)

    def __init__(self, data=None, *, user=None):
        """Bind to a QueryDict (request.GET); `user` decides what the search may show."""
        super().__init__(data if data is not None else {})
        for facet in FACETS:
            self.fields[facet.name] = SlugListField(required=False, label=facet.label)
        self.user = user if user is not None else AnonymousUser()
        self.notices = []
        self.requested_page = 1
        # True when the query string named a term by a slug it had before (clean()): the
        # search page then redirects to the same search with the current slugs.
        self.renamed = False

    def clean_q(self):
        """Keep at most MAX_QUERY_LENGTH characters."""
        text = self.cleaned_data["q"]
        if len(text) > MAX_QUERY_LENGTH:
            self.notices.append(
                gettext("Your search was shortened to its first %(count)d characters.")
                % {"count": MAX_QUERY_LENGTH}
            )
            text = text[:MAX_QUERY_LENGTH].strip()
        return text

    def clean_sort(self):
        """A known sort order, or relevance."""
        sort = self.cleaned_data["sort"]
        if sort in SortOrder.values:
            return sort
        if sort:
            self.notices.append(
                gettext("That sort order is unknown, so results are sorted by relevance.")
            )
        return SortOrder.RELEVANCE

    def clean_page(self):
        """A page number between 1 and the last page any engine can serve.

        The number asked for stays in `requested_page`, so the view can say that it does
        not exist.
        """
        raw = self.cleaned_data["page"]
        if not raw:
            return 1
        try:
            page = int(raw)
        except ValueError:
            self.notices.append(
                gettext("That page number is not a number, so this is the first page.")
            )
            return 1
        self.requested_page = max(page, 1)
        return min(self.requested_page, SearchParams(per_page=RESULTS_PER_PAGE).max_page)

    def clean(self):
        """Replace former slugs by the current ones, drop facet values that name nothing,
        and say so."""
        cleaned = super().clean()
        ignored = False
        for facet in FACETS:
            values = cleaned.get(facet.name) or []
            if len(values) > MAX_SELECTED_PER_FACET:
                values, ignored = values[:MAX_SELECTED_PER_FACET], True
            known = facet.known(values) if values else set()
            if len(known) < len(values):
                # A term renamed or a tag merged since the link was made: its old slug stands
                # for the term now, on every engine, in feeds and in saved searches alike.
                renamed = facet.renamed(value for value in values if value not in known)
                if renamed:
                    self.renamed = True
                    values = list(dict.fromkeys(renamed.get(value, value) for value in values))
                    known |= set(renamed.values())
            if len(known) < len(values):
                ignored = True
            cleaned[facet.name] = [value for value in values if value in known]
        if ignored:
            self.notices.append(
                gettext("Some filters in the link do not exist any more and were ignored.")
            )
        return cleaned

    @cached_property
    def params(self) -> SearchParams:
        """The validated request for the engines (words only, no query syntax)."""
        self.is_valid()  # never fails: every field tidies instead of rejecting
        data = self.cleaned_data
        words = [word.lower() for word in _WORD.findall(data.get("q", ""))]
        words = list(dict.fromkeys(word for word in words if word not in STOP_WORDS))[:MAX_WORDS]
        if data.get("q") and not words:
            self.notices.append(
                gettext("Your search holds only very common words, so every practice is listed.")
            )
        return SearchParams(
            text=" ".join(words),
            selected={
                facet.name: frozenset(data[facet.name]) for facet in FACETS if data.get(facet.name)
            },
            sort=data.get("sort", SortOrder.RELEVANCE),
            page=data.get("page", 1),
            per_page=RESULTS_PER_PAGE,
            user=self.user,
        )

    def querystring(self, *, remove=None, page=None, keep_text=True, keep_filters=True, text=None):
        """The query string of this search with changes: a shareable, canonical link.

        `remove` is a (facet name, slug) pair to drop; ("q", None) drops the words. `text`
        replaces the words (a spelling suggestion).
        """
        self.is_valid()
        data = self.cleaned_data
        pairs = []
        words = data.get("q") if text is None else text
        if keep_text and words and remove != ("q", None):
            pairs.append(("q", words))
        if keep_filters:
            for facet in FACETS:
                for slug in data.get(facet.name) or []:
                    if remove != (facet.name, slug):
                        pairs.append((facet.name, slug))
        if data.get("sort", SortOrder.RELEVANCE) != SortOrder.RELEVANCE:
            pairs.append(("sort", data["sort"]))
        if page and page > 1:
            pairs.append(("page", page))
        return urlencode(pairs)
