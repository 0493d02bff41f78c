"""PDF bundles: rendered by the task worker, never in a web request (docs/pdf.md).

A bundle request names its practices. The web process works out which of them the reader
may see and with which contact blocks, and names the file that content would be stored in
(cache.bundle_storage_name). A stored file is served at once. Otherwise one render task is
queued for that name (several requests for the same bundle share it) and the reader gets a
page that reloads itself until the file is there. Rendering 50 sheets takes half a minute;
in a web worker that was enough for two requests to take the site down.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from .. import limits
from ..limits import counted, visitor_of
from ..models import PracticePage
from ..visibility import contact_visible, is_member
from .cache import open_stored_name, store_named
from .render import PRACTICE_MEDIA, PRACTICE_PREFETCH, render_bundle

logger = logging.getLogger(__name__)

# How long the web processes remember which task renders a bundle (seconds): longer than a
# busy queue takes to reach it, short enough that a lost task is queued again soon.
QUEUED_FOR = 15 * 60


@dataclass(frozen=True)
class BundleItem:
    """What a bundle's name depends on for one practice: its revision and contact block."""

    pk: int
    revision: int | None
    published: object
    show_contact: bool


def bundle_items(practice_ids, user):
    """The BundleItems of the ids `user` may see, in the order asked for: one query for the
    rows the web process needs to name a bundle (the worker loads the pages themselves)."""
    member = is_member(user)  # asked once, not once a practice
    rows = (
        PracticePage.objects.visible_to(user)
        .filter(pk__in=practice_ids)
        .values_list("pk", "live_revision_id", "last_published_at", "contact_consent")
    )
    by_id = {pk: BundleItem(pk, revision, published, contact_visible(consent, user, member))
             for pk, revision, published, consent in rows}  # fmt: skip
    return [by_id[pk] for pk in practice_ids if pk in by_id]


def bundle_entries(practice_ids, user):
    """(practice, show_contact) pairs for the ids `user` may see, in the order asked for.

    Ids the reader may not see are left out without saying which: that would leak what
    exists. The one visibility rule is PracticePage.objects.visible_to().
    """
    visible = (
        PracticePage.objects.visible_to(user)
        .filter(pk__in=practice_ids)
        .select_related("organisation_type", *PRACTICE_MEDIA)
        .prefetch_related(*PRACTICE_PREFETCH)
    )
    by_id = {page.pk: page for page in visible}
    return [(by_id[pk], by_id[pk].contact_visible_to(user)) for pk in practice_ids if pk in by_id]


@task()
def render_bundle_task(
    practice_ids, user_id, title, criteria, left_out, language, storage_name
) -> str:
    """Render a bundle as the user who asked may see it now and store it as `storage_name`.

    Returns the storage name, or "" when none of the practices is visible any more.
    """
    if open_stored_name(storage_name) is not None:
        return storage_name  # another request's task made it already
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() or AnonymousUser()
    with translation.override(language):
        entries = bundle_entries(practice_ids, user)
        if not entries:
            return ""
        pdf = render_bundle(
            entries,
            title=title,
            criteria=criteria,
            left_out=left_out + len(practice_ids) - len(entries),
        )
    store_named(storage_name, pdf)
    prune_old_bundles()
    return storage_name


def prune_old_bundles():
    """Delete stored bundles older than PRACTICE_BUNDLE_KEEP_DAYS (nobody links to them)."""
    folder = f"{settings.PRACTICE_SHEET_CACHE_DIR}/bundle"
    cutoff = timezone.now() - timedelta(days=settings.PRACTICE_BUNDLE_KEEP_DAYS)
    try:
        _folders, files = default_storage.listdir(folder)
        for name in files:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
    except OSError:
        logger.warning("Could not prune the stored bundles in %s.", folder, exc_info=True)


class BundleState:
    """What became of a bundle request: ready (a file to send), queued, failed, empty, or
    limited (the visitor asked for too many new bundles)."""

    READY = "ready"
    QUEUED = "queued"
    FAILED = "failed"
    EMPTY = "empty"
    LIMITED = "limited"


def may_queue_bundle(request):
    """Whether this visitor may queue one more new bundle render now.

    Only new renders count: a stored bundle, or one already queued, costs nothing. Each
    visitor (a signed-in user, else an IP address) may queue PRACTICE_BUNDLE_RENDERS_PER_VISITOR
    in a window of PRACTICE_BUNDLE_WINDOW seconds; all anonymous visitors together may queue
    PRACTICE_BUNDLE_ANONYMOUS_RENDERS, so that the worker stays free for everyone else.
    """
    window = settings.PRACTICE_BUNDLE_WINDOW
    if not counted(
        f"practices.bundle-renders:{visitor_of(request)}",
        settings.PRACTICE_BUNDLE_RENDERS_PER_VISITOR,
        window,
    ):
        return False
    if request.user.is_authenticated:
        return True
    return counted(
        "practices.bundle-renders:anonymous", settings.PRACTICE_BUNDLE_ANONYMOUS_RENDERS, window
    )


def seconds_to_next_window():
    """Seconds until the bundle limits' current window ends."""
    return limits.seconds_to_next_window(settings.PRACTICE_BUNDLE_WINDOW)


def request_bundle(request, storage_name, items, *, title, criteria, left_out):
    """Return (state, open file or None) for the bundle stored as `storage_name`, queueing
    its render task unless one is queued or running already, or the visitor's limit is
    reached."""
    user = request.user
    handle = open_stored_name(storage_name)
    if handle is not None:
        return BundleState.READY, handle
    cache_key = f"practices.bundle:{storage_name}"
    result_id = cache.get(cache_key)
    if result_id is not None:
        try:
            result = render_bundle_task.get_result(result_id)
        except TaskResultDoesNotExist:
            result = None  # pruned from the queue: queue it again
        if result is not None:
            if result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
                return BundleState.QUEUED, None
            if result.status == TaskResultStatus.FAILED:
                cache.delete(cache_key)  # the next request tries again
                return BundleState.FAILED, None
            if result.status == TaskResultStatus.SUCCESSFUL and result.return_value == "":
                cache.delete(cache_key)
                return BundleState.EMPTY, None
    if not may_queue_bundle(request):
        return BundleState.LIMITED, None
    result = render_bundle_task.enqueue(
        [item.pk for item in items],
        user.pk if user.is_authenticated else None,
        str(title),
        [[str(label), str(value)] for label, value in criteria],
        left_out,
        translation.get_language() or settings.LANGUAGE_CODE,
        storage_name,
    )
    if result.is_finished:  # a backend that runs tasks at once (the tests') has rendered it
        if result.status == TaskResultStatus.FAILED:
            return BundleState.FAILED, None
        handle = open_stored_name(storage_name)
        return (BundleState.READY, handle) if handle else (BundleState.EMPTY, None)
    cache.set(cache_key, str(result.id), QUEUED_FOR)
    return BundleState.QUEUED, None
