"""The practice-search engines and the one way to get the configured one."""

from dataclasses import replace

from django.conf import settings
from django.utils.module_loading import import_string

from .base import BaseBackend


def get_backend() -> BaseBackend:
    """Build the engine named in settings.PRACTICE_SEARCH.

    BACKEND is a module path whose module defines ``Backend``; the other keys are passed as
    lower-case keyword arguments (as in Django's CACHES). Callers never ask which engine it is.
    """
    options = dict(settings.PRACTICE_SEARCH)
    backend_class = import_string(f"{options.pop('BACKEND')}.Backend")
    return backend_class(**{key.lower(): value for key, value in options.items()})


def matching_ids(params, *, limit, sort=None):
    """The ids of the practices a search finds, in its order (or `sort`), at most `limit`:
    page after page of the configured engine, counting no facets (downloads, feeds, digests)."""
    backend = get_backend()
    per_page = max(1, min(limit, 100))
    changes = {"per_page": per_page, "counted": frozenset()}
    if sort is not None:
        changes["sort"] = sort
    ids, page = [], 1
    while len(ids) < limit:
        result = backend.search(replace(params, page=page, **changes))
        ids.extend(result.page_ids)
        if page >= result.num_pages or not result.page_ids:
            break
        page += 1
    return ids[:limit]
