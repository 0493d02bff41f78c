"""The database engine (the default): the project's own index in the database.

Works on SQLite (FTS5) and PostgreSQL (full text). Every searchable practice has one
PracticeDocument row, its facet values and its words (search/index.py writes them, from the
flattening function Elasticsearch also uses). The words (or the meaning) select page ids;
the documents' paths, sort keys and facet value codes come from the copy each process keeps
of those columns, brought up to date at the start of every search (search/table.py), so
visibility, filters, counts (each facet with the other facets' filters applied) and order
are numpy masks over it. A search without words or filters takes the counts kept as
documents are written and one page of documents in SQL order.
"""

from collections import defaultdict
from functools import cache, cached_property, partial

import numpy as np
from django.db import connection
from django.db.models import F, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from practices.visibility import blocked_pages

from .. import index, semantic, spelling
from ..codes import codes_of, names_of
from ..facets import FACETS, FACETS_BY_NAME, RANGES
from ..fulltext import full_text
from ..highlight import mark_terms
from ..models import FacetCount, PracticeDocument
from ..table import DocumentTable
from ..words import query_words
from .base import BaseBackend, SearchHit, SearchResult, SortOrder

# Added to the relevance of practices whose title holds every word (they are listed first).
TITLE_MATCH_BONUS = 1000.0
# Greater than every character of a treebeard path (0-9, A-Z): path + this bounds a subtree.
AFTER_SUBTREE = "~"


class Backend(BaseBackend):
    """Searches the project's index tables in the database; see the module docstring."""

    inline_limit = 20
    uses_database_index = True

    def __init__(self, **options):
        """Accept and ignore options, so settings can be switched without editing them."""

    # --- reading

    def search(self, params):
        """Search the practices `params.user` may see; see BaseBackend for the rules."""
        blocked = blocked_pages(params.user)
        visible = visible_documents(blocked)
        selected = {
            facet.name: params.selected_in(facet.name)
            for facet in FACETS
            if params.selected_in(facet.name)
        }
        words, meaning, found = None, semantic.NO_NEIGHBOURS, {}
        if params.text:
            correction = cache(partial(spelling.correction, params.text))
            words, found = find_words(params.text, visible, correction=correction)
            meaning = semantic.neighbours(params.text)
            if words is None and not meaning.ids and len(query_words(params.text)) > 1:
                # Nothing holds every word (even spelt closely) and nothing is close in
                # meaning: rather than nothing, those holding some of the words.
                words, found = find_words(params.text, visible, "or", correction)

        window = slice(params.offset, params.offset + params.per_page)
        if not params.text and not selected:
            # Everything the reader may see: the counts kept as documents are written, and
            # one page of documents in order.
            ordered = visible.order_by(*ORDERS[params.effective_sort](connection.vendor))
            rows = [(pk, None) for pk in ordered.values_list("pk", flat=True)[window]]
            total = visible.count()
            counts = kept_counts(blocked) if params.counted != frozenset() else {}
        else:
            table = DocumentTable.current()
            matched = visible_mask(table, blocked)
            if params.text:
                matched &= table.mask_of(meaning.ids + (list(words.scores) if words else []))
            documents = MatchedDocuments(table, matched)
            masks = {
                name: documents.having(FACETS_BY_NAME[name], slugs)
                for name, slugs in selected.items()
            }
            hits = documents.all()
            for mask in masks.values():
                hits &= mask
            if params.effective_sort == SortOrder.RELEVANCE:
                rows = by_relevance(documents.rows_of(hits), words, meaning, window)
            else:
                ordered = sorted(documents.rows_of(hits), key=SORT_KEYS[params.effective_sort])
                rows = [(row[0], None) for row in ordered[window]]
            total = int(hits.sum())
            counts = documents.facet_counts(masks, [f for f in FACETS if params.counts(f.name)])
        page_ids = [pk for pk, _score in rows]
        if words is not None:
            by_meaning_only = set(page_ids) - words.ids_among(page_ids)
        else:  # with words that found nothing, every hit is there for its meaning
            by_meaning_only = set(page_ids) if params.text else set()
        # A practice found by meaning holds none of the words: nothing in it is marked (a
        # word such as "de" would otherwise light up the start of "designed").
        terms = words.words if words else []
        snippets = _snippets(page_ids, terms, unmarked=by_meaning_only)
        return SearchResult(
            params=params,
            hits=[
                SearchHit(pk, score, snippets[pk], related_in_meaning=pk in by_meaning_only)
                for pk, score in rows
            ],
            total=total,
            facets={
                facet.name: facet.options(
                    _bucketed(facet, counts[facet.name]), params.selected_in(facet.name)
                )
                if params.counts(facet.name)
                else []
                for facet in FACETS
            },
            **found,
        )

    # --- writing

    def index_many(self, page_ids):
        """Write the index rows of the searchable practices among `page_ids`, drop the
        others'; how many (search/index.py)."""
        return index.write(page_ids)

    def rebuild(self, progress=None):
        """Write the whole index again from the database."""
        count = index.rebuild(progress)
        return f"Wrote the search documents of {count} practices again."


