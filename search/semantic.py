"""Semantic search: practices' vectors, written by the worker, and the neighbours of a query.

The one place semantic neighbours come from, for both engines: every stored vector of the
configured model is held in a numpy matrix per process (1.5 kB a practice: 15 MB at 10k),
brought up to date from the vectors that changed (search/kept.py), and a query's vector is
scored against it with one matrix product. An engine then intersects the neighbours with what
the reader may see and with the ticked filters, exactly as it does with its word matches
(docs/search.md).

Vectors are written by the task worker (embed_practice_vectors, search/tasks.py), never in a
web request. A practice's text is digested first: unchanged text keeps its vector.
"""

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from .documents import embedding_text, searchable_practices
from .embedders import get_embedder
from .kept import Kept, checksum
from .models import PracticeVector

logger = logging.getLogger(__name__)

# Practices embedded per call to the model.
EMBED_BATCH = 16
# Characters of a query that are embedded (the search form keeps 200; this bounds any caller).
MAX_QUERY_CHARACTERS = 1000


def text_digest(model_id, text):
    """The digest stored with a vector: the model and the exact text it embedded."""
    return hashlib.sha256(f"{model_id}\n{text}".encode()).hexdigest()


# --- writing


@dataclass
class EmbedSummary:
    """What embed_practices() did."""

    embedded: int = 0
    reused: int = 0
    removed: int = 0

    def __str__(self):
        return (
            f"Embedded {self.embedded} practices, kept {self.reused} unchanged vectors and "
            f"removed {self.removed}."
        )


def embed_practices(page_ids=None, progress=None):
    """Bring the stored vectors in line with the practices `page_ids` (None: all of them).

    Searchable practices whose text changed (or that have no vector of this model) are
    embedded; the others keep theirs. Practices that are not searchable (drafts, archived,
    deleted) lose their vectors, and so do vectors of other models for the practices written.
    `progress(iterable, total)` may wrap the practices (a tqdm bar).
    """
    embedder = get_embedder()
    summary = EmbedSummary()
    if embedder is None:
        return summary
    model_id = embedder.model_id
    practices = searchable_practices().prefetch_related("key_themes", "target_audiences", "cities")
    stale = PracticeVector.objects.all()
    if page_ids is not None:
        page_ids = set(page_ids)
        practices = practices.filter(pk__in=page_ids)
        stale = stale.filter(page_id__in=page_ids)
    # Subqueries, not lists of ids: a whole collection would pass SQLite's variable limit.
    searchable = practices.order_by().values("pk")
    summary.removed, _by_model = stale.exclude(page_id__in=searchable).delete()
    stored = dict(
        PracticeVector.objects.filter(model_id=model_id, page_id__in=searchable).values_list(
            "page_id", "text_hash"
        )
    )
    todo = []
    for page in practices.iterator(chunk_size=EMBED_BATCH * 10):
        text = embedding_text(page)
        digest = text_digest(model_id, text)
        if stored.get(page.pk) == digest:
            summary.reused += 1
        else:
            todo.append((page.pk, text, digest))
    # The bar counts the practices embedded (the reading above takes a moment at most).
    items = progress(todo, len(todo)) if progress is not None else todo
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == EMBED_BATCH:
            summary.embedded += _write(embedder, batch)
            batch = []
    summary.embedded += _write(embedder, batch)
    return summary


def vector_fields(page_id, text_hash, vector):
    """The stored fields of a practice's vector: the text's digest, its bytes and the
    checksum of both the practice and the bytes (the processes keeping the vectors see from
    it that they changed, search/kept.py; the same vector under another practice is a
    change too)."""
    data = np.asarray(vector, dtype="<f4").tobytes()
    return {"text_hash": text_hash, "vector": data, "digest": checksum(page_id, data)}


def _write(embedder, batch):
    """Embed a batch of (page id, text, digest) and store the vectors; return how many."""
    if not batch:
        return 0
    vectors = embedder.embed_passages([text for _pk, text, _digest in batch])
    with transaction.atomic():
        for (pk, _text, digest), vector in zip(batch, vectors, strict=True):
            PracticeVector.objects.filter(page_id=pk).exclude(model_id=embedder.model_id).delete()
            PracticeVector.objects.update_or_create(
                page_id=pk,
                model_id=embedder.model_id,
                defaults=vector_fields(pk, digest, vector),
            )
    return len(batch)


