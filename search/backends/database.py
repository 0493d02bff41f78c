"""The database engine (the default): Wagtail's database search for words, the ORM for facets.

Works on SQLite (FTS5) and PostgreSQL (full text). It has no index of its own: it starts from
PracticePage.objects.visible_to(user) on every search, so visibility is always current.
"""

from collections import Counter
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate, Lower
from wagtail.rich_text import get_text_for_indexing
from wagtail.search.backends import get_search_backend
from wagtail.search.index import insert_or_update_object
from wagtail.search.models import IndexEntry

from practices.models import PracticePage

from ..facets import FACETS, RANGES
from ..highlight import mark_terms
from .base import BaseBackend, SearchHit, SearchResult, SortOrder

# Added to the relevance of practices whose title holds every word (they are listed first).
TITLE_MATCH_BONUS = 1000.0

# Title order must be the same on every engine: lower-cased, then compared code point by code
# point (Elasticsearch's keyword order). These are the byte-order collations of each database.
BINARY_COLLATIONS = {"postgresql": "C", "sqlite": "BINARY"}


def title_order():
    """An expression ordering titles case-insensitively by code point, as Elasticsearch does."""
    collation = BINARY_COLLATIONS.get(connection.vendor)
    title = Lower("title")
    return Collate(title, collation) if collation else title


def order_by_for(sort):
    """The ORM ordering of a sort order other than relevance (see Backend._by_relevance)."""
    if sort == SortOrder.NEWEST:
        return [F("first_published_at").desc(nulls_last=True), title_order(), "pk"]
    if sort == SortOrder.UPDATED:
        return [F("last_update_year").desc(nulls_last=True), title_order(), "pk"]
    return [title_order(), "pk"]


class Backend(BaseBackend):
    """Searches the database directly; facet counts are ORM aggregates."""

    def __init__(self, **options):
        """Accept and ignore options, so settings can be switched without editing them."""

    def search(self, params):
        """Search the practices `params.user` may see; see BaseBackend for the rules."""
        visible = PracticePage.objects.visible_to(params.user)
        words = word_match(params.text) if params.text else None
        matched = words.restrict(visible) if words else visible
        filters = {
            facet.name: self._filter(facet, params.selected_in(facet.name))
            for facet in FACETS
            if params.selected_in(facet.name)
        }
        hits = matched.filter(*filters.values())
        total = hits.count()
        facets = {}
        for facet in FACETS:
            others = [q for name, q in filters.items() if name != facet.name]
            counts = self._count(facet, matched.filter(*others))
            facets[facet.name] = facet.options(counts, params.selected_in(facet.name))

        window = slice(params.offset, params.offset + params.per_page)
        if params.effective_sort == SortOrder.RELEVANCE:
            rows = words.ranked(hits, window)
        else:
            ordered = hits.order_by(*order_by_for(params.effective_sort))
            rows = [(pk, None) for pk in ordered.values_list("pk", flat=True)[window]]
        snippets = self._snippets([pk for pk, _score in rows], params.text.split())
        return SearchResult(
            params=params,
            hits=[SearchHit(pk, score, snippets[pk]) for pk, score in rows],
            total=total,
            facets=facets,
        )

    def index(self, page):
        """Refresh Wagtail's search entry for the page (vocabulary labels are part of it)."""
        insert_or_update_object(page)

    def remove(self, page_id):
        """Nothing to do: Wagtail drops its entry on delete, and visibility is checked live."""

    def rebuild(self, progress=None):
        """Nothing to rebuild; say so."""
        return (
            "The database engine searches Wagtail's own search index, which is updated on "
            "every save, so there is no separate index to rebuild. To repair Wagtail's index, "
            "run `manage.py update_index`."
        )

    def _snippets(self, page_ids, terms):
        """Page id -> highlighted snippet of the description."""
        descriptions = dict(
            PracticePage.objects.filter(pk__in=page_ids).values_list("pk", "description")
        )
        return {
            pk: mark_terms(get_text_for_indexing(descriptions.get(pk) or ""), terms)
            for pk in page_ids
        }

    # --- facets

    def _filter(self, facet, slugs):
        """The condition for "any of these slugs" in one facet."""
        condition = Q()
        if facet.kind == RANGES:
            for bucket in facet.ranges:
                if bucket.slug in slugs:
                    condition |= _year_range(facet.orm_path, bucket)
            return condition
        if facet.comma_separated:
            # Codes are two letters between commas, so "contains" cannot match across codes.
            for slug in slugs:
                condition |= Q(**{f"{facet.orm_path}__contains": facet.from_slug(slug)})
            return condition
        values = [facet.from_slug(slug) for slug in slugs]
        # A subquery, so that a practice in two selected cities is still one hit.
        matching = PracticePage.objects.filter(**{f"{facet.orm_path}__in": values})
        return Q(pk__in=matching.values("pk"))

    def _count(self, facet, queryset):
        """Slug -> number of practices in `queryset` having it."""
        queryset = queryset.order_by()
        if facet.kind == RANGES:
            row = queryset.aggregate(
                **{
                    bucket.slug: Count("pk", filter=_year_range(facet.orm_path, bucket))
                    for bucket in facet.ranges
                }
            )
            return row
        if facet.comma_separated:
            # One column holds several codes, which SQL cannot group portably; count here.
            counts = Counter()
            for value in queryset.values_list(facet.orm_path, flat=True):
                for code in _codes(value):
                    counts[facet.to_slug(code)] += 1
            return counts
        # Each practice is one row here (filters are subqueries), so COUNT needs no DISTINCT
        # (and PostgreSQL no sort).
        rows = queryset.values_list(facet.orm_path).annotate(n=Count("pk"))
        return {facet.to_slug(value): n for value, n in rows if value not in (None, "")}


