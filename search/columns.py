"""The facet values of every searchable practice as columns, for the database engine's counts.

Counting 13 facets with GROUP BY queries costs one pass over the matching practices per
facet, and each facet needs its own set (the other facets' selections applied): at 10,000
practices that was 0.1-0.5 s a search on PostgreSQL even with a denormalised table
(docs/benchmarks.md). Here each facet is two integer arrays, row and value code, the way a
search engine keeps facet ordinals, so a facet is counted with one numpy bincount over the
rows a search matched: well under a millisecond at 10,000 practices.

The columns are built from the database with the ORM and kept in Django's cache under
IndexGeneration's state, which every change to a practice, a vocabulary, a city or a network
moves on in the same transaction (search/signals.py). Each process therefore reads the
columns of the data it can see; nothing lives in module state (DESIGN.md, "Scale").
Visibility is not cached: view restrictions are read on every search.
"""

import bisect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.core.cache import cache
from django.db import connection

from practices.models import PracticePage
from practices.visibility import blocked_pages

from .facets import FACETS, RANGES
from .models import IndexGeneration

# Bump when the layout of FacetColumns changes, so no process unpickles an older layout.
LAYOUT_VERSION = 2
CACHE_TIMEOUT = 24 * 60 * 60
# Greater than every character of a treebeard path (0-9, A-Z): path + this bounds a subtree.
AFTER_SUBTREE = "~"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class TermColumn:
    """One facet with any number of values per practice: parallel arrays of (row, code)."""

    slugs: list[str]  # code -> slug
    rows: np.ndarray
    codes: np.ndarray

    def counts(self, rows_mask):
        """Slug -> number of practices in `rows_mask` having it."""
        tally = np.bincount(self.codes[rows_mask[self.rows]], minlength=len(self.slugs))
        return {slug: int(n) for slug, n in zip(self.slugs, tally, strict=True) if n}

    def having_any(self, slugs, row_count):
        """A mask of the rows having at least one of `slugs`."""
        wanted = [code for code, slug in enumerate(self.slugs) if slug in slugs]
        mask = np.zeros(row_count, dtype=bool)
        mask[self.rows[np.isin(self.codes, wanted)]] = True
        return mask


@dataclass
class RangeColumn:
    """One number per practice (missing ones are left out), counted into the facet's ranges."""

    facet_name: str
    rows: np.ndarray
    values: np.ndarray

    def _bucket_rows(self, bucket):
        inside = np.ones(len(self.values), dtype=bool)
        if bucket.start is not None:
            inside &= self.values >= bucket.start
        if bucket.end is not None:
            inside &= self.values < bucket.end
        return self.rows[inside]

    def counts(self, rows_mask, facet):
        """Range slug -> number of practices in `rows_mask` inside it."""
        return {
            bucket.slug: int(rows_mask[self._bucket_rows(bucket)].sum()) for bucket in facet.ranges
        }

    def having_any(self, slugs, row_count, facet):
        """A mask of the rows inside any of the ranges named by `slugs`."""
        mask = np.zeros(row_count, dtype=bool)
        for bucket in facet.ranges:
            if bucket.slug in slugs:
                mask[self._bucket_rows(bucket)] = True
        return mask


