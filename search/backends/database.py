"""The database engine (the default): Wagtail's database search for words, cached facet
columns for visibility, filters, counts and order.

Works on SQLite (FTS5) and PostgreSQL (full text). The words are matched in Wagtail's search
index with one query; everything else runs over search.columns.FacetColumns, which holds
every searchable practice and is rebuilt after any change to one (docs/search.md).
"""

from functools import cached_property

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, F, FloatField
from django.db.models.expressions import CombinedExpression, ExpressionWrapper
from django.db.models.functions import Cast
from wagtail.rich_text import get_text_for_indexing
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from practices.models import PracticePage

from .. import semantic
from ..columns import FacetColumns
from ..facets import FACETS
from ..highlight import mark_terms
from ..models import IndexGeneration
from .base import BaseBackend, SearchHit, SearchResult, SortOrder

# Practices whose search entries are written per bulk call (index updates, rebuilds).
ENTRY_CHUNK = 500
# Added to the relevance of practices whose title holds every word (they are listed first).
TITLE_MATCH_BONUS = 1000.0


class Backend(BaseBackend):
    """Searches the database directly; facets are counted over cached columns."""

    def __init__(self, **options):
        """Accept and ignore options, so settings can be switched without editing them."""

    def search(self, params):
        """Search the practices `params.user` may see; see BaseBackend for the rules."""
        columns = FacetColumns.current()
        matched = columns.visible(params.user)
        filters = {
            facet.name: columns.having_any(facet, params.selected_in(facet.name))
            for facet in FACETS
            if params.selected_in(facet.name)
        }
        ranked = params.effective_sort == SortOrder.RELEVANCE
        # Without filters every match is a hit, so the match and the scores are read at once;
        # with filters only the hits that remain are scored (ranking is the dearest part).
        words = word_match(params.text, ranked and not filters) if params.text else None
        meaning = semantic.neighbours(params.text) if params.text else semantic.NO_NEIGHBOURS
        some_words = False
        several = words is not None and len(set(params.text.split())) > 1
        if several and not words.ids and not meaning.ids:
            # Nothing holds every word and nothing is close in meaning: rather than nothing,
            # those holding some of the words, the most matching words first (bm25 and
            # ts_rank score each word that occurs).
            words = word_match(params.text, ranked and not filters, operator="or")
            some_words = bool(words.ids)
        if words:
            # The word matches together with the practices closest in meaning; what the
            # reader may not see was left out of `matched` before either was read.
            matched &= columns.rows_of(words.ids) | columns.rows_of(meaning.ids)
        hits = matched.copy()
        for mask in filters.values():
            hits &= mask
        facets = {}
        for facet in FACETS:
            counted = matched.copy()
            for name, mask in filters.items():
                if name != facet.name:
                    counted &= mask
            counts = columns.counts(facet, counted)
            facets[facet.name] = facet.options(
                counts, params.selected_in(facet.name), columns.labels.get(facet.name)
            )

        window = slice(params.offset, params.offset + params.per_page)
        if ranked:
            rows = self._by_relevance(columns, hits, words, meaning, window)
        else:
            order = columns.orders[params.effective_sort]
            rows = [(int(columns.ids[row]), None) for row in order[hits[order]][window]]
        page_ids = [pk for pk, _score in rows]
        by_meaning_only = set(meaning.ids) - words.ids if words else set()
        # A practice found by meaning holds none of the words: nothing in it is marked (a
        # word such as "de" would otherwise light up the start of "designed").
        snippets = self._snippets(page_ids, params.text.split(), unmarked=by_meaning_only)
        return SearchResult(
            params=params,
            hits=[
                SearchHit(pk, score, snippets[pk], related_in_meaning=pk in by_meaning_only)
                for pk, score in rows
            ],
            total=int(hits.sum()),
            facets=facets,
            some_words=some_words,
        )

    # Refreshing Wagtail's entry for a practice is one local write: a published practice is
    # searchable at once. A city or a term linked to hundreds of practices goes to the worker.
    inline_limit = 20

    def index_many(self, page_ids):
        """Refresh Wagtail's search entries of these practices in bulk and retire the cached
        columns once (the columns decide what is searchable, so drafts need no entry removed)."""
        count = self._write_entries(PracticePage.objects.filter(pk__in=set(page_ids)))
        IndexGeneration.advance()
        return count

    def rebuild(self, progress=None):
        """Write Wagtail's search entry of every practice again, delete the entries of
        practices that no longer exist, and retire the cached columns."""
        count = self._write_entries(PracticePage.objects.all(), progress)
        content_type = ContentType.objects.get_for_model(PracticePage)
        # IndexEntry.object_id is text: compare it with the page ids cast to text.
        existing = PracticePage.objects.annotate(key=Cast("pk", CharField())).values("key")
        orphans = IndexEntry.objects.filter(content_type=content_type).exclude(
            object_id__in=existing
        )
        removed, _by_model = orphans.delete()
        IndexGeneration.advance()
        return (
            f"Wrote the search entries of {count} practices again and removed {removed} "
            "left over from deleted ones; facet columns will be read afresh on the next search."
        )

    def _write_entries(self, practices, progress=None):
        """Write Wagtail's search entries of `practices` with its backend's bulk call, a chunk
        at a time; return how many. One entry at a time (insert_or_update_object) took 45-120 ms
        a practice here, the bulk call 5-8 ms (docs/benchmarks.md)."""
        wagtail_search = get_search_backend()
        ids = practices.order_by("pk").values_list("pk", flat=True)
        if progress is not None:
            ids = progress(ids.iterator(), ids.count())

        def write(chunk):
            pages = list(
                PracticePage.get_indexed_objects()
                .filter(pk__in=chunk)
                .prefetch_related("key_themes", "tags")
            )
            if pages:
                wagtail_search.add_bulk(PracticePage, pages)
            return len(pages)

        count, chunk = 0, []
        for pk in ids:
            chunk.append(pk)
            if len(chunk) == ENTRY_CHUNK:
                count += write(chunk)
                chunk = []
        return count + write(chunk)

    def _by_relevance(self, columns, hits, words, meaning, window):
        """(page id, relevance) of the window of hits: title matches first, then the word
        ranking (Wagtail's relevance) fused with the ranking by meaning, then title and id."""
        rows = np.flatnonzero(hits)
        ids = columns.ids[rows]
        page_ids = ids.tolist()
        lexical = [pk for pk in page_ids if pk in words.ids]
        relevance = words.relevance_of(lexical)
        in_title = words.in_title
        # The word ranking: as before the fusion, title matches first, then relevance.
        lexical.sort(key=lambda pk: (pk not in in_title, -relevance.get(pk, 0.0)))
        visible = set(page_ids)
        by_meaning = [pk for pk in meaning.ids if pk in visible]
        fused = semantic.fusion_scores(lexical, by_meaning)
        scores = np.fromiter((fused.get(pk, 0.0) for pk in page_ids), float, len(page_ids))
        titled = np.fromiter((pk in in_title for pk in page_ids), bool, len(page_ids))
        # np.lexsort sorts by its last key first.
        order = np.lexsort((columns.title_rank[rows], -scores, ~titled))[window]
        return [
            (int(ids[i]), (TITLE_MATCH_BONUS if titled[i] else 0.0) + float(scores[i]))
            for i in order
        ]

    def _snippets(self, page_ids, terms, unmarked=frozenset()):
        """Page id -> highlighted snippet of the description (none marked for `unmarked`)."""
        descriptions = dict(
            PracticePage.objects.filter(pk__in=page_ids).values_list("pk", "description")
        )
        return {
            pk: mark_terms(
                get_text_for_indexing(descriptions.get(pk) or ""),
                [] if pk in unmarked else terms,
            )
            for pk in page_ids
        }


