"""The Elasticsearch engine: its own index (not Wagtail's) behind an alias.

An elasticsearch.dsl Document defines the mapping and a FacetedSearch subclass builds each
query. Rebuilds bulk-load a new timestamped index and swap the alias in one request. When
the cluster is unreachable or answers with an error, searches fall back to the database
engine with a notice, so a visitor never gets a server error because of the cluster.
"""

import logging
from contextlib import suppress
from dataclasses import replace
from functools import lru_cache

from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.dsl import (
    Document,
    FacetedSearch,
    Index,
    Integer,
    Keyword,
    Long,
    Q,
    RangeFacet,
    TermsFacet,
    Text,
)
from elasticsearch.helpers import BulkIndexError, streaming_bulk

from practices.visibility import blocked_pages

from .. import index as database_index
from .. import semantic, spelling
from ..documents import practice_documents, searchable_practices
from ..facets import FACETS, RANGES
from ..highlight import clean_fragment
from . import database
from .base import BaseBackend, SearchHit, SearchResult, SortOrder

logger = logging.getLogger(__name__)

# Errors that mean "the cluster could not answer": unreachable, timed out, or an error status.
CLUSTER_ERRORS = (ApiError, TransportError)

# Added to the score of practices whose title holds every word, so that they always rank
# above practices matching only elsewhere (BM25 scores of short queries stay far below it).
TITLE_MATCH_BOOST = 1000
# More distinct values than any facet has, so terms aggregations never truncate a facet.
FACET_SIZE = 1000
SNIPPET_CHARACTERS = 240
# Documents per bulk request when rebuilding: about 2.5 MB of JSON, within the few MB a bulk
# request should carry (Elasticsearch's "Tune for indexing speed" guide). It also suits
# osmem-server (tests, bench): it merges every ten bulk requests of 100 to 999 documents by
# re-indexing all of them inside the tenth request (30-40 s for 500-document requests at
# 10,000 practices), but leaves requests of 1,000 or more as they are.
BULK_CHUNK = 1000
# The name of the word query, so that a hit says whether it holds the words.
WORDS = "words"
# What a practice close in meaning adds to its score: SEMANTIC_BOOST for the closest, falling
# with rank (half of it at rank SEMANTIC_RANK_SCALE). Of the order of a good BM25 match of a
# short query, so meaning and words weigh alike; title matches still come first.
SEMANTIC_BOOST = 10.0
SEMANTIC_RANK_SCALE = 10
BULK_TIMEOUT = 120  # seconds one bulk request may take
# Index settings while a new index is loaded, as Elasticsearch advises for an initial load:
# no periodic refresh (the rebuild refreshes once at the end) and no replicas to index each
# document again (they are copied from the primary once the settings are restored).
LOADING_SETTINGS = {"index.refresh_interval": "-1", "index.number_of_replicas": 0}

SORTS = {
    SortOrder.RELEVANCE: ["_score", "title_sort", "page_id"],
    SortOrder.NEWEST: [
        {"published": {"order": "desc", "missing": "_last"}},
        "title_sort",
        "page_id",
    ],
    SortOrder.UPDATED: [
        {"updated": {"order": "desc", "missing": "_last"}},
        "title_sort",
        "page_id",
    ],
    SortOrder.TITLE: ["title_sort", "page_id"],
}


def _text(**kwargs):
    """An English-analysed text field with a language-neutral `.plain` subfield, also copied
    into all_text (the field that decides which practices match)."""
    return Text(
        analyzer="english",
        fields={"plain": Text(analyzer="standard")},
        copy_to="all_text",
        **kwargs,
    )


class PracticeDocument(Document):
    """The mapping of one searchable practice; search.documents.practice_to_document fills it."""

    page_id = Long()
    # Texts (search.documents.TEXT_FIELDS, the ones the database engine searches too).
    title = _text()
    description = _text()
    evidence = _text()
    sustainability = _text()
    organisation_name = _text()
    key_theme_labels = _text(multi=True)
    audience_labels = _text(multi=True)
    city_names = _text(multi=True)
    tag_names = _text(multi=True)
    all_text = Text(analyzer="english", fields={"plain": Text(analyzer="standard")})
    # Facets (search/facets.py): slugs and codes, years as numbers.
    network = Keyword(multi=True)
    country = Keyword(multi=True)
    city = Keyword(multi=True)
    theme = Keyword(multi=True)
    audience = Keyword(multi=True)
    organisation = Keyword()
    start = Integer()
    updated = Integer()
    peer_reviewed = Keyword()
    evaluation = Keyword()
    funding = Keyword(multi=True)
    tag = Keyword(multi=True)
    language = Keyword()
    adapted = Keyword()
    # Sorting and visibility.
    title_sort = Keyword()
    published = Long()
    restricted_by = Long(multi=True)
    path = Keyword(index=False)


