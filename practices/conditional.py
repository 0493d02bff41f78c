"""Answers of the open-data channels (API, downloads, catalogue, OAI-PMH) cached per state.

Every change a reader of these channels could see writes a row somewhere we can read cheaply:
publishing, unpublishing, moving, deleting and restricting a page write Wagtail's page log;
editing a vocabulary term in the admin writes its model log; publishing stamps the page; and
the database engine's index stamps the rows it writes. The latest of each (max ids and
times, one indexed aggregate apiece) is the collection's state. An answer is named by that
state and by who asks (what a member may see differs from what the public may), so:

- its ETag and Last-Modified let a client ask again with If-None-Match / If-Modified-Since
  and get 304 Not Modified while nothing changed;
- public answers are kept in the default cache under that name for CACHE_SECONDS; a change
  gives a new name, so a kept answer is never served after a change in the database. The
  Elasticsearch index is written by the worker a moment after the change, which is why a
  kept answer lives only briefly.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from wagtail.models import ModelLogEntry, Page, PageLogEntry, PageViewRestriction

from search.models import PracticeDocument

CACHE_SECONDS = 60
# Answers larger than this are not kept (a 1,000-practice download is several MB).
CACHE_MAX_BYTES = 2_000_000


def collection_state():
    """(a short token that changes with every change readers could see, the latest change)."""
    pages = Page.objects.aggregate(
        published=Max("last_published_at"), live=Count("pk", filter=Q(live=True))
    )
    page_log = PageLogEntry.objects.aggregate(last=Max("pk"), at=Max("timestamp"))
    model_log = ModelLogEntry.objects.aggregate(last=Max("pk"), at=Max("timestamp"))
    index = PracticeDocument.objects.aggregate(rows=Count("pk"), at=Max("written_at"))
    # Restrictions made in code (practices.roles.make_members_only) write no log entry.
    restrictions = PageViewRestriction.objects.aggregate(n=Count("pk"), last=Max("pk"))
    parts = (
        pages["published"], pages["live"], page_log["last"], model_log["last"],
        index["rows"], index["at"], restrictions["n"], restrictions["last"],
    )  # fmt: skip
    token = hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
    times = [t for t in (pages["published"], page_log["at"], model_log["at"], index["at"]) if t]
    return token, max(times) if times else None


def reader_key(user):
    """Who an answer is for, as far as what it may hold goes: the public, or one user (with
    their groups, which decide the members-only content and contacts they see)."""
    if not user.is_authenticated:
        return "public"
    groups = ",".join(str(pk) for pk in sorted(user.groups.values_list("pk", flat=True)))
    return f"user-{user.pk}-{int(user.is_superuser)}-{groups}"


def per_collection_state(view):
    """Decorate a GET view whose answer depends only on its URL, its reader and the collection:
    ETag and Last-Modified on every answer, 304 when unchanged, public answers kept."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        token, changed = collection_state()
        reader = reader_key(request.user)
        name = hashlib.sha256(f"{token}|{reader}|{request.get_full_path()}".encode()).hexdigest()[
            :32
        ]
        etag = f'W/"{name}"'
        last_modified = int(changed.timestamp()) if changed else None
        unchanged = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if unchanged is not None:
            return _stamped(unchanged, etag, changed, reader)
        key = f"opendata:{name}"
        response = cache.get(key) if reader == "public" else None
        if response is None:
            response = view(request, *args, **kwargs)
            if (
                reader == "public"
                and response.status_code == 200
                and not getattr(response, "streaming", False)
                and len(response.content) <= CACHE_MAX_BYTES
            ):
                cache.set(key, response, CACHE_SECONDS)
        if response.status_code == 200:
            _stamped(response, etag, changed, reader)
        return response

    return wrapper


def _stamped(response, etag, changed, reader):
    """Put the validators and caching rules on `response`."""
    response["ETag"] = etag
    if changed:
        response["Last-Modified"] = http_date(changed.timestamp())
    # Shared caches may keep public answers but must ask again; a user's stay private.
    if reader == "public":
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    else:
        patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ["Cookie"])
    return response
