"""The contract every practice-search engine keeps: what goes in, what comes out, what it must do.

Views, commands, signals and tasks talk only to BaseBackend (HOUSE_STYLE.md habit 6), and
tests/search/contract.py checks every engine against the same data and expectations.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

# Elasticsearch refuses to page past 10,000 hits (index.max_result_window); the database engine
# keeps the same ceiling so both engines answer the same page numbers the same way.
MAX_RESULT_WINDOW = 10_000

# A progress reporter for rebuild(): wraps an iterable whose length is `total` (tqdm fits).
Progress = Callable[[Iterable[Any], int], Iterable[Any]]


class SortOrder(models.TextChoices):
    """The orders a visitor can choose; ties are always broken by title, then page id."""

    RELEVANCE = "relevance", _("Relevance")
    NEWEST = "newest", _("Newest")
    UPDATED = "updated", _("Last updated")
    TITLE = "title", _("Title (A to Z)")


@dataclass(frozen=True)
class SearchParams:
    """A validated search request; built by search.forms.SearchForm (or by tests).

    `text` holds plain words only (no query syntax); `selected` maps a facet name to the
    slugs chosen in it. `user` decides visibility: results and counts only ever include
    PracticePage.objects.visible_to(user). `counted` names the facets whose options are
    wanted (None: every facet); the others come back with no options, and are not counted.
    """

    text: str = ""
    selected: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sort: str = SortOrder.RELEVANCE
    page: int = 1
    per_page: int = 20
    user: Any = field(default_factory=AnonymousUser, compare=False, repr=False)
    counted: frozenset[str] | None = None

    @property
    def effective_sort(self) -> str:
        """The order actually used: relevance means nothing without words, so it is newest."""
        if self.sort == SortOrder.RELEVANCE and not self.text:
            return SortOrder.NEWEST
        return self.sort

    @property
    def offset(self) -> int:
        """How many hits come before this page."""
        return (self.page - 1) * self.per_page

    @property
    def max_page(self) -> int:
        """The last page number any engine can serve at this page size."""
        return MAX_RESULT_WINDOW // self.per_page

    def counts(self, facet_name: str) -> bool:
        """Whether this search lists the options of a facet (SearchParams.counted)."""
        return self.counted is None or facet_name in self.counted

    def selected_in(self, facet_name: str) -> frozenset[str]:
        """The slugs selected in one facet (empty when none)."""
        return self.selected.get(facet_name, frozenset())


@dataclass(frozen=True)
class FacetOption:
    """One checkbox of a facet: its slug, label, count and whether it is ticked."""

    slug: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchHit:
    """One result: the page id, a relevance score and a highlighted snippet.

    `score` is higher for better matches and only comparable within one result list; it is
    None when the hits are not ordered by relevance. `highlight` is escaped HTML in which
    only <mark> elements are markup.
    """

    page_id: int
    score: float | None
    highlight: SafeString
    # True when the practice holds none of the words and is listed for its meaning alone.
    related_in_meaning: bool = False


@dataclass(frozen=True)
class SearchResult:
    """What a search returns: one page of hits, the total, and every facet's options."""

    params: SearchParams
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[FacetOption]]
    # True when no practice contained the exact words and close spellings were searched.
    close_matches: bool = False
    # The query with its misspelt words corrected from the collection's vocabulary, when
    # the words as typed found nothing (the page offers "Did you mean ...?").
    suggestion: str = ""
    # True when no practice held every word and those holding some of them are listed.
    some_words: bool = False
    # A sentence for the visitor when the engine could not answer normally (fallback).
    notice: str = ""

    @property
    def page_ids(self) -> list[int]:
        """The ids of this page's hits, best first."""
        return [hit.page_id for hit in self.hits]

    @property
    def num_pages(self) -> int:
        """How many pages the hits fill (at least one), capped at what engines can serve."""
        return max(1, min(ceil(self.total / self.params.per_page), self.params.max_page))


class BaseBackend:
    """What every practice-search engine must do.

    - search(params): the hits the user may see for the words and the selected facets, in
      the requested order, with the total and every facet's options. Facets are
      multi-select: OR within a facet, AND across facets, and each facet is counted with
      every *other* facet's selection applied, never its own. An option is listed when its
      count is above zero or it is selected; only the facets `params.counted` names are
      counted (a search that needs only its total counts none). Every word must occur;
      when no practice holds every word of a query of several words, those holding some of
      them are the hits
      (SearchResult.some_words). Stop words are not searched. When the words as typed match
      nothing, misspelt ones are corrected from the collection's vocabulary and the
      corrected words searched (SearchResult.close_matches, SearchResult.suggestion).
      Relevance puts practices whose title holds all the words first; every order breaks
      ties by title (case-insensitive), then page id.
    - index_many(page_ids): bring these practices in line with the database in one bulk
      write: refresh the searchable ones, drop the rest (drafts, archived, deleted); return
      how many were written or dropped. The worker's index task calls it (search/tasks.py).
      index(page) and remove(page_id) are the one-practice cases.
    - rebuild(progress): re-index every searchable practice and drop what should not be
      there, repairing whatever a lost index task left behind; return a sentence saying
      what was done.
    - `inline_limit`: how many practices a change may re-index inside the request that made
      it, so that they are searchable at once; larger changes go to the worker. Zero for an
      engine whose writes leave the machine.

    Engines never raise on search for reasons outside the request: an engine that cannot
    answer falls back to the database engine and sets SearchResult.notice.
    """

    def search(self, params: SearchParams) -> SearchResult:
        """Run one search; see the class docstring for the rules."""
        raise NotImplementedError

    inline_limit = 0
    # True for the engine that reads the database's own index (search/index.py), which
    # search/signals.py writes in the transaction of a change.
    uses_database_index = False

    def index_many(self, page_ids) -> int:
        """Refresh the searchable practices among `page_ids` and drop the others; how many."""
        raise NotImplementedError

    def index(self, page) -> None:
        """Add or refresh one PracticePage, or remove it when it is not searchable."""
        self.index_many([page.pk])

    def remove(self, page_id: int) -> None:
        """Forget one page; do nothing if it was never indexed."""
        self.index_many([page_id])

    def rebuild(self, progress: Progress | None = None) -> str:
        """Re-index every searchable practice, drop the rest; say what was done."""
        raise NotImplementedError
