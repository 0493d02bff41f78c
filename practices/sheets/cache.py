"""Rendered sheets kept in the default storage: one file per revision, template and audience.

A sheet's storage name is made of everything that can change what it shows:

- the page id and its live revision id (publishing a new revision changes it), or for a page
  saved without revisions a digest of its own row;
- the template version (the sheet templates' sources, WeasyPrint's and Wagtail's versions and
  a setting);
- a digest of what the sheet shows from outside the page's row (vocabulary labels, city and
  network names, the network logo, tags, meetings; for a factsheet, its list of practices);
- the language and the audience: "public" when the reader sees what an anonymous visitor sees,
  "members" when they see more (an unconsented contact block, members-only practices).

So a stored file is only ever served to readers who would get exactly the same PDF, and a
change to any input renders a new file. The name ends in an HMAC of the key (with SECRET_KEY),
so a file cannot be found by guessing its name even where the media folder is public.

Serving a stored practice sheet costs one query on top of the page's own serving: the related
digest (render.practice_related_digest). Everything else in the key comes from the page row
the router already loaded, the templates and the request.
"""

import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from .render import (
    city_practices,
    city_related_digest,
    practice_related_digest,
    render_city_factsheet,
    render_practice_sheet,
    short_hash,
    template_version,
)

logger = logging.getLogger(__name__)

PUBLIC = "public"
MEMBERS = "members"


@dataclass(frozen=True)
class SheetKey:
    """Everything a stored sheet depends on; two requests with equal keys get the same PDF."""

    kind: str
    page_id: int
    revision: str
    template: str
    related: str
    language: str
    audience: str

    @classmethod
    def for_page(cls, kind, page, *, related, audience):
        """The key of `page`'s `kind` sheet as it is live now."""
        # Pages saved without revisions (scripts, fixtures) are keyed on their row instead;
        # what the sheet shows from other tables, inline rows included, is in `related`.
        revision = f"r{page.live_revision_id}" if page.live_revision_id else f"c{row_digest(page)}"
        return cls(
            kind=kind,
            page_id=page.pk,
            revision=revision,
            template=template_version(),
            related=related,
            language=get_language() or settings.LANGUAGE_CODE,
            audience=audience,
        )

    @property
    def folder(self):
        """The storage folder holding every stored version of this page's sheet."""
        return f"{settings.PRACTICE_SHEET_CACHE_DIR}/{self.kind}/{self.page_id}"

    @property
    def generation(self):
        """The part of the file name shared by all audiences of the current version."""
        return f"{self.revision}-t{self.template}-v{self.related}-{self.language}"

    @property
    def storage_name(self):
        """The file name in the default storage, ending in an unguessable HMAC of the key."""
        mac = salted_hmac("practices.sheets.cache", repr(self), algorithm="sha256")
        return f"{self.folder}/{self.generation}-{self.audience}-{mac.hexdigest()[:20]}.pdf"


# Page fields that change with drafts, locks and new child pages, not with what is live: left
# out of row_digest() so that saving a draft does not render the sheet again.
DRAFT_FIELDS = frozenset(
    {
        "latest_revision_id",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "locked",
        "locked_at",
        "locked_by_id",
        "numchild",
    }
)


def row_digest(page):
    """A digest of the page's own database row as it is live, without draft bookkeeping.

    It stands in for the revision id of pages saved without revisions. It reads only the
    loaded instance: Wagtail's serializable_data() also loads every relation, which cost more
    than the rest of serving a stored sheet.
    """
    return short_hash(
        [
            (field.attname, getattr(page, field.attname))
            for field in page._meta.concrete_fields
            if field.attname not in DRAFT_FIELDS
        ]
    )


# How much of the end of a PDF is searched for its %%EOF marker.
PDF_TAIL = 1024


