"""The database engine (the default): the project's own index in the database.

Works on SQLite (FTS5) and PostgreSQL (full text). Every searchable practice has one
PracticeDocument row, its facet values and its words (search/index.py writes them, from the
flattening function Elasticsearch also uses). A search is a few queries over those tables:
which documents the reader may see and the words (or the meaning) select, how many of them
each facet value has with the other facets' filters applied, and one page of them in order.
"""

from collections import defaultdict

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from practices.visibility import blocked_pages

from .. import index, semantic, spelling
from ..facets import FACETS, RANGES
from ..fulltext import full_text
from ..highlight import mark_terms
from ..models import FacetCount, PracticeDocument, PracticeFacetValue
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
        matched = visible_documents(params.user)
        filters = {
            facet.name: facet_filter(facet, params.selected_in(facet.name))
            for facet in FACETS
            if params.selected_in(facet.name)
        }
        words, meaning, found = None, semantic.NO_NEIGHBOURS, {}
        if params.text:
            words, found = find_words(params.text, matched)
            meaning = semantic.neighbours(params.text)
            if words is None and not meaning.ids and len(query_words(params.text)) > 1:
                # Nothing holds every word (even spelt closely) and nothing is close in
                # meaning: rather than nothing, those holding some of the words.
                words, found = find_some_words(params.text, matched)
            selected = Q(pk__in=meaning.ids)
            if words is not None:
                selected |= Q(pk__in=words.selection())
            matched = matched.filter(selected)
        hits = matched.filter(*filters.values())

        window = slice(params.offset, params.offset + params.per_page)
        if params.effective_sort == SortOrder.RELEVANCE:
            rows, total = by_relevance(hits, words, meaning, window)
        else:
            ordered = hits.order_by(*ORDERS[params.effective_sort](connection.vendor))
            rows = [(pk, None) for pk in ordered.values_list("pk", flat=True)[window]]
            total = hits.count()
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
            facets=facet_options(matched, filters, params),
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


def visible_documents(user):
    """The documents of the practices `user` may see: every one outside the subtrees of the
    view restrictions they do not pass (PracticePage.objects.visible_to's rule; only live,
    unarchived practices have documents)."""
    documents = PracticeDocument.objects.all()
    for page in blocked_pages(user):
        documents = documents.exclude(path__gte=page.path, path__lt=page.path + AFTER_SUBTREE)
    return documents


def facet_filter(facet, slugs):
    """A condition on documents: having any of `slugs` in `facet`."""
    if facet.kind == RANGES:
        condition = Q(pk__in=[])
        for bucket in facet.ranges:
            if bucket.slug in slugs:
                bounds = Q(start__isnull=False)
                if bucket.start is not None:
                    bounds &= Q(start__gte=bucket.start)
                if bucket.end is not None:
                    bounds &= Q(start__lt=bucket.end)
                condition |= bounds
        return condition
    having = PracticeFacetValue.objects.filter(facet=facet.name, value__in=sorted(slugs))
    return Q(pk__in=having.values("document_id"))


def facet_options(matched, filters, params):
    """Every facet's options: counted over `matched` with every other facet's filter
    applied. Facets that share the same other filters are counted in one query."""
    groups = defaultdict(list)
    for facet in FACETS:
        groups[tuple(name for name in filters if name != facet.name)].append(facet)
    counts = {facet.name: {} for facet in FACETS}
    for others, facets in groups.items():
        if not others and not params.text:
            # Every document the reader may see: the counts kept as documents are written.
            kept = kept_counts(params.user)
            for facet in facets:
                counts[facet.name] = kept[facet.name]
            continue
        counted = matched.filter(*(filters[name] for name in others))
        rows = (
            PracticeFacetValue.objects.filter(
                document__in=counted, facet__in=[facet.name for facet in facets]
            )
            .order_by()
            .values_list("facet", "value")
            .annotate(count=Count("*"))
        )
        for name, value, count in rows:
            counts[name][value] = count
    for facet in FACETS:
        if facet.kind == RANGES:  # its values are years: counted into its buckets
            years = [(int(year), count) for year, count in counts[facet.name].items()]
            counts[facet.name] = _bucket_counts(facet, years)
    return {
        facet.name: facet.options(counts[facet.name], params.selected_in(facet.name))
        for facet in FACETS
    }