def _year_range(path, bucket):
    condition = Q()
    if bucket.start is not None:
        condition &= Q(**{f"{path}__gte": bucket.start})
    if bucket.end is not None:
        condition &= Q(**{f"{path}__lt": bucket.end})
    return condition


def _codes(value):
    """The country codes of a CountryField(multiple=True) value, as stored or as loaded."""
    if not value:
        return []
    if isinstance(value, str):
        return [code for code in value.split(",") if code]
    return [getattr(country, "code", country) for country in value]


# --- words


def word_match(text):
    """How to find the practices holding every word of `text` on this database."""
    if connection.vendor == "sqlite":
        # Importable only on SQLite: the module loads a model that exists only there.
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        if isinstance(get_search_backend(), SQLiteSearchBackend):
            return SQLiteWordMatch(text)
    return WordMatch(text)


class WordMatch:
    """Every practice holding all the words, found by Wagtail's database search backend.

    It covers every practice, visible or not: Wagtail's search only takes filters on its
    FilterFields, which `archived` is not, so search() narrows the visible practices to it.
    Each of Wagtail's database backends (PostgreSQL, MySQL, SQLite, fallback) builds its
    query in SearchResults.get_queryset(), which this reuses as a queryset.
    """

    # Up to this many matches, their ids are read once and listed in each facet query (well
    # below SQLite's 32,766 variables a statement) instead of repeating the full-text search
    # in every query; past it, every query repeats it as a subquery, slower but unlimited.
    MAX_LISTED = 30_000

    def __init__(self, text):
        """Remember the words; nothing runs until the queries are evaluated."""
        self.text = text

    def matches(self, **options):
        """A queryset of the matching practices (ordered best first if asked)."""
        return PracticePage.objects.all().search(self.text, operator="and", **options)

    def restrict(self, queryset):
        """`queryset` narrowed to practices holding every word."""
        if self.listed_ids is None:
            return queryset.filter(pk__in=self.matching().values("pk"))
        return queryset.filter(pk__in=self.listed_ids)

    def matching(self):
        """The matching practices, unordered."""
        return self.matches(order_by_relevance=False).get_queryset().order_by()

    @cached_property
    def listed_ids(self):
        """The matching ids, read once; None when there are more than MAX_LISTED."""
        ids = list(self.matching().values_list("pk", flat=True)[: self.MAX_LISTED + 1])
        return ids if len(ids) <= self.MAX_LISTED else None

    def ranked(self, hits, window):
        """(page id, relevance) of the `window` slice of `hits`, best first: title matches,
        then Wagtail's relevance, then title and page id."""
        scored = self.matches(order_by_relevance=True).annotate_score("_score").get_queryset()
        # Wagtail orders best first, but the direction differs per database (PostgreSQL's
        # ts_rank is higher-is-better, SQLite's bm25 lower-is-better): reuse its ordering.
        best_first = scored.query.order_by[0]
        if isinstance(best_first, str):
            best_first = OrderBy(F(best_first.lstrip("-")), descending=best_first.startswith("-"))
        # Title matches are read once (few practices hold every word in their title) rather
        # than tested per match with a correlated subquery.
        in_title = list(
            self.matches(fields=["title"], order_by_relevance=False)
            .get_queryset()
            .filter(pk__in=hits.values("pk"))
            .values_list("pk", flat=True)
        )
        higher_is_better = F("_score") if best_first.descending else -F("_score")
        title_bonus = Value(0.0)
        order = [best_first, title_order(), "pk"]
        if in_title:  # (an empty IN would make a constant, which ORDER BY refuses)
            title_bonus = Case(
                When(pk__in=in_title, then=Value(TITLE_MATCH_BONUS)), default=Value(0.0)
            )
            order.insert(0, Case(When(pk__in=in_title, then=Value(0)), default=Value(1)).asc())
        ordered = (
            scored.filter(pk__in=hits.values("pk"))
            .annotate(
                _relevance=ExpressionWrapper(
                    title_bonus + higher_is_better, output_field=FloatField()
                )
            )
            .order_by(*order)
        )
        return list(ordered.values_list("pk", "_relevance")[window])