def practice_index(name):
    """An index definition with the practice mapping and its analysis settings."""
    index = Index(name)
    index.document(PracticeDocument)
    return index


def _facet(facet):
    """The elasticsearch.dsl facet for one row of the facet table."""
    if facet.kind == RANGES:
        ranges = [(bucket.slug, (bucket.start, bucket.end)) for bucket in facet.ranges]
        return RangeFacet(field=facet.name, ranges=ranges)
    return TermsFacet(field=facet.name, size=FACET_SIZE)


class PracticeFacetedSearch(FacetedSearch):
    """One search: the words, the selected facets, what the user may see, and the order.

    FacetedSearch gives the multi-select semantics: hits are narrowed by a post_filter, and
    each facet's aggregation applies every other facet's selection but not its own.
    """

    fields = ["description"]  # the highlighted field (the query is built in query())
    facets = {facet.name: _facet(facet) for facet in FACETS}

    def __init__(
        self,
        client,
        alias,
        params,
        fuzzy=False,
        neighbours=semantic.NO_NEIGHBOURS,
        operator="and",
    ):
        """Build the request for `params`; fuzzy=True tolerates typing mistakes; the
        `neighbours` in meaning (search.semantic.neighbours) are hits too."""
        self.using = client
        self.index = alias
        self._params = params
        self._fuzzy = fuzzy
        self._neighbours = neighbours
        self._operator = operator
        filters = {name: sorted(slugs) for name, slugs in params.selected.items() if slugs}
        super().__init__(params.text or None, filters, sort=SORTS[params.effective_sort])
        # Every facet's filter is applied above; only the counted ones are read back.
        self.facets = {name: facet for name, facet in self.facets.items() if params.counts(name)}

    def aggregate(self, search):
        """Aggregate the facets the search counts (SearchParams.counted), not the others."""
        counted = self.facets
        self.facets = {name: facet for name, facet in counted.items() if self._params.counts(name)}
        try:
            super().aggregate(search)
        finally:
            self.facets = counted

    def search(self):
        """The base request: exact totals, no _source, and the visibility rule."""
        search = super().search().extra(track_total_hits=True).source(False)
        blocked = [page.pk for page in blocked_pages(self._params.user)]
        if blocked:
            search = search.exclude("terms", restricted_by=blocked)
        return search

    def query(self, search, query):
        """All words must occur (like the database engine's AND); the title ranks highest."""
        options = {"fuzziness": "AUTO", "prefix_length": 1} if self._fuzzy else {}
        matches = Q(
            "multi_match",
            query=query,
            fields=["all_text", "all_text.plain"],
            operator=self._operator,
            **options,
        )
        in_title = Q(
            "constant_score",
            filter=Q(
                "multi_match",
                query=query,
                fields=["title", "title.plain"],
                operator="and",
                **options,
            ),
            boost=TITLE_MATCH_BOOST,
        )
        relevance = Q(
            "multi_match",
            query=query,
            type="most_fields",
            fields=[
                "title^5",
                "title.plain^5",
                "key_theme_labels^3",
                "key_theme_labels.plain^3",
                "tag_names^2",
                "audience_labels^2",
                "city_names^2",
                "description",
                "description.plain",
                "evidence",
                "sustainability",
                "organisation_name",
            ],
            **options,
        )
        words = Q("bool", must=[matches], should=[in_title, relevance], _name=WORDS)
        if not self._neighbours.ids:
            return search.query(words)
        # How many practices hold the words, in the same request: with none, the engine
        # searches again for close spellings, as it does when nothing at all is found.
        search.aggs.bucket(WORDS, "filter", filter=matches)
        # The practices closest in meaning (search/semantic.py) join the word matches in one
        # query, so visibility, the post_filter and every facet's aggregation treat them
        # alike. Each adds a constant that falls with its rank in meaning to the score.
        by_meaning = [
            Q(
                "constant_score",
                filter=Q("ids", values=[str(pk)]),
                boost=SEMANTIC_BOOST / (1 + rank / SEMANTIC_RANK_SCALE),
            )
            for rank, pk in enumerate(self._neighbours.ids)
        ]
        return search.query(Q("bool", should=[words, *by_meaning], minimum_should_match=1))

    def highlight(self, search):
        """Mark the words in one fragment of the description (or its start, if none match)."""
        return search.highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",
            require_field_match=False,
        ).highlight(
            "description",
            number_of_fragments=1,
            fragment_size=SNIPPET_CHARACTERS,
            no_match_size=SNIPPET_CHARACTERS,
        )