# --- reading


@lru_cache(maxsize=1)
def one_blas_thread():
    """Let numpy's BLAS use one thread in this process (once; threadpoolctl).

    OpenBLAS runs a product on every core and its threads spin while waiting. A web worker
    shares the cores with other workers and the database, and under load (8 connections,
    2 workers) that spinning halved the search page's throughput and doubled its p95
    (docs/benchmarks.md); the product itself takes under a millisecond on one thread at 10k.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


class VectorMatrix:
    """Every stored vector of one model: page ids and a (practices × dimensions) matrix."""

    _kept = Kept()

    def __init__(self, kept, dimensions):
        """The matrix of `kept` (search.kept.KeptRows of page id -> vector); row i is
        practice ids[i]."""
        self.kept = kept
        ordered = sorted(kept.rows.items())
        self.ids = np.fromiter((pk for pk, _row in ordered), dtype=np.int64, count=len(ordered))
        blobs = b"".join(bytes(row[0]) for _pk, row in ordered)
        self.matrix = np.frombuffer(blobs, dtype="<f4").reshape(len(ordered), dimensions)

    @classmethod
    def current(cls, model_id, dimensions):
        """The model's vectors as stored now, brought up to date from what changed since
        this process last looked (search/kept.py)."""
        return cls._kept.current(
            (connection.alias, model_id),
            partial(cls._loaded, dimensions=dimensions),
            PracticeVector.objects.filter(model_id=model_id),
            "page_id",
            ("vector",),
            "updated_at",
        )

    @classmethod
    def _loaded(cls, kept, dimensions):
        one_blas_thread()
        return cls(kept, dimensions)


@dataclass(frozen=True)
class Neighbours:
    """The practices closest in meaning to a query, best first: page id -> similarity."""

    similarity: dict

    @property
    def ids(self):
        """The page ids, best first."""
        return list(self.similarity)


NO_NEIGHBOURS = Neighbours({})


@lru_cache(maxsize=1024)
def query_vector(embedder, text):
    """The embedding of a query, kept per process: a search page asks again for the same words
    (its "widen the search" counts, the next page, another filter), and embedding is most of
    what a search by meaning costs (15-25 ms; 1.5 kB a query kept)."""
    vector = embedder.embed_query(text)
    vector.setflags(write=False)
    return vector


def neighbours(text):
    """The searchable practices closest in meaning to `text`: above the similarity floor and
    within the margin of the closest one.

    At most PRACTICE_SEMANTIC_NEIGHBOURS of them, whoever may see them: the engines keep
    only those the reader may see. No embedder, no vectors or an embedder that fails: none
    (search goes on with words alone, and the failure is logged).
    """
    embedder = get_embedder()
    text = (text or "").strip()[:MAX_QUERY_CHARACTERS]
    if embedder is None or not text:
        return NO_NEIGHBOURS
    try:
        vectors = VectorMatrix.current(embedder.model_id, embedder.dimensions)
        if not len(vectors.ids):
            return NO_NEIGHBOURS
        query = query_vector(embedder, text)
    except Exception:
        logger.exception("Semantic search failed for a query; searching by words alone.")
        return NO_NEIGHBOURS
    scores = vectors.matrix @ query
    limit = min(settings.PRACTICE_SEMANTIC_NEIGHBOURS, len(scores))
    best = np.argpartition(-scores, limit - 1)[:limit]
    best = best[np.argsort(-scores[best], kind="stable")]
    # E5's similarities are compressed (unrelated texts score 0.75-0.80, close ones 0.82-0.92),
    # so the floor is absolute and the margin keeps only those near the closest match.
    floor = max(
        settings.PRACTICE_SEMANTIC_MIN_SIMILARITY,
        float(scores[best[0]]) - settings.PRACTICE_SEMANTIC_MARGIN,
    )
    return Neighbours({int(vectors.ids[i]): float(scores[i]) for i in best if scores[i] >= floor})


def fusion_scores(*rankings, k=60):
    """Page id -> the sum of 1 / (k + rank) over the rankings (higher is better).

    Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009) needs no comparable scores,
    so word relevance and similarity in meaning combine without calibration; k = 60 is the
    paper's value.
    """
    fused = {}
    for ranking in rankings:
        for rank, pk in enumerate(ranking, start=1):
            fused[pk] = fused.get(pk, 0.0) + 1.0 / (k + rank)
    return fused
