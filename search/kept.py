"""Rows a process keeps between requests, brought up to date by reading only what changed.

A search needs some columns of every indexed practice: the documents' paths, sort keys and
facet codes (search/table.py) and the vectors (search/semantic.py). Reading them on every
request costs tens of milliseconds at 10,000 practices, and reading them whole after every
change costs seconds at 100,000. Each process keeps them instead, and at the start of a
search:

- one aggregate query says whether anything changed: the number of rows and the sum of their
  `digest` column (a checksum of the row's key and exactly the kept columns, written with
  them, read from an index); unchanged, the kept rows are used as they are;
- changed, the rows stamped in the last minutes are read again (MARGIN: a transaction that
  took long may commit rows stamped before the previous look), and the keys compared when the
  count differs (deleted rows);
- the kept rows are then checked against the aggregate, and read whole when they still
  differ.

So kept rows are never used stale: they always equal what a query at the start of the search
would have read, whenever the transactions that wrote them committed.
"""

import threading
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Sum

# How far back the rows stamped before the previous look are read again: longer than any
# transaction that writes them runs (a chunk of 500 practices takes seconds).
MARGIN = timedelta(minutes=10)


def checksum(*parts) -> int:
    """A digest of some values (31 bits, so that the sum of 100,000 fits every database)."""
    value = 0
    for part in parts:
        data = part if isinstance(part, bytes | memoryview) else f"{part}\0".encode()
        value = zlib.crc32(bytes(data), value)
    return value & 0x7FFFFFFF


@dataclass(frozen=True)
class KeptRows:
    """Key -> the kept columns of each row of one query, as of `state`."""

    rows: dict
    newest: datetime | None  # the latest stamp among them
    state: tuple[int, int]  # (how many, sum of digests)


class Kept:
    """What a process builds from kept rows (a table, a matrix), one per name, built again
    only when its rows changed. A built object has the KeptRows it came from as `kept`."""

    def __init__(self):
        """Nothing kept yet."""
        self._built = {}
        self._lock = threading.Lock()

    def current(self, name, build, queryset, key, columns, stamp):
        """The object kept under `name`, its rows brought up to date first and `build(kept)`
        called when they changed (brought_up_to_date's arguments)."""
        built = self._built.get(name)
        kept = brought_up_to_date(built.kept if built else None, queryset, key, columns, stamp)
        if built is None or kept is not built.kept:
            built = build(kept)
            with self._lock:
                self._built[name] = built
        return built


def brought_up_to_date(kept, queryset, key, columns, stamp):
    """`kept` (a KeptRows or None) brought in line with the rows of `queryset`: the same
    object when nothing changed. Rows are read as (`key`, *`columns`, digest, `stamp`)."""
    state = _state(queryset)
    if kept is not None and kept.state == state:
        return kept
    if kept is not None:
        rows = dict(kept.rows)
        since = kept.newest - MARGIN if kept.newest else None
        newest = _read(rows, queryset, key, columns, stamp, since)
        if len(rows) != state[0]:
            present = set(queryset.order_by().values_list(key, flat=True))
            rows = {k: row for k, row in rows.items() if k in present}
        updated = _kept(rows, max(filter(None, (kept.newest, newest)), default=None))
        if updated.state == state:
            return updated
    # Still different: changed while being read, or written by a transaction that ran
    # longer than MARGIN. Read whole; the result is consistent in itself.
    rows = {}
    return _kept(rows, _read(rows, queryset, key, columns, stamp))


def _state(queryset):
    # Both from an index holding the digest (counting the primary key would read the table).
    values = queryset.order_by().aggregate(count=Count("digest"), digests=Sum("digest"))
    return values["count"], int(values["digests"] or 0)


def _kept(rows, newest):
    return KeptRows(rows, newest, (len(rows), sum(row[-1] for row in rows.values())))


def _read(rows, queryset, key, columns, stamp, since=None):
    """Read the rows stamped since `since` (all when None) into `rows`, each as its columns
    and digest; return the latest stamp read."""
    if since is not None:
        queryset = queryset.filter(**{f"{stamp}__gte": since})
    newest = None
    values = queryset.order_by().values_list(key, *columns, "digest", stamp)
    for row_key, *row, stamped in values.iterator(chunk_size=2000):
        rows[row_key] = tuple(row)
        newest = stamped if newest is None or stamped > newest else newest
    return newest