# --- the parts of a search


def visible_documents(blocked):
    """The documents of the practices outside the `blocked` pages' subtrees
    (practices.visibility.blocked_pages of a reader: PracticePage.objects.visible_to's rule;
    only live, unarchived practices have documents)."""
    documents = PracticeDocument.objects.all()
    for page in blocked:
        documents = documents.exclude(path__gte=page.path, path__lt=page.path + AFTER_SUBTREE)
    return documents


def visible_mask(table, blocked):
    """visible_documents' rule over the documents of a DocumentTable: a mask."""
    mask = np.ones(len(table.ids), dtype=bool)
    for page in blocked:
        mask &= table.outside(page.path, AFTER_SUBTREE)
    return mask


class MatchedDocuments:
    """The documents a search matched, as a mask over the process's DocumentTable (their
    facet value codes numpy arrays): filters are masks too and a facet's counts one
    `bincount`."""

    def __init__(self, table, matched):
        """The documents of `table` in the mask `matched`."""
        self.table = table
        self.matched = matched
        self.codes = table.codes
        self.owner = table.owner

    def all(self):
        """A mask of every matched document."""
        return self.matched.copy()

    def having(self, facet, slugs):
        """A mask of the documents having any of `slugs` in `facet`."""
        if facet.kind == RANGES:
            buckets = [bucket for bucket in facet.ranges if bucket.slug in slugs]
            wanted = [
                code
                for year, code in codes_of(facet.name).items()
                if any(_in_bucket(int(year), bucket) for bucket in buckets)
            ]
        else:
            wanted = list(codes_of(facet.name, slugs).values())
        mask = np.zeros(len(self.matched), dtype=bool)
        mask[self.owner[np.isin(self.codes, wanted)]] = True
        return mask & self.matched

    def rows_of(self, mask):
        """The (pk, title_sort, published, updated) rows of the documents in `mask`."""
        rows = self.table.rows
        return [rows[i] for i in np.flatnonzero(mask)]

    def facet_counts(self, masks, facets=FACETS):
        """Facet name -> value -> documents for each of `facets`, counted with every other
        facet's mask applied (facets sharing the same other masks in one bincount)."""
        groups = defaultdict(list)
        for facet in facets:
            groups[tuple(name for name in masks if name != facet.name)].append(facet.name)
        counted = {}
        for others, names in groups.items():
            passing = self.all()
            for name in others:
                passing &= masks[name]
            tally = np.bincount(self.codes[passing[self.owner]])
            codes = np.flatnonzero(tally)
            counted[others] = (names, dict(zip(codes.tolist(), tally[codes].tolist(), strict=True)))
        names_by_code = names_of({code for _names, tally in counted.values() for code in tally})
        counts = {facet.name: {} for facet in facets}
        for names, tally in counted.values():
            for code, count in tally.items():
                facet, value = names_by_code.get(code, (None, None))
                if facet in names:
                    counts[facet][value] = count
        return counts


def kept_counts(blocked):
    """Facet name -> value -> practices among every document outside the `blocked` pages'
    subtrees, from the counts kept per set of guarding restrictions (FacetCount)."""
    blocked = {str(page.pk) for page in blocked}
    keys = FacetCount.objects.order_by().values_list("guards", flat=True).distinct()
    allowed = [key for key in keys if not (set(key.split(",")) & blocked if key else False)]
    rows = (
        FacetCount.objects.filter(guards__in=allowed)
        .order_by()
        .values_list("facet", "value")
        .annotate(total=Sum("count"))
    )
    counts = {facet.name: {} for facet in FACETS}
    for name, value, total in rows:
        counts[name][value] = total
    return counts


def _in_bucket(year, bucket):
    return (bucket.start is None or year >= bucket.start) and (
        bucket.end is None or year < bucket.end
    )


def _bucketed(facet, counts):
    """A range facet's counts by year, counted into its buckets (other facets unchanged)."""
    if facet.kind != RANGES:
        return counts
    buckets = {}
    for year, count in counts.items():
        for bucket in facet.ranges:
            if _in_bucket(int(year), bucket):
                buckets[bucket.slug] = buckets.get(bucket.slug, 0) + count
    return buckets


