"""Writing the database engine's index: documents, facet values, words and the vocabulary.

One function brings the index in line with the database for some practices, write(); the
rebuild writes every one. A searchable practice (search.documents.searchable_practices) gets
its PracticeDocument row, its PracticeFacetValue rows and its row in the full-text table
(search/fulltext.py), all from the one flattening function that Elasticsearch also uses; any
other practice loses them. The vocabulary (SearchTerm) is kept counted as documents change.

Every engine falls back to the database engine, so this index is written whichever engine
is configured: search/signals.py writes it in the transaction of a change of a few
practices, the worker's index task for more (search/tasks.py).
"""

from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Max
from wagtail.models import PageViewRestriction

from .codes import codes_for, pack
from .documents import document_texts, practice_documents, searchable_practices
from .facets import FACETS
from .fulltext import full_text
from .models import (
    FacetCount,
    FacetValueCode,
    PracticeDocument,
    PracticeFacetValue,
    SearchTerm,
)
from .table import digest
from .words import vocabulary_terms

# Practices written per transaction step: a few thousand rows of each table.
CHUNK = 500


def write(page_ids) -> int:
    """Bring the index in line with the database for these practices (searchable ones are
    written, the others dropped); return how many were written or dropped."""
    page_ids = sorted(set(page_ids))
    count = 0
    for start in range(0, len(page_ids), CHUNK):
        count += _write_chunk(page_ids[start : start + CHUNK])
    return count


def rebuild(progress=None) -> int:
    """Write the whole index again from the database, in one transaction (readers see the
    old index until it commits); return how many practices it holds."""
    ids = list(searchable_practices().values_list("pk", flat=True))
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    if progress is not None:
        chunks = progress(chunks, len(chunks))
    with transaction.atomic():
        with connection.cursor() as cursor:
            full_text().clear(cursor)
        PracticeFacetValue.objects.all().delete()
        PracticeDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        FacetCount.objects.all().delete()
        FacetValueCode.objects.all().delete()
        for chunk in chunks:
            _write_chunk(chunk)
    analyse()
    return len(ids)


def analyse():
    """Refresh the query planner's statistics of the index tables. Without them SQLite
    counted facets by scanning every facet value (twice as slow at 10k). PostgreSQL also
    gets a VACUUM when no transaction is open, so that counting reads the facet values'
    index alone (an index-only scan needs the pages marked all-visible)."""
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for model in (PracticeDocument, PracticeFacetValue)
    ]
    command = "ANALYZE"
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        command = "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {table}")


def forget(page_ids):
    """Drop these practices from the index now (a practice about to be deleted)."""
    with transaction.atomic():
        rows = PracticeDocument.objects.select_for_update().filter(pk__in=page_ids)
        old_words = dict(rows.values_list("pk", "words"))
        if old_words:
            counts = _counted_values(list(old_words), sign=-1)
            _drop(list(old_words))
            _count_terms(Counter(t for words in old_words.values() for t in words.split()), -1)
            _apply_count_deltas(counts)


def content_state() -> str:
    """A token that changes whenever what a reader can find changes: a practice written or
    dropped, a city published, added or removed, a view restriction added, changed or
    removed. Caches of pages built from the collection (the home page's city list, bundles)
    are kept under it."""
    from practices.models import CityPage

    states = [
        PracticeDocument.objects.aggregate(Count("pk"), Max("written_at")),
        CityPage.objects.live().aggregate(Count("pk"), Max("pk"), Max("last_published_at")),
        PageViewRestriction.objects.aggregate(Count("pk"), Max("pk")),
    ]
    return "-".join(
        str(value.isoformat() if hasattr(value, "isoformat") else value)
        for state in states
        for value in state.values()
    )


