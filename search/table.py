"""The columns of the database index a search filters, counts and orders on, kept in memory.

A search by the database engine needs, for every document it matched, its path (visibility),
its sort keys and its facet value codes. Reading them from the database on every request
cost 20 ms at 10,000 practices (a common word matches half of them), so each process keeps
them, brought up to date at the start of every search from what changed (search/kept.py).
"""

import numpy as np
from django.db import connection

from .kept import Kept, checksum
from .models import PracticeDocument

COLUMNS = ("path", "title_sort", "published", "updated", "facet_codes")


def digest(pk, path, title_sort, published, updated, facet_codes) -> int:
    """PracticeDocument.digest: the checksum of a document's id and the columns this table
    keeps (the same columns under another id are a change too)."""
    return checksum(pk, path, title_sort, published, updated, facet_codes)


class DocumentTable:
    """Every indexed document's id, path, sort keys and facet codes, as arrays."""

    _kept = Kept()

    def __init__(self, kept):
        """The arrays of `kept` (search.kept.KeptRows of COLUMNS)."""
        self.kept = kept
        ordered = sorted(kept.rows.items())
        self.ids = np.fromiter((pk for pk, _row in ordered), dtype=np.int64, count=len(ordered))
        # (pk, title_sort, published, updated): what the orders sort on.
        self.rows = [(pk, row[1], row[2], row[3]) for pk, row in ordered]
        self.paths = np.array([row[0] for _pk, row in ordered], dtype=str)
        blobs = [bytes(row[4]) for _pk, row in ordered]
        lengths = np.fromiter((len(blob) // 4 for blob in blobs), dtype=np.int64, count=len(blobs))
        self.codes = np.frombuffer(b"".join(blobs), dtype="<i4")
        # The document (row number) each code belongs to.
        self.owner = np.repeat(np.arange(len(ordered)), lengths)

    @classmethod
    def current(cls):
        """This process's table of the default database, brought up to date."""
        return cls._kept.current(
            connection.alias, cls, PracticeDocument.objects.all(), "pk", COLUMNS, "written_at"
        )

    def mask_of(self, page_ids):
        """A mask of the documents among `page_ids`."""
        return np.isin(self.ids, np.fromiter(page_ids, dtype=np.int64))

    def outside(self, path, after_subtree):
        """A mask of the documents outside the subtree at `path` (whose paths sort before
        it or from `path + after_subtree` on)."""
        return (self.paths < path) | (self.paths >= path + after_subtree)