# --- words


def word_match(text, ranked=False, operator="and"):
    """How to find the practices holding every word of `text` (operator "or": any of them)
    on this database (`ranked`: their relevance will be asked for)."""
    backend = get_search_backend()
    if connection.vendor == "sqlite":
        # Importable only on SQLite: the module loads a model that exists only there.
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        if isinstance(backend, SQLiteSearchBackend):
            return SQLiteWordMatch(text, ranked, operator)
    if connection.vendor == "postgresql":
        from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend

        if isinstance(backend, PostgresSearchBackend):
            return PostgresWordMatch(text, ranked, operator)
    return WordMatch(text, ranked, operator)


class WordMatch:
    """Every practice holding all the words, with Wagtail's relevance, through Wagtail's own
    search queries (any database backend; the reference the faster readings are tested
    against).

    `ids`: every matching practice, live or not (visibility is applied by the engine).
    `relevance`: page id -> Wagtail's score, higher is better. `in_title`: the ids whose
    title holds every word.
    """

    def __init__(self, text, ranked=False, operator="and"):
        """Remember the words, whether relevance will be asked for (then the match and the
        scores can be read at once) and whether every word ("and") or any ("or") must occur;
        nothing runs until a property is read."""
        self.text = text
        self.ranked = ranked
        self.operator = operator

    def _search(self, **options):
        return PracticePage.objects.all().search(self.text, operator=self.operator, **options)

    @cached_property
    def ids(self):
        """The ids of every practice holding all the words."""
        matches = self._search(order_by_relevance=False).get_queryset().order_by()
        return set(matches.values_list("pk", flat=True))

    @cached_property
    def relevance(self):
        """Page id -> relevance (higher is better) of every match."""
        scored = self._search(order_by_relevance=True).annotate_score("_score").get_queryset()
        # Wagtail orders best first, but the direction differs per database (PostgreSQL's
        # ts_rank is higher-is-better, SQLite's bm25 lower-is-better): reuse its ordering.
        best_first = scored.query.order_by[0]
        descending = (
            best_first.startswith("-") if isinstance(best_first, str) else best_first.descending
        )
        sign = 1.0 if descending else -1.0
        return {pk: sign * score for pk, score in scored.order_by().values_list("pk", "_score")}

    def relevance_of(self, page_ids):
        """Page id -> relevance of the given matching practices (subclasses may read fewer)."""
        relevance = self.relevance
        return {pk: relevance[pk] for pk in page_ids if pk in relevance}

    @cached_property
    def in_title(self):
        """The ids of the practices whose title holds every word."""
        if self.operator != "and":
            return set()  # "or" is only asked when no practice holds every word
        matches = self._search(fields=["title"], order_by_relevance=False).get_queryset()
        return set(matches.order_by().values_list("pk", flat=True))


