"""The columns of the database index a search filters, counts and orders on, kept in memory.

A search by the database engine needs, for every document it matched, its path (visibility),
its sort keys and its facet value codes. Reading them from the database on every request
cost 20 ms at 10,000 practices (a common word matches half of them). Each process keeps them
here instead and brings them up to date at the start of every search, reading only what was
written since:

- one aggregate query says whether anything changed: the number of documents and the sum of
  their digests (PracticeDocument.digest, a checksum of exactly these columns, written with
  them); unchanged, the table is used as it is;
- changed, the rows written in the last minutes are read again (MARGIN: a transaction that
  took long may commit rows stamped before the previous look), and the ids are compared when
  the count differs (dropped documents);
- the table is then checked against the aggregate, and read whole when it still differs.

So the table is never used stale: it always equals the documents as a query at the start of
the search would have read them, whenever their transactions committed.
"""

import threading
import zlib
from datetime import timedelta

import numpy as np
from django.db import connection
from django.db.models import Count, Sum

from .models import PracticeDocument

# How far back the rows written before the previous look are read again: longer than any
# transaction that writes documents runs (a chunk of 500 practices takes seconds).
MARGIN = timedelta(minutes=10)
COLUMNS = ("pk", "path", "title_sort", "published", "updated", "facet_codes", "digest")


def digest(path, title_sort, published, updated, facet_codes) -> int:
    """The checksum of the columns this table keeps (31 bits, so sums fit every database)."""
    text = f"{path}\0{title_sort}\0{published}\0{updated}\0".encode()
    return zlib.crc32(bytes(facet_codes), zlib.crc32(text)) & 0x7FFFFFFF


def _state():
    # Both from the index on digest alone (counting "pk" would read the table).
    values = PracticeDocument.objects.aggregate(count=Count("digest"), digests=Sum("digest"))
    return values["count"], int(values["digests"] or 0)


class DocumentTable:
    """Every indexed document's id, path, sort keys and facet codes, as arrays."""

    _tables = {}
    _lock = threading.Lock()

    def __init__(self, rows, written):
        """Hold `rows` (pk -> the other COLUMNS) and the latest `written_at` among them."""
        self.by_id = rows
        self.written = written
        self.state = (len(rows), sum(row[-1] for row in rows.values()))
        ordered = sorted(rows.items())
        self.ids = np.fromiter((pk for pk, _row in ordered), dtype=np.int64, count=len(ordered))
        self.rows = [(pk, row[1], row[2], row[3]) for pk, row in ordered]  # pk, title, ...
        self.paths = np.array([row[0] for _pk, row in ordered], dtype=str)
        blobs = [bytes(row[4]) for _pk, row in ordered]
        lengths = np.fromiter((len(blob) // 4 for blob in blobs), dtype=np.int64, count=len(blobs))
        self.codes = np.frombuffer(b"".join(blobs), dtype="<i4")
        # The document (row number) each code belongs to.
        self.owner = np.repeat(np.arange(len(ordered)), lengths)

    @classmethod
    def current(cls):
        """This process's table for the default database, brought up to date."""
        state = _state()
        table = cls._tables.get(connection.alias)
        if table is None or table.state != state:
            table = cls._refreshed(table, state)
            with cls._lock:
                cls._tables[connection.alias] = table
        return table

    @classmethod
    def _refreshed(cls, table, state):
        if table is not None:
            rows = dict(table.by_id)
            since = table.written - MARGIN if table.written else None
            written = _read(rows, since)
            if len(rows) != state[0]:
                kept = set(PracticeDocument.objects.values_list("pk", flat=True))
                rows = {pk: row for pk, row in rows.items() if pk in kept}
            newer = cls(rows, max(filter(None, (table.written, written)), default=None))
            if newer.state == state:
                return newer
        rows = {}
        return cls(rows, _read(rows))

    def mask_of(self, page_ids):
        """A mask of the documents among `page_ids`."""
        wanted = np.fromiter(page_ids, dtype=np.int64)
        return np.isin(self.ids, wanted, assume_unique=False)

    def outside(self, path, after_subtree):
        """A mask of the documents outside the subtree at `path` (whose paths sort before
        it or from `path + after_subtree` on)."""
        return (self.paths < path) | (self.paths >= path + after_subtree)


def _read(rows, since=None):
    """Read the documents written since `since` (all when None) into `rows`; return the
    latest `written_at` read."""
    documents = PracticeDocument.objects.order_by()
    if since is not None:
        documents = documents.filter(written_at__gte=since)
    newest = None
    for pk, *values, written_at in documents.values_list(*COLUMNS, "written_at").iterator(
        chunk_size=2000
    ):
        rows[pk] = tuple(values)
        newest = written_at if newest is None or written_at > newest else newest
    return newest