class SQLiteWordMatch(WordMatch):
    """The same matches and scores on SQLite, read from Wagtail's FTS5 index in one query.

    Wagtail's SQLite queries join its index table to the FTS5 table, and without ANALYZE
    statistics SQLite loops over the index table and runs the full-text query once per
    entry (about 0.3 s per query at 1,000 practices, 15 queries a search). Reading the FTS5
    table first takes milliseconds. The score is Wagtail's, bm25 * (title_norm + 1), lower
    being better; tests/search/test_database_engine.py checks both against Wagtail's own.
    """

    def __init__(self, text):
        """Run the full-text query once: every matching practice's score, and title matches."""
        super().__init__(text)
        self.scores = dict(self._query(["title", "body"]))
        self.in_title = {pk for pk, _score in self._query(["title"])}

    def _query(self, columns):
        entries = IndexEntry._meta.db_table
        phrase = " AND ".join(f'"{word}"' for word in self.text.split())
        sql = (
            f"SELECT entry.object_id, bm25({entries}_fts) * (entry.title_norm + 1) "  # noqa: S608
            f"FROM {entries}_fts CROSS JOIN {entries} AS entry ON entry.id = {entries}_fts.rowid "
            f"WHERE {entries}_fts MATCH %s AND entry.content_type_id = %s"
        )
        # CROSS JOIN makes SQLite read the FTS5 table first. The words are plain \w+ tokens
        # (search.forms), so quoting each one makes a valid FTS5 phrase.
        match = "{" + " ".join(columns) + "} : (" + phrase + ")"
        content_type = ContentType.objects.get_for_model(PracticePage)
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, content_type.pk])
            return [(int(object_id), score) for object_id, score in cursor.fetchall()]

    @cached_property
    def listed_ids(self):
        """The matching ids, from the scores; None when there are more than MAX_LISTED."""
        return list(self.scores) if len(self.scores) <= self.MAX_LISTED else None

    def ranked(self, hits, window):
        """Like WordMatch.ranked, sorted here from the scores read once."""
        rows = hits.values_list("pk", "title")
        order = sorted(
            (pk not in self.in_title, self.scores[pk], title.lower(), pk)
            for pk, title in rows
            if pk in self.scores
        )
        return [
            (pk, (0.0 if elsewhere else TITLE_MATCH_BONUS) - score)
            for elsewhere, score, _title, pk in order[window]
        ]