class PostgresWordMatch(WordMatch):
    """The same matches and scores on PostgreSQL, from Wagtail's index table alone.

    Wagtail's own query joins the page tables to its index row by row; reading the index
    table alone, through the expression index on (title || body) (search/migrations/0001),
    is several times faster. The tsquery and the rank come from Wagtail's own query
    compiler, so they are Wagtail's: ts_rank(title) * title_norm + ts_rank(body).
    """

    @cached_property
    def _compiled(self):
        """Wagtail's tsquery for the words, and its rank expression for an index entry."""
        backend = get_search_backend()
        compiler = backend.query_compiler_class(
            PracticePage.objects.all(), self.text, operator=self.operator
        )
        config = backend.config
        tsquery = compiler.build_tsquery(compiler.query, config=config)
        title_rank = compiler.build_tsrank(F("title"), compiler.query, config=config)
        body_rank = compiler.build_tsrank(F("body"), compiler.query, config=config)
        return tsquery, title_rank * F("title_norm") + body_rank

    def _entries(self):
        """The index entries of practices (any other content type is left out)."""
        content_type = ContentType.objects.get_for_model(PracticePage)
        return IndexEntry.objects.filter(content_type=content_type)

    def _matches(self):
        """The entries holding every word, in title or body (as Wagtail matches them)."""
        tsquery, _rank = self._compiled
        vector = CombinedExpression(F("title"), "||", F("body"))
        return self._entries().annotate(_vector=vector).filter(_vector=tsquery)

    @cached_property
    def ids(self):
        """The ids of every practice holding all the words."""
        if self.ranked:
            return set(self.relevance)
        return {int(pk) for pk in self._matches().values_list("object_id", flat=True)}

    @cached_property
    def relevance(self):
        """Page id -> Wagtail's relevance (higher is better) of every match."""
        return self._scores(self._matches())

    def relevance_of(self, page_ids):
        """Page id -> relevance of the given matching practices, scoring only those."""
        if "relevance" in self.__dict__:
            return super().relevance_of(page_ids)
        return self._scores(self._matches().filter(object_id__in=[str(pk) for pk in page_ids]))

    def _scores(self, entries):
        _tsquery, rank = self._compiled
        scored = entries.annotate(_rank=ExpressionWrapper(rank, output_field=FloatField()))
        return {int(pk): score for pk, score in scored.values_list("object_id", "_rank")}

    @cached_property
    def in_title(self):
        """The ids of the practices whose title holds every word."""
        if self.operator != "and":
            return set()  # "or" is only asked when no practice holds every word
        tsquery, _rank = self._compiled
        # The entry's own title vector, which its GIN index serves.
        titled = self._entries().filter(title=tsquery)
        return {int(pk) for pk in titled.values_list("object_id", flat=True)}


class SQLiteWordMatch(WordMatch):
    """The same matches and scores on SQLite, read from Wagtail's FTS5 index in one query.

    Wagtail's SQLite queries join its index table to the FTS5 table, and without ANALYZE
    statistics SQLite loops over the index table and runs the full-text query once per
    entry (about 0.3 s per query at 1,000 practices). Reading the FTS5 table first takes
    milliseconds. The score is Wagtail's, bm25 * (title_norm + 1), lower being better, so
    relevance is its negation; tests/search/test_database_engine.py checks both against
    Wagtail's own queries.
    """

    def _query(self, columns):
        entries = IndexEntry._meta.db_table
        joiner = " AND " if self.operator == "and" else " OR "
        phrase = joiner.join(f'"{word}"' for word in self.text.split())
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
    def relevance(self):
        """Page id -> relevance (the negated bm25 score: higher is better) of every match."""
        return {pk: -score for pk, score in self._query(["title", "body"])}

    @cached_property
    def ids(self):
        """The ids of every practice holding all the words."""
        return set(self.relevance)

    @cached_property
    def in_title(self):
        """The ids of the practices whose title holds every word."""
        if self.operator != "and":
            return set()  # "or" is only asked when no practice holds every word
        return {pk for pk, _score in self._query(["title"])}