def is_complete_pdf(data):
    """True for a whole PDF file; false for an empty or half-written one."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-PDF_TAIL:]


def open_stored(key):
    """The stored PDF for `key` as an open binary file, or None when there is none."""
    return open_stored_name(key.storage_name)


def open_stored_name(name):
    """The complete stored PDF called `name` as an open binary file, or None when there is none.

    A partial file (an interrupted write) counts as none. Only its first bytes and its end
    are read here: the caller streams the rest.
    """
    try:
        handle = default_storage.open(name, "rb")
    except OSError:  # missing, or the storage is unreachable: render instead
        return None
    try:
        head = handle.read(5)
        handle.seek(max(handle.size - PDF_TAIL, 5))
        if is_complete_pdf(head + handle.read()):
            handle.seek(0)
            return handle
    except OSError:
        pass
    handle.close()
    return None


def store(key, data):
    """Save a rendered PDF under `key` and drop this page's older versions.

    Storage errors are logged, not raised: the reader still gets the PDF just rendered.
    """
    name = key.storage_name
    try:
        if default_storage.exists(name):
            default_storage.delete(name)  # a partial file left by an interrupted write
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            # Another process stored the same key in the meantime; keep one copy.
            default_storage.delete(saved)
        prune(key)
    except OSError:
        logger.exception("Could not store the sheet %s.", name)


def prune(key):
    """Delete the stored versions of the page's sheet that `key` replaces.

    Each audience and language keeps its own current file: a factsheet's members and public
    versions list different practices, so their related digests differ, and deleting the
    other audience's file made alternating readers render it every time. Files of another
    revision or template version are deleted whatever their audience.
    """
    try:
        _folders, files = default_storage.listdir(key.folder)
    except OSError:  # no folder yet
        return
    current = key.storage_name.rsplit("/", 1)[-1]
    same_version = f"{key.revision}-t{key.template}-"
    for file_name in files:
        generation, audience, _mac = file_name.rsplit("-", 2)
        # <revision>-t<template>-v<related>-<language>: only the language may hold a dash.
        language = generation.split("-", 3)[-1]
        replaced = audience == key.audience and language == key.language
        outdated = not generation.startswith(same_version)
        if file_name != current and (replaced or outdated):
            default_storage.delete(f"{key.folder}/{file_name}")


def forget_page(page_id):
    """Delete every stored sheet of a page (it was unpublished or deleted)."""
    for kind in ("practice", "city"):
        folder = f"{settings.PRACTICE_SHEET_CACHE_DIR}/{kind}/{page_id}"
        try:
            _folders, files = default_storage.listdir(folder)
        except OSError:  # nothing stored
            continue
        for file_name in files:
            default_storage.delete(f"{folder}/{file_name}")


def stored_or_rendered(key, render):
    """Return (pdf, rendered): the stored PDF for `key` as an open file, else `render()`'s.

    A rendered PDF is stored, and returned as an in-memory file, so callers handle both
    alike; they close it (a FileResponse does when it has been sent).
    """
    handle = open_stored(key)
    if handle is not None:
        return handle, False
    data = render()
    store(key, data)
    return io.BytesIO(data), True


def _read(result):
    """(pdf bytes, rendered) from a stored_or_rendered() result, closing the file."""
    handle, rendered = result
    with handle:
        return handle.read(), rendered


def practice_audience(page, user):
    """Return (show_contact, audience) for `user` reading `page`'s sheet."""
    show_contact = page.contact_visible_to(user)
    public_sees_contact = page.contact_visible_to(AnonymousUser())
    if show_contact == public_sees_contact or not page.has_contact:
        # The reader sees what the public sees: share the public file.
        return public_sees_contact, PUBLIC
    return show_contact, MEMBERS


def open_practice_sheet(page, user):
    """Return (file, rendered): `page`'s sheet as `user` may see it, from storage when possible.

    On a stored sheet this costs the related digest query and opening the file; nothing is
    rendered, and the page's relations are not loaded.
    """
    show_contact, audience = practice_audience(page, user)
    key = SheetKey.for_page(
        "practice", page, related=practice_related_digest(page), audience=audience
    )
    return stored_or_rendered(
        key, lambda: render_practice_sheet(page, show_contact=show_contact, audience=audience)
    )


def practice_sheet_pdf(page, user):
    """Return (pdf, rendered): `page`'s sheet as `user` may see it, as bytes."""
    return _read(open_practice_sheet(page, user))


def open_city_factsheet(city, user):
    """Return (file, rendered): `city`'s factsheet as `user` may see it, stored when possible."""
    practices = list(city_practices(city, user))
    if user.is_authenticated:
        public_ids = list(city_practices(city, AnonymousUser()).values_list("pk", flat=True))
        audience = PUBLIC if [p.pk for p in practices] == public_ids else MEMBERS
    else:
        audience = PUBLIC  # an anonymous reader's list is the public list
    key = SheetKey.for_page(
        "city", city, related=city_related_digest(city, practices), audience=audience
    )
    return stored_or_rendered(
        key, lambda: render_city_factsheet(city, practices, audience=audience)
    )


def bundle_storage_name(items, *, title, criteria, left_out):
    """The storage name of the bundle of `items` (bundles.BundleItem, in print order) with
    this cover: one file per distinct content, shared by readers who see the same.

    The practices' revisions and the state of the search index (which moves when a practice
    is written again for a change to it, its city, its network or a vocabulary term:
    search.index.content_state) stand in for each sheet's related digest, so naming a bundle
    of 50 costs two queries, not 50.
    """
    from search.index import content_state

    key = [
        template_version(),
        get_language() or settings.LANGUAGE_CODE,
        content_state(),
        str(title),
        [[str(label), str(value)] for label, value in criteria],
        left_out,
        [[item.pk, item.revision, item.published, item.show_contact] for item in items],
    ]
    mac = salted_hmac("practices.sheets.bundle", short_hash(key), algorithm="sha256")
    return f"{settings.PRACTICE_SHEET_CACHE_DIR}/bundle/{mac.hexdigest()[:32]}.pdf"


def store_named(name, data):
    """Save a rendered bundle under `name`; storage errors are logged and raised."""
    if default_storage.exists(name):
        default_storage.delete(name)  # a partial file left by an interrupted write
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        default_storage.delete(saved)  # another worker stored the same bundle meanwhile


def city_factsheet_pdf(city, user):
    """Return (pdf, rendered): `city`'s factsheet as `user` may see it, as bytes."""
    return _read(open_city_factsheet(city, user))