def kept_counts(user):
    """Facet name -> value -> practices among every document `user` may see, from the
    counts kept per set of guarding restrictions (search.models.FacetCount)."""
    blocked = {str(page.pk) for page in blocked_pages(user)}
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


def _bucket_counts(facet, years):
    counts = {}
    for year, count in years:
        if year is None:
            continue
        for bucket in facet.ranges:
            if (bucket.start is None or year >= bucket.start) and (
                bucket.end is None or year < bucket.end
            ):
                counts[bucket.slug] = counts.get(bucket.slug, 0) + count
    return counts


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


def by_relevance(hits, words, meaning, window):
    """([(page id, relevance)] of the window of hits, how many hits): title matches first,
    then the word ranking fused with the ranking by meaning, then title and page id."""
    rows = list(hits.values_list("pk", "title_sort"))
    visible = {pk for pk, _title in rows}
    scores = words.scores if words else {}
    in_title = words.in_title if words else set()
    lexical = [pk for pk, _title in rows if pk in scores]
    lexical.sort(key=lambda pk: (pk not in in_title, -scores[pk]))
    fused = semantic.fusion_scores(lexical, [pk for pk in meaning.ids if pk in visible])
    rows.sort(key=lambda row: (row[0] not in in_title, -fused.get(row[0], 0.0), row[1], row[0]))
    page = [
        (pk, (TITLE_MATCH_BONUS if pk in in_title else 0.0) + fused.get(pk, 0.0))
        for pk, _title in rows[window]
    ]
    return page, len(rows)


def _snippets(page_ids, terms, unmarked=frozenset()):
    """Page id -> highlighted snippet of the description (none marked for `unmarked`)."""
    documents = PracticeDocument.objects.filter(pk__in=page_ids)
    descriptions = dict(documents.values_list("pk", "document__description"))
    return {
        pk: mark_terms(descriptions.get(pk) or "", [] if pk in unmarked else terms)
        for pk in page_ids
    }


# --- words


def find_words(text, visible):
    """(WordMatch, what to say of it) for the words of `text` among the `visible`
    documents: the practices holding every word, or when none does, those holding every
    word of its spelling correction; (None, {}) when neither finds anything."""
    words = query_words(text)
    if words:
        match = WordMatch(words)
        if match.found_in(visible):
            return match, {}
    corrected = spelling.correction(text)
    if corrected:
        match = WordMatch(query_words(corrected))
        if match.found_in(visible):
            return match, {"close_matches": True, "suggestion": corrected}
    return None, {}


def find_some_words(text, visible):
    """(WordMatch, what to say of it) for the `visible` documents holding any word of
    `text`, or else any word of its spelling correction; (None, {}) when none does."""
    some = WordMatch(query_words(text), operator="or")
    if some.found_in(visible):
        return some, {"some_words": True}
    corrected = spelling.correction(text)
    if corrected:
        some = WordMatch(query_words(corrected), operator="or")
        if some.found_in(visible):
            return some, {"some_words": True, "close_matches": True, "suggestion": corrected}
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

    @property
    def scores(self):
        """Page id -> relevance (higher is better) of every match."""
        if not hasattr(self, "_scores"):
            self._scores = self.text.scores(self.words, self.operator)
        return self._scores

    @property
    def in_title(self):
        """The ids of the practices whose title holds every word (none for "or")."""
        if self.operator != "and":
            return set()
        if not hasattr(self, "_in_title"):
            self._in_title = self.text.in_title(self.words)
        return self._in_title

    def ids_among(self, page_ids):
        """The ids among `page_ids` that hold the words."""
        if hasattr(self, "_scores") or not page_ids:
            return {pk for pk in page_ids if pk in self.scores}
        matching = PracticeDocument.objects.filter(pk__in=page_ids).filter(pk__in=self.selection())
        return set(matching.values_list("pk", flat=True))