@lru_cache(maxsize=8)
def _client(url, timeout, api_key, options):
    """One client (and its connection pool) per configuration, reused across requests."""
    kwargs = dict(options)
    if isinstance(kwargs.get("node_class"), str) and "." in kwargs["node_class"]:
        kwargs["node_class"] = import_string(kwargs["node_class"])
    if api_key:
        kwargs["api_key"] = api_key
    return Elasticsearch(url, request_timeout=timeout, max_retries=1, **kwargs)


def _missing_alias(item):
    """Whether one failed bulk item failed because the alias (the index) does not exist."""
    (result,) = item.values()
    error = result.get("error") or {}
    return result.get("status") == 404 and error.get("type") == "index_not_found_exception"


class Backend(BaseBackend):
    """Searches an Elasticsearch (8 or 9) index named by an alias; see the module docstring.

    Options (settings.PRACTICE_SEARCH, lower-cased): URL, INDEX (the alias, default
    "practices"), TIMEOUT (seconds), API_KEY, and OPTIONS (more client arguments; a
    dotted `node_class` path is imported).
    """

    def __init__(self, url, index="practices", timeout=5.0, api_key=None, options=None):
        """Remember the configuration; nothing connects until a request is made."""
        self.alias = index
        self.client = _client(url, float(timeout), api_key, tuple(sorted((options or {}).items())))

    # --- reading

    def search(self, params):
        """Search the index; on a cluster error, answer from the database engine instead."""
        try:
            neighbours = semantic.neighbours(params.text) if params.text else None
            result, word_matches = self._search(params, neighbours=neighbours)
            if params.text and word_matches == 0:
                fuzzy, fuzzy_word_matches = self._search(params, fuzzy=True, neighbours=neighbours)
                if fuzzy_word_matches:
                    result = replace(
                        fuzzy, close_matches=True, suggestion=spelling.correction(params.text)
                    )
                elif len(set(params.text.split())) > 1 and not (neighbours and neighbours.ids):
                    # Nothing holds every word, even spelt closely, and nothing is close in
                    # meaning: rather than nothing, the practices holding some of the words.
                    some, some_word_matches = self._search(
                        params, neighbours=neighbours, operator="or"
                    )
                    if some_word_matches:
                        result = replace(some, some_words=True)
                    else:  # some of the words, spelt closely
                        some, some_word_matches = self._search(
                            params, fuzzy=True, neighbours=neighbours, operator="or"
                        )
                        if some_word_matches:
                            result = replace(
                                some,
                                some_words=True,
                                close_matches=True,
                                suggestion=spelling.correction(params.text),
                            )
            return result
        except CLUSTER_ERRORS as error:
            logger.warning(
                "Elasticsearch search failed (%s); answering from the database engine.", error
            )
            fallback = database.Backend().search(params)
            return replace(
                fallback,
                notice=gettext(
                    "The full search service is unavailable at the moment, so these results "
                    "come from a simpler search and may be ordered differently."
                ),
            )

    def _search(self, params, fuzzy=False, neighbours=None, operator="and"):
        """(result, how many practices hold the words) for one request to the cluster;
        `neighbours` are search()'s, found once for all its requests."""
        faceted = PracticeFacetedSearch(
            self.client,
            self.alias,
            params,
            fuzzy=fuzzy,
            neighbours=neighbours or semantic.NO_NEIGHBOURS,
            operator=operator,
        )
        response = faceted[params.offset : params.offset + params.per_page].execute()
        by_relevance = params.effective_sort == SortOrder.RELEVANCE
        hits = []
        for hit in response:
            fragments = getattr(getattr(hit.meta, "highlight", None), "description", None)
            matched = getattr(hit.meta, "matched_queries", None) or []
            # Without neighbours every hit holds the words (the word query is the only one).
            by_meaning_only = bool(neighbours and neighbours.ids) and WORDS not in matched
            fragment = fragments[0] if fragments else ""
            if by_meaning_only:
                # Found by meaning: it holds none of the words, so nothing is marked.
                fragment = fragment.replace("<mark>", "").replace("</mark>", "")
            hits.append(
                SearchHit(
                    page_id=int(hit.meta.id),
                    score=hit.meta.score if by_relevance else None,
                    highlight=clean_fragment(fragment),
                    related_in_meaning=by_meaning_only,
                )
            )
        facets = {facet.name: [] for facet in FACETS}
        for facet in FACETS:
            if not params.counts(facet.name):
                continue
            counts = {
                facet.to_slug(key): count for key, count, _selected in response.facets[facet.name]
            }
            facets[facet.name] = facet.options(counts, params.selected_in(facet.name))
        total = response.hits.total.value
        word_matches = total
        if neighbours is not None and neighbours.ids:  # the query counted its word matches
            word_matches = response.aggregations[WORDS].doc_count
        result = SearchResult(params=params, hits=hits, total=total, facets=facets)
        return result, word_matches

    # --- writing

    def index_many(self, page_ids):
        """Write the documents of the searchable practices among `page_ids` and delete the
        others' in bulk requests, then refresh the index once, so that one change touching
        many practices costs a few requests, not one request and one refresh each."""
        page_ids = sorted(set(page_ids))
        if not page_ids:
            return 0
        # The database's own index too: searches fall back to it when the cluster fails.
        database_index.write(page_ids)
        searchable = searchable_practices().filter(pk__in=page_ids)
        written = set()

        def actions():
            for document in practice_documents(searchable):
                written.add(document["page_id"])
                yield {"_index": self.alias, "_id": str(document["page_id"]), "_source": document}
            for page_id in page_ids:
                if page_id not in written:
                    yield {"_op_type": "delete", "_index": self.alias, "_id": str(page_id)}

        results = streaming_bulk(
            self.client.options(request_timeout=BULK_TIMEOUT),
            actions(),
            chunk_size=BULK_CHUNK,
            # Never let a write create a stray index where the alias should be.
            require_alias=True,
            raise_on_error=False,
            raise_on_exception=True,
        )
        count, failures = 0, []
        for ok, item in results:
            ((op_type, result),) = item.items()
            if ok or (op_type == "delete" and result.get("status") == 404):
                count += 1  # deleting a document that was never indexed is not an error
            else:
                failures.append(item)
        if failures and all(_missing_alias(item) for item in failures):
            logger.warning(
                "The practice index %s does not exist yet, so practices %s were not indexed. "
                "Run manage.py rebuild_practice_index.",
                self.alias,
                page_ids,
            )
            return 0
        if failures:
            raise BulkIndexError(f"{len(failures)} of {len(page_ids)} practices failed.", failures)
        with suppress(NotFoundError):
            self.client.indices.refresh(index=self.alias)
        return count

    def rebuild(self, progress=None):
        """Bulk-load a new timestamped index (without refreshes or replicas while loading),
        then point the alias at it in one step."""
        client, alias = self.client, self.alias
        database_index.rebuild()  # the database's own index, which searches fall back to
        if client.indices.exists(index=alias) and not client.indices.exists_alias(name=alias):
            raise RuntimeError(
                f"An index called {alias} exists where the alias should be. Delete it "
                "(or choose another ELASTICSEARCH_INDEX) and run the rebuild again."
            )
        name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        started = timezone.now()
        practice_index(name).create(using=client)
        try:
            created = self._index_settings(name, LOADING_SETTINGS)
            client.indices.put_settings(index=name, settings=LOADING_SETTINGS)
            count = self._bulk_load(name, searchable_practices(), progress)
            # The settings the index was created with; None resets a setting to the
            # cluster's default, which is where an unset setting came from.
            client.indices.put_settings(
                index=name, settings={key: created.get(key) for key in LOADING_SETTINGS}
            )
            client.indices.refresh(index=name)
            previous = self._indices_behind_alias()
            client.indices.update_aliases(
                actions=[{"remove": {"index": old, "alias": alias}} for old in previous]
                + [{"add": {"index": name, "alias": alias}}]
            )
        except BaseException:
            client.indices.delete(index=name, ignore_unavailable=True)
            raise
        for old in previous:
            client.indices.delete(index=old, ignore_unavailable=True)
        # Pages published while the new index was being filled were written to the old one.
        # Written through the alias, like single writes, so that they never create an index.
        published_meanwhile = searchable_practices().filter(last_published_at__gte=started)
        if self._bulk_load(alias, published_meanwhile, require_alias=True):
            client.indices.refresh(index=alias)
        return f"Indexed {count} practices into {name}; the alias {alias} now points to it."

    def _index_settings(self, name, keys):
        """The values of these settings that index `name` sets (flat keys; unset ones absent)."""
        found = self.client.indices.get_settings(index=name, name=list(keys), flat_settings=True)
        return found.get(name, {}).get("settings", {})

    def _bulk_load(self, index, practices, progress=None, **options):
        """Write the documents of `practices` into `index` (options go to the bulk API);
        return how many."""
        actions = (
            {"_index": index, "_id": str(document["page_id"]), "_source": document}
            for document in practice_documents(practices)
        )
        # TIMEOUT is sized for searches; a bulk request of BULK_CHUNK documents may take longer.
        bulk_client = self.client.options(request_timeout=BULK_TIMEOUT)
        results = streaming_bulk(bulk_client, actions, chunk_size=BULK_CHUNK, **options)
        if progress is not None:
            results = progress(results, practices.count())
        return sum(1 for _ok, _item in results)

    def _indices_behind_alias(self):
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []
