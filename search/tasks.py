"""The search index's background work: one task re-indexes a batch of practices in bulk,
another embeds the ones whose text changed (semantic search).

Changes queue it through schedule_index() (search/signals.py); the worker runs it
(`manage.py db_worker`, docs/operations.md). It reads the practices when it runs, not when it
was queued, so a late or repeated task still writes what the database holds; and a lost one
is repaired by `manage.py rebuild_practice_index`.
"""

import logging

from django_tasks import task

from practicehub.tasks import retried

from .backends import get_backend
from .embedders import get_embedder

logger = logging.getLogger(__name__)


@task(takes_context=True)
@retried
def index_practices(page_ids: list[int]) -> int:
    """Bring the index in line with the database for these practices; return how many."""
    return get_backend().index_many(page_ids)


@task(takes_context=True)
@retried
def embed_practice_vectors(page_ids: list[int]) -> str:
    """Embed the practices whose text changed and drop the vectors of unsearchable ones."""
    from .semantic import embed_practices

    return str(embed_practices(page_ids))


def schedule_index(page_ids, database_written=False):
    """Queue the embeddings of these practices, and write the engine's index now when the
    engine allows it for so few (else queue it). `database_written`: the database engine's
    index already holds the change (search/signals.py wrote it in the transaction)."""
    page_ids = sorted(set(page_ids))
    if not page_ids:
        return
    if get_embedder() is not None:
        # Embedding takes a tenth of a second or more a practice: always on the worker.
        embed_practice_vectors.enqueue(page_ids)
    backend = get_backend()
    if database_written and backend.uses_database_index:
        return
    if len(page_ids) <= backend.inline_limit:
        try:
            backend.index_many(page_ids)
            return
        except Exception:
            # The worker tries again (and retries), so the change is not lost.
            logger.warning("Indexing practices %s at once failed; queued.", page_ids, exc_info=True)
    index_practices.enqueue(page_ids)