def _title_key(vendor):
    # Code point order on every database (PostgreSQL's own collation would differ from
    # SQLite's and from Elasticsearch's keyword order).
    return Collate("title_sort", "C") if vendor == "postgresql" else F("title_sort")


ORDERS = {
    SortOrder.NEWEST: lambda vendor: [
        F("published").desc(nulls_last=True),
        _title_key(vendor),
        "pk",
    ],
    SortOrder.UPDATED: lambda vendor: [
        F("updated").desc(nulls_last=True),
        _title_key(vendor),
        "pk",
    ],
    SortOrder.TITLE: lambda vendor: [_title_key(vendor), "pk"],
}


def _latest_first(index):
    def key(row):
        value = row[index]
        return (value is None, -(value or 0), row[1], row[0])

    return key


# Python's order of the fetched rows (pk, title_sort, published, updated), as ORDERS in SQL:
# strings compare by code point, as COLLATE "C" does.
SORT_KEYS = {
    SortOrder.NEWEST: _latest_first(2),
    SortOrder.UPDATED: _latest_first(3),
    SortOrder.TITLE: lambda row: (row[1], row[0]),
}


def by_relevance(rows, words, meaning, window):
    """[(page id, relevance)] of the window of the hits `rows` (pk, title_sort, ...): title
    matches first, then the word ranking fused with the ranking by meaning, then title and
    page id."""
    visible = {row[0] for row in rows}
    scores = words.scores if words else {}
    in_title = words.in_title if words else set()
    lexical = [row[0] for row in rows if row[0] in scores]
    lexical.sort(key=lambda pk: (pk not in in_title, -scores[pk]))
    fused = semantic.fusion_scores(lexical, [pk for pk in meaning.ids if pk in visible])
    ranked = sorted(
        rows, key=lambda row: (row[0] not in in_title, -fused.get(row[0], 0.0), row[1], row[0])
    )
    return [
        (row[0], (TITLE_MATCH_BONUS if row[0] in in_title else 0.0) + fused.get(row[0], 0.0))
        for row in ranked[window]
    ]


def _snippets(page_ids, terms, unmarked=frozenset()):
    """Page id -> highlighted snippet of the description (none marked for `unmarked`)."""
    documents = PracticeDocument.objects.filter(pk__in=page_ids)
    descriptions = dict(documents.values_list("pk", "document__description"))
    return {
        pk: mark_terms(descriptions.get(pk) or "", [] if pk in unmarked else terms)
        for pk in page_ids
    }


# --- words


def find_words(text, visible, operator="and", correction=None):
    """(WordMatch, what to say of it) for the words of `text` among the `visible`
    documents: those holding every word ("and") or any of them ("or"), or when none does,
    the same for the words of its spelling correction; (None, {}) when neither finds
    anything. `correction()` returns that correction (a search asks for it once)."""
    said = {"some_words": True} if operator == "or" else {}
    words = query_words(text)
    if words:
        match = WordMatch(words, operator)
        if match.found_in(visible):
            return match, said
    corrected = correction() if correction else spelling.correction(text)
    if corrected:
        match = WordMatch(query_words(corrected), operator)
        if match.found_in(visible):
            return match, {**said, "close_matches": True, "suggestion": corrected}
    return None, {}


class WordMatch:
    """The practices holding every word ("and") or any of them ("or") in the full-text
    table, with their relevance; reads nothing until asked."""

    def __init__(self, words, operator="and"):
        """Remember the (non-empty) words and whether each one must occur."""
        self.words = list(words)
        self.operator = operator
        self.text = full_text()

    def subquery(self):
        """(SQL, params) selecting the page ids that match."""
        return self.text.matching(self.words, self.operator)

    def selection(self):
        """The matching page ids as an expression for `pk__in`: the full-text subquery
        (its SQL is fulltext's, every value a query parameter)."""
        return RawSQL(*self.subquery())  # noqa: S611

    def found_in(self, documents):
        """Whether any of `documents` (the reader's) holds the words: what the reader may
        not see never decides whether their words are corrected."""
        # The scores first, which a search by relevance needs anyway: PostgreSQL plans a
        # bare `LIMIT 1` on the full-text table as a scan of the whole table.
        return bool(self.scores) and documents.filter(pk__in=self.selection()).exists()

    @cached_property
    def scores(self):
        """Page id -> relevance (higher is better) of every match."""
        return self.text.scores(self.words, self.operator)

    @cached_property
    def in_title(self):
        """The ids of the practices whose title holds every word (none for "or")."""
        if self.operator != "and":
            return set()
        return self.text.in_title(self.words)

    def ids_among(self, page_ids):
        """The ids among `page_ids` that hold the words."""
        return {pk for pk in page_ids if pk in self.scores}
