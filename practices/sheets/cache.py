"""Rendered sheets kept in the default storage: one file per revision, template and audience.

A sheet's storage name is made of everything that can change what it shows:

- the page id and its live revision id (publishing a new revision changes it);
- the template version (the sheet templates' sources, WeasyPrint's version and a setting);
- a digest of what the sheet shows from outside the revision (vocabulary labels, city and
  network names, the network logo; for a factsheet, its list of practices);
- the language and the audience: "public" when the reader sees what an anonymous visitor sees,
  "members" when they see more (an unconsented contact block, members-only practices).

So a stored file is only ever served to readers who would get exactly the same PDF, and a
change to any input renders a new file. The name ends in an HMAC of the key (with SECRET_KEY),
so a file cannot be found by guessing its name even where the media folder is public.
"""

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
        if page.live_revision_id:
            revision = f"r{page.live_revision_id}"
        else:
            # Pages saved without revisions (scripts, fixtures): key on their content instead.
            revision = f"c{short_hash(page.serializable_data())}"
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


def is_complete_pdf(data):
    """True for a whole PDF file; false for an empty or half-written one."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def read_stored(key):
    """The stored PDF for `key`, or None when there is none (or only a partial one)."""
    name = key.storage_name
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:  # missing, or the storage is unreachable: render instead
        return None
    return data if is_complete_pdf(data) else None


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
    """Delete stored versions of the page's sheet that no current key can name."""
    try:
        _folders, files = default_storage.listdir(key.folder)
    except OSError:  # no folder yet
        return
    for file_name in files:
        if not file_name.startswith(key.generation + "-"):
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
    """Return (pdf, rendered): the stored PDF for `key`, else `render()`'s, which is stored."""
    data = read_stored(key)
    if data is not None:
        return data, False
    data = render()
    store(key, data)
    return data, True


def practice_audience(page, user):
    """Return (show_contact, audience) for `user` reading `page`'s sheet."""
    show_contact = page.contact_visible_to(user)
    public_sees_contact = page.contact_visible_to(AnonymousUser())
    if show_contact == public_sees_contact or not page.has_contact:
        # The reader sees what the public sees: share the public file.
        return public_sees_contact, PUBLIC
    return show_contact, MEMBERS


def practice_sheet_pdf(page, user):
    """Return (pdf, rendered): `page`'s sheet as `user` may see it, from storage when possible."""
    show_contact, audience = practice_audience(page, user)
    key = SheetKey.for_page(
        "practice", page, related=practice_related_digest(page), audience=audience
    )
    return stored_or_rendered(
        key, lambda: render_practice_sheet(page, show_contact=show_contact, audience=audience)
    )


def city_factsheet_pdf(city, user):
    """Return (pdf, rendered): `city`'s factsheet as `user` may see it, stored when possible."""
    practices = list(city_practices(city, user))
    public_ids = list(city_practices(city, AnonymousUser()).values_list("pk", flat=True))
    audience = PUBLIC if [p.pk for p in practices] == public_ids else MEMBERS
    key = SheetKey.for_page(
        "city", city, related=city_related_digest(city, practices), audience=audience
    )
    return stored_or_rendered(
        key, lambda: render_city_factsheet(city, practices, audience=audience)
    )