def _write_chunk(page_ids):
    documents = list(practice_documents(searchable_practices().filter(pk__in=page_ids)))
    by_id = {document["page_id"]: document for document in documents}
    with transaction.atomic():
        # Locked, so two writers of one practice count its words once (PostgreSQL).
        existing = PracticeDocument.objects.select_for_update().filter(pk__in=page_ids)
        old_words = dict(existing.values_list("pk", "words"))
        dropped = [pk for pk in old_words if pk not in by_id]
        # What the facet counts lose: every value the old rows held.
        counts = _counted_values(list(old_words), sign=-1)
        if dropped:
            _drop(dropped)
        rows, texts, values, deltas = [], [], [], Counter()
        for pk, document in by_id.items():
            title, labels, body = document_texts(document)
            # Only public practices' words make the vocabulary: a suggestion must never
            # tell a visitor what members-only texts hold.
            terms = set() if document["restricted_by"] else vocabulary_terms(title, labels, body)
            before = set(old_words.get(pk, "").split())
            deltas.update(dict.fromkeys(terms - before, 1))
            deltas.update(dict.fromkeys(before - terms, -1))
            rows.append(
                PracticeDocument(
                    page_id=pk,
                    document=document,
                    path=document["path"],
                    title_sort=document["title_sort"],
                    published=document["published"],
                    updated=document["updated"],
                    start=document["start"],
                    words=" ".join(sorted(terms)),
                )
            )
            texts.append((pk, title, labels, body))
            own = list(_facet_values(pk, document))
            values.extend(own)
            guards = _guards(document)
            counts.update((guards, value.facet, value.value) for value in own)
        code_of = codes_for((value.facet, value.value) for value in values)
        codes = defaultdict(list)
        for value in values:
            codes[value.document_id].append(code_of[(value.facet, value.value)])
        for row in rows:
            row.facet_codes = pack(codes[row.page_id])
            row.digest = digest(
                row.page_id, row.path, row.title_sort, row.published, row.updated, row.facet_codes
            )
        for pk in dropped:
            deltas.update(dict.fromkeys(old_words[pk].split(), -1))
        if rows:
            rewritten = [pk for pk in by_id if pk in old_words]
            PracticeFacetValue.objects.filter(document_id__in=rewritten).delete()
            with connection.cursor() as cursor:
                full_text().delete(cursor, rewritten)
            PracticeDocument.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["page"],
                update_fields=[
                    "document",
                    "path",
                    "title_sort",
                    "published",
                    "updated",
                    "start",
                    "words",
                    "facet_codes",
                    "digest",
                    "written_at",
                ],
            )
            PracticeFacetValue.objects.bulk_create(values, batch_size=2000)
            with connection.cursor() as cursor:
                full_text().insert(cursor, texts)
        _apply_term_deltas(deltas)
        _apply_count_deltas(counts)
    return len(rows) + len(dropped)


def _drop(page_ids):
    """Delete the rows of these practices from every table of the index."""
    with connection.cursor() as cursor:
        full_text().delete(cursor, page_ids)
    PracticeFacetValue.objects.filter(document_id__in=page_ids).delete()
    PracticeDocument.objects.filter(pk__in=page_ids).delete()


def _facet_values(pk, document):
    """The PracticeFacetValue rows of one document (a range facet's row holds the year,
    counted into its buckets when read)."""
    for facet in FACETS:
        value = document[facet.name]
        for single in value if isinstance(value, list) else [value]:
            if single not in (None, ""):
                yield PracticeFacetValue(document_id=pk, facet=facet.name, value=str(single))


def _guards(document):
    """The FacetCount key of a document: the restricted pages guarding it, in order."""
    return ",".join(str(pk) for pk in document["restricted_by"])


def _counted_values(page_ids, sign=1):
    """Counter of (guards, facet, value) over the indexed rows of these practices, each
    counted `sign` (-1: what removing them takes away)."""
    counts = Counter()
    documents = PracticeDocument.objects.filter(pk__in=page_ids)
    guards = {
        pk: _guards({"restricted_by": restricted or []})
        for pk, restricted in documents.values_list("pk", "document__restricted_by")
    }
    values = PracticeFacetValue.objects.filter(document_id__in=page_ids)
    for pk, facet, value in values.values_list("document_id", "facet", "value"):
        counts[(guards[pk], facet, value)] += sign
    return counts


def _apply_count_deltas(deltas):
    """Add each (guards, facet, value)'s change in practices to FacetCount."""
    _add_to_counts(FacetCount, "count", ("guards", "facet", "value"), deltas)


def _count_terms(terms, sign):
    _apply_term_deltas(Counter({term: sign * count for term, count in terms.items()}))


def _apply_term_deltas(deltas):
    """Add each term's change in the number of practices holding it to the vocabulary."""
    _add_to_counts(
        SearchTerm,
        "documents",
        ("term",),
        {(term,): delta for term, delta in deltas.items()},
        extra=lambda key: {"length": len(key[0])},
    )


def _add_to_counts(model, field, key_fields, deltas, extra=lambda key: {}):
    """Add each key's change (key: the values of `key_fields`) to `field` of the `model` row
    it names, creating the rows that are new and deleting those that fall to zero. Keys that
    share a change and all but their last field are updated in one query."""
    deltas = {key: delta for key, delta in deltas.items() if delta}
    if not deltas:
        return
    model.objects.bulk_create(
        [
            model(**dict(zip(key_fields, key, strict=True)), **extra(key), **{field: 0})
            for key, delta in deltas.items()
            if delta > 0
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    *fixed, last = key_fields
    groups = defaultdict(list)
    for key, delta in deltas.items():
        groups[(delta, key[:-1])].append(key[-1])
    for (delta, prefix), values in groups.items():
        for start in range(0, len(values), CHUNK):
            rows = model.objects.filter(
                **dict(zip(fixed, prefix, strict=True)),
                **{f"{last}__in": values[start : start + CHUNK]},
            )
            rows.update(**{field: F(field) + delta})
            if delta < 0:
                rows.filter(**{f"{field}__lte": 0}).delete()
