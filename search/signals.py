"""Keep the practice index in step with the database (HOUSE_STYLE.md habit 7).

A published, unpublished, moved or deleted practice, a city or network whose title
its practices carry, a view-restriction change and a changed vocabulary term each hand the
practices they affect to sync(). For a few practices it writes the database engine's index
(search/index.py) at once, inside the transaction of the change, so the next search sees it
and a rolled-back change leaves nothing behind; once the transaction commits it schedules
the rest (search/tasks.py): the embeddings, another engine's index, a change too large to
write in a request.
"""

import logging

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from practices.models import (
    AdaptationPage,
    CityPage,
    FundingProgramme,
    KeyTheme,
    NetworkPage,
    OrganisationType,
    PracticePage,
    PracticeTag,
    TargetAudience,
)

from . import index
from .backends.database import Backend as DatabaseEngine
from .tasks import schedule_index

logger = logging.getLogger(__name__)

VOCABULARIES = (KeyTheme, TargetAudience, OrganisationType, FundingProgramme, PracticeTag)
# Fields Wagtail saves alone when a draft is saved, a page locked or a comment added: the
# live page, which is what the index holds, is unchanged.
BOOKKEEPING_FIELDS = frozenset(
    {
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "locked",
        "locked_at",
        "locked_by",
        "wagtail_admin_comments",
    }
)


def sync(page_ids):
    """Write these practices' index rows now when they are few, in this transaction, and
    schedule the rest of their index work for when it commits."""
    page_ids = sorted(set(page_ids))
    if not page_ids:
        return
    written = write_now(page_ids)
    # robust: a failing index update is logged and never breaks the editor's request.
    transaction.on_commit(lambda: schedule_index(page_ids, database_written=written), robust=True)


def write_now(page_ids):
    """Write the database index rows of these practices in this transaction when they are
    few; True when written. A failure is logged and leaves the change itself intact."""
    # The database engine's inline_limit: how many practices' rows a change may write in the
    # request that made it (a few milliseconds each); more go to the worker.
    if len(page_ids) > DatabaseEngine.inline_limit:
        return False
    try:
        with transaction.atomic():  # a savepoint, rolled back alone on failure
            index.write(page_ids)
    except DatabaseError:
        logger.warning("Indexing practices %s at once failed; queued.", page_ids, exc_info=True)
        return False
    return True


def practices_in_subtree(page):
    """The ids of the practices at or below `page` (their visibility depends on its place)."""
    return PracticePage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)


def practices_using(term):
    """The ids of the practices that carry a vocabulary term or tag."""
    if isinstance(term, PracticeTag):
        return PracticePage.objects.filter(tags=term).values_list("pk", flat=True)
    return term.practices.values_list("pk", flat=True)


def _live_content_saved(raw, update_fields):
    return not raw and not (update_fields and set(update_fields) <= BOOKKEEPING_FIELDS)


@receiver(post_save, sender=PracticePage)
def practice_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """Any save of a practice's row (archived, imported, edited in code) reaches the
    database index at once; publishing, below, schedules the rest."""
    if _live_content_saved(raw, update_fields):
        write_now([instance.pk])


@receiver(page_published, sender=PracticePage)
def practice_published(sender, instance, **kwargs):
    """A published practice (archiving publishes too), once its relations are saved:
    modelcluster writes them after the row, so post_save would see the old ones."""
    sync([instance.pk])


@receiver(post_save, sender=CityPage)
@receiver(post_save, sender=NetworkPage)
def place_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """A city or network changed: its practices carry its title (and slug)."""
    if not _live_content_saved(raw, update_fields):
        return
    relation = "cities" if isinstance(instance, CityPage) else "networks"
    sync(PracticePage.objects.filter(**{relation: instance}).values_list("pk", flat=True))


@receiver(page_unpublished)
def page_was_unpublished(sender, instance, **kwargs):
    """An unpublished practice leaves the index (Wagtail signals each unpublished descendant)."""
    if isinstance(instance, PracticePage):
        sync([instance.pk])


@receiver(post_page_move)
def page_was_moved(sender, instance, **kwargs):
    """Moving a page can put its practices under (or out of) a view restriction."""
    sync(practices_in_subtree(instance))


@receiver(pre_delete, sender=PracticePage)
def practice_being_deleted(sender, instance, **kwargs):
    """A deleted practice leaves the database index with it, and the others after commit."""
    index.forget([instance.pk])


@receiver(post_delete, sender=PracticePage)
def practice_was_deleted(sender, instance, **kwargs):
    """A deleted practice leaves the other engines' index once the deletion commits (and
    the database index again: Wagtail unpublishes a page while deleting it)."""
    page_id = instance.pk
    index.forget([page_id])
    transaction.on_commit(lambda: schedule_index([page_id], database_written=True), robust=True)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def view_restriction_changed(sender, instance, raw=False, **kwargs):
    """Privacy changed for a subtree: its practices' restriction ids change."""
    if raw:
        return
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:  # None while the restricted page itself is being deleted
        sync(practices_in_subtree(page))


def vocabulary_term_saved(sender, instance, created=False, raw=False, **kwargs):
    """A renamed term (or a new slug) changes the texts and facet values of its practices."""
    if not created and not raw:
        sync(practices_using(instance))


def vocabulary_term_deleted(sender, instance, **kwargs):
    """A deleted term leaves its practices; read them before the links are gone."""
    page_ids = list(practices_using(instance))
    # The links go with the term: the practices are written again once it is gone.
    transaction.on_commit(lambda: sync(page_ids), robust=True)


for vocabulary in VOCABULARIES:
    post_save.connect(
        vocabulary_term_saved, sender=vocabulary, dispatch_uid=f"search-{vocabulary.__name__}-saved"
    )
    pre_delete.connect(
        vocabulary_term_deleted,
        sender=vocabulary,
        dispatch_uid=f"search-{vocabulary.__name__}-deleted",
    )


@receiver(page_published, sender=AdaptationPage)
def adaptation_published(sender, instance, **kwargs):
    """A published adaptation report makes its original "adapted elsewhere"."""
    if instance.original_id:
        sync([instance.original_id])


@receiver(post_save, sender=AdaptationPage)
def adaptation_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """A report's row saved outside publishing (in code, by an import) changes its original
    too; saving a draft does not (Wagtail saves only bookkeeping fields then)."""
    if _live_content_saved(raw, update_fields) and instance.original_id:
        sync([instance.original_id])


@receiver(page_unpublished, sender=AdaptationPage)
@receiver(post_page_move, sender=AdaptationPage)
def adaptation_withdrawn_or_moved(sender, instance, **kwargs):
    """An unpublished (or moved, perhaps under a restriction) report changes its original."""
    if instance.original_id:
        sync([instance.original_id])


@receiver(post_delete, sender=AdaptationPage)
def adaptation_deleted(sender, instance, **kwargs):
    """A deleted report leaves its original, once the deletion commits."""
    original_id = instance.original_id
    if original_id:
        transaction.on_commit(lambda: sync([original_id]), robust=True)