@dataclass
class FacetColumns:
    """Every live, unarchived practice as a row, in tree-path order (so a subtree is a run of
    rows), with its facet values and the row orders the search can sort by."""

    ids: np.ndarray  # row -> page id
    paths: list[str]  # row -> tree path, ascending
    columns: dict  # facet name -> TermColumn or RangeColumn
    title_rank: np.ndarray  # row -> place in (lower-case title, page id) order
    orders: dict  # sort name -> rows in that order
    # Facet name -> slug -> label, for the facets whose labels are data (vocabularies, city
    # and network titles); a rename moves the generation on, so these are as fresh as the rows.
    labels: dict

    @property
    def row_count(self):
        """How many practices the columns hold."""
        return len(self.ids)

    @classmethod
    def current(cls):
        """The columns of the data this transaction sees: from the cache, or built now."""
        state = IndexGeneration.current()
        key = f"search:facet-columns:{LAYOUT_VERSION}:{connection.settings_dict['NAME']}:{state}"
        columns = cache.get(key)
        if columns is None:
            columns = cls.build()
            cache.set(key, columns, CACHE_TIMEOUT)
        return columns

    @classmethod
    def build(cls):
        """Read every searchable practice's facet values with the ORM."""
        searchable = PracticePage.objects.live().filter(archived=False).order_by()
        pages = list(
            searchable.order_by("path").values_list(
                "pk", "path", "title", "first_published_at", "last_update_year"
            )
        )
        ids = np.array([row[0] for row in pages], dtype=np.int64)
        row_of = {page_id: row for row, page_id in enumerate(ids.tolist())}
        columns = {}
        for facet in FACETS:
            values = searchable.values_list("pk", facet.orm_path)
            if facet.kind == RANGES:
                pairs = [(row_of[pk], value) for pk, value in values if value is not None]
                columns[facet.name] = RangeColumn(
                    facet.name,
                    np.array([row for row, _ in pairs], dtype=np.int32),
                    np.array([value for _, value in pairs], dtype=np.int32),
                )
                continue
            pairs = []
            for pk, value in values:
                for single in _split(facet, value):
                    if single not in (None, ""):
                        pairs.append((row_of[pk], facet.to_slug(single)))
            columns[facet.name] = _term_column(pairs)
        return cls(
            ids=ids,
            paths=[row[1] for row in pages],
            columns=columns,
            title_rank=_title_rank(pages),
            orders=_orders(pages),
            labels={
                facet.name: facet.all_labels() for facet in FACETS if hasattr(facet, "all_labels")
            },
        )

    def visible(self, user):
        """A mask of the rows `user` may see: every row outside the subtrees they are
        blocked from (the rule of PracticePage.objects.visible_to, on the cached rows)."""
        mask = np.ones(self.row_count, dtype=bool)
        for page in blocked_pages(user):
            start = bisect.bisect_left(self.paths, page.path)
            end = bisect.bisect_right(self.paths, page.path + AFTER_SUBTREE)
            mask[start:end] = False
        return mask

    def rows_of(self, page_ids):
        """A mask of the rows of these page ids (ids without a row are ignored)."""
        mask = np.zeros(self.row_count, dtype=bool)
        wanted = np.fromiter(page_ids, dtype=np.int64)
        mask[np.isin(self.ids, wanted)] = True
        return mask

    def having_any(self, facet, slugs):
        """A mask of the rows having any of `slugs` in `facet`."""
        column = self.columns[facet.name]
        if facet.kind == RANGES:
            return column.having_any(slugs, self.row_count, facet)
        return column.having_any(slugs, self.row_count)

    def counts(self, facet, rows_mask):
        """Slug -> number of practices among `rows_mask` having it."""
        column = self.columns[facet.name]
        if facet.kind == RANGES:
            return column.counts(rows_mask, facet)
        return column.counts(rows_mask)


def _split(facet, value):
    """The single values in one database value (a comma-separated column holds several)."""
    if not facet.comma_separated:
        return [value]
    if not value:
        return []
    if isinstance(value, str):
        return value.split(",")
    return [getattr(country, "code", country) for country in value]


def _term_column(pairs):
    slugs = sorted({slug for _row, slug in pairs})
    code_of = {slug: code for code, slug in enumerate(slugs)}
    return TermColumn(
        slugs=slugs,
        rows=np.array([row for row, _slug in pairs], dtype=np.int32),
        codes=np.array([code_of[slug] for _row, slug in pairs], dtype=np.int32),
    )


def _title_rank(pages):
    """Row -> its place when ordered by lower-case title (code point order), then page id:
    the order every engine breaks ties with (Elasticsearch sorts its lower-cased keyword)."""
    order = sorted(range(len(pages)), key=lambda row: (pages[row][2].lower(), pages[row][0]))
    rank = np.empty(len(pages), dtype=np.int32)
    rank[np.array(order, dtype=np.int64)] = np.arange(len(pages), dtype=np.int32)
    return rank


def _orders(pages):
    """Sort name -> every row in that order (latest first, missing values last, ties by
    title then page id), matching search.backends.database.order_by_for."""
    rank = _title_rank(pages)

    def latest_first(index):
        def key(row):
            value = pages[row][index]
            # (missing last, then latest first); a moment as whole microseconds negates.
            if value is None:
                return (1, 0, rank[row])
            if isinstance(value, datetime):
                value = (value - EPOCH) // timedelta(microseconds=1)
            return (0, -value, rank[row])

        return np.array(sorted(range(len(pages)), key=key), dtype=np.int32)

    return {
        "newest": latest_first(3),
        "updated": latest_first(4),
        "title": np.argsort(rank).astype(np.int32),
    }
